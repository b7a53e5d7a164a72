//! Evidence from the app: the picked file is copied and hashed, queued in
//! the local database, and uploaded in the background in resumable chunks;
//! the hearing's evidence list follows the room; files are downloaded and
//! cached for viewing; parties give their opinions (质证).

mod download;
mod inspect;
mod queue;

use cloudtrial_protocol::paths;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use cloudtrial_protocol::api::HearingStatus;
use cloudtrial_protocol::{ParticipantRole, Side};
use cloudtrial_protocol::evidence::{Evidence, NewUpload, OpinionRequest, Position, UploadStatus};
use cloudtrial_protocol::text::visible;
use cloudtrial_protocol::signalling::RoomNotice;
use reqwest::Method;
use sha2::{Digest, Sha256};
use tokio::sync::{Notify, watch};

pub use download::DownloadProgress;
pub use inspect::{Inspected, hash_file};
pub use queue::{EvidenceDetails, UploadState};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::hearing::{ConnectionState, HearingSession, RoomState};
use crate::http::ApiClient;
use crate::session::now_ms;

const DEFAULT_CHUNK: u64 = 512 * 1024;
const MAX_BACKOFF: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
pub struct EvidenceOptions {
    /// Bytes per upload request (capped by the server's maximum).
    pub chunk_size: u64,
}

impl Default for EvidenceOptions {
    fn default() -> Self {
        Self { chunk_size: DEFAULT_CHUNK }
    }
}

/// One upload's progress, for the list of uploads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadProgress {
    pub local_id: i64,
    pub title: String,
    pub file_name: String,
    /// Sniffed from the file's bytes.
    pub media_type: String,
    pub counter: bool,
    pub bytes_sent: u64,
    pub total: u64,
    pub percent: u8,
    pub state: UploadState,
    /// Why it failed or waits.
    pub reason: Option<String>,
    pub evidence_id: Option<String>,
}

/// Which file of a piece of evidence to fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceFile {
    /// As submitted: for the submitter and the court, and for everyone when
    /// it is a document or the judge released it.
    Original,
    /// An image at full resolution, upright, without metadata (no location).
    Copy,
    Preview,
    Thumbnail,
}

struct Inner {
    client: Client,
    hearing_id: i64,
    /// Whose uploads these are: another participant's login on this device sends only its own.
    participant_id: i64,
    role: ParticipantRole,
    options: EvidenceOptions,
    progress: watch::Sender<Vec<UploadProgress>>,
    list: watch::Sender<Vec<Evidence>>,
    /// The hearing's status as the room last said; `None` until it has.
    status: std::sync::Mutex<Option<HearingStatus>>,
    wake: Notify,
    uploads_dir: PathBuf,
    cache_dir: PathBuf,
    downloads: std::sync::Mutex<HashMap<PathBuf, Arc<download::Shared>>>,
}

/// The logged-in participant's evidence. Dropping it stops the uploads
/// (they continue from where they were when a new one starts).
pub struct EvidenceService {
    inner: Arc<Inner>,
    tasks: std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

impl Drop for EvidenceService {
    fn drop(&mut self) {
        for task in self.tasks.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            task.abort();
        }
    }
}

/// Evidence grouped by side, in the order the court reads it: 原告, 被告, 第三人, ...
pub fn group_by_side(evidence: &[Evidence]) -> Vec<(Side, Vec<Evidence>)> {
    let mut groups: Vec<(Side, Vec<Evidence>)> = Vec::new();
    for item in evidence {
        match groups.iter_mut().find(|(side, _)| *side == item.side) {
            Some((_, items)) => items.push(item.clone()),
            None => groups.push((item.side, vec![item.clone()])),
        }
    }
    // A side this app does not know yet comes last.
    groups.sort_by_key(|(side, _)| Side::EVIDENCE_ORDER.iter().position(|s| s == side).unwrap_or(Side::EVIDENCE_ORDER.len()));
    groups
}

/// Where the logged-in participant stands towards one piece of evidence; the
/// app's buttons follow it (the server decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Submitted by this participant (by id: two parties may share a name).
    pub mine: bool,
    /// 质证 is offered: the server's rule (a party, on another side's
    /// evidence, before the hearing is over), on evidence that was not withdrawn.
    pub may_give_opinion: bool,
}

