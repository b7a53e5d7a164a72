use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use cloudtrial_protocol::api::{SmsListQuery, SmsRecord};

use cloudtrial_protocol::paths;
use crate::auth::StaffCaller;
use crate::error::{ApiQuery, AppError};
use crate::permissions::StaffAction;
use crate::state::AppState;
use crate::store;

pub fn router() -> Router<AppState> {
    Router::new().route(paths::SMS, get(list))
}

/// The outbox: every text message the server sent or tried to send.
async fn list(
    State(state): State<AppState>,
    caller: StaffCaller,
    ApiQuery(query): ApiQuery<SmsListQuery>,
) -> Result<Json<Vec<SmsRecord>>, AppError> {
    caller.require(StaffAction::ReadOutbox)?;
    state
        .store
        .call(move |conn| store::sms::list(conn, query.hearing_id, query.mobile.as_deref()).map_err(AppError::from))
        .await
        .map(Json)
}
