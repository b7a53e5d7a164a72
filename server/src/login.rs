//! 会议号登录: meeting number + mobile number → SMS code → participant session.
//!
//! A guesser must not learn which meeting numbers or mobile numbers exist, so
//! a pair that matches nobody is treated exactly like one that does: it gets a
//! challenge (without a code), counts wrong codes, locks and throttles alike.

use std::net::IpAddr;

use cloudtrial_protocol::api::{
    LoginCodeRequest, LoginCodeSent, LoginVerifyRequest, ParticipantSession, SmsKind, StaffLoginRequest,
    StaffSession,
};
use cloudtrial_protocol::ErrorCode;
use serde_json::json;

use crate::auth;
use crate::error::AppError;
use crate::secrets;
use crate::sms::{templates, OutgoingSms};
use crate::state::AppState;
use crate::store::events::EventActor;
use crate::store::sessions::SessionOwner;
use crate::store::{self, StoreError};
use crate::validate;

fn check_rate(state: &AppState, client: IpAddr) -> Result<(), AppError> {
    if state.login_limiter.allow(client) {
        Ok(())
    } else {
        Err(AppError::new(ErrorCode::RateLimited))
    }
}

pub async fn request_code(
    state: &AppState,
    client: IpAddr,
    request: LoginCodeRequest,
) -> Result<LoginCodeSent, AppError> {
    check_rate(state, client)?;
    let mobile = validate::mobile(&request.mobile)?;
    let number = request.meeting_number;
    let limits = state.config.limits.clone();
    let now = state.clock.now_ms();
    let code = secrets::new_login_code();
    let secret = state.secret.clone();
    let sent_code = code.clone();
    let target = state
        .store
        .call(move |conn| {
            let tx = conn.transaction().map_err(StoreError::from)?;
            if let Some(existing) = store::login::get(&tx, number, &mobile)? {
                if existing.locked_until_ms.is_some_and(|until| until > now) {
                    return Err(AppError::new(ErrorCode::LoginLocked));
                }
                let wait_ms = existing.sent_at_ms + limits.login_code_resend_after.as_millis() as i64 - now;
                if wait_ms > 0 {
                    let secs = (wait_ms + 999) / 1000;
                    return Err(AppError::with_message(ErrorCode::RateLimited, format!("请在{secs}秒后重新获取验证码")));
                }
            }
            let participant = store::hearings::participant_for_login(&tx, number, &mobile)?;
            let code_hash = participant.map(|_| secrets::code_hash(&secret, &number.to_string(), &mobile, &sent_code));
            let expires = now + limits.login_code_ttl.as_millis() as i64;
            store::login::put(&tx, number, &mobile, participant.map(|p| p.0), code_hash.as_deref(), now, expires)?;
            tx.commit().map_err(StoreError::from)?;
            Ok(participant.map(|(participant_id, hearing_id)| (participant_id, hearing_id, mobile)))
        })
        .await?;
    if let Some((participant_id, hearing_id, mobile)) = target {
        let minutes = limits_minutes(state).max(1);
        state
            .sms
            .send(vec![OutgoingSms {
                mobile,
                text: templates::login_code(&state.config.court_name, &code, minutes),
                kind: SmsKind::LoginCode,
                hearing_id: Some(hearing_id),
                participant_id: Some(participant_id),
            }])
            .await?;
    }
    Ok(LoginCodeSent {
        resend_after_secs: state.config.limits.login_code_resend_after.as_secs() as u32,
        expires_in_secs: state.config.limits.login_code_ttl.as_secs() as u32,
    })
}

fn limits_minutes(state: &AppState) -> u32 {
    (state.config.limits.login_code_ttl.as_secs() / 60) as u32
}

