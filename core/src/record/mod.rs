//! The court record (笔录) from the app: reading it (刷新), following every
//! save (笔录自动刷新), and signing the frozen version (签名).
//!
//! Every version fetched is checked against its SHA-256, and a signature is
//! bound to the hash of the text the signer was shown, recomputed here.

mod strokes;

use cloudtrial_protocol::paths;
use std::path::PathBuf;

use base64::Engine;
use cloudtrial_protocol::record::{
    RecordContent, RecordVersion, RecordVersionSummary, RecordView, SaveRecord, SignRecord, SignatureInfo, SigningRound,
    StartSigning,
};
use cloudtrial_protocol::signalling::RoomNotice;
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;

pub use strokes::{StrokePoint, render_signature};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::hearing::{ConnectionState, HearingSession};
use crate::http::ApiClient;

/// What a follower of the record is told.
#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(clippy::large_enum_variant, reason = "a few updates a minute, each moved once")]
pub enum RecordUpdate {
    /// The record as it is now: sent first, after a reconnection, and whenever
    /// signing starts, is superseded or a signature arrives.
    View(RecordView),
    /// A version saved since the last update; every version arrives, in order.
    Version(RecordVersion),
}

/// The logged-in participant's court record.
#[derive(Clone)]
pub struct RecordService {
    client: Client,
    hearing_id: i64,
}

impl RecordService {
    pub fn new(client: &Client) -> Result<Self> {
        let session = client.session()?;
        Ok(Self { client: client.clone(), hearing_id: session.hearing_id })
    }

    fn path(&self, rest: &str) -> String {
        format!("{}{rest}", paths::fill(paths::RECORD, &[&self.hearing_id]))
    }

    async fn get<T: DeserializeOwned>(&self, rest: &str) -> Result<T> {
        let path = self.path(rest);
        self.client.authorized(|s| async move { self.client.api().get(&path, Some(s.token())).await }).await
    }

    async fn download(&self, rest: &str) -> Result<(HeaderMap, bytes::Bytes)> {
        let path = self.path(rest);
        self.client.authorized(|s| async move { self.client.api().download(&path, s.token()).await }).await
    }

    /// 刷新: the record as it is now.
    pub async fn fetch(&self) -> Result<RecordView> {
        let view: RecordView = self.get("").await?;
        if let Some(latest) = &view.latest {
            check_intact(latest)?;
        }
        Ok(view)
    }

    /// The versions saved after `after`, oldest first.
    pub async fn versions_after(&self, after: u32) -> Result<Vec<RecordVersion>> {
        let versions: Vec<RecordVersion> = self.get(&format!("/versions?after={after}")).await?;
        versions.iter().try_for_each(check_intact)?;
        Ok(versions)
    }

    /// One version, as it was saved.
    pub async fn version(&self, version: u32) -> Result<RecordVersion> {
        let version: RecordVersion = self.get(&format!("/versions/{version}")).await?;
        check_intact(&version)?;
        Ok(version)
    }

    /// Every version: who saved it, when, and its hash.
    pub async fn history(&self) -> Result<Vec<RecordVersionSummary>> {
        self.get("/history").await
    }

    /// Saves the record as a new version (court staff on a tablet). Refused
    /// when someone saved after `base_version`, so nothing is overwritten.
    pub async fn save(&self, base_version: Option<u32>, content: &RecordContent) -> Result<RecordVersion> {
        let path = self.path("");
        let body = &SaveRecord { base_version, content: content.clone() };
        let version: RecordVersion = self
            .client
            .authorized(|s| async move {
                ApiClient::send(self.client.api().request(Method::PUT, &path, Some(s.token())).json(body)).await
            })
            .await?;
        check_intact(&version)?;
        Ok(version)
    }

    async fn post<B: Serialize, T: DeserializeOwned>(&self, rest: &str, body: &B) -> Result<T> {
        let path = self.path(rest);
        self.client.authorized(|s| async move { self.client.api().post(&path, Some(s.token()), body).await }).await
    }

    /// 发起签名 on `version`, which must be the latest.
    pub async fn start_signing(&self, version: u32) -> Result<SigningRound> {
        self.post("/signing", &StartSigning { version }).await
    }

    /// Signs `read`, the frozen version the signer was shown, with a PNG image.
    /// Refused here, before anything is sent, when `read` is not the version
    /// now being signed or was altered.
    pub async fn sign_png(&self, read: &RecordVersion, png: &[u8]) -> Result<SignatureInfo> {
        if !read.is_intact() {
            return Err(Error::InvalidInput("笔录内容与其校验值不一致，请刷新后重新阅读".into()));
        }
        let view = self.fetch().await?;
        let round = view.signing.filter(SigningRound::is_open).ok_or_else(|| Error::InvalidInput("当前没有待签名的笔录".into()))?;
        if round.version != read.version || round.version_sha256 != read.sha256 {
            return Err(Error::InvalidInput(format!("笔录已更新为第{}版，请重新阅读后签名", round.version)));
        }
        if !view.must_sign {
            return Err(Error::InvalidInput("您无需签名或已签名".into()));
        }
        let body = SignRecord {
            round_id: round.id,
            // Intact: this is the hash of the very text the signer was shown.
            version_sha256: read.sha256.clone(),
            image_png: base64::engine::general_purpose::STANDARD.encode(png),
        };
        self.post("/signatures", &body).await
    }