/// Evidence is submitted and examined before and during the hearing, not
/// after 闭庭 (the server's rule). A status the room has not told yet counts
/// as open (the server still decides); one from a newer server does not.
fn takes_evidence(status: Option<HearingStatus>) -> bool {
    status.is_none_or(|s| !s.is_over() && s != HearingStatus::Unknown)
}

/// Whether the logged-in participant is offered 上传证据 now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitting {
    Open,
    /// A party, once the hearing takes no more evidence: why.
    Closed { reason: String },
    /// Only parties submit evidence.
    NotForRole,
}

pub fn submitting(role: ParticipantRole, status: Option<HearingStatus>) -> Submitting {
    match status {
        _ if !role.submits_evidence() => Submitting::NotForRole,
        status if takes_evidence(status) => Submitting::Open,
        Some(status) if status.is_over() => Submitting::Closed { reason: "庭审已结束，不能再提交证据".into() },
        _ => Submitting::Closed { reason: "当前庭审状态下不能提交证据".into() },
    }
}

pub fn standing(participant_id: i64, role: ParticipantRole, status: Option<HearingStatus>, evidence: &Evidence) -> Standing {
    let mine = evidence.submitter.id == participant_id;
    let may_give_opinion = !mine
        && evidence.withdrawn_at_ms.is_none()
        && takes_evidence(status)
        && role.submits_evidence()
        && evidence.side != role.side();
    Standing { mine, may_give_opinion }
}

impl EvidenceService {
    /// Starts the upload worker (resuming anything queued). Must be called within a tokio runtime.
    pub fn start(client: &Client, options: EvidenceOptions) -> Result<Self> {
        let session = client.session()?;
        let uploads_dir = client.store().dir().join("upload-queue");
        let cache_dir = client.store().dir().join("evidence-cache");
        std::fs::create_dir_all(&uploads_dir)?;
        std::fs::create_dir_all(&cache_dir)?;
        let inner = Arc::new(Inner {
            client: client.clone(),
            hearing_id: session.hearing_id,
            participant_id: session.participant_id,
            role: session.role,
            options,
            progress: watch::Sender::new(Vec::new()),
            list: watch::Sender::new(Vec::new()),
            status: std::sync::Mutex::new(None),
            wake: Notify::new(),
            uploads_dir,
            cache_dir,
            downloads: Default::default(),
        });
        inner.publish_progress()?;
        let tasks = vec![tokio::spawn(work(inner.clone()))];
        Ok(Self { inner, tasks: std::sync::Mutex::new(tasks) })
    }

