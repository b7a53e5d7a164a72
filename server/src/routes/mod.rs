//! The HTTP surface: one `router()` per resource, merged here.

mod evidence;
mod hearings;
mod landing;
mod login;
mod record;
mod room;
mod web;
mod sms;
mod staff;
mod stored_file;

pub use staff::create_account as create_staff_account;

use axum::Router;
use axum::extract::State;
use cloudtrial_protocol::ErrorCode;
use cloudtrial_protocol::api::ServerInfo;

use cloudtrial_protocol::paths;
use crate::error::AppError;
use crate::state::AppState;

pub fn router(max_chunk: u64) -> Router<AppState> {
    Router::new()
        .route(paths::INFO, axum::routing::get(info))
        .merge(login::router())
        .merge(staff::router())
        .merge(hearings::router())
        .merge(evidence::router(max_chunk))
        .merge(record::router())
        .merge(sms::router())
        .merge(landing::router())
        .merge(room::router())
        .merge(web::router())
        .fallback(|| async { AppError::not_found() })
        .method_not_allowed_fallback(|| async { AppError::new(ErrorCode::MethodNotAllowed) })
}

async fn info(State(state): State<AppState>) -> axum::Json<ServerInfo> {
    axum::Json(ServerInfo {
        court_name: state.config.court_name.clone(),
        protocol_version: cloudtrial_protocol::PROTOCOL_VERSION,
        server_version: env!("CARGO_PKG_VERSION").to_owned(),
        utc_offset_minutes: state.config.utc_offset_minutes,
    })
}
