//! The court record (笔录): versions written by the clerk, signing rounds,
//! signatures, and verification of a signed record.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::api::{ParticipantSummary, TimestampMs};

/// The record's header, filled from the hearing when the clerk starts writing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordHeader {
    /// 案号
    pub case_number: String,
    /// 案由
    pub case_title: String,
    /// 时间
    pub time: String,
    /// 地点
    pub place: String,
    /// 审判人员, as "审判长 王法官"
    pub judges: Vec<String>,
    /// 书记员
    pub clerk: String,
    /// 到庭人员, as "原告 张三"
    pub present: Vec<String>,
}

/// One paragraph: who spoke and what was said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordParagraph {
    /// 审判长, 原告, 被告代理人 …
    pub speaker: String,
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordContent {
    pub header: RecordHeader,
    pub paragraphs: Vec<RecordParagraph>,
}

/// The exact bytes a record version's SHA-256 is taken over: the hearing, the
/// version number and the content, as compact JSON with fields in this order.
#[derive(Serialize)]
struct CanonicalRecord<'a> {
    hearing_id: i64,
    version: u32,
    header: &'a RecordHeader,
    paragraphs: &'a [RecordParagraph],
}

impl RecordContent {
    /// The SHA-256 (lowercase hex) that identifies this content as version
    /// `version` of hearing `hearing_id`'s record. Clients recompute it over what
    /// they show, so a signature binds what the signer actually read.
    pub fn sha256(&self, hearing_id: i64, version: u32) -> String {
        let canonical = CanonicalRecord { hearing_id, version, header: &self.header, paragraphs: &self.paragraphs };
        let bytes = serde_json::to_vec(&canonical).expect("record content always serialises");
        hex(&Sha256::digest(&bytes))
    }
}

/// One saved version. Versions are never changed; every save adds one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordVersion {
    pub hearing_id: i64,
    pub version: u32,
    pub content: RecordContent,
    pub sha256: String,
    /// Who saved it, as "书记员 李书记".
    pub saved_by: String,
    pub saved_at_ms: TimestampMs,
}

impl RecordVersion {
    /// Whether `sha256` is the hash of `content` (the version was not altered).
    pub fn is_intact(&self) -> bool {
        self.content.sha256(self.hearing_id, self.version) == self.sha256
    }
}

/// A version in the history list, without its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordVersionSummary {
    pub version: u32,
    pub sha256: String,
    pub saved_by: String,
    pub saved_at_ms: TimestampMs,
}

/// Saves the record as a new version. `base_version` is the version the
/// editor started from (`None` for the first): if someone saved meanwhile, the
/// save is refused rather than overwriting their text.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveRecord {
    pub base_version: Option<u32>,
    pub content: RecordContent,
}

/// The clerk takes recognised sentences (语音识别) into the record: each
/// becomes a paragraph with its speaker's role, after what is there.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TakeSpeech {
    /// The version the clerk is looking at (as for a save).
    pub base_version: Option<u32>,
    /// The sentences' segments, as the recognition panel lists them.
    pub segments: Vec<u64>,
}

/// How a signature reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SigningChannel {
    /// Through the app, with the participant's own session.
    App,
    /// On a phone, through the QR code shown on the participant's PC.
    Qr,
    /// A way this side does not know yet (from a newer server).
    #[serde(other)]
    Unknown,
}

impl SigningChannel {
    pub const ALL: [SigningChannel; 2] = [Self::App, Self::Qr];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::App => "app",
            Self::Qr => "qr",
            Self::Unknown => "unknown",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::App => "App签名",
            Self::Qr => "扫码签名",
            Self::Unknown => "签名",
        }
    }
}

/// A collected signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureInfo {
    pub id: i64,
    pub round_id: i64,
    pub signer: ParticipantSummary,
    pub version: u32,
    pub version_sha256: String,
    pub image_sha256: String,
    pub signed_at_ms: TimestampMs,
    pub via: SigningChannel,
}

