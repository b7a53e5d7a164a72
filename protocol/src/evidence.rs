//! Evidence (举证) and cross-examination (质证): upload, list, opinions.

use serde::{Deserialize, Serialize};

use crate::api::{ParticipantSummary, TimestampMs};
use crate::text::{checked_note, checked_text};
use crate::Side;

/// What kind of file a piece of evidence is (decided from its bytes, never its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    Image,
    Pdf,
    Document,
    Audio,
    Video,
    /// A kind this side does not know yet (from a newer server): shown as a file to download.
    #[serde(other)]
    Unknown,
}

impl EvidenceKind {
    pub const ALL: [EvidenceKind; 5] = [Self::Image, Self::Pdf, Self::Document, Self::Audio, Self::Video];

    pub fn label(self) -> &'static str {
        match self {
            Self::Image => "图片",
            Self::Pdf => "PDF文档",
            Self::Document => "文档",
            Self::Audio => "音频",
            Self::Video => "视频",
            Self::Unknown => "文件",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Pdf => "pdf",
            Self::Document => "document",
            Self::Audio => "audio",
            Self::Video => "video",
            Self::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether a file of this kind may carry where it was made (a phone's
    /// photos, recordings and videos do): its original then goes only to the
    /// submitter and the court, unless the judge releases it. A kind not known
    /// here is taken to carry one.
    pub fn may_carry_location(self) -> bool {
        !matches!(self, Self::Pdf | Self::Document)
    }
}

/// Starts a resumable upload of one file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUpload {
    /// The file's exact size in bytes.
    pub length: u64,
    /// SHA-256 of the whole original file, lowercase hex. The server checks it on completion.
    pub sha256: String,
    /// The name the file had on the device (kept for display; never trusted for its type).
    pub file_name: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// 证明目的: what the evidence is meant to prove.
    pub purpose: String,
    /// 反证: counter-evidence.
    #[serde(default)]
    pub counter: bool,
    /// The evidence this counter-evidence answers, if any.
    #[serde(default)]
    pub answers: Option<String>,
}

/// What a party says about a file, as the server keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceTexts {
    pub title: String,
    pub purpose: String,
    pub description: String,
}

/// The rule for what a party says about a file: 证据名称 and 证明目的 are
/// required; 证明目的 and 证据说明 may run over several lines. The server
/// applies it to every upload; the apps ask it before their form closes, so
/// that a refusal does not come after the file is queued.
pub fn checked_texts(title: &str, purpose: &str, description: &str) -> Result<EvidenceTexts, String> {
    let title = checked_text(title, "证据名称", 100)?;
    let purpose = checked_note(purpose, "证明目的", 1000)?;
    if purpose.is_empty() {
        return Err("请填写证明目的".into());
    }
    let description = checked_note(description, "证据说明", 2000)?;
    Ok(EvidenceTexts { title, purpose, description })
}

/// A link to an original for the page's own audio or video player: it works
/// only for the session that asked for it, while that session lasts, and
/// until `expires_at_ms`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvidenceStream {
    pub url: String,
    pub expires_at_ms: i64,
}

/// Where an upload stands. `evidence` is set once it completed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UploadStatus {
    pub upload_id: String,
    pub offset: u64,
    pub length: u64,
    /// The largest chunk the server takes in one request.
    pub max_chunk: u64,
    pub evidence: Option<Evidence>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    /// 认可
    Accept,
    /// 有异议
    Dispute,
    /// A stance this side does not know yet (from a newer server).
    #[serde(other)]
    Unknown,
}

impl Stance {
    pub fn label(self) -> &'static str {
        match self {
            Self::Accept => "认可",
            Self::Dispute => "有异议",
            Self::Unknown => "其他意见",
        }
    }
}

/// A party's position on one aspect of a piece of evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Position {
    pub stance: Stance,
    #[serde(default)]
    pub reason: String,
}

/// 质证意见: on 真实性 (authenticity), 合法性 (legality) and 关联性 (relevance).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpinionRequest {
    pub authenticity: Position,
    pub legality: Position,
    pub relevance: Position,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opinion {
    pub by: ParticipantSummary,
    pub side: Side,
    pub authenticity: Position,
    pub legality: Position,
    pub relevance: Position,
    pub updated_at_ms: TimestampMs,
}

/// A piece of evidence as everyone in the hearing sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub id: String,
    pub hearing_id: i64,
    pub submitter: ParticipantSummary,
    /// 原告 / 被告 / 第三人 …: the list is grouped by this.
    pub side: Side,
    pub title: String,
    pub description: String,
    pub purpose: String,
    /// Shown with the 反 badge.
    pub counter: bool,
    pub answers: Option<String>,
    pub file_name: String,
    /// The media type sniffed from the bytes.
    pub media_type: String,
    pub kind: EvidenceKind,
    pub size: u64,
    /// SHA-256 of the original, as stored.
    pub sha256: String,
    /// When the photo was taken (EXIF DateTimeOriginal, as written by the camera).
    pub captured_at: Option<String>,
    /// Upright size of an image.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Whether a 256 px thumbnail and a 2048 px preview exist (images only);
    /// such images also have a full-resolution copy without metadata.
    pub has_preview: bool,
    /// The presiding judge let every party download the original (logged in the hearing log).
    #[serde(default)]
    pub original_released: bool,
    pub submitted_at_ms: TimestampMs,
    pub withdrawn_at_ms: Option<TimestampMs>,
    pub opinions: Vec<Opinion>,
}

/// The 反 badge's text.
pub const COUNTER_BADGE: &str = "反";

/// A file that is none of the kinds evidence may be, whatever its name says.
pub const UNSUPPORTED_FILE_MESSAGE: &str = "不支持的文件类型。可提交图片、PDF、Office 文档、音频和视频";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_party_says_about_a_file_is_trimmed_and_bounded() {
        let texts = checked_texts(" 借条 ", "\t证明借款事实\n", "  手机拍摄 ").unwrap();
        assert_eq!(texts, EvidenceTexts { title: "借条".into(), purpose: "证明借款事实".into(), description: "手机拍摄".into() });
        assert_eq!(checked_texts("借条", "证明借款事实", "").unwrap().description, "");
        assert_eq!(checked_texts(" ", "证明借款事实", "").unwrap_err(), "请填写证据名称");
        assert_eq!(checked_texts("借条", "", "").unwrap_err(), "请填写证明目的");
        assert_eq!(checked_texts(&"借".repeat(101), "证明", "").unwrap_err(), "证据名称不能超过100个字");
        assert!(checked_texts(&"借".repeat(100), &"证".repeat(1000), &"说".repeat(2000)).is_ok());
        assert_eq!(checked_texts("借条", &"证".repeat(1001), "").unwrap_err(), "证明目的不能超过1000个字");
        assert_eq!(checked_texts("借条", "证明", &"说".repeat(2001)).unwrap_err(), "证据说明不能超过2000个字");
        assert_eq!(checked_texts("借条", "证明借款\n及还款", "").unwrap().purpose, "证明借款\n及还款");
        assert_eq!(
            checked_texts("借条", "证明借款", "五\u{202E}万元").unwrap_err(),
            "证据说明含有不可见字符或改变文字方向的字符，请删除后重新填写"
        );
    }
}