    /// Keeps the evidence list current while in the hearing room.
    pub fn follow(&self, hearing: &HearingSession) {
        let inner = self.inner.clone();
        let mut notices = hearing.subscribe_notices();
        let mut room = hearing.subscribe();
        let task = tokio::spawn(async move {
            let mut was_connected = inner.follow_room(&room.borrow_and_update());
            let _ = inner.refresh().await;
            loop {
                tokio::select! {
                    notice = notices.recv() => match notice {
                        Ok(RoomNotice::EvidenceChanged { .. }) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                            let _ = inner.refresh().await;
                        }
                        Ok(_) => {}
                        Err(_) => return,
                    },
                    changed = room.changed() => {
                        if changed.is_err() {
                            return;
                        }
                        let connected = inner.follow_room(&room.borrow_and_update());
                        let reconnected = connected && !was_connected;
                        was_connected = connected;
                        if reconnected {
                            let _ = inner.refresh().await;
                        }
                    }
                }
            }
        });
        self.tasks.lock().unwrap_or_else(|p| p.into_inner()).push(task);
    }

    /// Queues a file the shell picked (photo album or files). The file is
    /// copied and hashed now; the upload goes on in the background. Returns the upload's local id.
    pub async fn upload_evidence(&self, path: &Path, details: EvidenceDetails) -> Result<i64> {
        let details = details.checked()?;
        if let Submitting::Closed { reason } = self.submitting() {
            return Err(Error::InvalidInput(reason));
        }
        let inner = self.inner.clone();
        let source = path.to_owned();
        let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file").to_owned();
        let id = tokio::task::spawn_blocking(move || -> Result<i64> {
            // Copied under a name of its own first: two files picked at once are copied side by side.
            static COPIES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let n = COPIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let incoming = inner.uploads_dir.join(format!("incoming-{}-{n}", std::process::id()));
            let inspected = match inspect::copy_and_inspect(&source, &incoming) {
                Ok(inspected) => inspected,
                Err(e) => {
                    let _ = std::fs::remove_file(&incoming);
                    return Err(e);
                }
            };
            // The row's id and the copy's final name are taken under one lock of the queue.
            let conn = inner.client.store().conn();
            let id = queue::next_id(&conn)?;
            let copy = inner.uploads_dir.join(id.to_string());
            if let Err(e) = std::fs::rename(&incoming, &copy) {
                let _ = std::fs::remove_file(&incoming);
                return Err(e.into());
            }
            let new = queue::NewQueued {
                id,
                base_url: inner.client.base_url(),
                hearing_id: inner.hearing_id,
                participant_id: inner.participant_id,
                copy_path: &copy.to_string_lossy(),
                file_name: &file_name,
                inspected: &inspected,
                details: &details,
            };
            queue::insert(&conn, &new, now_ms())?;
            Ok(id)
        })
        .await
        .map_err(|e| Error::Media(e.to_string()))??;
        self.inner.publish_progress()?;
        self.inner.wake.notify_one();
        Ok(id)
    }

    pub fn uploads(&self) -> Vec<UploadProgress> {
        self.inner.progress.borrow().clone()
    }

    /// Upload progress: the current list at once, then every change.
    pub fn subscribe_uploads(&self) -> watch::Receiver<Vec<UploadProgress>> {
        self.inner.progress.subscribe()
    }

    /// Pauses an upload (已暂停) until `resume`.
    pub fn pause(&self, local_id: i64) -> Result<()> {
        queue::set_held(&self.inner.client.store().conn(), local_id, true)?;
        self.inner.publish_progress()
    }

    /// Resumes a paused upload, or tries a failed one again.
    pub fn resume(&self, local_id: i64) -> Result<()> {
        queue::set_held(&self.inner.client.store().conn(), local_id, false)?;
        self.inner.publish_progress()?;
        self.inner.wake.notify_one();
        Ok(())
    }

    /// Where the logged-in participant stands towards `evidence`.
    pub fn standing(&self, evidence: &Evidence) -> Standing {
        standing(self.inner.participant_id, self.inner.role, self.inner.status(), evidence)
    }

    /// Whether 上传证据 is offered now.
    pub fn submitting(&self) -> Submitting {
        submitting(self.inner.role, self.inner.status())
    }

    /// The hearing's evidence as last fetched.
    pub fn evidence(&self) -> Vec<Evidence> {
        self.inner.list.borrow().clone()
    }

    pub fn subscribe_evidence(&self) -> watch::Receiver<Vec<Evidence>> {
        self.inner.list.subscribe()
    }

    /// Fetches the hearing's evidence list now.
    pub async fn refresh(&self) -> Result<Vec<Evidence>> {
        self.inner.refresh().await
    }

    /// A local copy of one of the evidence's files, downloaded once and cached.
    /// An original is checked against its SHA-256 before it is kept.
    pub async fn file(&self, evidence: &Evidence, which: EvidenceFile) -> Result<PathBuf> {
        self.file_with_progress(evidence, which, &watch::channel(DownloadProgress::default()).0).await
    }

    /// [`Self::file`], telling `progress` how much has arrived while it downloads
    /// (all of it at once if it is cached), whoever's call is downloading it.
    pub async fn file_with_progress(
        &self,
        evidence: &Evidence,
        which: EvidenceFile,
        progress: &watch::Sender<DownloadProgress>,
    ) -> Result<PathBuf> {
        let suffix = match which {
            EvidenceFile::Original => "",
            EvidenceFile::Copy => ".copy.jpg",
            EvidenceFile::Preview => ".preview.jpg",
            EvidenceFile::Thumbnail => ".thumb.jpg",
        };
        let path = self.inner.cache_dir.join(format!("{}{suffix}", evidence.sha256));
        if let Some(cached) = DownloadProgress::cached(&path) {
            progress.send_replace(cached);
            return Ok(path);
        }
        let template = match which {
            EvidenceFile::Original => paths::EVIDENCE_ORIGINAL,
            EvidenceFile::Copy => paths::EVIDENCE_COPY,
            EvidenceFile::Preview => paths::EVIDENCE_PREVIEW,
            EvidenceFile::Thumbnail => paths::EVIDENCE_THUMBNAIL,
        };
        // One download per file at a time: another caller hears how far it got while it
        // waits for it, then finds the file cached.
        let shared = self.inner.downloads.lock().expect("not poisoned").entry(path.clone()).or_default().clone();
        let _turn = shared.heard(progress, shared.turn.lock()).await;
        if let Some(cached) = DownloadProgress::cached(&path) {
            progress.send_replace(cached);
            return Ok(path);
        }
        let client = &self.inner.client;
        let url = paths::fill(template, &[&evidence.id]);
        let sha256 = (which == EvidenceFile::Original).then_some(evidence.sha256.as_str());
        let downloading = client.authorized(|s| {
            let (url, path, progress) = (&url, &path, &shared.progress);
            async move {
                let download = download::Download { api: client.api(), url, token: s.token(), sha256, destination: path, progress };
                download.run().await
            }
        });
        shared.heard(progress, downloading).await?;
        Ok(path)
    }

    /// 质证: this party's opinion on another side's evidence (its reasons as they show).
    pub async fn give_opinion(&self, evidence_id: &str, opinion: &OpinionRequest) -> Result<Evidence> {
        let client = &self.inner.client;
        let path = paths::fill(paths::EVIDENCE_OPINION, &[&evidence_id]);
        let shown = |p: &Position| Position { stance: p.stance, reason: visible(&p.reason) };
        let opinion = &OpinionRequest {
            authenticity: shown(&opinion.authenticity),
            legality: shown(&opinion.legality),
            relevance: shown(&opinion.relevance),
        };
        let evidence: Evidence = client
            .authorized(|s| async move {
                ApiClient::send(client.api().request(Method::PUT, &path, Some(s.token())).json(opinion)).await
            })
            .await?;
        let _ = self.inner.refresh().await;
        Ok(evidence)
    }

    /// Withdraws this party's own evidence (it stays on the record, marked withdrawn).
    pub async fn withdraw(&self, evidence_id: &str) -> Result<Evidence> {
        let client = &self.inner.client;
        let path = paths::fill(paths::EVIDENCE_WITHDRAW, &[&evidence_id]);
        let evidence: Evidence = client.authorized(|s| async move { client.api().post(&path, Some(s.token()), &()).await }).await?;
        let _ = self.inner.refresh().await;
        Ok(evidence)
    }
}

