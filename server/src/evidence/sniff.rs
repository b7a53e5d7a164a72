//! What a file is, from its bytes. Only an allow-list is accepted: HTML, SVG,
//! scripts, archives and anything unrecognised are refused, whatever their name.

use std::path::Path;

use cloudtrial_protocol::evidence::EvidenceKind;
use file_format::FileFormat;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Jpeg,
    Png,
    Webp,
    /// Accepted and kept; no preview (no HEVC decoder here).
    Heic,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sniffed {
    pub kind: EvidenceKind,
    pub media_type: &'static str,
    pub image: Option<ImageFormat>,
}

/// Sniffs a whole file (containers such as .docx are recognised from their insides).
pub fn sniff_file(path: &Path) -> std::io::Result<Result<Sniffed, String>> {
    Ok(classify(FileFormat::from_file(path)?))
}

pub fn sniff_bytes(bytes: &[u8]) -> Result<Sniffed, String> {
    classify(FileFormat::from_bytes(bytes))
}

fn classify(format: FileFormat) -> Result<Sniffed, String> {
    use EvidenceKind::*;
    use FileFormat as F;
    let (kind, media_type, image) = match format {
        F::JointPhotographicExpertsGroup => (Image, "image/jpeg", Some(ImageFormat::Jpeg)),
        F::PortableNetworkGraphics => (Image, "image/png", Some(ImageFormat::Png)),
        F::Webp => (Image, "image/webp", Some(ImageFormat::Webp)),
        F::HighEfficiencyImageCoding => (Image, "image/heic", Some(ImageFormat::Heic)),
        F::HighEfficiencyImageFileFormat => (Image, "image/heif", Some(ImageFormat::Heic)),
        F::PortableDocumentFormat => (Pdf, "application/pdf", None),
        F::OfficeOpenXmlDocument => {
            (Document, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", None)
        }
        F::OfficeOpenXmlSpreadsheet => (Document, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", None),
        F::OfficeOpenXmlPresentation => {
            (Document, "application/vnd.openxmlformats-officedocument.presentationml.presentation", None)
        }
        F::MicrosoftWordDocument => (Document, "application/msword", None),
        F::MicrosoftExcelSpreadsheet => (Document, "application/vnd.ms-excel", None),
        F::MicrosoftPowerpointPresentation => (Document, "application/vnd.ms-powerpoint", None),
        F::Mpeg12AudioLayer3 => (Audio, "audio/mpeg", None),
        F::AppleItunesAudio | F::Mpeg4Part14Audio => (Audio, "audio/mp4", None),
        F::AdvancedAudioCoding => (Audio, "audio/aac", None),
        F::WaveformAudio => (Audio, "audio/wav", None),
        F::AdaptiveMultiRate => (Audio, "audio/amr", None),
        F::OggVorbis | F::OggOpus => (Audio, "audio/ogg", None),
        F::FreeLosslessAudioCodec => (Audio, "audio/flac", None),
        F::Mpeg4Part14Video => (Video, "video/mp4", None),
        F::AppleQuicktime => (Video, "video/quicktime", None),
        F::ThirdGenerationPartnershipProject | F::ThirdGenerationPartnershipProject2 => (Video, "video/3gpp", None),
        F::Webm => (Video, "video/webm", None),
        F::MatroskaVideo => (Video, "video/x-matroska", None),
        other => return Err(other.name().to_owned()),
    };
    Ok(Sniffed { kind, media_type, image })
}

/// The file name an original is saved under: as submitted, unless its extension
/// says something other than what the file is, which then gets the right one
/// (a PDF sent as "收条.jpg" is saved as "收条.pdf", so it opens).
pub fn download_name(file_name: &str, media_type: &str) -> String {
    let extensions: &[&str] = match media_type {
        "image/jpeg" => &["jpg", "jpeg", "jfif"],
        "image/png" => &["png"],
        "image/webp" => &["webp"],
        "image/heic" => &["heic"],
        "image/heif" => &["heif", "heic"],
        "application/pdf" => &["pdf"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => &["docx"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => &["xlsx"],
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => &["pptx"],
        "application/msword" => &["doc"],
        "application/vnd.ms-excel" => &["xls"],
        "application/vnd.ms-powerpoint" => &["ppt"],
        "audio/mpeg" => &["mp3"],
        "audio/mp4" => &["m4a", "mp4"],
        "audio/aac" => &["aac"],
        "audio/wav" => &["wav"],
        "audio/amr" => &["amr"],
        "audio/ogg" => &["ogg", "opus", "oga"],
        "audio/flac" => &["flac"],
        "video/mp4" => &["mp4", "m4v"],
        "video/quicktime" => &["mov"],
        "video/3gpp" => &["3gp", "3g2"],
        "video/webm" => &["webm"],
        "video/x-matroska" => &["mkv"],
        _ => return file_name.to_owned(),
    };
    let (stem, extension) = match file_name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => (stem, Some(extension.to_ascii_lowercase())),
        _ => (file_name, None),
    };
    if extension.is_some_and(|e| extensions.contains(&e.as_str())) {
        return file_name.to_owned();
    }
    format!("{stem}.{}", extensions[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_original_is_saved_under_an_extension_that_says_what_it_is() {
        assert_eq!(download_name("借条.JPG", "image/jpeg"), "借条.JPG");
        assert_eq!(download_name("pdf-as.jpg", "application/pdf"), "pdf-as.pdf");
        assert_eq!(download_name("录音", "audio/mpeg"), "录音.mp3");
        assert_eq!(download_name(".hidden", "image/png"), ".hidden.png");
        assert_eq!(download_name("会议.录音.m4a", "audio/mp4"), "会议.录音.m4a");
        assert_eq!(download_name("收条.pdf", "image/heic"), "收条.heic");
    }

    #[test]
    fn pages_and_scripts_are_refused_whatever_they_are_called() {
        for bytes in [
            &b"<!DOCTYPE html><html><script>alert(1)</script></html>"[..],
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
            b"#!/bin/sh\nrm -rf /\n",
            b"just some text",
            b"PK\x03\x04 not really a zip",
        ] {
            assert!(sniff_bytes(bytes).is_err(), "{:?} accepted", String::from_utf8_lossy(bytes));
        }
    }

    #[test]
    fn common_evidence_is_recognised() {
        assert_eq!(sniff_bytes(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n").unwrap().kind, EvidenceKind::Pdf);
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";
        assert_eq!(sniff_bytes(png).unwrap().image, Some(ImageFormat::Png));
        assert_eq!(sniff_bytes(b"#!AMR\n\x3c\x55\x00").unwrap().kind, EvidenceKind::Audio);
    }
}
