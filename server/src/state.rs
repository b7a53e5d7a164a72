use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Config;
use crate::evidence::EvidenceStore;
use crate::media::MediaHandle;
use crate::record::RecordServices;
use crate::rate_limit::RateLimiter;
use crate::room::RoomRegistry;
use crate::sms::SmsService;
use crate::store::Store;

/// Shared by every request handler.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub sms: SmsService,
    /// Keys the login-code hashes; generated once per data directory.
    pub secret: Arc<[u8]>,
    pub login_limiter: Arc<RateLimiter>,
    /// Code verifications per client address: tighter than `login_limiter`.
    pub verify_limiter: Arc<RateLimiter>,
    pub rooms: Arc<RoomRegistry>,
    pub media: MediaHandle,
    pub evidence: Arc<EvidenceStore>,
    pub record: Arc<RecordServices>,
    /// Live speech recognition, when an engine is configured.
    pub speech: Option<Arc<crate::speech::SpeechService>>,
    /// The token hash of each session that ends by logging out: its room
    /// connection ends with it.
    pub ended_sessions: tokio::sync::broadcast::Sender<Arc<[u8]>>,
    /// Becomes `true` when the server starts shutting down; long-lived connections close.
    pub shutting_down: tokio::sync::watch::Sender<bool>,
}