impl Inner {
    fn publish_progress(&self) -> Result<()> {
        let rows = queue::all(&self.client.store().conn(), self.client.base_url(), self.hearing_id, self.participant_id)?;
        let progress = rows
            .into_iter()
            .map(|r| UploadProgress {
                local_id: r.id,
                title: r.details.title,
                file_name: r.file_name,
                media_type: r.media_type,
                counter: r.details.counter,
                bytes_sent: r.sent,
                total: r.length,
                percent: ((r.sent * 100) / r.length.max(1)).min(100) as u8,
                state: if r.held && r.state != UploadState::Submitted { UploadState::Paused } else { r.state },
                reason: r.error,
                evidence_id: r.evidence_id,
            })
            .collect();
        self.progress.send_if_modified(|current| {
            let changed = *current != progress;
            *current = progress;
            changed
        });
        Ok(())
    }

    fn status(&self) -> Option<HearingStatus> {
        *self.status.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the hearing's status from the room (a new one changes what is
    /// offered, so the list is published again for its standings); says
    /// whether the room is connected.
    fn follow_room(&self, state: &RoomState) -> bool {
        if let Some(view) = &state.room {
            self.follow_status(view.status);
        }
        state.connection == ConnectionState::Connected
    }

    fn follow_status(&self, status: HearingStatus) {
        let changed = self.status.lock().unwrap_or_else(|p| p.into_inner()).replace(status) != Some(status);
        if changed {
            self.list.send_modify(|_| {});
        }
    }

    async fn refresh(&self) -> Result<Vec<Evidence>> {
        let client = &self.client;
        let path = paths::fill(paths::EVIDENCE_LIST, &[&self.hearing_id]);
        let list: Vec<Evidence> = client.authorized(|s| async move { client.api().get(&path, Some(s.token())).await }).await?;
        self.list.send_replace(list.clone());
        Ok(list)
    }
}

/// How one attempt at an upload ended.
enum Attempt {
    Done(Box<Evidence>),
    /// Try again later (network, session); the reason is shown meanwhile.
    Retry(String),
    /// The server refused the file; trying again will not help.
    Refused(String),
}

async fn work(inner: Arc<Inner>) {
    let mut waits: HashMap<i64, (Instant, u32)> = HashMap::new();
    loop {
        let rows = queue::all(&inner.client.store().conn(), inner.client.base_url(), inner.hearing_id, inner.participant_id).unwrap_or_default();
        let now = Instant::now();
        let ready = rows.iter().find(|r| {
            !r.held
                && matches!(r.state, UploadState::Queued | UploadState::Uploading | UploadState::Paused)
                && waits.get(&r.id).is_none_or(|(at, _)| *at <= now)
        });
        let Some(row) = ready.cloned() else {
            let next = waits.values().map(|(at, _)| *at).min();
            let sleep = next.map_or(Duration::from_secs(5), |at| at.saturating_duration_since(now));
            tokio::select! {
                _ = inner.wake.notified() => waits.clear(),
                _ = tokio::time::sleep(sleep) => {}
            }
            continue;
        };
        let outcome = upload(&inner, &row).await;
        let conn = || inner.client.store().conn();
        match outcome {
            Attempt::Done(evidence) => {
                waits.remove(&row.id);
                let _ = queue::set_submitted(&conn(), row.id, &evidence.id, row.length);
                // The copy is the original: it becomes the cached original.
                let _ = std::fs::rename(&row.copy_path, inner.cache_dir.join(&evidence.sha256));
                let _ = inner.refresh().await;
            }
            Attempt::Retry(reason) => {
                let attempts = waits.get(&row.id).map_or(0, |(_, n)| *n) + 1;
                let backoff = Duration::from_millis(500 << attempts.min(6)).min(MAX_BACKOFF);
                waits.insert(row.id, (Instant::now() + backoff, attempts));
                let _ = queue::set_state(&conn(), row.id, UploadState::Paused, Some(&reason));
            }
            Attempt::Refused(reason) => {
                waits.remove(&row.id);
                let _ = queue::set_state(&conn(), row.id, UploadState::Failed, Some(&reason));
                let _ = std::fs::remove_file(&row.copy_path);
            }
        }
        let _ = inner.publish_progress();
    }
}

/// How a failed request counts.
fn classify(error: Error) -> Attempt {
    use cloudtrial_protocol::ErrorCode;
    match error {
        Error::Network(_) | Error::Stalled | Error::NotConnected => Attempt::Retry("网络中断，稍后自动重试".into()),
        Error::SessionExpired | Error::NotLoggedIn => Attempt::Retry("登录已失效，请重新登录后继续上传".into()),
        // A blocked party's uploads wait for the summons; nothing is thrown away.
        Error::Api {
            code: ErrorCode::Internal | ErrorCode::RateLimited | ErrorCode::Blocked | ErrorCode::Interrupted | ErrorCode::Unknown,
            message,
            ..
        } => {
            Attempt::Retry(message)
        }
        Error::Api { message, .. } => Attempt::Refused(message),
        // The party sees Chinese; what exactly went wrong is for the log.
        other => {
            tracing::warn!("an upload attempt failed: {other}");
            Attempt::Retry("服务器暂时无法处理，稍后自动重试".into())
        }
    }
}

async fn upload(inner: &Inner, row: &queue::QueuedUpload) -> Attempt {
    let conn = || inner.client.store().conn();
    let _ = queue::set_state(&conn(), row.id, UploadState::Uploading, None);
    let _ = inner.publish_progress();
    let client = &inner.client;
    let session = match client.session() {
        Ok(session) => session,
        Err(e) => return classify(e),
    };
    let token = session.token().to_owned();
    let upload_id = match &row.server_upload_id {
        Some(id) => id.clone(),
        None => {
            let new = NewUpload {
                length: row.length,
                sha256: row.sha256.clone(),
                file_name: row.file_name.clone(),
                title: row.details.title.clone(),
                description: row.details.description.clone(),
                purpose: row.details.purpose.clone(),
                counter: row.details.counter,
                answers: row.details.answers.clone(),
            };
            let uploads_path = paths::fill(paths::UPLOADS, &[&row.hearing_id]);
            let created: Result<UploadStatus> = client.api().post(&uploads_path, Some(&token), &new).await;
            match created {
                Ok(status) => {
                    let _ = queue::set_server_upload(&conn(), row.id, Some(&status.upload_id));
                    status.upload_id
                }
                Err(e) => return classify(e),
            }
        }
    };
    let status: Result<UploadStatus> = client.api().get(&upload_path(&upload_id), Some(&token)).await;
    let mut status = match status {
        Ok(status) => status,
        // The server forgot the upload (it expired): start it again from the beginning.
        Err(Error::Api { code: cloudtrial_protocol::ErrorCode::NotFound, .. }) => {
            let _ = queue::set_server_upload(&conn(), row.id, None);
            return Attempt::Retry("重新开始上传".into());
        }
        Err(e) => return classify(e),
    };
    let chunk_size = inner.options.chunk_size.min(status.max_chunk).max(1);
    let mut file = match std::fs::File::open(&row.copy_path) {
        Ok(file) => file,
        Err(e) => {
            tracing::warn!(upload = row.id, "the queued copy cannot be opened: {e}");
            return Attempt::Refused("待上传的文件已丢失，请重新选择该文件提交".into());
        }
    };
    let mut checksum_failures = 0;
    loop {
        if let Some(evidence) = status.evidence {
            return Attempt::Done(Box::new(evidence));
        }
        let _ = queue::set_sent(&conn(), row.id, status.offset);
        let _ = inner.publish_progress();
        // 暂停 stops the upload at the next chunk.
        if queue::is_held(&conn(), row.id).unwrap_or(false) {
            return Attempt::Retry("已暂停".into());
        }
        let offset = status.offset;
        let len = chunk_size.min(row.length - offset) as usize;
        let mut chunk = vec![0u8; len];
        use std::io::{Read, Seek, SeekFrom};
        if let Err(e) = file.seek(SeekFrom::Start(offset)).and_then(|_| file.read_exact(&mut chunk)) {
            tracing::warn!(upload = row.id, "the queued copy cannot be read: {e}");
            return Attempt::Refused("读取待上传的文件失败，请重新选择该文件提交".into());
        }
        let checksum = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&chunk));
        let request = client
            .api()
            .request(Method::PATCH, &upload_path(&upload_id), Some(&token))
            .timeout(chunk_timeout(len))
            .header(cloudtrial_protocol::paths::headers::UPLOAD_OFFSET, offset.to_string())
            .header(cloudtrial_protocol::paths::headers::UPLOAD_CHECKSUM, format!("sha256 {checksum}"))
            .header("content-type", cloudtrial_protocol::paths::headers::UPLOAD_CONTENT_TYPE)
            .body(chunk);
        match ApiClient::send::<UploadStatus>(request).await {
            Ok(next) => status = next,
            // Someone (an earlier attempt) moved the offset: ask where it is.
            Err(Error::Api { code: cloudtrial_protocol::ErrorCode::Conflict, .. }) => {
                match client.api().get(&upload_path(&upload_id), Some(&token)).await {
                    Ok(now) => status = now,
                    Err(e) => return classify(e),
                }
            }
            Err(Error::Api { code: cloudtrial_protocol::ErrorCode::ChecksumMismatch, .. }) if checksum_failures < 3 => {
                checksum_failures += 1;
            }
            Err(e) => return classify(e),
        }
    }
}

