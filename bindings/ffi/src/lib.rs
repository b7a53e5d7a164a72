//! UniFFI bindings of `cloudtrial-core`: thin wrappers only. Objects hold the
//! core object they wrap, records mirror core types through `From`, and every
//! async call runs on the one tokio runtime this crate owns.

uniffi::setup_scaffolding!();

mod annotation;
mod client;
mod error;
mod evidence;
mod media;
mod record;
mod room;
mod runtime;
mod task_handle;
mod types;

pub use annotation::{
    Annotating, AnnotationSession, EvidenceMark, EvidenceMarks, EvidenceMarksListener, MarkColour, MarkPoint, MarkShape,
};
pub use client::{CloudTrialClient, SessionStateListener};
pub use error::ClientError;
pub use evidence::*;
pub use media::{
    CameraFacing, MediaCall, MediaConnection, MediaSettings, MediaState, MediaStateListener, RemoteMediaListener,
    RemoteSender, VideoFrame,
};
pub use record::*;
pub use room::{ConnectionState, HearingRoom, RoomParticipant, RoomState, RoomStateListener};
pub use task_handle::TaskHandle;
pub use types::*;

/// Sends the core's logs to standard error (on Android, logcat via the shell's own logger).
/// `filter` uses `RUST_LOG` syntax, e.g. "info" or "cloudtrial_core=debug". Only the first call has effect.
#[uniffi::export]
pub fn init_logging(filter: String) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_ansi(false)
        .try_init();
}
