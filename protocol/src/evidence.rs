//! Evidence (举证) and cross-examination (质证): upload, list, opinions.

use serde::{Deserialize, Serialize};

use crate::api::{ParticipantSummary, TimestampMs};
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