/// How long a chunk may take to send: what the server allows a request body
/// (a grace, then its floor rate), so a phone on a slow uplink still gets its
/// chunks through instead of giving up after the API's usual 30 s.
fn chunk_timeout(len: usize) -> Duration {
    const GRACE: Duration = Duration::from_secs(30);
    const FLOOR_BYTES_PER_SECOND: f64 = 2.0 * 1024.0;
    GRACE + Duration::from_secs_f64(len as f64 / FLOOR_BYTES_PER_SECOND)
}

/// `/api/uploads/{id}`.
fn upload_path(upload_id: &str) -> String {
    paths::fill(paths::UPLOAD, &[&upload_id])
}

#[cfg(test)]
mod classify_tests {
    use super::*;
    use cloudtrial_protocol::ErrorCode;

    /// A chunk the server could not read whole (too slow, cut off) is sent
    /// again and the queued copy kept; a file the server refuses is final.
    #[test]
    fn a_request_cut_off_on_the_way_is_tried_again_and_a_refusal_is_final() {
        let api = |code: ErrorCode| Error::Api { status: code.http_status(), code, message: code.default_message().into() };
        for code in [ErrorCode::Interrupted, ErrorCode::Internal, ErrorCode::RateLimited, ErrorCode::Blocked, ErrorCode::Unknown] {
            assert!(matches!(classify(api(code)), Attempt::Retry(_)), "{code:?}");
        }
        for code in [ErrorCode::UnsupportedMedia, ErrorCode::PayloadTooLarge, ErrorCode::Forbidden] {
            assert!(matches!(classify(api(code)), Attempt::Refused(_)), "{code:?}");
        }
        // A proxy's page instead of the server's answer: retried, and the party reads Chinese.
        match classify(Error::UnexpectedResponse("HTTP 502 Bad Gateway".into())) {
            Attempt::Retry(reason) => assert!(!reason.chars().any(|c| c.is_ascii_alphabetic()), "{reason}"),
            _ => panic!("a proxy's error page is tried again"),
        }
    }
}

