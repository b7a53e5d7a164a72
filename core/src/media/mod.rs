//! Live video and audio: a webrtc peer connection to the server's SFU,
//! encoding and decoding in Rust, and the shell's raw frames in and out.

pub mod analysis;
mod assembler;
pub mod codec;
pub mod frame;
mod peer;
mod remote;
mod repair;
mod session;
pub mod synthetic;

pub use frame::{AUDIO_FRAME_SAMPLES, AUDIO_SAMPLE_RATE, I420Frame};
pub use peer::{IceServer, MediaNetwork};
pub use session::{
    CameraFacing, MediaConnection, MediaOptions, MediaSender, MediaSession, MediaState, MediaStats, RemoteMediaSink,
    RemoteParticipant, RemoteStreamStats, VideoDecoding, VideoSettings,
};
