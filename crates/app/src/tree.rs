//! Blocks inside blocks: an address for every block of the model, nested ones included (a
//! residual's body, a parallel's branches), and the edits the architecture editor makes at any
//! depth: set, remove, move, add, wrap a run of neighbours in a residual or a parallel, unwrap.
//! Pure, so it is tested natively.

use layerlab_spec::Spec;
use layerlab_spec::model::{Block, Merge, Parallel, Residual};

/// A list of blocks in the model: the model itself, a residual's body, or a parallel's branch.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Place {
    Model,
    Body(Box<Addr>),
    Branch(Box<Addr>, usize),
}

/// A block: its list and its index there.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Addr {
    pub list: Place,
    pub index: usize,
}

impl Addr {
    /// A block of the model itself.
    pub fn top(index: usize) -> Self {
        Addr { list: Place::Model, index }
    }

    /// The spec's path of the block (`model[1].branches[0][2]`), as validation names it.
    pub fn path(&self) -> String {
        format!("{}[{}]", self.list.path(), self.index)
    }

    /// A prefix for the ids of the block's controls: `block-1` at the top, `block-1-body-0` or
    /// `block-1-branch0-2` inside.
    pub fn id(&self) -> String {
        match &self.list {
            Place::Model => format!("block-{}", self.index),
            Place::Body(parent) => format!("{}-body-{}", parent.id(), self.index),
            Place::Branch(parent, b) => format!("{}-branch{b}-{}", parent.id(), self.index),
        }
    }

    /// The block's number as the page shows it: `2` at the top, `2.1` in a body, `2.b1.3` in a
    /// parallel's first branch.
    pub fn label(&self) -> String {
        match &self.list {
            Place::Model => format!("{}", self.index + 1),
            Place::Body(parent) => format!("{}.{}", parent.label(), self.index + 1),
            Place::Branch(parent, b) => format!("{}.b{}.{}", parent.label(), b + 1, self.index + 1),
        }
    }

    /// The same list, another index.
    pub fn sibling(&self, index: usize) -> Self {
        Addr { list: self.list.clone(), index }
    }
}

impl Place {
    /// The spec's path of the list (`model`, `model[1].body`, `model[1].branches[0]`).
    pub fn path(&self) -> String {
        match self {
            Place::Model => "model".to_string(),
            Place::Body(parent) => format!("{}.body", parent.path()),
            Place::Branch(parent, b) => format!("{}.branches[{b}]", parent.path()),
        }
    }

    /// An id for the list's own controls (`model`, `block-1-body`, `block-1-branch0`).
    pub fn id(&self) -> String {
        match self {
            Place::Model => "model".to_string(),
            Place::Body(parent) => format!("{}-body", parent.id()),
            Place::Branch(parent, b) => format!("{}-branch{b}", parent.id()),
        }
    }
}

/// The list at `place`, if the model has it.
pub fn list<'a>(spec: &'a Spec, place: &Place) -> Option<&'a Vec<Block>> {
    match place {
        Place::Model => Some(&spec.model),
        Place::Body(parent) => match block(spec, parent)? {
            Block::Residual(r) => Some(&r.body),
            _ => None,
        },
        Place::Branch(parent, b) => match block(spec, parent)? {
            Block::Parallel(p) => p.branches.get(*b),
            _ => None,
        },
    }
}

/// The list at `place`, to change.
pub fn list_mut<'a>(spec: &'a mut Spec, place: &Place) -> Option<&'a mut Vec<Block>> {
    match place {
        Place::Model => Some(&mut spec.model),
        Place::Body(parent) => match block_mut(spec, parent)? {
            Block::Residual(r) => Some(&mut r.body),
            _ => None,
        },
        Place::Branch(parent, b) => match block_mut(spec, parent)? {
            Block::Parallel(p) => p.branches.get_mut(*b),
            _ => None,
        },
    }
}

/// The block at `addr`.
pub fn block<'a>(spec: &'a Spec, addr: &Addr) -> Option<&'a Block> {
    list(spec, &addr.list)?.get(addr.index)
}

fn block_mut<'a>(spec: &'a mut Spec, addr: &Addr) -> Option<&'a mut Block> {
    list_mut(spec, &addr.list)?.get_mut(addr.index)
}

/// The lists directly inside `block` at `addr`, with a label for each.
pub fn inner_lists(block: &Block, addr: &Addr) -> Vec<(Place, String)> {
    match block {
        Block::Residual(_) => vec![(Place::Body(Box::new(addr.clone())), "body".to_string())],
        Block::Parallel(p) => (0..p.branches.len())
            .map(|b| (Place::Branch(Box::new(addr.clone()), b), format!("branch {}", b + 1)))
            .collect(),
        _ => Vec::new(),
    }
}

