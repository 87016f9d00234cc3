//! The files the engine reads beside its code: those under `assets/data/` that the bundled
//! datasets are made from, and the layer library a PyTorch export carries
//! (`export/layerlab_torch.py`); and where their bytes come from. With the `bundled-data` feature
//! (the default: the CLI, the npm package, the tests) they are embedded in the binary. Without it
//! (the page's training worker, whose download it keeps ~127 KB smaller) a file is absent until
//! the host [`supply`]s its bytes, fetched from wherever it serves them (the page: `data/`); the
//! engine checks them against the size and checksum it expects, so a file from another build is
//! refused by name instead of training on it. A dataset or an export whose file is absent fails
//! with a message that names the file.

use std::sync::{Arc, PoisonError, RwLock};

use layerlab_spec::data::{BundledImage, Dataset};

use super::DataError;

/// A file the engine reads: a data file under `assets/data/`, or the export's layer library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFile {
    Digits,
    Iris,
    Wine,
    BreastCancer,
    Scene,
    /// `export/layerlab_torch.py`, which every exported model file begins with.
    TorchLibrary,
}

impl DataFile {
    pub const ALL: [DataFile; 6] =
        [Self::Digits, Self::Iris, Self::Wine, Self::BreastCancer, Self::Scene, Self::TorchLibrary];

    /// The file's name (the page serves each as `data/<name>`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Digits => "digits.u8.zlib",
            Self::Iris => "iris.csv.zlib",
            Self::Wine => "wine_data.csv.zlib",
            Self::BreastCancer => "breast_cancer.csv.zlib",
            Self::Scene => "scene.u8.zlib",
            Self::TorchLibrary => "layerlab_torch.py",
        }
    }

    /// What needs the file, for messages: "this dataset is made from", "the export needs".
    pub fn needed_for(self) -> &'static str {
        match self {
            Self::TorchLibrary => "the PyTorch export needs",
            _ => "this dataset is made from",
        }
    }

    /// The file a dataset is made from, if any.
    pub fn needed_by(dataset: &Dataset) -> Option<Self> {
        match dataset {
            Dataset::Digits => Some(Self::Digits),
            Dataset::Iris => Some(Self::Iris),
            Dataset::Wine => Some(Self::Wine),
            Dataset::BreastCancer => Some(Self::BreastCancer),
            Dataset::Image { image: BundledImage::Scene, .. } => Some(Self::Scene),
            _ => None,
        }
    }

    /// The committed file's length in bytes and its [`fnv1a`] checksum (a test checks both
    /// against the files).
    pub fn expected(self) -> (usize, u64) {
        match self {
            Self::Digits => (45_908, 0x26ec_041c_b728_41a2),
            Self::Iris => (768, 0x4a77_2b31_e0b7_6f6f),
            Self::Wine => (4_140, 0xa2b8_ea9c_0136_33a0),
            Self::BreastCancer => (46_379, 0xfaee_88c9_0c0f_fcbe),
            Self::Scene => (16_140, 0x33e8_7be2_5351_3942),
            Self::TorchLibrary => TORCH_LIBRARY,
        }
    }
}

/// The files embedded in this build, by name, as committed (the data compressed): all of them
/// with the `bundled-data` feature, none without.
#[cfg(feature = "bundled-data")]
pub const BUNDLED_FILES: [(&str, &[u8]); 6] = [
    ("digits.u8.zlib", include_bytes!("../../../../assets/data/digits.u8.zlib")),
    ("iris.csv.zlib", include_bytes!("../../../../assets/data/iris.csv.zlib")),
    ("wine_data.csv.zlib", include_bytes!("../../../../assets/data/wine_data.csv.zlib")),
    ("breast_cancer.csv.zlib", include_bytes!("../../../../assets/data/breast_cancer.csv.zlib")),
    ("scene.u8.zlib", include_bytes!("../../../../assets/data/scene.u8.zlib")),
    ("layerlab_torch.py", include_bytes!("../export/layerlab_torch.py")),
];
#[cfg(not(feature = "bundled-data"))]
pub const BUNDLED_FILES: [(&str, &[u8]); 0] = [];

/// A supplied file: its name and bytes.
type Supplied = (&'static str, Arc<[u8]>);

/// Files the host supplied, for builds without them embedded. Written once per file, read on
/// every load of its dataset.
static SUPPLIED: RwLock<Vec<Supplied>> = RwLock::new(Vec::new());

fn bundled(file: DataFile) -> Option<&'static [u8]> {
    BUNDLED_FILES.iter().find(|(name, _)| *name == file.name()).map(|(_, bytes)| *bytes)
}

fn supplied(file: DataFile) -> Option<Arc<[u8]>> {
    let supplied = SUPPLIED.read().unwrap_or_else(PoisonError::into_inner);
    supplied.iter().find(|(name, _)| *name == file.name()).map(|(_, bytes)| Arc::clone(bytes))
}

/// Whether `file`'s bytes are at hand: embedded or supplied.
pub fn is_available(file: DataFile) -> bool {
    bundled(file).is_some() || supplied(file).is_some()
}

/// Gives the engine `file`'s bytes, fetched by the host. They must be the committed file (its
/// length and checksum); anything else is refused with what was expected. Supplying a file that
/// is already at hand changes nothing.
pub fn supply(file: DataFile, bytes: Vec<u8>) -> Result<(), DataError> {
    let (length, checksum) = file.expected();
    let got = fnv1a(&bytes);
    if bytes.len() != length || got != checksum {
        let message = format!(
            "data/{} is {} bytes with checksum {got:016x}, not the {length} bytes with checksum {checksum:016x} \
             this version of LayerLab was built with: the page and its data files come from different builds \
             (reload the page)",
            file.name(),
            bytes.len(),
        );
        return Err(DataError::new("data.dataset", message));
    }
    if !is_available(file) {
        SUPPLIED.write().unwrap_or_else(PoisonError::into_inner).push((file.name(), bytes.into()));
    }
    Ok(())
}

/// Runs `read` on `file`'s bytes, or says the file is absent.
pub(crate) fn with_bytes<T>(file: DataFile, read: impl FnOnce(&[u8]) -> T) -> Result<T, DataError> {
    if let Some(bytes) = bundled(file) {
        return Ok(read(bytes));
    }
    match supplied(file) {
        Some(bytes) => Ok(read(&bytes)),
        None => {
            let message = format!(
                "needs data/{0}, which this build does not embed and its host has not supplied (the page fetches \
                 it when it is first needed)",
                file.name()
            );
            Err(DataError::new("data.dataset", message))
        }
    }
}

/// 64-bit FNV-1a: a checksum small enough to carry in every build, to tell a file from another
/// build of it (the SHA-256 sums in `assets/data/README.md` are checked by the tests).
pub const fn fnv1a(bytes: &[u8]) -> u64 {
    let (mut hash, mut i) = (0xcbf2_9ce4_8422_2325_u64, 0);
    while i < bytes.len() {
        hash = (hash ^ bytes[i] as u64).wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

/// The export's layer library's length and checksum, taken from the file as compiled (only the
/// two numbers: its bytes are embedded with `bundled-data` alone). The data files' are written
/// out above instead, as they are committed once and never edited.
const TORCH_LIBRARY: (usize, u64) = {
    let bytes = include_bytes!("../export/layerlab_torch.py");
    (bytes.len(), fnv1a(bytes))
};
