//! The CJK font the signed record PDF is set in: found among the system's
//! fonts (Debian's fonts-noto-cjk) or given with `--record-font`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};
use skrifa::string::StringId;
use skrifa::FontRef;

/// Where Debian and other distributions keep CJK fonts, best first.
const CANDIDATES: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
];

/// Characters every record has; a face that lacks one cannot set a record.
const SAMPLE: &str = "庭审笔录案号审判长书记员原告被告签名第页共版";

#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error("no CJK font found: install fonts-noto-cjk or pass --record-font")]
    NotFound,
    #[error("font {path}: {reason}")]
    Unusable { path: PathBuf, reason: String },
}

/// A loaded font face: its bytes (shared with every PDF made), which face of
/// a collection, and advance widths for laying out lines.
pub struct RecordFont {
    pub path: PathBuf,
    pub bytes: Arc<Vec<u8>>,
    pub index: u32,
    advances: Mutex<HashMap<char, f32>>,
    units_per_em: f32,
}

impl std::fmt::Debug for RecordFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordFont").field("path", &self.path).field("index", &self.index).finish()
    }
}

impl RecordFont {
    /// The given font, or the first usable one of the usual places.
    pub fn discover(explicit: Option<&Path>) -> Result<Self, FontError> {
        if let Some(path) = explicit {
            return Self::load(path);
        }
        CANDIDATES.iter().map(Path::new).filter(|p| p.exists()).find_map(|p| Self::load(p).ok()).ok_or(FontError::NotFound)
    }

    pub fn load(path: &Path) -> Result<Self, FontError> {
        let unusable = |reason: String| FontError::Unusable { path: path.to_owned(), reason };
        let bytes = std::fs::read(path).map_err(|e| unusable(e.to_string()))?;
        let index = choose_face(&bytes).ok_or_else(|| unusable("no face with Chinese characters".into()))?;
        let units_per_em = FontRef::from_index(&bytes, index)
            .ok()
            .map(|f| f.metrics(Size::unscaled(), LocationRef::default()).units_per_em as f32)
            .filter(|u| *u > 0.0)
            .unwrap_or(1000.0);
        Ok(Self { path: path.to_owned(), bytes: Arc::new(bytes), index, advances: Mutex::default(), units_per_em })
    }

    /// The width of `text` set at `size` points (no kerning: a little wide for Latin, exact for CJK).
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let mut cache = self.advances.lock().unwrap_or_else(|p| p.into_inner());
        let missing: Vec<char> = text.chars().filter(|c| !cache.contains_key(c)).collect();
        if !missing.is_empty()
            && let Ok(face) = FontRef::from_index(&self.bytes, self.index) {
                let (charmap, metrics) = (face.charmap(), face.glyph_metrics(Size::unscaled(), LocationRef::default()));
                for c in missing {
                    let advance = metrics.advance_width(charmap.map(c).unwrap_or_default()).unwrap_or(0.0);
                    cache.insert(c, advance);
                }
            }
        text.chars().map(|c| cache.get(&c).copied().unwrap_or(0.0)).sum::<f32>() / self.units_per_em * size
    }
}

/// In a collection, the Simplified Chinese face (Noto's "…SC"/"…sc-…") if
/// there is one, else the first face that has every sample character.
fn choose_face(bytes: &[u8]) -> Option<u32> {
    let faces: Vec<(u32, FontRef<'_>)> = (0..64).map_while(|i| FontRef::from_index(bytes, i).ok().map(|f| (i, f))).collect();
    let complete = |face: &FontRef<'_>| {
        let charmap = face.charmap();
        SAMPLE.chars().all(|c| charmap.map(c).is_some())
    };
    let simplified = |face: &FontRef<'_>| {
        face.localized_strings(StringId::POSTSCRIPT_NAME)
            .english_or_first()
            .is_some_and(|name| {
                let name = name.to_string();
                name.contains("SC-") || name.contains("sc-") || name.ends_with("SC")
            })
    };
    faces
        .iter()
        .find(|(_, f)| simplified(f) && complete(f))
        .or_else(|| faces.iter().find(|(_, f)| complete(f)))
        .map(|(i, _)| *i)
}
