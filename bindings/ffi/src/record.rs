//! The court record (笔录) for the app: reading, following and signing.

use std::sync::Arc;

use cloudtrial_core::protocol::record as wire;
use cloudtrial_core::record::{self as core_record, RecordService, RecordUpdate};

use crate::error::ClientError;
use crate::room::HearingRoom;
use crate::runtime;
use crate::task_handle::TaskHandle;
use crate::types::Participant;

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RecordHeader {
    /// 案号
    pub case_number: String,
    /// 案由
    pub case_title: String,
    pub time: String,
    pub place: String,
    /// 审判人员, as "审判长 王法官"
    pub judges: Vec<String>,
    pub clerk: String,
    /// 到庭人员, as "原告 张三"
    pub present: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RecordParagraph {
    /// 审判长, 原告, 被告代理人 …
    pub speaker: String,
    pub text: String,
}

/// One saved version of the record. Pass it back unchanged to sign it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RecordVersion {
    pub hearing_id: i64,
    pub version: u32,
    pub header: RecordHeader,
    pub paragraphs: Vec<RecordParagraph>,
    pub sha256: String,
    /// "书记员 李书记"
    pub saved_by: String,
    pub saved_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SignatureInfo {
    pub id: i64,
    pub signer: Participant,
    pub version: u32,
    pub version_sha256: String,
    pub image_sha256: String,
    pub signed_at_ms: i64,
    /// Signed in the app (true) or on a phone through the PC's QR code.
    pub in_app: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SignerStatus {
    pub participant: Participant,
    pub signature: Option<SignatureInfo>,
}

/// 发起签名: the frozen version and who must sign it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SigningRound {
    pub id: i64,
    pub version: u32,
    pub version_sha256: String,
    /// False once the record was edited after signing started.
    pub open: bool,
    pub signers: Vec<SignerStatus>,
}

/// The record as the participant sees it now.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RecordView {
    /// `None` until the clerk first saves.
    pub latest: Option<RecordVersion>,
    pub signing: Option<SigningRound>,
    /// The participant must sign `latest` now (show 签名).
    pub must_sign: bool,
    /// 查看签名
    pub my_signature: Option<SignatureInfo>,
}

/// A point of a drawn stroke, in the drawing view's coordinates.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct StrokePoint {
    pub x: f32,
    pub y: f32,
}

/// The participant's own signature image.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MySignature {
    pub info: SignatureInfo,
    pub png: Vec<u8>,
}

/// 笔录自动刷新: the current record first, then every version as it is saved.
#[uniffi::export(callback_interface)]
pub trait RecordListener: Send + Sync {
    /// The record now: first, after a reconnection, and when signing changes.
    fn on_view(&self, view: RecordView);
    /// A newly saved version; every one arrives, in order.
    fn on_version(&self, version: RecordVersion);
    fn on_error(&self, error: ClientError);
}

impl From<wire::RecordHeader> for RecordHeader {
    fn from(h: wire::RecordHeader) -> Self {
        Self {
            case_number: h.case_number,
            case_title: h.case_title,
            time: h.time,
            place: h.place,
            judges: h.judges,
            clerk: h.clerk,
            present: h.present,
        }
    }
}

impl From<RecordHeader> for wire::RecordHeader {
    fn from(h: RecordHeader) -> Self {
        Self {
            case_number: h.case_number,
            case_title: h.case_title,
            time: h.time,
            place: h.place,
            judges: h.judges,
            clerk: h.clerk,
            present: h.present,
        }
    }
}

impl From<wire::RecordVersion> for RecordVersion {
    fn from(v: wire::RecordVersion) -> Self {
        Self {
            hearing_id: v.hearing_id,
            version: v.version,
            header: v.content.header.into(),
            paragraphs: v.content.paragraphs.into_iter().map(|p| RecordParagraph { speaker: p.speaker, text: p.text }).collect(),
            sha256: v.sha256,
            saved_by: v.saved_by,
            saved_at_ms: v.saved_at_ms,
        }
    }
}

impl From<RecordVersion> for wire::RecordVersion {
    fn from(v: RecordVersion) -> Self {
        Self {
            hearing_id: v.hearing_id,
            version: v.version,
            content: wire::RecordContent {
                header: v.header.into(),
                paragraphs: v.paragraphs.into_iter().map(|p| wire::RecordParagraph { speaker: p.speaker, text: p.text }).collect(),
            },
            sha256: v.sha256,
            saved_by: v.saved_by,
            saved_at_ms: v.saved_at_ms,
        }
    }
}