#[cfg(test)]
mod standing_tests {
    use super::*;
    use cloudtrial_protocol::ParticipantRole as Role;

    fn submitted_by_zhang_san(withdrawn: bool) -> Evidence {
        serde_json::from_value(serde_json::json!({
            "id": "ev1", "hearing_id": 1, "submitter": {"id": 3, "name": "张三", "role": "plaintiff"}, "side": "plaintiff",
            "title": "借条", "description": "", "purpose": "", "counter": false, "answers": null, "file_name": "a.jpg",
            "media_type": "image/jpeg", "kind": "image", "size": 10, "sha256": "00", "captured_at": null, "width": null,
            "height": null, "has_preview": true, "original_released": false, "submitted_at_ms": 1,
            "withdrawn_at_ms": if withdrawn { Some(2) } else { None }, "opinions": [],
        }))
        .unwrap()
    }

    #[test]
    fn only_another_side_s_party_is_offered_an_opinion_and_mine_is_decided_by_id() {
        let evidence = submitted_by_zhang_san(false);
        let offered = |id, role| standing(id, role, None, &evidence).may_give_opinion;
        assert!(offered(4, Role::Defendant) && offered(5, Role::DefendantAgent) && offered(6, Role::ThirdParty));
        for (role, who) in [
            (Role::PlaintiffAgent, "the same side"),
            (Role::Witness, "a witness"),
            (Role::Clerk, "the court"),
            (Role::PresidingJudge, "the court"),
            (Role::Unknown, "a role from a newer server"),
        ] {
            assert!(!offered(7, role), "{who}");
        }
        assert_eq!(standing(3, Role::Plaintiff, None, &evidence), Standing { mine: true, may_give_opinion: false });
        // Another 张三, also a plaintiff (two parties may share a name): not the submitter.
        assert!(!standing(8, Role::Plaintiff, None, &evidence).mine);
        assert!(!standing(4, Role::Defendant, None, &submitted_by_zhang_san(true)).may_give_opinion, "withdrawn");
    }

