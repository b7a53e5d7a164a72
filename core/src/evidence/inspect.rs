//! What a picked file is, before it is sent: its type from its bytes, its
//! SHA-256, and for photos the EXIF orientation and capture time.

use std::io::{Read, Write};
use std::path::Path;

use cloudtrial_protocol::evidence::EvidenceKind;
use file_format::FileFormat;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspected {
    pub length: u64,
    pub sha256: String,
    pub media_type: String,
    pub kind: EvidenceKind,
    /// EXIF orientation (1..=8) of a photo.
    pub orientation: Option<u32>,
    /// EXIF DateTimeOriginal of a photo, as the camera wrote it.
    pub captured_at: Option<String>,
}

/// The kinds the court accepts; the server decides again from the bytes it receives.
fn kind_of(format: FileFormat) -> Option<EvidenceKind> {
    use EvidenceKind::*;
    use FileFormat as F;
    Some(match format {
        F::JointPhotographicExpertsGroup
        | F::PortableNetworkGraphics
        | F::Webp
        | F::HighEfficiencyImageCoding
        | F::HighEfficiencyImageFileFormat => Image,
        F::PortableDocumentFormat => Pdf,
        F::OfficeOpenXmlDocument
        | F::OfficeOpenXmlSpreadsheet
        | F::OfficeOpenXmlPresentation
        | F::MicrosoftWordDocument
        | F::MicrosoftExcelSpreadsheet
        | F::MicrosoftPowerpointPresentation => Document,
        F::Mpeg12AudioLayer3
        | F::AppleItunesAudio
        | F::Mpeg4Part14Audio
        | F::AdvancedAudioCoding
        | F::WaveformAudio
        | F::AdaptiveMultiRate
        | F::OggVorbis
        | F::OggOpus
        | F::FreeLosslessAudioCodec => Audio,
        F::Mpeg4Part14Video
        | F::AppleQuicktime
        | F::ThirdGenerationPartnershipProject
        | F::ThirdGenerationPartnershipProject2
        | F::Webm
        | F::MatroskaVideo => Video,
        _ => return None,
    })
}

/// Copies `source` to `copy` (durably) while hashing it, then inspects the copy.
/// The copy is what gets uploaded: the original may be deleted or changed
/// after the user picked it, and the upload must survive restarts.
pub fn copy_and_inspect(source: &Path, copy: &Path) -> Result<Inspected> {
    let mut input = std::fs::File::open(source)?;
    let mut output = std::fs::File::create(copy)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut length = 0u64;
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        output.write_all(&buf[..n])?;
        length += n as u64;
    }
    output.sync_all()?;
    drop(output);
    if length == 0 {
        return Err(Error::InvalidInput("文件为空".into()));
    }
    let format = FileFormat::from_file(copy)?;
    let kind = kind_of(format)
        .ok_or_else(|| Error::InvalidInput(cloudtrial_protocol::evidence::UNSUPPORTED_FILE_MESSAGE.into()))?;
    let (mut orientation, mut captured_at) = (None, None);
    if kind == EvidenceKind::Image {
        let file = std::fs::File::open(copy)?;
        if let Ok(exif) = exif::Reader::new().read_from_container(&mut std::io::BufReader::new(file)) {
            orientation = exif
                .get_field(exif::Tag::Orientation, exif::In::PRIMARY)
                .and_then(|f| f.value.get_uint(0))
                .filter(|o| (1..=8).contains(o));
            captured_at = exif.get_field(exif::Tag::DateTimeOriginal, exif::In::PRIMARY).and_then(|f| match &f.value {
                exif::Value::Ascii(v) => v.first().and_then(|s| std::str::from_utf8(s).ok()).map(|s| s.trim().to_owned()),
                _ => None,
            });
        }
    }
    Ok(Inspected {
        length,
        sha256: hex::encode(hasher.finalize()),
        media_type: format.media_type().to_owned(),
        kind,
        orientation,
        captured_at,
    })
}

/// SHA-256 of a file, hex.
pub fn hash_file(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_comes_from_the_bytes_not_the_name() {
        let dir = tempfile::tempdir().unwrap();
        let html = dir.path().join("photo.jpg");
        std::fs::write(&html, "<!DOCTYPE html><html><script>alert(1)</script></html>").unwrap();
        assert!(copy_and_inspect(&html, &dir.path().join("copy1")).is_err());
        let pdf = dir.path().join("scan.jpg");
        std::fs::write(&pdf, "%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n").unwrap();
        let inspected = copy_and_inspect(&pdf, &dir.path().join("copy2")).unwrap();
        assert_eq!(inspected.kind, EvidenceKind::Pdf);
        assert_eq!(inspected.sha256, hash_file(&pdf).unwrap());
        assert_eq!(std::fs::read(dir.path().join("copy2")).unwrap(), std::fs::read(&pdf).unwrap());
    }
}
