//! The WGSL kernels, one file per op family under `wgsl/`, each compiled with the small shared
//! files it needs prepended (the parameter slot, activations, random numbers). Their text comes
//! from [`crate::shaders`].

use crate::shaders;

/// Which of naga's runtime checks a kernel is compiled with natively (a browser compiles WGSL
/// with its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Checks {
    /// Index clamping and loop bounding, wgpu's default.
    All,
    /// Index clamping, without loop bounding (a counter added to every loop in case it never
    /// ends): every loop of these kernels ends, and the counter keeps drivers from unrolling
    /// loops — NVIDIA's then keeps per-thread arrays in memory, 30 times slower.
    Bounds,
    /// None: only for a kernel whose every index is in range by construction (the matrix
    /// multiply's: its loads and stores test their bounds, its arrays are indexed within their
    /// constant sizes).
    Nothing,
}

/// One compiled form of the matrix multiply (matmul.wgsl): a tile of `rows` × `cols` numbers
/// of C per workgroup, each thread summing `per.0` × `per.1` of them, through slices `depth`
/// deep, whose rows lie `pad` numbers apart beyond their length in workgroup memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatmulTiles {
    /// Its WGSL file (matmul.wgsl with the sizes before it).
    pub file: &'static str,
    /// The WGSL constants put before matmul.wgsl: TM, TN, PM, PN, DEPTH, PAD.
    sizes: &'static str,
    pub rows: usize,
    pub cols: usize,
    pub per: (usize, usize),
    pub depth: usize,
    pub pad: usize,
}

impl MatmulTiles {
    /// The kernel, compiled with `checks`.
    pub const fn kernel(self, checks: Checks) -> Kernel {
        Kernel { file: self.file, entry: "matmul", checks: Some(checks) }
    }

    /// "128×64 tiles, 8×4 per thread, 16 deep, padded by 4".
    pub fn describe(self) -> String {
        let (pm, pn) = self.per;
        format!("{}×{} tiles, {pm}×{pn} per thread, {} deep, padded by {}", self.rows, self.cols, self.depth, self.pad)
    }
}

/// Writes a [`MatmulTiles`] and its WGSL constants from the same numbers.
macro_rules! tiles {
    ($file:literal, $rows:literal, $cols:literal, $pm:literal, $pn:literal, $depth:literal, $pad:literal) => {
        MatmulTiles {
            file: $file,
            sizes: concat!(
                "const TM = ",
                $rows,
                "u;\nconst TN = ",
                $cols,
                "u;\nconst PM = ",
                $pm,
                "u;\nconst PN = ",
                $pn,
                "u;\nconst DEPTH = ",
                $depth,
                "u;\nconst PAD = ",
                $pad,
                "u;\n"
            ),
            rows: $rows,
            cols: $cols,
            per: ($pm, $pn),
            depth: $depth,
            pad: $pad,
        }
    };
}

/// The matrix multiply's tiles for most products (rows, columns; sums per thread, rows and
/// columns; depth; padding).
pub const MATMUL_SMALL: MatmulTiles = tiles!("matmul_64x64_pad", 64, 64, 4, 4, 16, 4);
/// Its tiles for products large enough to fill a GPU with them (see `MatmulChoice::tiles`).
pub const MATMUL_LARGE: MatmulTiles = tiles!("matmul_128x128_pad", 128, 128, 8, 8, 8, 4);
/// Its tiles on an implementation of the API that pays per thread (SwiftShader, see
/// [`Emulator`](crate::Emulator)): few threads, many sums each.
pub const MATMUL_FEW_THREADS: MatmulTiles = tiles!("matmul_32x64_pad", 32, 64, 8, 8, 16, 4);

/// Every compiled form of the matrix multiply: the three the backend picks from, and three the
/// benchmark measures beside them (unpadded, and a middle size).
pub const MATMUL_TILES: [MatmulTiles; 6] = [
    tiles!("matmul_64x64", 64, 64, 4, 4, 16, 0),
    MATMUL_SMALL,
    tiles!("matmul_128x64_pad", 128, 64, 8, 4, 16, 4),
    tiles!("matmul_128x128", 128, 128, 8, 8, 8, 0),
    MATMUL_LARGE,
    MATMUL_FEW_THREADS,
];

/// One entry point of one WGSL file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Kernel {
    pub file: &'static str,
    pub entry: &'static str,
    /// The runtime checks it is compiled with; `None`: the context's.
    pub checks: Option<Checks>,
}

/// The op families but the matrix multiply's: the file's name and the files it needs before it
/// (after `common`).
const FILES: &[(&str, &[&str])] = &[
    ("elementwise", &["activation", "rng"]),
    ("reduce", &["activation"]),
    ("optim", &[]),
    ("norm", &[]),
    ("sequence", &[]),
    ("moe", &[]),
    ("kan", &["activation"]),
];

