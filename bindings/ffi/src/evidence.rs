use std::path::PathBuf;
use std::sync::Arc;

use cloudtrial_core::evidence as core_evidence;
use cloudtrial_core::protocol::evidence as wire;

use crate::error::ClientError;
use crate::room::HearingRoom;
use crate::runtime;
use crate::task_handle::TaskHandle;
use crate::types::ParticipantRole;

/// What the party says about a file they submit.
#[derive(Debug, Clone, uniffi::Record)]
pub struct EvidenceDetails {
    pub title: String,
    pub description: String,
    /// 证明目的
    pub purpose: String,
    /// 反证
    pub counter: bool,
    /// For counter-evidence: the evidence it answers.
    pub answers: Option<String>,
}

impl From<EvidenceDetails> for core_evidence::EvidenceDetails {
    fn from(d: EvidenceDetails) -> Self {
        Self { title: d.title, description: d.description, purpose: d.purpose, counter: d.counter, answers: d.answers }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum UploadState {
    Queued,
    Uploading,
    Paused,
    Submitted,
    Failed,
}

impl From<core_evidence::UploadState> for UploadState {
    fn from(s: core_evidence::UploadState) -> Self {
        use core_evidence::UploadState as S;
        match s {
            S::Queued => Self::Queued,
            S::Uploading => Self::Uploading,
            S::Paused => Self::Paused,
            S::Submitted => Self::Submitted,
            S::Failed => Self::Failed,
        }
    }
}

/// Whether 上传证据 is offered now.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Submitting {
    Open,
    /// A party, once the hearing takes no more evidence: why.
    Closed { reason: String },
    /// Only parties submit evidence.
    NotForRole,
}

impl From<core_evidence::Submitting> for Submitting {
    fn from(s: core_evidence::Submitting) -> Self {
        use core_evidence::Submitting as S;
        match s {
            S::Open => Self::Open,
            S::Closed { reason } => Self::Closed { reason },
            S::NotForRole => Self::NotForRole,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct UploadProgress {
    pub local_id: i64,
    pub title: String,
    pub file_name: String,
    pub media_type: String,
    pub counter: bool,
    pub bytes_sent: u64,
    pub total: u64,
    pub percent: u8,
    pub state: UploadState,
    /// 排队中 / 上传中 / 已暂停 / 已提交 / 失败
    pub state_label: String,
    pub reason: Option<String>,
    pub evidence_id: Option<String>,
}

impl From<core_evidence::UploadProgress> for UploadProgress {
    fn from(p: core_evidence::UploadProgress) -> Self {
        Self {
            local_id: p.local_id,
            title: p.title,
            file_name: p.file_name,
            media_type: p.media_type,
            counter: p.counter,
            bytes_sent: p.bytes_sent,
            total: p.total,
            percent: p.percent,
            state_label: p.state.label().to_owned(),
            state: p.state.into(),
            reason: p.reason,
            evidence_id: p.evidence_id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PositionItem {
    pub accept: bool,
    /// 认可 / 有异议
    pub label: String,
    pub reason: String,
}

impl From<wire::Position> for PositionItem {
    fn from(p: wire::Position) -> Self {
        Self { accept: p.stance == wire::Stance::Accept, label: p.stance.label().to_owned(), reason: p.reason }
    }
}

/// 质证意见 as everyone sees it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OpinionItem {
    pub by_name: String,
    pub by_role_label: String,
    pub side_label: String,
    /// 真实性
    pub authenticity: PositionItem,
    /// 合法性
    pub legality: PositionItem,
    /// 关联性
    pub relevance: PositionItem,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EvidenceItem {
    pub id: String,
    pub submitter_name: String,
    pub submitter_role: ParticipantRole,
    /// 原告 / 被告 / 第三人 …
    pub side_label: String,
    pub title: String,
    pub description: String,
    pub purpose: String,
    pub counter: bool,
    /// "反" on counter-evidence.
    pub badge: Option<String>,
    pub answers: Option<String>,
    pub file_name: String,
    pub media_type: String,
    /// 图片 / PDF文档 / 文档 / 音频 / 视频
    pub kind_label: String,
    pub size: u64,
    pub sha256: String,
    pub captured_at: Option<String>,
    pub has_preview: bool,
    /// The judge let every party download the original.
    pub original_released: bool,
    pub submitted_at_ms: i64,
    pub withdrawn: bool,
    pub opinions: Vec<OpinionItem>,
    /// Submitted by the logged-in participant.
    pub mine: bool,
    /// 质证 is offered to the logged-in participant.
    pub may_give_opinion: bool,
}

impl EvidenceItem {
    fn new(e: wire::Evidence, standing: core_evidence::Standing) -> Self {
        Self {
            mine: standing.mine,
            may_give_opinion: standing.may_give_opinion,
            submitter_name: e.submitter.name,
            submitter_role: e.submitter.role.into(),
            side_label: e.side.label().to_owned(),
            badge: e.counter.then(|| wire::COUNTER_BADGE.to_owned()),
            counter: e.counter,
            kind_label: e.kind.label().to_owned(),
            withdrawn: e.withdrawn_at_ms.is_some(),
            opinions: e
                .opinions
                .into_iter()
                .map(|o| OpinionItem {
                    by_name: o.by.name,
                    by_role_label: o.by.role.label().to_owned(),
                    side_label: o.side.label().to_owned(),
                    authenticity: o.authenticity.into(),
                    legality: o.legality.into(),
                    relevance: o.relevance.into(),
                })
                .collect(),
            id: e.id,
            title: e.title,
            description: e.description,
            purpose: e.purpose,
            answers: e.answers,
            file_name: e.file_name,
            media_type: e.media_type,
            size: e.size,
            sha256: e.sha256,
            captured_at: e.captured_at,
            has_preview: e.has_preview,
            original_released: e.original_released,
            submitted_at_ms: e.submitted_at_ms,
        }
    }
}

/// The evidence list of one side.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EvidenceGroup {
    pub side_label: String,
    pub items: Vec<EvidenceItem>,
}

fn grouped(service: &core_evidence::EvidenceService, list: &[wire::Evidence]) -> Vec<EvidenceGroup> {
    core_evidence::group_by_side(list)
        .into_iter()
        .map(|(side, items)| EvidenceGroup {
            side_label: side.label().to_owned(),
            items: items.into_iter().map(|e| item(service, e)).collect(),
        })
        .collect()
}

fn item(service: &core_evidence::EvidenceService, e: wire::Evidence) -> EvidenceItem {
    let standing = service.standing(&e);
    EvidenceItem::new(e, standing)
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct PositionInput {
    pub accept: bool,
    pub reason: String,
}

impl From<PositionInput> for wire::Position {
    fn from(p: PositionInput) -> Self {
        Self { stance: if p.accept { wire::Stance::Accept } else { wire::Stance::Dispute }, reason: p.reason }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct OpinionInput {
    pub authenticity: PositionInput,
    pub legality: PositionInput,
    pub relevance: PositionInput,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum EvidenceFile {
    Original,
    /// An image at full resolution without metadata: what other parties get.
    Copy,
    Preview,
    Thumbnail,
}

#[uniffi::export(callback_interface)]
pub trait UploadsListener: Send + Sync {
    fn on_update(&self, uploads: Vec<UploadProgress>);
}

#[uniffi::export(callback_interface)]
pub trait EvidenceListener: Send + Sync {
    fn on_update(&self, groups: Vec<EvidenceGroup>);
}

/// How much of a file being opened has arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct DownloadProgress {
    pub bytes_received: u64,
    pub total: Option<u64>,
    pub percent: Option<u8>,
}

impl From<core_evidence::DownloadProgress> for DownloadProgress {
    fn from(p: core_evidence::DownloadProgress) -> Self {
        Self { bytes_received: p.bytes_received, total: p.total, percent: p.percent }
    }
}

#[uniffi::export(callback_interface)]
pub trait DownloadListener: Send + Sync {
    fn on_progress(&self, progress: DownloadProgress);
}

/// The participant's evidence: uploads (which survive restarts) and the hearing's list.
#[derive(uniffi::Object)]
pub struct HearingEvidence {
    inner: Arc<core_evidence::EvidenceService>,
}

impl HearingEvidence {
    pub(crate) fn start(client: &cloudtrial_core::Client) -> Result<Arc<Self>, ClientError> {
        let _entered = runtime::handle().enter();
        let inner = core_evidence::EvidenceService::start(client, Default::default())?;
        Ok(Arc::new(Self { inner: Arc::new(inner) }))
    }

    fn find(&self, evidence_id: &str) -> Result<wire::Evidence, ClientError> {
        self.inner
            .evidence()
            .into_iter()
            .find(|e| e.id == evidence_id)
            .ok_or_else(|| ClientError::InvalidInput { reason: "找不到该证据，请刷新后重试".into() })
    }
}

#[uniffi::export]
impl HearingEvidence {
    /// The form's rule, asked before the form closes: the reason a submission would be refused.
    pub fn check_details(&self, details: EvidenceDetails) -> Result<(), ClientError> {
        core_evidence::EvidenceDetails::from(details).check().map_err(Into::into)
    }

    /// Queues a file the user picked; the upload continues in the background. Returns its local id.
    pub async fn upload_evidence(&self, path: String, details: EvidenceDetails) -> Result<i64, ClientError> {
        let inner = self.inner.clone();
        runtime::run(async move { inner.upload_evidence(&PathBuf::from(path), details.into()).await }).await.map_err(Into::into)
    }

    pub fn uploads(&self) -> Vec<UploadProgress> {
        self.inner.uploads().into_iter().map(Into::into).collect()
    }

    pub fn subscribe_uploads(&self, listener: Box<dyn UploadsListener>) -> Arc<TaskHandle> {
        let mut uploads = self.inner.subscribe_uploads();
        TaskHandle::new(runtime::handle().spawn(async move {
            let to_ffi = |u: Vec<core_evidence::UploadProgress>| u.into_iter().map(Into::into).collect();
            listener.on_update(to_ffi(uploads.borrow_and_update().clone()));
            while uploads.changed().await.is_ok() {
                listener.on_update(to_ffi(uploads.borrow_and_update().clone()));
            }
        }))
    }

    pub fn pause(&self, local_id: i64) -> Result<(), ClientError> {
        self.inner.pause(local_id).map_err(Into::into)
    }

    pub fn resume(&self, local_id: i64) -> Result<(), ClientError> {
        self.inner.resume(local_id).map_err(Into::into)
    }

    /// Keeps the list current while in the hearing room.
    pub fn follow(&self, room: Arc<HearingRoom>) {
        let _entered = runtime::handle().enter();
        self.inner.follow(room.session());
    }

    /// Whether 上传证据 is offered now. Read it again on every evidence
    /// update: a change of the hearing's status sends one.
    pub fn submitting(&self) -> Submitting {
        self.inner.submitting().into()
    }

    /// The hearing's evidence, grouped by side.
    pub fn groups(&self) -> Vec<EvidenceGroup> {
        grouped(&self.inner, &self.inner.evidence())
    }

    pub fn subscribe_evidence(&self, listener: Box<dyn EvidenceListener>) -> Arc<TaskHandle> {
        let (mut list, inner) = (self.inner.subscribe_evidence(), self.inner.clone());
        TaskHandle::new(runtime::handle().spawn(async move {
            listener.on_update(grouped(&inner, &list.borrow_and_update()));
            while list.changed().await.is_ok() {
                listener.on_update(grouped(&inner, &list.borrow_and_update()));
            }
        }))
    }

    pub async fn refresh(&self) -> Result<Vec<EvidenceGroup>, ClientError> {
        let inner = self.inner.clone();
        runtime::run(async move { inner.refresh().await }).await.map(|l| grouped(&self.inner, &l)).map_err(Into::into)
    }

    /// A local file for viewing (downloaded once, then cached). Originals are checked against their hash.
    /// While it downloads, `listener` hears each whole percent (or each chunk, when the size is unknown).
    pub async fn file(
        &self,
        evidence_id: String,
        which: EvidenceFile,
        listener: Option<Box<dyn DownloadListener>>,
    ) -> Result<String, ClientError> {
        let evidence = self.find(&evidence_id)?;
        let inner = self.inner.clone();
        let which = match which {
            EvidenceFile::Original => core_evidence::EvidenceFile::Original,
            EvidenceFile::Copy => core_evidence::EvidenceFile::Copy,
            EvidenceFile::Preview => core_evidence::EvidenceFile::Preview,
            EvidenceFile::Thumbnail => core_evidence::EvidenceFile::Thumbnail,
        };
        let (progress, mut arriving) = tokio::sync::watch::channel(core_evidence::DownloadProgress::default());
        let telling = listener.map(|listener| {
            runtime::handle().spawn(async move {
                let mut told = None;
                while arriving.changed().await.is_ok() {
                    let now = *arriving.borrow_and_update();
                    if now.percent.is_none() || now.percent != told {
                        told = now.percent;
                        listener.on_progress(now.into());
                    }
                }
            })
        });
        let opened = runtime::run(async move { inner.file_with_progress(&evidence, which, &progress).await }).await;
        if let Some(telling) = telling {
            let _ = telling.await;
        }
        opened
            .map(|p| p.to_string_lossy().into_owned())
            .map_err(Into::into)
    }

    /// 质证: an opinion on another side's evidence.
    pub async fn give_opinion(&self, evidence_id: String, opinion: OpinionInput) -> Result<EvidenceItem, ClientError> {
        let inner = self.inner.clone();
        let request = wire::OpinionRequest {
            authenticity: opinion.authenticity.into(),
            legality: opinion.legality.into(),
            relevance: opinion.relevance.into(),
        };
        runtime::run(async move { inner.give_opinion(&evidence_id, &request).await })
            .await
            .map(|e| item(&self.inner, e))
            .map_err(Into::into)
    }

    pub async fn withdraw(&self, evidence_id: String) -> Result<EvidenceItem, ClientError> {
        let inner = self.inner.clone();
        runtime::run(async move { inner.withdraw(&evidence_id).await }).await.map(|e| item(&self.inner, e)).map_err(Into::into)
    }
}
