//! Who is calling: bearer tokens resolved to staff accounts or hearing participants.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use cloudtrial_protocol::api::StaffAccount;
use cloudtrial_protocol::{ErrorCode, ParticipantRole};

use crate::error::AppError;
use crate::permissions::{StaffAction, staff_may};
use crate::secrets;
use crate::state::AppState;
use crate::store::{self, events::EventActor, sessions::SessionOwner};

/// A logged-in court staff member.
#[derive(Debug, Clone)]
pub struct StaffCaller {
    pub account: StaffAccount,
    pub token_hash: Vec<u8>,
    pub expires_at_ms: i64,
}

impl StaffCaller {
    pub fn require(&self, action: StaffAction) -> Result<(), AppError> {
        if staff_may(self.account.role, action) { Ok(()) } else { Err(AppError::forbidden()) }
    }

    pub fn actor(&self) -> EventActor {
        EventActor::Staff { id: self.account.id, name: self.account.name.clone() }
    }
}

/// A logged-in participant of one hearing.
#[derive(Debug, Clone)]
pub struct ParticipantCaller {
    pub participant_id: i64,
    pub hearing_id: i64,
    pub role: ParticipantRole,
    pub name: String,
    pub token_hash: Vec<u8>,
    pub expires_at_ms: i64,
}

impl ParticipantCaller {
    /// The token is bound to one hearing; any other hearing is refused.
    pub fn require_hearing(&self, hearing_id: i64) -> Result<(), AppError> {
        if self.hearing_id == hearing_id { Ok(()) } else { Err(AppError::forbidden()) }
    }

    pub fn actor(&self) -> EventActor {
        EventActor::Participant { id: self.participant_id, name: self.name.clone() }
    }
}

#[derive(Debug, Clone)]
pub enum Caller {
    Staff(StaffCaller),
    Participant(ParticipantCaller),
}

impl Caller {
    pub fn expires_at_ms(&self) -> i64 {
        match self {
            Caller::Staff(s) => s.expires_at_ms,
            Caller::Participant(p) => p.expires_at_ms,
        }
    }

    pub fn token_hash(&self) -> &[u8] {
        match self {
            Caller::Staff(s) => &s.token_hash,
            Caller::Participant(p) => &p.token_hash,
        }
    }
}

pub fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer "))?.trim();
    (!token.is_empty() && token.len() <= 256).then_some(token)
}

/// Resolves a token to its owner. Unknown tokens are `Unauthorized`; tokens
/// that were real but expired, were revoked, or whose owner is gone are
/// `SessionExpired`.
pub async fn resolve(state: &AppState, token: &str) -> Result<Caller, AppError> {
    resolve_hash(state, secrets::token_hash(token)).await
}

/// Like [`resolve`], for a session named by its token's hash (a stream ticket carries it).
pub async fn resolve_hash(state: &AppState, token_hash: Vec<u8>) -> Result<Caller, AppError> {
    let now = state.clock.now_ms();
    state
        .store
        .call(move |conn| {
            let row = store::sessions::find(conn, &token_hash)?.ok_or(AppError::new(ErrorCode::Unauthorized))?;
            if row.revoked || row.expires_at_ms <= now {
                return Err(AppError::new(ErrorCode::SessionExpired));
            }
            match row.owner {
                SessionOwner::Staff { staff_id } => {
                    let account = store::staff::by_id(conn, staff_id)?
                        .filter(|a| !a.disabled)
                        .ok_or(AppError::new(ErrorCode::SessionExpired))?;
                    Ok(Caller::Staff(StaffCaller { account, token_hash, expires_at_ms: row.expires_at_ms }))
                }
                SessionOwner::Participant { participant_id, hearing_id } => {
                    let (role, name) = store::sessions::participant_identity(conn, participant_id)?
                        .ok_or(AppError::new(ErrorCode::SessionExpired))?;
                    Ok(Caller::Participant(ParticipantCaller {
                        participant_id,
                        hearing_id,
                        role,
                        name,
                        token_hash,
                        expires_at_ms: row.expires_at_ms,
                    }))
                }
            }
        })
        .await
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts).ok_or(AppError::new(ErrorCode::Unauthorized))?;
        resolve(state, token).await
    }
}

impl FromRequestParts<AppState> for StaffCaller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match Caller::from_request_parts(parts, state).await? {
            Caller::Staff(staff) => Ok(staff),
            Caller::Participant(_) => Err(AppError::forbidden()),
        }
    }
}

impl FromRequestParts<AppState> for ParticipantCaller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match Caller::from_request_parts(parts, state).await? {
            Caller::Participant(p) => Ok(p),
            Caller::Staff(_) => Err(AppError::forbidden()),
        }
    }
}

// ---------------------------------------------------------------- passwords

/// Runs password hashing work (about 19 MiB and tens of milliseconds each) at
/// most once per core at a time, so a burst of logins queues instead of taking
/// the server's memory.
pub async fn password_work<R: Send + 'static>(work: impl FnOnce() -> R + Send + 'static) -> Result<R, AppError> {
    static TURNS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    let turns = TURNS.get_or_init(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get))
    });
    let _turn = turns.acquire().await.map_err(AppError::internal)?;
    tokio::task::spawn_blocking(work).await.map_err(AppError::internal)
}

/// The account whose password this is, checked against `credentials` (none:
/// no such username, which costs the same).
pub async fn check_password(
    password: String,
    credentials: Option<(StaffAccount, String)>,
) -> Result<Option<StaffAccount>, AppError> {
    password_work(move || match credentials {
        Some((account, hash)) if verify_password(&password, &hash) => Some(account),
        Some(_) => None,
        None => {
            verify_password_of_nobody(&password);
            None
        }
    })
    .await
}

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::encode_b64(&secrets::random_bytes::<16>()).map_err(AppError::internal)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(AppError::internal)
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// Spends the same effort as checking a real password, so a wrong username
/// takes as long as a wrong password.
fn verify_password_of_nobody(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let hash = DUMMY.get_or_init(|| hash_password("no account has this password").unwrap_or_default());
    let _ = verify_password(password, hash);
}