/// Someone who must sign, and their signature once given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerStatus {
    pub participant: ParticipantSummary,
    pub signature: Option<SignatureInfo>,
}

/// 发起签名: one frozen version and who must sign it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningRound {
    pub id: i64,
    pub version: u32,
    pub version_sha256: String,
    pub started_by: String,
    pub started_at_ms: TimestampMs,
    /// Set when the record was edited after signing started: this round's
    /// signatures stay bound to its version, and signing must be asked for again.
    pub superseded_at_ms: Option<TimestampMs>,
    pub signers: Vec<SignerStatus>,
}

impl SigningRound {
    pub fn is_open(&self) -> bool {
        self.superseded_at_ms.is_none()
    }

    pub fn signer(&self, participant_id: i64) -> Option<&SignerStatus> {
        self.signers.iter().find(|s| s.participant.id == participant_id)
    }

    /// Everyone who must sign has signed.
    pub fn is_complete(&self) -> bool {
        self.signers.iter().all(|s| s.signature.is_some())
    }
}

/// The record as one participant (or staff member) sees it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordView {
    pub hearing_id: i64,
    /// The latest version, or `None` before the clerk first saves.
    pub latest: Option<RecordVersion>,
    /// A header filled from the hearing, for the clerk's first version
    /// (empty for those who may not write the record).
    pub suggested_header: RecordHeader,
    /// The most recent signing round, open or superseded.
    pub signing: Option<SigningRound>,
    /// Whether the caller may write the record and start signing.
    pub may_edit: bool,
    /// Whether the caller must sign the open round and has not yet.
    pub must_sign: bool,
    /// The caller's own most recent signature (查看签名).
    pub my_signature: Option<SignatureInfo>,
    /// The caller may start signing (发起签名) now: they write the record and the hearing is adjourned or closed.
    #[serde(default)]
    pub may_start_signing: bool,
}

/// 发起签名 on this version (it must be the latest).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartSigning {
    pub version: u32,
}

/// A signature through the app: the PNG image and the hash of the version the
/// signer read.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignRecord {
    pub round_id: i64,
    pub version_sha256: String,
    /// The signature image, PNG, base64.
    pub image_png: String,
}

/// The QR code a PC shows for signing on a phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QrSigning {
    /// The mobile signing page, with the single-use token in its fragment.
    pub url: String,
    /// The QR code of `url`, as SVG.
    pub svg: String,
    pub expires_at_ms: TimestampMs,
}

/// Opens the mobile signing page's record with its token (the token is not used up).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenQrSigning {
    pub token: String,
}

/// What the mobile signing page shows: who signs, and the frozen record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QrSigningPage {
    pub signer: ParticipantSummary,
    pub round_id: i64,
    pub record: RecordVersion,
    pub expires_at_ms: TimestampMs,
}

/// The mobile signing page is still in use: its link stays valid this much longer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QrSigningRenewed {
    pub expires_at_ms: TimestampMs,
}

/// Signs on the mobile page: the token, who the page says is signing, the
/// hash of the version shown, and the image.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitQrSignature {
    pub token: String,
    pub signer_id: i64,
    pub version_sha256: String,
    /// The signature image, PNG, base64.
    pub image_png: String,
}

/// How the signer had proved who they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerLogin {
    /// `sms_code`: 会议号登录 with a code sent to their mobile number.
    pub method: String,
    pub device: Option<String>,
    pub session_started_at_ms: TimestampMs,
}

/// What the server signs (Ed25519) for every signature, serialised exactly
/// once and stored as those bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignaturePayload {
    pub court: String,
    pub hearing_id: i64,
    pub case_number: String,
    pub version: u32,
    pub version_sha256: String,
    pub signer: ParticipantSummary,
    pub login: SignerLogin,
    pub via: SigningChannel,
    pub image_sha256: String,
    pub signed_at_ms: TimestampMs,
}

