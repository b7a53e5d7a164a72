use axum::Router;
use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::response::Response;
use axum::routing::get;

use cloudtrial_protocol::paths;
use crate::error::AppError;
use crate::room::socket;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route(paths::ROOM, get(upgrade))
}

/// The hearing room's WebSocket. Authentication is the first message (`hello`),
/// so browsers, which cannot set headers on WebSockets, work the same as apps.
async fn upgrade(
    State(state): State<AppState>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, AppError> {
    Ok(ws?
        .max_message_size(4 * socket::MAX_MESSAGE_BYTES)
        .max_frame_size(4 * socket::MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| socket::serve(socket, state)))
}
