//! Layer metrics as CSV, one row per layer per snapshot: what `layerlab train --out` writes
//! beside its main file and what the page's "Layer metrics (CSV)" downloads, in the same columns.

use std::fmt::Write as _;

use super::Snapshot;

/// The header row (without its line end).
pub const LAYERS_HEADER: &str = "step,layer,kind,width,effective_rank,stable_rank,numerical_rank,sparsity,near_zero,dead_units,weight_norm,grad_norm,update_ratio,expert_load,output_rms";

/// One line per layer of `snapshot`, each ending in `\n`; absent figures are empty cells, and a
/// mixture of experts' load is one share per expert separated by semicolons inside its cell.
pub fn layer_rows(snapshot: &Snapshot) -> String {
    let cell = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let count = |v: Option<usize>| v.map(|v| v.to_string()).unwrap_or_default();
    let mut out = String::new();
    for l in &snapshot.layers {
        let load = l.expert_load.as_ref().map(|v| v.iter().map(f64::to_string).collect::<Vec<_>>().join(";"));
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            snapshot.step,
            l.name,
            l.kind,
            l.width,
            cell(l.effective_rank),
            cell(l.stable_rank),
            count(l.numerical_rank),
            cell(l.sparsity),
            cell(l.near_zero),
            count(l.dead_units),
            cell(l.weight_norm),
            cell(l.grad_norm),
            cell(l.update_ratio),
            load.unwrap_or_default(),
            cell(l.output_rms)
        )
        .expect("writing to a String cannot fail");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::LayerMetrics;

    #[test]
    fn a_row_per_layer_with_a_cell_per_column() {
        let layer = |name: &str, load: Option<Vec<f64>>| LayerMetrics {
            name: name.to_string(),
            kind: "dense".to_string(),
            width: 4,
            effective_rank: Some(2.5),
            stable_rank: None,
            numerical_rank: Some(3),
            sparsity: None,
            near_zero: None,
            dead_units: None,
            weight_norm: None,
            grad_norm: Some(0.125),
            update_ratio: None,
            output_rms: None,
            expert_load: load,
            attention: None,
        };
        let snapshot = Snapshot {
            step: 7,
            layers: vec![layer("model[0]", None), layer("output", Some(vec![0.25, 0.75]))],
            similarity: None,
        };
        let rows = layer_rows(&snapshot);
        let lines: Vec<&str> = rows.lines().collect();
        assert_eq!(lines, ["7,model[0],dense,4,2.5,,3,,,,,0.125,,,", "7,output,dense,4,2.5,,3,,,,,0.125,,0.25;0.75,"]);
        let columns = LAYERS_HEADER.split(',').count();
        assert!(lines.iter().all(|l| l.split(',').count() == columns));
    }
}
