use axum::extract::State;
use axum::routing::{get, patch};
use axum::{Json, Router};
use cloudtrial_protocol::ErrorCode;
use cloudtrial_protocol::api::{NewStaffAccount, StaffAccount, StaffAccountChange, StaffLoginLock};

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
        .route(paths::STAFF_ACCOUNT, patch(change))
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
            .filter(|a| a.role != cloudtrial_protocol::StaffRole::Admin && !a.disabled)
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
    let hash = password_hash(request.password).await?;
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

/// The hash of a new password, once it is long enough to be one.
async fn password_hash(password: String) -> Result<String, AppError> {
    if password.trim().chars().count() < 8 {
        return Err(AppError::invalid("密码至少8位（不计首尾空格）"));
    }
    auth::password_work(move || auth::hash_password(&password)).await?
}

/// 停用 / 启用 an account, or 重设密码. Either ends the account's open sessions
/// (in rooms entered from them too). An administrator does not stop their own.
async fn change(
    State(state): State<AppState>,
    caller: StaffCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<StaffAccountChange>,
) -> Result<Json<StaffAccount>, AppError> {
    caller.require(StaffAction::ManageStaff)?;
    if request.disabled == Some(true) && id == caller.account.id {
        return Err(AppError::invalid("不能停用自己的账号"));
    }
    let hash = match request.password {
        Some(password) => Some(password_hash(password).await?),
        None => None,
    };
    let now = state.clock.now_ms();
    let (account, revoked) = state
        .store
        .call(move |conn| {
            let tx = conn.unchecked_transaction().map_err(store::StoreError::from)?;
            let exists = match request.disabled {
                Some(disabled) => store::staff::set_disabled(&tx, id, disabled.then_some(now))?,
                None => store::staff::by_id(&tx, id)?.is_some(),
            };
            if !exists {
                return Err(AppError::not_found());
            }
            if let Some(hash) = &hash {
                store::staff::set_password(&tx, id, hash)?;
            }
            let revoked = store::sessions::revoke_staff(&tx, id, now)?;
            let account = store::staff::by_id(&tx, id)?.ok_or_else(AppError::not_found)?;
            tx.commit().map_err(store::StoreError::from)?;
            Ok::<_, AppError>((account, revoked))
        })
        .await?;
    for hash in revoked {
        let _ = state.ended_sessions.send(hash.into());
    }
    tracing::info!(staff_id = id, by = caller.account.id, disabled = account.disabled, "staff account changed");
    Ok(Json(account))
}
