use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use cloudtrial_protocol::api::{
    LoginCodeRequest, LoginCodeSent, LoginVerifyRequest, ParticipantSession, StaffLoginRequest, StaffSession,
};

use cloudtrial_protocol::paths;
use crate::auth::Caller;
use crate::client_addr::ClientAddr;
use crate::error::{ApiJson, AppError};
use crate::state::AppState;
use crate::{login, store};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::LOGIN_CODE, post(request_code))
        .route(paths::LOGIN_VERIFY, post(verify))
        .route(paths::STAFF_LOGIN, post(staff_login))
        .route(paths::LOGOUT, post(logout))
}

async fn request_code(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(request): ApiJson<LoginCodeRequest>,
) -> Result<Json<LoginCodeSent>, AppError> {
    login::request_code(&state, client, request).await.map(Json)
}

async fn verify(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(request): ApiJson<LoginVerifyRequest>,
) -> Result<Json<ParticipantSession>, AppError> {
    login::verify_code(&state, client, request).await.map(Json)
}

async fn staff_login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(request): ApiJson<StaffLoginRequest>,
) -> Result<Json<StaffSession>, AppError> {
    login::staff_login(&state, client, request).await.map(Json)
}

async fn logout(State(state): State<AppState>, caller: Caller) -> Result<axum::http::StatusCode, AppError> {
    let hash = caller.token_hash().to_vec();
    let now = state.clock.now_ms();
    let revoked = state.store.call(move |conn| store::sessions::revoke(conn, &hash, now)).await?;
    // With it end the room sessions entered from it; nobody listening is fine: no room connection used them.
    for hash in revoked {
        let _ = state.ended_sessions.send(hash.into());
    }
    Ok(axum::http::StatusCode::NO_CONTENT)
}