/// File `name`'s text: at hand whenever a kernel compiles, as [`crate::Gpu::new`] checks.
fn text(name: &str) -> &'static str {
    shaders::text(name).unwrap_or_else(|| panic!("{name}.wgsl is not at hand: Gpu::new checks that every file is"))
}

impl Kernel {
    pub const fn new(file: &'static str, entry: &'static str) -> Kernel {
        Kernel { file, entry, checks: None }
    }

    /// The whole text the file compiles from.
    pub fn source(self) -> String {
        let mut source = String::from(text("common"));
        if let Some(tiles) = MATMUL_TILES.iter().find(|t| t.file == self.file) {
            source.push_str(tiles.sizes);
            source.push_str(text("matmul"));
            source.push_str(&crate::unroll::multiply(*tiles));
            return source;
        }
        let (name, needs) = FILES
            .iter()
            .find(|(name, _)| *name == self.file)
            .unwrap_or_else(|| panic!("no WGSL file named {}", self.file));
        for part in *needs {
            source.push_str(text(part));
        }
        source.push_str(text(name));
        source
    }
}

pub const BIAS_ACT: Kernel = Kernel::new("elementwise", "bias_act");
pub const ACT_BACKWARD: Kernel = Kernel::new("elementwise", "act_backward");
pub const COL_SUM: Kernel = Kernel::new("elementwise", "col_sum");
pub const AXPBY: Kernel = Kernel::new("elementwise", "axpby");
pub const COPY_COLS: Kernel = Kernel::new("elementwise", "copy_cols");
pub const DROPOUT: Kernel = Kernel::new("elementwise", "dropout");
pub const MUL: Kernel = Kernel::new("elementwise", "mul");
pub const SCALE: Kernel = Kernel::new("elementwise", "scale");
pub const PENALTY: Kernel = Kernel::new("elementwise", "penalty");
pub const ADD_NOISE: Kernel = Kernel::new("elementwise", "add_noise");
pub const PARTIAL_SUMS: Kernel = Kernel::new("reduce", "partial_sums");
pub const FINAL_SUM: Kernel = Kernel::new("reduce", "final_sum");
pub const MSE: Kernel = Kernel::new("reduce", "mse");
pub const BINARY_CROSS_ENTROPY: Kernel = Kernel::new("reduce", "binary_cross_entropy");
pub const CROSS_ENTROPY: Kernel = Kernel::new("reduce", "cross_entropy");
pub const GUARD: Kernel = Kernel::new("optim", "guard");
pub const CLIP: Kernel = Kernel::new("optim", "clip");
pub const SGD: Kernel = Kernel::new("optim", "sgd");
pub const MOMENTUM: Kernel = Kernel::new("optim", "momentum");
pub const ADAM: Kernel = Kernel::new("optim", "adam");
pub const NORM_ROWS_FORWARD: Kernel = Kernel::new("norm", "rows_forward");
pub const NORM_BATCH_FORWARD: Kernel = Kernel::new("norm", "batch_forward");
pub const NORM_PARAM_GRADS: Kernel = Kernel::new("norm", "param_grads");
pub const NORM_INPUT_GRAD: Kernel = Kernel::new("norm", "input_grad");
pub const EMBED_FORWARD: Kernel = Kernel::new("sequence", "embed_forward");
pub const EMBED_TABLE_GRAD: Kernel = Kernel::new("sequence", "embed_table_grad");
pub const EMBED_POS_GRAD: Kernel = Kernel::new("sequence", "embed_pos_grad");
pub const POOL_FORWARD: Kernel = Kernel::new("sequence", "pool_forward");
pub const POOL_BACKWARD: Kernel = Kernel::new("sequence", "pool_backward");
pub const SWAP_AXES: Kernel = Kernel::new("sequence", "swap_axes");
pub const ATTENTION_FORWARD: Kernel = Kernel::new("sequence", "attention_forward");
pub const ATTENTION_SCORES_GRAD: Kernel = Kernel::new("sequence", "attention_scores_grad");
pub const ATTENTION_KV_GRAD: Kernel = Kernel::new("sequence", "attention_kv_grad");
pub const MOE_ROUTE_ROWS: Kernel = Kernel::new("moe", "route_rows");
pub const MOE_BALANCE_LOSS: Kernel = Kernel::new("moe", "balance_loss");
pub const MOE_ROUTE_BACKWARD: Kernel = Kernel::new("moe", "route_backward");
pub const GATE_ROWS: Kernel = Kernel::new("moe", "gate_rows");
pub const GATE_GRAD: Kernel = Kernel::new("moe", "gate_grad");
pub const KAN_BASIS: Kernel = Kernel::new("kan", "kan_basis");
pub const KAN_BASIS_BACKWARD: Kernel = Kernel::new("kan", "kan_basis_backward");
pub const RATIONAL_FORWARD: Kernel = Kernel::new("kan", "rational_forward");
pub const RATIONAL_INPUT_GRAD: Kernel = Kernel::new("kan", "rational_input_grad");
pub const RATIONAL_COEFF_GRAD: Kernel = Kernel::new("kan", "rational_coeff_grad");