impl SignaturePayload {
    /// The signature as clients see it, from what the server signed.
    pub fn info(self, id: i64, round_id: i64) -> SignatureInfo {
        SignatureInfo {
            id,
            round_id,
            signer: self.signer,
            version: self.version,
            version_sha256: self.version_sha256,
            image_sha256: self.image_sha256,
            signed_at_ms: self.signed_at_ms,
            via: self.via,
        }
    }
}

/// A signature with the bytes the server signed and its Ed25519 signature, so
/// anyone with the court's public key can check it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedSignature {
    pub info: SignatureInfo,
    /// The exact JSON of the [`SignaturePayload`] that was signed.
    pub payload: String,
    /// Ed25519 signature over `payload`'s bytes, base64.
    pub server_signature: String,
}

/// The court's record-signing public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordPublicKey {
    pub algorithm: String,
    /// The Ed25519 public key, base64.
    pub public_key: String,
}

/// Asks whether a hash (of a signed record PDF, or of a record version) is known.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyHash {
    pub sha256: String,
}

/// What was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerifiedKind {
    /// A signed record PDF this court produced.
    SignedPdf,
    /// A version of a court record.
    RecordVersion,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedSignature {
    pub signer: ParticipantSummary,
    pub signed_at_ms: TimestampMs,
    pub via: SigningChannel,
    /// The server's signature checks out against this version and image.
    pub valid: bool,
}

/// The answer of the verification endpoint. Anything not recognised is
/// `found: false` and nothing else, whatever the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordVerification {
    pub found: bool,
    pub kind: Option<VerifiedKind>,
    pub court: Option<String>,
    pub case_number: Option<String>,
    pub case_title: Option<String>,
    pub version: Option<u32>,
    pub version_sha256: Option<String>,
    pub signatures: Vec<VerifiedSignature>,
    /// For a signed PDF: whether everyone asked to sign had signed when it
    /// was made; for a record version: whether a round on it is complete.
    /// `None` when nobody was asked to sign.
    #[serde(default)]
    pub complete: Option<bool>,
    /// Who was asked to sign and had not (未签名), in the same terms.
    #[serde(default)]
    pub unsigned: Vec<ParticipantSummary>,
    /// The record was changed after this version: the newest version's number.
    #[serde(default)]
    pub superseded_by: Option<u32>,
}

impl RecordVerification {
    pub fn unknown() -> Self {
        Self {
            found: false,
            kind: None,
            court: None,
            case_number: None,
            case_title: None,
            version: None,
            version_sha256: None,
            signatures: Vec::new(),
            complete: None,
            unsigned: Vec::new(),
            superseded_by: None,
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(text: &str) -> RecordContent {
        RecordContent {
            header: RecordHeader { case_number: "（2026）津0101民初1号".into(), ..Default::default() },
            paragraphs: vec![RecordParagraph { speaker: "审判长".into(), text: text.into() }],
        }
    }

    #[test]
    fn the_hash_covers_the_text_the_version_and_the_hearing() {
        let base = content("现在开庭。").sha256(7, 1);
        assert_eq!(base.len(), 64);
        assert_eq!(base, content("现在开庭。").sha256(7, 1), "deterministic");
        assert_ne!(base, content("现在开庭！").sha256(7, 1), "one character");
        assert_ne!(base, content("现在开庭。").sha256(7, 2), "another version");
        assert_ne!(base, content("现在开庭。").sha256(8, 1), "another hearing");
    }

    #[test]
    fn an_altered_version_is_not_intact() {
        let text = content("原告陈述诉讼请求。");
        let mut version = RecordVersion {
            hearing_id: 3,
            version: 2,
            sha256: text.sha256(3, 2),
            content: text,
            saved_by: "书记员 李书记".into(),
            saved_at_ms: 0,
        };
        assert!(version.is_intact());
        version.content.paragraphs[0].text.push('。');
        assert!(!version.is_intact());
    }
}