    /// Signs `read` with the strokes drawn on a `width`×`height` view.
    pub async fn sign_strokes(&self, read: &RecordVersion, strokes: &[Vec<StrokePoint>], width: f32, height: f32) -> Result<SignatureInfo> {
        let png = render_signature(strokes, width, height)?;
        self.sign_png(read, &png).await
    }

    /// 查看签名: the participant's own most recent signature image (PNG), if any.
    pub async fn my_signature(&self) -> Result<Option<(SignatureInfo, Vec<u8>)>> {
        let Some(signature) = self.fetch().await?.my_signature else {
            return Ok(None);
        };
        let (_, png) = self.download(&format!("/signatures/{}/image", signature.id)).await?;
        Ok(Some((signature, png.to_vec())))
    }

    /// The signed record as PDF (every signature on every page), saved in the
    /// app's files and checked against the hash the server gives for it.
    pub async fn signed_pdf(&self) -> Result<PathBuf> {
        let (headers, bytes) = self.download("/pdf").await?;
        let claimed = headers.get(cloudtrial_protocol::paths::headers::RECORD_SHA256).and_then(|v| v.to_str().ok());
        let actual = hex::encode(Sha256::digest(&bytes));
        if claimed != Some(actual.as_str()) {
            return Err(Error::UnexpectedResponse("下载的笔录与其校验值不一致".into()));
        }
        let dir = self.client.store().dir().join("records");
        std::fs::create_dir_all(&dir)?;
        let file = dir.join(format!("{actual}.pdf"));
        let temporary = file.with_extension("download");
        std::fs::write(&temporary, &bytes)?;
        std::fs::rename(&temporary, &file)?;
        Ok(file)
    }

    /// 笔录自动刷新: the record now, then every version as it is saved and
    /// every change to signing, while the hearing room is connected (missed
    /// versions are fetched after a reconnection). Ends when the receiver is
    /// dropped or the room ends.
    pub fn follow(&self, hearing: &HearingSession) -> mpsc::Receiver<Result<RecordUpdate>> {
        let (sender, receiver) = mpsc::channel(64);
        let mut notices = hearing.subscribe_notices();
        let mut room = hearing.subscribe();
        let service = self.clone();
        tokio::spawn(async move {
            let mut follower = Follower { service, sender, seen: None };
            let mut was_connected = room.borrow_and_update().connection == ConnectionState::Connected;
            if !follower.send_view().await {
                return;
            }
            loop {
                let carry_on = tokio::select! {
                    () = follower.sender.closed() => false,
                    notice = notices.recv() => match notice {
                        Ok(RoomNotice::RecordSaved { .. }) => follower.send_versions().await,
                        Ok(RoomNotice::SigningChanged { .. }) => follower.send_view().await,
                        Ok(_) => true,
                        Err(RecvError::Lagged(_)) => follower.catch_up().await,
                        Err(RecvError::Closed) => false,
                    },
                    changed = room.changed() => match changed {
                        Err(_) => false,
                        Ok(()) => {
                            let connected = room.borrow_and_update().connection == ConnectionState::Connected;
                            let reconnected = connected && !was_connected;
                            was_connected = connected;
                            !reconnected || follower.catch_up().await
                        }
                    },
                };
                if !carry_on {
                    return;
                }
            }
        });
        receiver
    }
}

struct Follower {
    service: RecordService,
    sender: mpsc::Sender<Result<RecordUpdate>>,
    /// The last version delivered; `None` before the first view.
    seen: Option<u32>,
}

impl Follower {
    /// Sends the view (or the error fetching it); false once nobody listens.
    /// Versions saved since the last one delivered go first, so that every
    /// version arrives as a [`RecordUpdate::Version`] after the first view.
    async fn send_view(&mut self) -> bool {
        let view = match self.service.fetch().await {
            Ok(view) => view,
            Err(e) => return self.sender.send(Err(e)).await.is_ok(),
        };
        let latest = view.latest.as_ref().map_or(0, |v| v.version);
        match self.seen {
            None => self.seen = Some(latest),
            Some(seen) if latest > seen => {
                if !self.send_versions().await {
                    return false;
                }
            }
            Some(_) => {}
        }
        self.sender.send(Ok(RecordUpdate::View(view))).await.is_ok()
    }

    async fn send_versions(&mut self) -> bool {
        match self.service.versions_after(self.seen.unwrap_or(0)).await {
            Ok(versions) => {
                for version in versions {
                    self.seen = Some(version.version);
                    if self.sender.send(Ok(RecordUpdate::Version(version))).await.is_err() {
                        return false;
                    }
                }
                true
            }
            Err(e) => self.sender.send(Err(e)).await.is_ok(),
        }
    }

    async fn catch_up(&mut self) -> bool {
        self.send_versions().await && self.send_view().await
    }
}

fn check_intact(version: &RecordVersion) -> Result<()> {
    if version.is_intact() {
        Ok(())
    } else {
        Err(Error::UnexpectedResponse(format!("笔录第{}版与其校验值不一致", version.version)))
    }
}
