//! Cloud Trial server: REST API, SMS notices, meeting-number login and the
//! hearing's records, over SQLite.

pub mod access;
pub mod auth;
pub mod body_deadline;
pub mod booking;
pub mod client_addr;
pub mod clock;
pub mod config;
pub mod connections;
pub mod demo;
pub mod error;
pub mod evidence;
pub mod fault;
pub mod hearing_log;
pub mod login;
pub mod media;
pub mod permissions;
pub mod rate_limit;
pub mod record;
pub mod room;
pub mod routes;
pub mod secrets;
pub mod sms;
pub mod speech;
pub mod state;
pub mod store;
pub mod stream_ticket;
pub mod validate;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{Config, Limits, SmsConfig};
pub use state::AppState;

use crate::error::AppError;
use crate::rate_limit::RateLimiter;
use crate::sms::{HttpGateway, OutboxGateway, SmsGateway, SmsService};
use crate::store::Store;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Installs the TLS crypto provider used by outgoing HTTPS (the SMS gateway). Idempotent.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Opens the data directory and database, binds the media sockets (if
/// enabled) and assembles the shared state.
pub async fn build_state(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
    install_crypto_provider();
    std::fs::create_dir_all(&config.data_dir)?;
    let store = Store::open(&config.database_path())?;
    let secret: Arc<[u8]> = stored_secret(&store, "login_code_secret")?.to_vec().into();
    let derived_files_key = stored_secret(&store, "derived_files_key")?;
    let gateway: Arc<dyn SmsGateway> = match &config.sms {
        SmsConfig::Outbox => Arc::new(OutboxGateway),
        SmsConfig::Http { url, bearer_token, template } => Arc::new(
            HttpGateway::new(url.clone(), bearer_token.clone(), template.clone()).map_err(anyhow::Error::msg)?,
        ),
    };
    let keep_login_codes = config.trial_show_login_codes && matches!(config.sms, SmsConfig::Outbox);
    let sms = SmsService::new(store.clone(), gateway, clock.clone(), keep_login_codes);
    let login_limiter = Arc::new(RateLimiter::with_clock(config.limits.login_requests_per_minute, clock.clone()));
    let verify_limiter = Arc::new(RateLimiter::with_clock(config.limits.login_verifications_per_minute, clock.clone()));
    let (quality_tx, mut quality_rx) = tokio::sync::mpsc::unbounded_channel();
    let recognition = match &config.speech {
        Some(speech_config) => Some(speech::SpeechService::start(speech_config, clock.clone())?),
        None => None,
    };
    let speech = recognition.as_ref().map(|(service, _)| service.clone());
    let tap = speech.clone().map(|service| -> media::SpeechTap {
        Arc::new(move |hearing_id, participant_id, opus| service.hear(hearing_id, participant_id, opus))
    });
    let media = media::MediaHandle::start(&config.media, media::TcpLimits::of(&config.limits), quality_tx, tap).await?;
    let seal = Arc::new(record::seal::RecordSeal::load(&store, &config.seal_key_path())?);
    let evidence = Arc::new(evidence::EvidenceStore::new(
        evidence::EvidenceFiles::open(&config.data_dir, derived_files_key)?,
        config.evidence.images.concurrent_decodes,
    ));
    let rooms = Arc::new(room::RoomRegistry::new(room::RoomServices {
        store: store.clone(),
        clock: clock.clone(),
        media: media.clone(),
        seal: seal.clone(),
        speech: speech.clone(),
        evidence: evidence.clone(),
    }));
    if let Some((service, results)) = recognition {
        speech::deliver(results, store.clone(), rooms.clone(), service.engine().to_owned(), clock.clone());
    }
    let quality_rooms = rooms.clone();
    tokio::spawn(async move {
        while let Some(update) = quality_rx.recv().await {
            quality_rooms.network_quality(update.hearing_id, update.participant_id, update.quality).await;
        }
    });
    let shutting_down = tokio::sync::watch::Sender::new(false);
    let record = Arc::new(record::RecordServices::new(seal, config.record_font.clone()));
    let state = AppState {
        config: Arc::new(config),
        store,
        clock,
        sms,
        secret,
        login_limiter,
        verify_limiter,
        rooms,
        media,
        evidence,
        record,
        speech,
        ended_sessions: tokio::sync::broadcast::Sender::new(64),
        shutting_down,
    };
    let now_ms = state.clock.now_ms();
    let left = state.store.call_blocking(|conn| store::events::log_departures_left_open(conn, now_ms))?;
    if left > 0 {
        tracing::warn!(left, "the server had stopped without logging who was in a hearing room: their departures are logged now");
    }
    let (finished, removed) = evidence::uploads::reconcile(&state).await.map_err(|e| anyhow::anyhow!(e.to_string()))?;
    if finished + removed > 0 {
        tracing::info!(finished, removed, "reconciled evidence storage: finished uploads cut short, removed leftovers");
    }
    Ok(state)
}

/// A random 32-byte key kept in the database, made the first time it is needed.
fn stored_secret(store: &Store, key: &'static str) -> anyhow::Result<[u8; 32]> {
    store
        .call_blocking(|conn| store::settings::get_or_insert(conn, key, || secrets::random_bytes::<32>().to_vec()))?
        .try_into()
        .map_err(|_| anyhow::anyhow!("the stored {key} is not 32 bytes"))
}

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    let body_limit = state.config.limits.json_body_bytes;
    let pace = body_deadline::BodyPace {
        grace: state.config.limits.body_grace,
        min_bytes_per_second: state.config.limits.body_min_bytes_per_second,
    };
    routes::router(state.config.evidence.max_chunk)
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(pace, body_deadline::pace_bodies))
        .layer(axum::middleware::map_response(error::json_errors))
        .layer(CatchPanicLayer::custom(|_| {
            axum::response::IntoResponse::into_response(AppError::internal("a request handler panicked"))
        }))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                tracing::info_span!("request", id, method = %request.method(), path = %request.uri().path())
            }),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    state.sms.resume_queued().await.map_err(std::io::Error::other)?;
    let housekeeping = tokio::spawn(housekeeping(state.clone()));
    let shutting_down = state.shutting_down.clone();
    let shutdown = async move {
        shutdown.await;
        shutting_down.send_replace(true);
    };
    let media = state.media.clone();
    let limits = &state.config.limits;
    let listener = connections::CappedListener::new(listener, limits.connections_per_client, state.config.trusted_proxies.clone());
    let (header_timeout, shutdown_grace) = (limits.request_header_timeout, limits.shutdown_grace);
    let rooms = state.rooms.clone();
    connections::serve(listener, app(state), header_timeout, shutdown_grace, shutdown).await;
    // The listener does not wait for room connections (upgraded ones): the rooms log who was still there.
    if tokio::time::timeout(shutdown_grace, rooms.close_all()).await.is_err() {
        tracing::warn!("the rooms did not all close in time");
    }
    housekeeping.abort();
    media.stop();
    Ok(())
}