impl From<wire::SignatureInfo> for SignatureInfo {
    fn from(s: wire::SignatureInfo) -> Self {
        Self {
            id: s.id,
            signer: s.signer.into(),
            version: s.version,
            version_sha256: s.version_sha256,
            image_sha256: s.image_sha256,
            signed_at_ms: s.signed_at_ms,
            in_app: s.via == wire::SigningChannel::App,
        }
    }
}

impl From<wire::SigningRound> for SigningRound {
    fn from(r: wire::SigningRound) -> Self {
        Self {
            open: r.is_open(),
            id: r.id,
            version: r.version,
            version_sha256: r.version_sha256,
            signers: r
                .signers
                .into_iter()
                .map(|s| SignerStatus { participant: s.participant.into(), signature: s.signature.map(Into::into) })
                .collect(),
        }
    }
}

impl From<wire::RecordView> for RecordView {
    fn from(v: wire::RecordView) -> Self {
        Self {
            latest: v.latest.map(Into::into),
            signing: v.signing.map(Into::into),
            must_sign: v.must_sign,
            my_signature: v.my_signature.map(Into::into),
        }
    }
}

/// The participant's court record.
#[derive(uniffi::Object)]
pub struct HearingRecord {
    inner: RecordService,
}

impl HearingRecord {
    pub(crate) fn new(client: &cloudtrial_core::Client) -> Result<Arc<Self>, ClientError> {
        Ok(Arc::new(Self { inner: RecordService::new(client)? }))
    }
}

#[uniffi::export]
impl HearingRecord {
    /// 刷新: the record as it is now.
    pub async fn fetch(&self) -> Result<RecordView, ClientError> {
        let inner = self.inner.clone();
        runtime::run(async move { inner.fetch().await }).await.map(Into::into).map_err(Into::into)
    }

    /// Versions saved after `after`, oldest first.
    pub async fn versions_after(&self, after: u32) -> Result<Vec<RecordVersion>, ClientError> {
        let inner = self.inner.clone();
        runtime::run(async move { inner.versions_after(after).await })
            .await
            .map(|versions| versions.into_iter().map(Into::into).collect())
            .map_err(Into::into)
    }

    /// 笔录自动刷新 while in the hearing room. Drop the handle to stop.
    pub fn follow(&self, room: Arc<HearingRoom>, listener: Box<dyn RecordListener>) -> Arc<TaskHandle> {
        let _entered = runtime::handle().enter();
        let mut updates = self.inner.follow(room.session());
        TaskHandle::new(runtime::handle().spawn(async move {
            while let Some(update) = updates.recv().await {
                match update {
                    Ok(RecordUpdate::View(view)) => listener.on_view(view.into()),
                    Ok(RecordUpdate::Version(version)) => listener.on_version(version.into()),
                    Err(e) => listener.on_error(e.into()),
                }
            }
        }))
    }

    /// Signs `read` (the frozen version shown to the signer) with the strokes
    /// drawn on a `width`×`height` view.
    pub async fn sign_with_strokes(
        &self,
        read: RecordVersion,
        strokes: Vec<Vec<StrokePoint>>,
        width: f32,
        height: f32,
    ) -> Result<SignatureInfo, ClientError> {
        let inner = self.inner.clone();
        let strokes: Vec<Vec<core_record::StrokePoint>> =
            strokes.into_iter().map(|s| s.into_iter().map(|p| core_record::StrokePoint { x: p.x, y: p.y }).collect()).collect();
        runtime::run(async move { inner.sign_strokes(&read.into(), &strokes, width, height).await })
            .await
            .map(Into::into)
            .map_err(Into::into)
    }

    /// Signs `read` with a signature image (PNG) the shell drew.
    pub async fn sign_with_png(&self, read: RecordVersion, png: Vec<u8>) -> Result<SignatureInfo, ClientError> {
        let inner = self.inner.clone();
        runtime::run(async move { inner.sign_png(&read.into(), &png).await }).await.map(Into::into).map_err(Into::into)
    }

    /// The signed record PDF, downloaded into the app's files; returns its path.
    pub async fn signed_pdf(&self) -> Result<String, ClientError> {
        let inner = self.inner.clone();
        runtime::run(async move { inner.signed_pdf().await })
            .await
            .map(|path| path.to_string_lossy().into_owned())
            .map_err(Into::into)
    }

    /// 查看签名: the participant's own latest signature and its image, if any.
    pub async fn my_signature(&self) -> Result<Option<MySignature>, ClientError> {
        let inner = self.inner.clone();
        runtime::run(async move { inner.my_signature().await })
            .await
            .map(|found| found.map(|(info, png)| MySignature { info: info.into(), png }))
            .map_err(Into::into)
    }
}