pub async fn verify_code(
    state: &AppState,
    client: IpAddr,
    request: LoginVerifyRequest,
) -> Result<ParticipantSession, AppError> {
    check_rate(state, client)?;
    let failed = || AppError::new(ErrorCode::LoginFailed);
    let Some(mobile) = validate::normalize_mobile(&request.mobile) else {
        return Err(failed());
    };
    let number = request.meeting_number;
    let limits = state.config.limits.clone();
    let now = state.clock.now_ms();
    let secret = state.secret.clone();
    let token = secrets::new_token();
    let token_hash = secrets::token_hash(&token);
    let expires_at_ms = now + limits.participant_session_ttl.as_millis() as i64;
    let device = request.device;
    state
        .store
        .call(move |conn| {
            let tx = conn.transaction().map_err(StoreError::from)?;
            let challenge = store::login::get(&tx, number, &mobile)?.ok_or_else(failed)?;
            if challenge.locked_until_ms.is_some_and(|until| until > now) {
                return Err(AppError::new(ErrorCode::LoginLocked));
            }
            if challenge.expires_at_ms <= now {
                return Err(failed());
            }
            let offered = secrets::code_hash(&secret, &number.to_string(), &mobile, request.code.trim());
            let matches = challenge.code_hash.as_deref().is_some_and(|stored| secrets::same_hash(stored, &offered));
            if !matches {
                let locked_until = now + limits.login_lock.as_millis() as i64;
                let locked = store::login::record_failure(&tx, number, &mobile, limits.login_max_attempts, locked_until)?;
                tx.commit().map_err(StoreError::from)?;
                return Err(if locked { AppError::new(ErrorCode::LoginLocked) } else { failed() });
            }
            // The participant may have been removed, or the hearing closed, since the code was sent.
            let (participant_id, hearing_id) =
                store::hearings::participant_for_login(&tx, number, &mobile)?.ok_or_else(failed)?;
            let participant = store::hearings::participant(&tx, hearing_id, participant_id)?.ok_or_else(failed)?;
            store::login::consume(&tx, number, &mobile)?;
            let owner = SessionOwner::Participant { participant_id, hearing_id };
            let device_name = serde_json::to_value(device).ok().and_then(|v| v.as_str().map(str::to_owned));
            store::sessions::insert(&tx, &token_hash, &owner, device_name.as_deref(), now, expires_at_ms)?;
            store::events::append(
                &tx,
                hearing_id,
                &EventActor::Participant { id: participant_id, name: participant.name.clone() },
                "participant_logged_in",
                &json!({"device": device}),
                now,
            )?;
            tx.commit().map_err(StoreError::from)?;
            Ok(ParticipantSession { token, expires_at_ms, hearing_id, participant_id, role: participant.role })
        })
        .await
}

pub async fn staff_login(
    state: &AppState,
    client: IpAddr,
    request: StaffLoginRequest,
) -> Result<StaffSession, AppError> {
    check_rate(state, client)?;
    let failed = || AppError::with_message(ErrorCode::LoginFailed, "用户名或密码不正确");
    let username = request.username.trim().to_owned();
    let credentials = state.store.call(move |conn| store::staff::credentials(conn, &username)).await?;
    let password = request.password;
    let account = tokio::task::spawn_blocking(move || match credentials {
        Some((account, hash)) if auth::verify_password(&password, &hash) => Some(account),
        Some(_) => None,
        None => {
            auth::verify_password_of_nobody(&password);
            None
        }
    })
    .await
    .map_err(AppError::internal)?
    .ok_or_else(failed)?;

    let now = state.clock.now_ms();
    let token = secrets::new_token();
    let token_hash = secrets::token_hash(&token);
    let expires_at_ms = now + state.config.limits.staff_session_ttl.as_millis() as i64;
    let owner = SessionOwner::Staff { staff_id: account.id };
    state
        .store
        .call(move |conn| store::sessions::insert(conn, &token_hash, &owner, None, now, expires_at_ms))
        .await?;
    tracing::info!(staff_id = account.id, "staff logged in");
    Ok(StaffSession { token, expires_at_ms, staff: account })
}