/// Forgets expired sessions, login challenges, uploads and idle rate-limit
/// entries, and checkpoints hearing logs that grew, now and then; checks
/// every stored original against its hash once a day.
async fn housekeeping(state: AppState) {
    const TICK: Duration = Duration::from_secs(600);
    const SCRUB_EVERY: u64 = 24 * 3600 / TICK.as_secs();
    let mut tick = tokio::time::interval(TICK);
    for round in 0u64.. {
        tick.tick().await;
        match evidence::uploads::expire(&state).await {
            Ok(0) => {}
            Ok(expired) => tracing::info!(expired, "removed uploads untouched past their expiry"),
            Err(e) => tracing::warn!("expiring uploads failed: {e}"),
        }
        if round % SCRUB_EVERY == SCRUB_EVERY - 1 {
            match evidence::integrity::scrub(&state).await {
                Ok(0) => tracing::info!("every stored evidence file matches its hash"),
                Ok(damaged) => tracing::error!(damaged, "stored evidence files no longer match their hashes"),
                Err(e) => tracing::warn!("checking stored evidence failed: {e}"),
            }
        }
        state.login_limiter.forget_stale();
        state.verify_limiter.forget_stale();
        let now = state.clock.now_ms();
        let window_ms = state.config.limits.login_code_window.as_millis() as i64;
        let record = state.record.clone();
        let result = state
            .store
            .call(move |conn| {
                let sessions = store::sessions::delete_expired(conn, now)?;
                let challenges = store::login::delete_stale(conn, now, window_ms)?;
                store::record::delete_expired_tokens(conn, now - 24 * 3600 * 1000)?;
                let logs = hearing_log::checkpoint_all(conn, &record.seal, now)?;
                Ok::<_, store::StoreError>((sessions, challenges, logs))
            })
            .await;
        match result {
            Ok((sessions, challenges, logs)) => {
                if sessions + challenges > 0 {
                    tracing::info!(sessions, challenges, "removed expired sessions and login challenges");
                }
                if logs > 0 {
                    tracing::info!(hearings = logs, "checkpointed hearing logs");
                }
            }
            Err(e) => tracing::warn!("housekeeping failed: {e}"),
        }
    }
}

/// A server running in this process (tests, tools).
pub struct RunningServer {
    pub addr: SocketAddr,
    pub state: AppState,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// Starts serving on `config.listen` (port 0 picks a free port).
    pub async fn start(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let state = build_state(config, clock).await?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(serve(listener, state.clone(), async {
            let _ = rx.await;
        }));
        Ok(Self { addr, state, shutdown: Some(tx), task })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, finishes requests in flight, and closes the database.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        (&mut self.task).await??;
        Ok(())
    }
}