/// Replaces the block at `addr`, keeping what is nested inside the old one (the editor edits a
/// container's own fields; its blocks have their own cards).
pub fn set(spec: &mut Spec, addr: &Addr, new: Block) {
    if let Some(slot) = block_mut(spec, addr) {
        *slot = match (std::mem::replace(slot, new.clone()), new) {
            (Block::Residual(old), Block::Residual(r)) => Block::Residual(Residual { body: old.body, ..r }),
            (Block::Parallel(old), Block::Parallel(p)) => Block::Parallel(Parallel { branches: old.branches, ..p }),
            (_, new) => new,
        };
    }
}

/// Removes the block at `addr` (nothing when there is none).
pub fn remove(spec: &mut Spec, addr: &Addr) {
    if let Some(list) = list_mut(spec, &addr.list)
        && addr.index < list.len()
    {
        list.remove(addr.index);
    }
}

/// Moves the block at `addr` to index `to` of its list; `false` when either is out of range.
pub fn move_to(spec: &mut Spec, addr: &Addr, to: usize) -> bool {
    match list_mut(spec, &addr.list) {
        Some(list) if addr.index < list.len() && to < list.len() && addr.index != to => {
            let b = list.remove(addr.index);
            list.insert(to, b);
            true
        }
        _ => false,
    }
}

/// Appends `new` to the list at `place`; its index there, or `None` when there is no such list.
pub fn add(spec: &mut Spec, place: &Place, new: Block) -> Option<usize> {
    let list = list_mut(spec, place)?;
    list.push(new);
    Some(list.len() - 1)
}

/// The containers a run of blocks can be wrapped in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrap {
    /// The run becomes a residual's body: `x + body(x)`.
    Residual,
    /// Each block of the run becomes a branch, side by side, summed (one block: it and a copy).
    Parallel,
}

/// Wraps the blocks `indices` of the list at `place` (neighbours) in a container that takes
/// their place. `Err` says why not (nothing chosen, or blocks that are not neighbours).
pub fn wrap(spec: &mut Spec, place: &Place, indices: &[usize], how: Wrap) -> Result<usize, String> {
    let mut chosen = indices.to_vec();
    chosen.sort_unstable();
    chosen.dedup();
    let (Some(&first), Some(&last)) = (chosen.first(), chosen.last()) else {
        return Err("choose the blocks to wrap first (tick them)".to_string());
    };
    if last - first + 1 != chosen.len() {
        return Err("only neighbouring blocks can be wrapped together: tick a run of blocks with none left out".into());
    }
    let list = list_mut(spec, place).ok_or("those blocks are no longer there")?;
    if last >= list.len() {
        return Err("those blocks are no longer there".to_string());
    }
    let run: Vec<Block> = list.drain(first..=last).collect();
    let container = match how {
        Wrap::Residual => Block::Residual(Residual { body: run, ..Residual::default() }),
        Wrap::Parallel => {
            let branches =
                if run.len() == 1 { vec![run.clone(), run] } else { run.into_iter().map(|b| vec![b]).collect() };
            Block::Parallel(Parallel { branches, merge: Merge::Sum })
        }
    };
    list.insert(first, container);
    Ok(first)
}

/// Puts the blocks inside the container at `addr` in its place (a parallel's branches one after
/// another); `false` when it holds no blocks of its own.
pub fn unwrap(spec: &mut Spec, addr: &Addr) -> bool {
    let inner = match block(spec, addr) {
        Some(Block::Residual(r)) => r.body.clone(),
        Some(Block::Parallel(p)) => p.branches.concat(),
        _ => return false,
    };
    let Some(list) = list_mut(spec, &addr.list) else { return false };
    list.splice(addr.index..=addr.index, inner);
    true
}

#[cfg(test)]
mod tests {
    use layerlab_spec::analyse;

    use super::*;
    use crate::experiment::starting_spec;

    fn kinds(blocks: &[Block]) -> Vec<&str> {
        blocks.iter().map(Block::kind).collect()
    }

    fn norm() -> Block {
        Block::defaults().into_iter().find(|b| b.kind() == "norm").unwrap()
    }

    #[test]
    fn addresses_name_their_paths_and_ids() {
        let inner = Addr { list: Place::Branch(Box::new(Addr::top(1)), 0), index: 2 };
        assert_eq!((inner.path(), inner.id()), ("model[1].branches[0][2]".into(), "block-1-branch0-2".into()));
        let body = Addr { list: Place::Body(Box::new(inner.clone())), index: 0 };
        assert_eq!(body.path(), "model[1].branches[0][2].body[0]");
        assert_eq!((body.id(), body.list.id()), ("block-1-branch0-2-body-0".into(), "block-1-branch0-2-body".into()));
        assert_eq!((Addr::top(3).path(), Place::Model.path()), ("model[3]".into(), "model".into()));
        assert_eq!(
            (Addr::top(3).label(), inner.label(), body.label()),
            ("4".into(), "2.b1.3".into(), "2.b1.3.1".into())
        );
    }

