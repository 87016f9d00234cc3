//! The WGSL kernels, one file per op family under `wgsl/`, each compiled with the small shared
//! files it needs prepended (the parameter slot, activations, random numbers).

const COMMON: &str = include_str!("wgsl/common.wgsl");
const ACTIVATION: &str = include_str!("wgsl/activation.wgsl");
const RNG: &str = include_str!("wgsl/rng.wgsl");
const MATMUL_TEXT: &str = include_str!("wgsl/matmul.wgsl");
/// The matrix multiply's two sizes (matmul.wgsl): tile side, slice depth, sums per thread and side.
const SMALL_TILE_SIZES: &str = "const TILE: u32 = 64u;\nconst DEPTH: u32 = 16u;\nconst PER: u32 = 4u;\n";
const LARGE_TILE_SIZES: &str = "const TILE: u32 = 128u;\nconst DEPTH: u32 = 8u;\nconst PER: u32 = 8u;\n";

/// One entry point of one WGSL file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Kernel {
    pub file: &'static str,
    pub entry: &'static str,
}

/// The op families: the file's name, its text and what it needs before it.
const FILES: &[(&str, &str, &[&str])] = &[
    ("matmul", MATMUL_TEXT, &[SMALL_TILE_SIZES]),
    ("matmul_large", MATMUL_TEXT, &[LARGE_TILE_SIZES]),
    ("elementwise", include_str!("wgsl/elementwise.wgsl"), &[ACTIVATION, RNG]),
    ("reduce", include_str!("wgsl/reduce.wgsl"), &[ACTIVATION]),
    ("optim", include_str!("wgsl/optim.wgsl"), &[]),
    ("norm", include_str!("wgsl/norm.wgsl"), &[]),
    ("sequence", include_str!("wgsl/sequence.wgsl"), &[]),
    ("moe", include_str!("wgsl/moe.wgsl"), &[]),
    ("kan", include_str!("wgsl/kan.wgsl"), &[ACTIVATION]),
];

impl Kernel {
    pub const fn new(file: &'static str, entry: &'static str) -> Kernel {
        Kernel { file, entry }
    }

    /// The whole text the file compiles from.
    pub fn source(self) -> String {
        let (_, text, needs) = FILES
            .iter()
            .find(|(name, _, _)| *name == self.file)
            .unwrap_or_else(|| panic!("no WGSL file named {}", self.file));
        let mut source = String::from(COMMON);
        for part in *needs {
            source.push_str(part);
        }
        source.push_str(text);
        source
    }

    /// Every file, for the test that compiles them all.
    pub fn files() -> impl Iterator<Item = &'static str> {
        FILES.iter().map(|(name, _, _)| *name)
    }
}

pub const MATMUL: Kernel = Kernel::new("matmul", "matmul");
pub const MATMUL_LARGE: Kernel = Kernel::new("matmul_large", "matmul");
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
