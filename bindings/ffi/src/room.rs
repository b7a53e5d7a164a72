use std::sync::Arc;

use cloudtrial_core::protocol::signalling as wire;

use crate::error::ClientError;
use crate::runtime;
use crate::task_handle::TaskHandle;
use crate::types::{DeviceKind, HearingStatus, ParticipantRole};

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ConnectionState {
    Connecting,
    Connected,
    /// 重新连接中
    Reconnecting { attempt: u32 },
    /// The participant joined from another device; this one stopped.
    Replaced,
    Ended { reason: String },
}

impl From<cloudtrial_core::ConnectionState> for ConnectionState {
    fn from(state: cloudtrial_core::ConnectionState) -> Self {
        use cloudtrial_core::ConnectionState as C;
        match state {
            C::Connecting => Self::Connecting,
            C::Connected => Self::Connected,
            C::Reconnecting { attempt } => Self::Reconnecting { attempt },
            C::Replaced => Self::Replaced,
            C::Ended { reason } => Self::Ended { reason },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RoomParticipant {
    pub id: i64,
    pub name: String,
    pub role: ParticipantRole,
    pub role_label: String,
    pub online: bool,
    pub device: Option<DeviceKind>,
    pub blocked: bool,
    pub muted: bool,
}

impl From<wire::RoomParticipant> for RoomParticipant {
    fn from(p: wire::RoomParticipant) -> Self {
        Self {
            id: p.id,
            name: p.name,
            role: p.role.into(),
            role_label: p.role.label().to_owned(),
            online: p.online,
            device: p.device.map(Into::into),
            blocked: p.blocked,
            muted: p.muted,
        }
    }
}

/// The hearing room as this participant sees it now.
/// A line of the recognition panel: role and name, then what they said.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SpeechLine {
    /// Stays the same while the sentence is spoken; the final replaces the words so far.
    pub segment: u64,
    pub speaker_id: i64,
    /// "原告 张三"
    pub speaker_label: String,
    pub text: String,
    /// Milliseconds since the hearing started.
    pub start_ms: i64,
    /// A finished sentence (kept), or the words so far.
    pub is_final: bool,
}

impl From<cloudtrial_core::protocol::signalling::Utterance> for SpeechLine {
    fn from(u: cloudtrial_core::protocol::signalling::Utterance) -> Self {
        Self {
            segment: u.segment,
            speaker_id: u.speaker.id,
            speaker_label: u.speaker.label(),
            text: u.text,
            start_ms: u.start_ms,
            is_final: u.is_final,
        }
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RoomState {
    pub connection: ConnectionState,
    /// 已连接, 重新连接中, ...
    pub connection_label: String,
    pub hearing_status: Option<HearingStatus>,
    /// 未开庭, 庭审中, 休庭, 已闭庭
    pub hearing_status_label: Option<String>,
    /// The speech recognition panel's text when it has no lines, e.g. 语音识别暂未开始.
    pub recognition_message: Option<String>,
    /// The recognition panel's lines, oldest first.
    pub speech: Vec<SpeechLine>,
    /// Everyone in the hearing; only `me` while blocked.
    pub participants: Vec<RoomParticipant>,
    pub me: Option<RoomParticipant>,
    /// 您已被屏蔽，请等待法官传唤 while blocked: show only this.
    pub blocked_message: Option<String>,
}

impl From<cloudtrial_core::RoomState> for RoomState {
    fn from(state: cloudtrial_core::RoomState) -> Self {
        let connection_label = state.connection.label().to_owned();
        let room = state.room;
        Self {
            connection: state.connection.into(),
            connection_label,
            hearing_status: room.as_ref().map(|r| r.status.into()),
            hearing_status_label: room.as_ref().map(|r| r.status.label().to_owned()),
            recognition_message: room.as_ref().map(|r| r.recognition.message.clone()),
            speech: state.speech.into_iter().map(Into::into).collect(),
            blocked_message: room.as_ref().and_then(|r| r.blocked_message.clone()),
            me: room.as_ref().map(|r| r.me.clone().into()),
            participants: room.map(|r| r.participants.into_iter().map(Into::into).collect()).unwrap_or_default(),
        }
    }
}

/// Receives the room state: once at once, then on every change.
#[uniffi::export(callback_interface)]
pub trait RoomStateListener: Send + Sync {
    fn on_update(&self, state: RoomState);
}

/// A live connection to the hearing room. It reconnects by itself when the network drops.
#[derive(uniffi::Object)]
pub struct HearingRoom {
    inner: Arc<cloudtrial_core::HearingSession>,
    participant_id: i64,
}

impl HearingRoom {
    pub(crate) fn start(client: &cloudtrial_core::Client, device: DeviceKind) -> Result<Arc<Self>, ClientError> {
        let _entered = runtime::handle().enter();
        let participant_id = client.session()?.participant_id;
        let inner = cloudtrial_core::HearingSession::start(client, device.into())?;
        Ok(Arc::new(Self { inner: Arc::new(inner), participant_id }))
    }

    pub(crate) fn session(&self) -> &cloudtrial_core::HearingSession {
        &self.inner
    }

    pub(crate) fn session_handle(&self) -> Arc<cloudtrial_core::HearingSession> {
        self.inner.clone()
    }

    async fn run<F, Fut>(&self, call: F) -> Result<(), ClientError>
    where
        F: FnOnce(Arc<cloudtrial_core::HearingSession>) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = cloudtrial_core::Result<()>> + Send + 'static,
    {
        let session = self.inner.clone();
        runtime::run(async move { call(session).await }).await.map_err(Into::into)
    }
}

#[uniffi::export]
impl HearingRoom {
    pub fn state(&self) -> RoomState {
        self.inner.state().into()
    }

    pub fn subscribe(&self, listener: Box<dyn RoomStateListener>) -> Arc<TaskHandle> {
        let mut states = self.inner.subscribe();
        TaskHandle::new(runtime::handle().spawn(async move {
            listener.on_update(states.borrow_and_update().clone().into());
            while states.changed().await.is_ok() {
                listener.on_update(states.borrow_and_update().clone().into());
            }
        }))
    }

    /// Call when the device's network changes (Wi-Fi → 4G) to reconnect at once.
    pub fn network_changed(&self) {
        self.inner.network_changed();
    }

    /// Starts this participant's camera and microphone in the hearing (视频庭审).
    pub fn start_media(&self, settings: crate::media::MediaSettings) -> Result<Arc<crate::media::MediaCall>, ClientError> {
        crate::media::MediaCall::start(&self.inner, self.participant_id, settings)
    }

    /// Leaves the room; it stops reconnecting.
    pub fn leave(&self) {
        self.inner.leave();
    }

    /// 开始 (judges only; others get `Forbidden`).
    pub async fn start_hearing(&self) -> Result<(), ClientError> {
        self.run(|s| async move { s.start_hearing().await }).await
    }

    /// 休庭
    pub async fn adjourn(&self) -> Result<(), ClientError> {
        self.run(|s| async move { s.adjourn().await }).await
    }

    pub async fn resume(&self) -> Result<(), ClientError> {
        self.run(|s| async move { s.resume().await }).await
    }

    /// 闭庭
    pub async fn close_hearing(&self) -> Result<(), ClientError> {
        self.run(|s| async move { s.close_hearing().await }).await
    }

    /// 屏蔽 a party.
    pub async fn block(&self, participant_id: i64) -> Result<(), ClientError> {
        self.run(move |s| async move { s.block(participant_id).await }).await
    }

    /// 传唤 a blocked party back.
    pub async fn summon(&self, participant_id: i64) -> Result<(), ClientError> {
        self.run(move |s| async move { s.summon(participant_id).await }).await
    }

    pub async fn set_muted(&self, participant_id: i64, muted: bool) -> Result<(), ClientError> {
        self.run(move |s| async move { s.set_muted(participant_id, muted).await }).await
    }
}