    #[test]
    fn a_run_wraps_in_a_residual_is_edited_inside_and_unwraps() {
        let mut spec = starting_spec();
        let before = spec.model.clone();
        assert_eq!(wrap(&mut spec, &Place::Model, &[1, 0], Wrap::Residual), Ok(0));
        assert_eq!(kinds(&spec.model), ["residual"]);
        assert!(analyse(&spec).is_ok(), "2 → 4 → 2 gives back its shape");
        let body = Place::Body(Box::new(Addr::top(0)));
        assert_eq!(add(&mut spec, &body, norm()), Some(2));
        let inner = Addr { list: body.clone(), index: 2 };
        assert_eq!(block(&spec, &inner).map(Block::kind), Some("norm"));
        assert!(move_to(&mut spec, &inner, 0));
        assert_eq!(kinds(list(&spec, &body).unwrap()), ["norm", "dense", "dense"]);
        remove(&mut spec, &inner.sibling(0));
        // Editing the container's own fields keeps its body.
        let Some(Block::Residual(r)) = block(&spec, &Addr::top(0)).cloned() else { panic!() };
        set(&mut spec, &Addr::top(0), Block::Residual(Residual { drop_path: 0.1, body: Vec::new() }));
        let Some(Block::Residual(edited)) = block(&spec, &Addr::top(0)) else { panic!() };
        assert_eq!((edited.drop_path, &edited.body), (0.1, &r.body));
        assert!(unwrap(&mut spec, &Addr::top(0)));
        assert_eq!(spec.model, before);
        assert!(!unwrap(&mut spec, &Addr::top(0)), "a dense block holds nothing");
    }

    #[test]
    fn a_parallel_puts_each_block_in_a_branch_and_one_block_beside_a_copy() {
        let mut spec = starting_spec();
        spec.model.insert(1, norm());
        spec.model.insert(1, norm());
        assert_eq!(wrap(&mut spec, &Place::Model, &[1, 2], Wrap::Parallel), Ok(1));
        let Block::Parallel(p) = &spec.model[1] else { panic!("{:?}", spec.model) };
        assert_eq!((p.branches.len(), kinds(&p.branches[1])), (2, vec!["norm"]));
        let branch = Place::Branch(Box::new(Addr::top(1)), 1);
        assert_eq!(wrap(&mut spec, &branch, &[0], Wrap::Parallel), Ok(0));
        let inner = Addr { list: branch, index: 0 };
        assert!(matches!(block(&spec, &inner), Some(Block::Parallel(p)) if p.branches.len() == 2));
        assert_eq!(inner_lists(block(&spec, &inner).unwrap(), &inner).len(), 2);
        assert!(analyse(&spec).is_ok());
    }

    #[test]
    fn a_moved_block_lands_where_it_is_dropped_and_out_of_range_moves_do_nothing() {
        let mut spec = starting_spec();
        for _ in 0..2 {
            spec.model.push(norm());
        }
        spec.model[3] = Block::defaults().into_iter().find(|b| b.kind() == "dropout").unwrap();
        assert!(move_to(&mut spec, &Addr::top(0), 3));
        assert_eq!(kinds(&spec.model), ["dense", "norm", "dropout", "dense"]);
        assert!(move_to(&mut spec, &Addr::top(2), 0));
        assert_eq!(kinds(&spec.model), ["dropout", "dense", "norm", "dense"]);
        assert!(!move_to(&mut spec, &Addr::top(1), 1) && !move_to(&mut spec, &Addr::top(4), 0));
        assert!(!move_to(&mut spec, &Addr::top(0), 4) && !move_to(&mut spec, &Addr::top(0), usize::MAX));
        remove(&mut spec, &Addr::top(9));
        remove(&mut spec, &Addr::top(0));
        assert_eq!(kinds(&spec.model), ["dense", "norm", "dense"]);
    }

    #[test]
    fn wrapping_needs_a_run_of_neighbours() {
        let mut spec = starting_spec();
        spec.model.push(norm());
        assert!(wrap(&mut spec, &Place::Model, &[], Wrap::Residual).unwrap_err().contains("choose the blocks"));
        assert!(wrap(&mut spec, &Place::Model, &[0, 2], Wrap::Residual).unwrap_err().contains("neighbouring"));
        assert!(wrap(&mut spec, &Place::Model, &[5], Wrap::Residual).unwrap_err().contains("no longer there"));
        let nowhere = Place::Body(Box::new(Addr::top(0)));
        assert!(wrap(&mut spec, &nowhere, &[0], Wrap::Residual).is_err());
        assert_eq!(kinds(&spec.model), ["dense", "dense", "norm"]);
    }
}
