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
use crate::sms::{OutgoingSms, templates};
use crate::state::AppState;
use crate::store::events::EventActor;
use crate::store::sessions::SessionOwner;
use crate::store::{self, StoreError};
use crate::validate;

fn check_rate(limiter: &crate::rate_limit::RateLimiter, client: IpAddr) -> Result<(), AppError> {
    if limiter.allow(client) {
        Ok(())
    } else {
        Err(AppError::with_message(ErrorCode::RateLimited, "操作过于频繁，请1分钟后再试"))
    }
}

/// A participant who proved their code for a closed hearing with nothing left
/// for them to sign, or for a cancelled one.
pub fn hearing_over(cancelled: bool) -> AppError {
    let message = if cancelled { "本次庭审已取消，无需再登录" } else { "本次庭审已闭庭，您没有待签名的笔录，无需再登录" };
    AppError::with_message(ErrorCode::Conflict, message)
}

fn minutes_until(until_ms: i64, now_ms: i64) -> i64 {
    ((until_ms - now_ms).max(0) + 59_999) / 60_000
}

/// Where a request comes from, for counting its code requests: an IPv4
/// address, or an IPv6 address's /64 (one home or phone network has them all).
fn network_of(client: IpAddr) -> String {
    match client.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

/// Answers in the same time whether or not the pair belongs to anyone: the
/// SMS is stored in the same transaction either way and delivered after the answer.
///
/// Each request gets a code of its own, named by the challenge only the
/// requester is given. Requests are counted per network, so someone who knows
/// a party's meeting number and mobile cannot use up the party's codes from
/// theirs (and all networks together get twice one network's allowance,
/// which bounds the texts sent and the guesses made).
pub async fn request_code(
    state: &AppState,
    client: IpAddr,
    request: LoginCodeRequest,
) -> Result<LoginCodeSent, AppError> {
    check_rate(&state.login_limiter, client)?;
    let mobile = validate::mobile(&request.mobile)?;
    let number = request.meeting_number;
    let limits = state.config.limits.clone();
    let now = state.clock.now_ms();
    let code = secrets::new_login_code();
    // Hex (256 bits): safe to pass in a shell or as a command-line argument.
    let challenge = hex::encode(secrets::random_bytes::<32>());
    let challenge_hash = secrets::token_hash(&challenge);
    let network = network_of(client);
    let secret = state.secret.clone();
    let (sms, court_name) = (state.sms.clone(), state.config.court_name.clone());
    let window_ms = limits.login_code_window.as_millis() as i64;
    let outgoing = state
        .store
        .call(move |conn| {
            let tx = conn.transaction().map_err(StoreError::from)?;
            let asked = store::login::asked(&tx, number, &mobile, &network, now - window_ms)?;
            let per_network = limits.login_codes_per_window;
            if asked.from_network >= per_network || asked.in_all >= per_network * 2 {
                let first = if asked.from_network >= per_network { asked.first_from_network_ms } else { asked.first_in_all_ms };
                return Err(AppError::with_message(
                    ErrorCode::RateLimited,
                    format!(
                        "获取验证码次数过多，请于{}分钟后再试，或联系书记员重新发送通知",
                        minutes_until(first.unwrap_or(now) + window_ms, now)
                    ),
                ));
            }
            if let Some(last) = asked.last_from_network_ms {
                let wait_ms = last + limits.login_code_resend_after.as_millis() as i64 - now;
                if wait_ms > 0 {
                    let secs = (wait_ms + 999) / 1000;
                    return Err(AppError::with_message(ErrorCode::RateLimited, format!("请在{secs}秒后重新获取验证码")));
                }
            }
            // Someone who may log in, or else a participant of a closed hearing
            // with nothing left to do or of a cancelled one: they get a code too,
            // and are told the hearing is over once they have proved it (never
            // before, so the answer here is the same for every pair).
            let may_log_in = store::hearings::participant_for_login(&tx, number, &mobile)?;
            let over = store::hearings::participant_of_ended_hearing(&tx, number, &mobile)?.map(|(p, h, _)| (p, h));
            let participant = may_log_in.or(over);
            let code_hash = participant.map(|_| secrets::code_hash(&secret, &number.to_string(), &mobile, &code));
            let expires = now + limits.login_code_ttl.as_millis() as i64;
            let participant_id = participant.map(|p| p.0);
            store::login::issue(&tx, &challenge_hash, number, &mobile, &network, participant_id, code_hash.as_deref(), now, expires)?;
            let outgoing: Vec<OutgoingSms> = participant
                .map(|(participant_id, hearing_id)| OutgoingSms {
                    mobile: mobile.clone(),
                    text: templates::login_code(&court_name, &code, (limits.login_code_ttl.as_secs() / 60).max(1) as u32),
                    kind: SmsKind::LoginCode,
                    hearing_id: Some(hearing_id),
                    participant_id: Some(participant_id),
                    secret: Some(code.clone()),
                })
                .into_iter()
                .collect();
            let ids = sms.store_in(&tx, &outgoing)?;
            tx.commit().map_err(StoreError::from)?;
            Ok((ids, outgoing))
        })
        .await?;
    let sms = state.sms.clone();
    tokio::spawn(async move { sms.deliver_stored(outgoing.0, outgoing.1).await });
    Ok(LoginCodeSent {
        resend_after_secs: state.config.limits.login_code_resend_after.as_secs() as u32,
        expires_in_secs: state.config.limits.login_code_ttl.as_secs() as u32,
        challenge,
    })
}

pub async fn verify_code(
    state: &AppState,
    client: IpAddr,
    request: LoginVerifyRequest,
) -> Result<ParticipantSession, AppError> {
    check_rate(&state.login_limiter, client)?;
    check_rate(&state.verify_limiter, client)?;
    let failed = || AppError::new(ErrorCode::LoginFailed);
    let Some(mobile) = validate::normalize_mobile(&request.mobile) else {
        return Err(failed());
    };
    let number = request.meeting_number;
    let challenge_hash = secrets::token_hash(request.challenge.trim());
    let limits = state.config.limits.clone();
    let now = state.clock.now_ms();
    let secret = state.secret.clone();
    let token = secrets::new_token();
    let token_hash = secrets::token_hash(&token);
    let expires_at_ms = now + limits.participant_session_ttl.as_millis() as i64;
    let device = request.device;
    let resend_after_ms = limits.login_code_resend_after.as_millis() as i64;
    let burned = move |sent_at_ms: i64| {
        let wait = (sent_at_ms + resend_after_ms - now + 999) / 1000;
        let when = if wait > 0 { format!("请于{wait}秒后重新获取验证码") } else { "请重新获取验证码".to_owned() };
        AppError::with_message(ErrorCode::LoginLocked, format!("验证码错误次数过多，该验证码已失效，{when}"))
    };
    state
        .store
        .call(move |conn| {
            let tx = conn.transaction().map_err(StoreError::from)?;
            let challenge = store::login::get(&tx, &challenge_hash, number, &mobile)?.ok_or_else(failed)?;
            if challenge.used || challenge.expires_at_ms <= now {
                return Err(failed());
            }
            if challenge.failed_attempts >= limits.login_max_attempts {
                return Err(burned(challenge.sent_at_ms));
            }
            let offered = secrets::code_hash(&secret, &number.to_string(), &mobile, request.code.trim());
            let matches = challenge.code_hash.as_deref().is_some_and(|stored| secrets::same_hash(stored, &offered));
            if !matches {
                let burnt = store::login::record_failure(&tx, &challenge_hash, limits.login_max_attempts)?;
                tx.commit().map_err(StoreError::from)?;
                return Err(if burnt { burned(challenge.sent_at_ms) } else { failed() });
            }
            // The participant may have been removed, or the hearing closed, since the code was sent.
            let Some((participant_id, hearing_id)) = store::hearings::participant_for_login(&tx, number, &mobile)? else {
                if let Some((participant_id, _, cancelled)) = store::hearings::participant_of_ended_hearing(&tx, number, &mobile)?
                    && challenge.participant_id == Some(participant_id)
                {
                    store::login::consume(&tx, &challenge_hash)?;
                    tx.commit().map_err(StoreError::from)?;
                    return Err(hearing_over(cancelled));
                }
                return Err(failed());
            };
            let participant = store::hearings::participant(&tx, hearing_id, participant_id)?.ok_or_else(failed)?;
            store::login::consume(&tx, &challenge_hash)?;
            let owner = SessionOwner::Participant { participant_id, hearing_id };
            let device_name = serde_json::to_value(device).ok().and_then(|v| v.as_str().map(str::to_owned));
            store::sessions::insert(&tx, &token_hash, &owner, device_name.as_deref(), None, now, expires_at_ms)?;
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

/// Password login for court staff. Wrong passwords lock the username for a
/// while, whether or not an account has it, so a lock says nothing about
/// which accounts exist; administrators see and clear locks.
pub async fn staff_login(
    state: &AppState,
    client: IpAddr,
    request: StaffLoginRequest,
) -> Result<StaffSession, AppError> {
    check_rate(&state.login_limiter, client)?;
    let failed = || AppError::with_message(ErrorCode::LoginFailed, "用户名或密码不正确");
    let username = request.username.trim().to_owned();
    if username.is_empty() || username.len() > 64 || request.password.len() > 1024 {
        return Err(failed());
    }
    let limits = state.config.limits.clone();
    let now = state.clock.now_ms();
    let locked = |until: i64| {
        AppError::with_message(
            ErrorCode::LoginLocked,
            format!("密码错误次数过多，账号已锁定，请于{}分钟后再试，或联系管理员解锁", minutes_until(until, now)),
        )
    };
    let until = now + limits.staff_login_lock.as_millis() as i64;
    let name = username.clone();
    // The attempt is counted as a failure before the password is checked, in the
    // same call that reads the lock: guesses sent all at once are counted (and
    // locked out) like guesses sent one by one. A right password clears the count.
    let (credentials, locked_now) = state
        .store
        .call(move |conn| {
            let lock = store::login::staff_lock(conn, &name)?.and_then(|(_, until)| until).filter(|until| *until > now);
            if let Some(until) = lock {
                return Ok(Err(until));
            }
            let credentials = store::staff::credentials(conn, &name)?;
            let locked_now = store::login::record_staff_failure(conn, &name, limits.staff_login_max_failures, now, until)?;
            Ok::<_, StoreError>(Ok((credentials, locked_now)))
        })
        .await?
        .map_err(locked)?;
    let account = auth::check_password(request.password, credentials).await?;
    let name = username.clone();
    let Some(account) = account else {
        if locked_now {
            tracing::warn!(username = %username, "staff username locked after repeated wrong passwords");
            return Err(locked(until));
        }
        return Err(failed());
    };
    // Said only to someone who knew the password.
    if account.disabled {
        return Err(AppError::with_message(ErrorCode::LoginFailed, "该账号已停用，请联系管理员"));
    }
    state.store.call(move |conn| store::login::clear_staff_failures(conn, &name)).await?;

    let now = state.clock.now_ms();
    let token = secrets::new_token();
    let token_hash = secrets::token_hash(&token);
    let expires_at_ms = now + state.config.limits.staff_session_ttl.as_millis() as i64;
    let owner = SessionOwner::Staff { staff_id: account.id };
    state
        .store
        .call(move |conn| store::sessions::insert(conn, &token_hash, &owner, None, None, now, expires_at_ms))
        .await?;
    tracing::info!(staff_id = account.id, "staff logged in");
    Ok(StaffSession { token, expires_at_ms, staff: account })
}
