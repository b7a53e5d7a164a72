use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use cloudtrial_protocol::ErrorCode;
use cloudtrial_protocol::api::{NewStaffAccount, StaffAccount, StaffLoginLock};

use cloudtrial_protocol::paths;
use crate::auth::{self, StaffCaller};
use crate::error::{ApiJson, ApiPath, AppError};
use crate::permissions::StaffAction;
use crate::state::AppState;
use crate::store::{self, staff::NewStaff};
use crate::validate;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::STAFF, get(list).post(create))
        .route(paths::STAFF_ME, get(me))
        .route(paths::STAFF_DIRECTORY, get(directory))
        .route(paths::STAFF_LOGIN_LOCKS, get(login_locks))
        .route(paths::STAFF_LOGIN_LOCK, axum::routing::delete(unlock))
}

async fn me(caller: StaffCaller) -> Json<StaffAccount> {
    Json(caller.account)
}

/// Judges and clerks, so a booking can link participants to their accounts.
async fn directory(State(state): State<AppState>, caller: StaffCaller) -> Result<Json<Vec<StaffAccount>>, AppError> {
    caller.require(StaffAction::BookHearing)?;
    let accounts = state.store.call(|conn| store::staff::list(conn).map_err(AppError::from)).await?;
    Ok(Json(
        accounts
            .into_iter()
            .filter(|a| a.role != cloudtrial_protocol::StaffRole::Admin)
            .map(|a| StaffAccount { mobile: None, ..a })
            .collect(),
    ))
}

/// Usernames with wrong passwords, and until when each is locked.
async fn login_locks(State(state): State<AppState>, caller: StaffCaller) -> Result<Json<Vec<StaffLoginLock>>, AppError> {
    caller.require(StaffAction::ManageStaff)?;
    let locks = state.store.call(|conn| store::login::staff_locks(conn).map_err(AppError::from)).await?;
    Ok(Json(
        locks
            .into_iter()
            .map(|(username, failures, locked_until_ms)| StaffLoginLock { username, failures, locked_until_ms })
            .collect(),
    ))
}

async fn unlock(
    State(state): State<AppState>,
    caller: StaffCaller,
    ApiPath(username): ApiPath<String>,
) -> Result<axum::http::StatusCode, AppError> {
    caller.require(StaffAction::ManageStaff)?;
    let cleared = state.store.call(move |conn| store::login::clear_staff_failures(conn, &username)).await?;
    if cleared { Ok(axum::http::StatusCode::NO_CONTENT) } else { Err(AppError::not_found()) }
}

async fn list(State(state): State<AppState>, caller: StaffCaller) -> Result<Json<Vec<StaffAccount>>, AppError> {
    caller.require(StaffAction::ManageStaff)?;
    state.store.call(|conn| store::staff::list(conn).map_err(AppError::from)).await.map(Json)
}

async fn create(
    State(state): State<AppState>,
    caller: StaffCaller,
    ApiJson(request): ApiJson<NewStaffAccount>,
) -> Result<(axum::http::StatusCode, Json<StaffAccount>), AppError> {
    caller.require(StaffAction::ManageStaff)?;
    create_account(&state, request).await.map(|a| (axum::http::StatusCode::CREATED, Json(a)))
}

/// Creates a staff account (API and command line).
pub async fn create_account(state: &AppState, request: NewStaffAccount) -> Result<StaffAccount, AppError> {
    let username = validate::text(&request.username, "用户名", 32)?;
    if !username.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-') {
        return Err(AppError::invalid("用户名只能包含字母、数字、下划线、点和短横线"));
    }
    let name = validate::text(&request.name, "姓名", 50)?;
    let mobile = request.mobile.as_deref().map(validate::mobile).transpose()?;
    if request.password.chars().count() < 8 {
        return Err(AppError::invalid("密码至少8位"));
    }
    let password = request.password;
    let hash = auth::password_work(move || auth::hash_password(&password)).await??;
    let now = state.clock.now_ms();
    let role = request.role;
    state
        .store
        .call(move |conn| {
            let new = NewStaff { username: &username, name: &name, role, mobile: mobile.as_deref(), password_hash: &hash };
            store::staff::insert(conn, &new, now)?
                .ok_or_else(|| AppError::with_message(ErrorCode::Conflict, format!("用户名{username}已被使用")))
        })
        .await
}
