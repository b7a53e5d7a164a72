use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use cloudtrial_protocol::api::{
    BookHearingRequest, DeviceKind, Hearing, HearingDetails, HearingListQuery, ParticipantSession, ParticipantRecord,
    UpdateHearingRequest,
};
use cloudtrial_protocol::ErrorCode;
use cloudtrial_protocol::hearing_log::HearingLog;
use serde_json::json;

use cloudtrial_protocol::paths;
use crate::access::{Action, HearingAccess};
use crate::auth::{Caller, ParticipantCaller, StaffCaller};
use crate::booking;
use crate::error::{ApiJson, ApiPath, ApiQuery, AppError};
use crate::hearing_log;
use crate::permissions::StaffAction;
use crate::secrets;
use crate::state::AppState;
use crate::store::sessions::SessionOwner;
use crate::store::{self, StoreError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::HEARINGS, get(list).post(book))
        .route(paths::HEARING, get(view).patch(update))
        .route(paths::HEARING_CANCEL, post(cancel))
        .route(paths::HEARING_NOTICE, post(resend_notice))
        .route(paths::HEARING_EVENTS, get(events))
        .route(paths::HEARING_ENTER, post(enter))
        .route(paths::HEARING_DETAILS, get(details))
        .route(paths::HEARING_SPEECH, get(speech))
}

async fn list(
    State(state): State<AppState>,
    caller: StaffCaller,
    ApiQuery(query): ApiQuery<HearingListQuery>,
) -> Result<Json<Vec<Hearing>>, AppError> {
    caller.require(StaffAction::ListHearings)?;
    let today = crate::clock::local_date(state.clock.now_ms(), state.config.utc_offset_minutes);
    let case_number = query.case_number.filter(|c| !c.trim().is_empty()).map(|c| c.trim().to_owned());
    state
        .store
        .call(move |conn| {
            store::hearings::list(conn, query.filter, case_number.as_deref(), &today).map_err(AppError::from)
        })
        .await
        .map(Json)
}

async fn book(
    State(state): State<AppState>,
    caller: StaffCaller,
    ApiJson(request): ApiJson<BookHearingRequest>,
) -> Result<(StatusCode, Json<Hearing>), AppError> {
    caller.require(StaffAction::BookHearing)?;
    let hearing = booking::book(&state, caller.actor(), Some(caller.account.id), request).await?;
    Ok((StatusCode::CREATED, Json(hearing)))
}

async fn load(state: &AppState, id: i64) -> Result<Hearing, AppError> {
    state.store.call(move |conn| store::hearings::get(conn, id)?.ok_or_else(AppError::not_found)).await
}