    #[test]
    fn evidence_is_taken_before_and_during_the_hearing_and_not_after_closing() {
        let evidence = submitted_by_zhang_san(false);
        for status in [HearingStatus::Scheduled, HearingStatus::InSession, HearingStatus::Adjourned] {
            assert!(takes_evidence(Some(status)), "{status:?}");
            assert!(standing(4, Role::Defendant, Some(status), &evidence).may_give_opinion, "{status:?}");
        }
        for status in [HearingStatus::Closed, HearingStatus::Cancelled, HearingStatus::Unknown] {
            assert!(!takes_evidence(Some(status)), "{status:?}");
            assert!(!standing(4, Role::Defendant, Some(status), &evidence).may_give_opinion, "{status:?}");
        }
        assert!(takes_evidence(None), "not yet told: the server decides");
        assert_eq!(submitting(Role::Defendant, Some(HearingStatus::Adjourned)), Submitting::Open);
        assert_eq!(
            submitting(Role::Defendant, Some(HearingStatus::Closed)),
            Submitting::Closed { reason: "庭审已结束，不能再提交证据".into() }
        );
        assert_eq!(submitting(Role::Witness, Some(HearingStatus::InSession)), Submitting::NotForRole);
        assert_eq!(submitting(Role::Clerk, None), Submitting::NotForRole);
    }
}
