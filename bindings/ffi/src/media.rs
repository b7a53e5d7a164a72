use std::sync::Arc;

use cloudtrial_core::media::{self as core_media, I420Frame};

use crate::error::ClientError;
use crate::runtime;
use crate::task_handle::TaskHandle;
use crate::types::ParticipantRole;

/// What the shell's camera produces, and how it should be sent.
#[derive(Debug, Clone, uniffi::Record)]
pub struct MediaSettings {
    pub width: u32,
    pub height: u32,
    pub fps: f32,
    /// Target video bitrate in bits per second.
    pub bitrate: u32,
    /// STUN/TURN servers (`stun:host:port`, `turn:host:port?transport=udp`), from the court's configuration.
    pub ice_servers: Vec<String>,
    pub ice_username: String,
    pub ice_credential: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CameraFacing {
    Front,
    Back,
}

impl From<CameraFacing> for core_media::CameraFacing {
    fn from(facing: CameraFacing) -> Self {
        match facing {
            CameraFacing::Front => Self::Front,
            CameraFacing::Back => Self::Back,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum MediaConnection {
    Connecting,
    Connected,
    /// 重新连接中
    Reconnecting,
    Stopped { reason: String },
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MediaState {
    pub connection: MediaConnection,
    /// 音视频已连接, 重新连接中, ...
    pub connection_label: String,
    pub camera_on: bool,
    pub microphone_on: bool,
    pub rtt_ms: Option<u32>,
    pub send_kbps: u32,
    pub receive_kbps: u32,
}

impl From<core_media::MediaState> for MediaState {
    fn from(s: core_media::MediaState) -> Self {
        Self {
            connection_label: s.connection.label().to_owned(),
            connection: match s.connection {
                core_media::MediaConnection::Connecting => MediaConnection::Connecting,
                core_media::MediaConnection::Connected => MediaConnection::Connected,
                core_media::MediaConnection::Reconnecting => MediaConnection::Reconnecting,
                core_media::MediaConnection::Stopped { reason } => MediaConnection::Stopped { reason },
            },
            camera_on: s.camera_on,
            microphone_on: s.microphone_on,
            rtt_ms: s.stats.rtt_ms,
            send_kbps: s.stats.send_kbps,
            receive_kbps: s.stats.receive_kbps,
        }
    }
}

/// Who sent a remote frame: shown at the tile's bottom left as `label` (原告 张三).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RemoteSender {
    pub participant_id: i64,
    pub role: Option<ParticipantRole>,
    pub name: String,
    pub label: String,
}

impl From<&core_media::RemoteParticipant> for RemoteSender {
    fn from(p: &core_media::RemoteParticipant) -> Self {
        Self { participant_id: p.participant_id, role: p.role.map(Into::into), name: p.name.clone(), label: p.label() }
    }
}

/// An I420 picture: Y (width × height), then U and V (each width/2 × height/2).
#[derive(Debug, Clone, uniffi::Record)]
pub struct VideoFrame {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

/// Receives the others' decoded media, on the core's threads.
#[uniffi::export(callback_interface)]
pub trait RemoteMediaListener: Send + Sync {
    fn on_video_frame(&self, from: RemoteSender, frame: VideoFrame);
    /// 20 ms of 48 kHz mono audio as 16-bit little-endian PCM (1920 bytes).
    fn on_audio_frame(&self, from: RemoteSender, pcm: Vec<u8>);
}

#[uniffi::export(callback_interface)]
pub trait MediaStateListener: Send + Sync {
    fn on_update(&self, state: MediaState);
}

struct Sink(Box<dyn RemoteMediaListener>);

impl core_media::RemoteMediaSink for Sink {
    fn on_video_frame(&self, from: &core_media::RemoteParticipant, frame: &I420Frame) {
        self.0.on_video_frame(from.into(), VideoFrame { width: frame.width, height: frame.height, data: frame.data.clone() });
    }

    fn on_audio_frame(&self, from: &core_media::RemoteParticipant, samples: &[i16]) {
        self.0.on_audio_frame(from.into(), samples.iter().flat_map(|s| s.to_le_bytes()).collect());
    }
}

/// The participant's live video and audio. Encoding and decoding happen in Rust;
/// the shell gives camera and microphone data and shows what comes back.
#[derive(uniffi::Object)]
pub struct MediaCall {
    inner: core_media::MediaSession,
}

impl MediaCall {
    pub(crate) fn start(
        hearing: &cloudtrial_core::HearingSession,
        participant_id: i64,
        settings: MediaSettings,
    ) -> Result<Arc<Self>, ClientError> {
        let _entered = runtime::handle().enter();
        let ice_servers = if settings.ice_servers.is_empty() {
            Vec::new()
        } else {
            vec![core_media::IceServer {
                urls: settings.ice_servers,
                username: settings.ice_username,
                credential: settings.ice_credential,
            }]
        };
        let options = core_media::MediaOptions {
            network: core_media::MediaNetwork { ice_servers, ..Default::default() },
            video: core_media::VideoSettings {
                width: settings.width,
                height: settings.height,
                fps: settings.fps,
                bitrate: settings.bitrate,
            },
            ..Default::default()
        };
        let inner = core_media::MediaSession::start(hearing, participant_id, options)?;
        Ok(Arc::new(Self { inner }))
    }
}

#[uniffi::export]
impl MediaCall {
    /// One camera frame (I420). Dropped while the camera is off or the encoder is busy.
    pub fn send_video_frame(&self, frame: VideoFrame) -> Result<(), ClientError> {
        let frame = I420Frame { width: frame.width, height: frame.height, data: frame.data };
        self.inner.send_video_frame(frame).map_err(Into::into)
    }

    /// 20 ms of 48 kHz mono microphone audio as 16-bit little-endian PCM (1920 bytes).
    pub fn send_audio_frame(&self, pcm: Vec<u8>) -> Result<(), ClientError> {
        if !pcm.len().is_multiple_of(2) {
            return Err(ClientError::InvalidInput { reason: "PCM 数据长度须为偶数".into() });
        }
        let samples: Vec<i16> = pcm.chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]])).collect();
        self.inner.send_audio_frame(&samples).map_err(Into::into)
    }

    pub fn set_remote_listener(&self, listener: Box<dyn RemoteMediaListener>) {
        self.inner.set_sink(Arc::new(Sink(listener)));
    }

    pub fn set_camera_enabled(&self, on: bool) {
        self.inner.set_camera_enabled(on);
    }

    pub fn set_microphone_enabled(&self, on: bool) {
        self.inner.set_microphone_enabled(on);
    }

    pub fn set_camera_facing(&self, facing: CameraFacing) {
        self.inner.set_camera_facing(facing.into());
    }

    /// Call when the device's network changes (Wi-Fi → 4G): ICE restarts on the same connection.
    pub fn network_changed(&self) {
        self.inner.network_changed();
    }

    pub fn state(&self) -> MediaState {
        self.inner.state().into()
    }

    pub fn subscribe(&self, listener: Box<dyn MediaStateListener>) -> Arc<TaskHandle> {
        let mut states = self.inner.subscribe();
        TaskHandle::new(runtime::handle().spawn(async move {
            listener.on_update(states.borrow_and_update().clone().into());
            while states.changed().await.is_ok() {
                listener.on_update(states.borrow_and_update().clone().into());
            }
        }))
    }

    pub fn stop(&self) {
        self.inner.stop();
    }
}