async fn view(
    State(state): State<AppState>,
    caller: StaffCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Hearing>, AppError> {
    caller.require(StaffAction::ViewHearing)?;
    load(&state, id).await.map(Json)
}

async fn update(
    State(state): State<AppState>,
    caller: StaffCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<UpdateHearingRequest>,
) -> Result<Json<Hearing>, AppError> {
    caller.require(StaffAction::EditHearing)?;
    manages(&state, &caller, id).await?;
    booking::update(&state, caller.actor(), id, request).await.map(Json)
}

/// The staff action's hearing is one the caller booked or sits in.
async fn manages(state: &AppState, caller: &StaffCaller, id: i64) -> Result<(), AppError> {
    HearingAccess::require(state, &Caller::Staff(caller.clone()), id, Action::ManageHearing).await.map(drop)
}

async fn cancel(
    State(state): State<AppState>,
    caller: StaffCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Hearing>, AppError> {
    caller.require(StaffAction::CancelHearing)?;
    manages(&state, &caller, id).await?;
    booking::cancel(&state, caller.actor(), id).await.map(Json)
}

async fn resend_notice(
    State(state): State<AppState>,
    caller: StaffCaller,
    ApiPath((id, participant_id)): ApiPath<(i64, i64)>,
) -> Result<StatusCode, AppError> {
    caller.require(StaffAction::ResendNotice)?;
    manages(&state, &caller, id).await?;
    booking::resend_notice(&state, caller.actor(), id, participant_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The hearing's log with everything needed to check it offline (`cloudtrial-server verify-log`).
async fn events(
    State(state): State<AppState>,
    caller: StaffCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<HearingLog>, AppError> {
    caller.require(StaffAction::ReadEventLog)?;
    let now = state.clock.now_ms();
    let record = state.record.clone();
    state
        .store
        .call(move |conn| {
            store::hearings::get(conn, id)?.ok_or_else(AppError::not_found)?;
            hearing_log::export(conn, &record.seal, id, now).map_err(AppError::from)
        })
        .await
        .map(Json)
}

/// A judge or clerk enters the hearing room from the console, as the participant linked to their account.
async fn enter(
    State(state): State<AppState>,
    caller: StaffCaller,
    headers: axum::http::HeaderMap,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ParticipantSession>, AppError> {
    caller.require(StaffAction::EnterHearing)?;
    let now = state.clock.now_ms();
    let token = secrets::new_token();
    let token_hash = secrets::token_hash(&token);
    // The room session ends with the console session it is entered from.
    let expires_at_ms = (now + state.config.limits.staff_session_ttl.as_millis() as i64).min(caller.expires_at_ms);
    let staff_token_hash = caller.token_hash.clone();
    let user_agent = headers.get(axum::http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let device = DeviceKind::of_browser(user_agent);
    let staff_id = caller.account.id;
    let actor = caller.actor();
    state
        .store
        .call(move |conn| {
            let tx = conn.transaction().map_err(StoreError::from)?;
            let hearing = store::hearings::get(&tx, id)?.ok_or_else(AppError::forbidden)?;
            let participant = store::hearings::participant_for_staff(&tx, id, staff_id)?
                .ok_or_else(|| AppError::with_message(ErrorCode::Forbidden, "您不是本次庭审的审判人员或书记员"))?;
            if hearing.status.is_over() {
                return Err(AppError::with_message(ErrorCode::Conflict, "庭审已结束或已取消"));
            }
            let owner = SessionOwner::Participant { participant_id: participant.id, hearing_id: id };
            store::sessions::insert(&tx, &token_hash, &owner, Some(device.as_str()), Some(&staff_token_hash), now, expires_at_ms)?;
            store::events::append(&tx, id, &actor, "staff_entered", &json!({"participant_id": participant.id, "device": device}), now)?;
            tx.commit().map_err(StoreError::from)?;
            Ok(ParticipantSession {
                token,
                expires_at_ms,
                hearing_id: id,
                participant_id: participant.id,
                role: participant.role,
            })
        })
        .await
        .map(Json)
}

/// The hearing as a participant sees it. A token is good for its own hearing only.
async fn details(
    State(state): State<AppState>,
    caller: ParticipantCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<HearingDetails>, AppError> {
    HearingAccess::require(&state, &Caller::Participant(caller.clone()), id, Action::ReadDetails).await?;
    let hearing = load(&state, id).await?;
    let me = hearing
        .participants
        .iter()
        .find(|p| p.id == caller.participant_id)
        .map(ParticipantRecord::summary)
        .ok_or(AppError::new(ErrorCode::SessionExpired))?;
    Ok(Json(HearingDetails {
        hearing_id: hearing.id,
        meeting_number: hearing.meeting_number,
        case_number: hearing.case_number.clone(),
        case_title: hearing.case_title.clone(),
        courtroom: hearing.courtroom.clone(),
        scheduled_at: hearing.scheduled_at,
        status: hearing.status,
        me,
        participants: hearing.participants.iter().map(ParticipantRecord::summary).collect(),
    }))
}

/// Every sentence recognised so far (语音识别), for the record editor and for catching up.
async fn speech(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<cloudtrial_protocol::signalling::Utterance>>, AppError> {
    HearingAccess::require(&state, &caller, id, Action::ReadSpeech).await?;
    let reader = match &caller {
        Caller::Participant(p) => Some(p.participant_id),
        Caller::Staff(_) => None,
    };
    let lines = state.store.call(move |conn| match reader {
        Some(participant_id) => store::speech::list_for(conn, id, participant_id),
        None => store::speech::list(conn, id),
    });
    lines.await.map_err(AppError::from).map(Json)
}
