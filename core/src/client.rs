use std::path::Path;
use cloudtrial_protocol::paths;
use std::sync::Arc;

use cloudtrial_protocol::api::{
    DeviceKind, HearingDetails, LoginCodeRequest, LoginCodeSent, LoginVerifyRequest, ParticipantSession,
};
use cloudtrial_protocol::{ErrorCode, MeetingNumber};
use tokio::sync::watch;

use crate::error::{Error, Result};
use crate::http::ApiClient;
use crate::session::{Session, SessionState, now_ms};
use crate::store::LocalStore;

/// The entry point of the core: one server, one local data directory, at most one session.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    api: ApiClient,
    store: LocalStore,
    state: watch::Sender<SessionState>,
}

impl Client {
    /// Opens the local store in `data_dir`, restoring a saved session for `base_url`.
    pub fn new(base_url: &str, data_dir: &Path) -> Result<Self> {
        let api = ApiClient::new(base_url)?;
        let store = LocalStore::open(data_dir)?;
        let state = match store.load_session(api.base_url())? {
            Some(session) if session.expires_at_ms > now_ms() => SessionState::LoggedIn(session),
            Some(_) => {
                store.clear_session()?;
                SessionState::Expired
            }
            None => SessionState::LoggedOut,
        };
        Ok(Self { inner: Arc::new(Inner { api, store, state: watch::Sender::new(state) }) })
    }

    pub fn base_url(&self) -> &str {
        self.inner.api.base_url()
    }

    pub fn api(&self) -> &ApiClient {
        &self.inner.api
    }

    pub fn store(&self) -> &LocalStore {
        &self.inner.store
    }

    fn meeting_number(input: &str) -> Result<MeetingNumber> {
        input.trim().parse().map_err(|_| Error::InvalidInput("会议号应为8位数字".into()))
    }

    /// Step one of 会议号登录: the server texts a code to the mobile number it has on file.
    pub async fn request_login_code(&self, meeting_number: &str, mobile: &str) -> Result<LoginCodeSent> {
        let number = Self::meeting_number(meeting_number)?;
        let request = LoginCodeRequest { meeting_number: number, mobile: mobile.trim().to_owned() };
        let sent: LoginCodeSent = self.inner.api.post(paths::LOGIN_CODE, None, &request).await?;
        // The code texted now is good only with this request's challenge: keep it for step two.
        self.inner.store.save_login_challenge(self.base_url(), &number.to_string(), &key_of(mobile), &sent.challenge)?;
        Ok(sent)
    }

    /// Step two: the code from the SMS. The session is saved before this returns.
    pub async fn login(&self, meeting_number: &str, mobile: &str, code: &str, device: DeviceKind) -> Result<Session> {
        let number = Self::meeting_number(meeting_number)?;
        let challenge = self
            .inner
            .store
            .login_challenge(self.base_url(), &number.to_string(), &key_of(mobile))?
            .ok_or_else(|| Error::InvalidInput("请先获取验证码".into()))?;
        self.login_with_challenge(meeting_number, mobile, code, &challenge, device).await
    }

    /// Step two, for a code asked for elsewhere (a script given both the code and its request's challenge).
    pub async fn login_with_challenge(
        &self,
        meeting_number: &str,
        mobile: &str,
        code: &str,
        challenge: &str,
        device: DeviceKind,
    ) -> Result<Session> {
        let number = Self::meeting_number(meeting_number)?;
        let challenge = challenge.to_owned();
        let request = LoginVerifyRequest {
            meeting_number: number,
            mobile: mobile.trim().to_owned(),
            code: code.trim().to_owned(),
            challenge,
            device,
        };
        let answer: ParticipantSession = self.inner.api.post(paths::LOGIN_VERIFY, None, &request).await?;
        let session = Session {
            token: answer.token,
            hearing_id: answer.hearing_id,
            participant_id: answer.participant_id,
            role: answer.role,
            meeting_number: number.to_string(),
            expires_at_ms: answer.expires_at_ms,
        };
        self.inner.store.save_session(self.base_url(), &session)?;
        self.inner.store.clear_login_challenges()?;
        self.inner.state.send_replace(SessionState::LoggedIn(session.clone()));
        tracing::info!(hearing_id = session.hearing_id, role = ?session.role, "logged in");
        Ok(session)
    }

    pub fn session_state(&self) -> SessionState {
        self.inner.state.borrow().clone()
    }

    pub fn subscribe_session(&self) -> watch::Receiver<SessionState> {
        self.inner.state.subscribe()
    }

    /// The current session, or why there is none.
    pub fn session(&self) -> Result<Session> {
        match &*self.inner.state.borrow() {
            SessionState::LoggedIn(session) if session.expires_at_ms > now_ms() => Ok(session.clone()),
            SessionState::LoggedIn(_) | SessionState::Expired => Err(Error::SessionExpired),
            SessionState::LoggedOut => Err(Error::NotLoggedIn),
        }
    }

    /// Runs a call that needs the session; if the server says the session is
    /// over, it is forgotten locally and reported as expired.
    pub async fn authorized<T, F, Fut>(&self, call: F) -> Result<T>
    where
        F: FnOnce(Session) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let session = match self.session() {
            Err(Error::SessionExpired) => {
                if let SessionState::LoggedIn(session) = self.session_state() {
                    self.expire(session.token())?;
                }
                return Err(Error::SessionExpired);
            }
            other => other?,
        };
        let token = session.token().to_owned();
        match call(session).await {
            Err(Error::Api { code: ErrorCode::SessionExpired | ErrorCode::Unauthorized, .. }) => {
                self.expire(&token)?;
                Err(Error::SessionExpired)
            }
            other => other,
        }
    }

    /// Forgets the session `token` belongs to, if it is still the one logged
    /// in: a logout or a new login on this device meanwhile stands.
    pub(crate) fn expire(&self, token: &str) -> Result<()> {
        let expired = self.inner.state.send_if_modified(|state| match state {
            SessionState::LoggedIn(current) if current.token() == token => {
                *state = SessionState::Expired;
                true
            }
            _ => false,
        });
        if expired {
            self.inner.store.clear_session()?;
            tracing::info!("session expired");
        }
        Ok(())
    }

    /// The logged-in participant's hearing: case, schedule, courtroom, everyone's role and name.
    pub async fn hearing_details(&self) -> Result<HearingDetails> {
        self.authorized(|s| async move {
            self.inner.api.get(&paths::fill(paths::HEARING_DETAILS, &[&s.hearing_id]), Some(&s.token)).await
        })
        .await
    }

    /// Ends the session on the server (if reachable) and forgets it here.
    pub async fn logout(&self) -> Result<()> {
        if let Ok(session) = self.session() {
            let result: Result<()> = self.inner.api.post(paths::LOGOUT, Some(&session.token), &()).await;
            if let Err(e) = result {
                tracing::warn!("server logout failed, forgetting the session locally anyway: {e}");
            }
        }
        self.inner.store.clear_session()?;
        self.inner.state.send_replace(SessionState::LoggedOut);
        Ok(())
    }
}

/// A mobile number as the key of its login challenge: as the server keeps it, however it was typed.
fn key_of(mobile: &str) -> String {
    cloudtrial_protocol::normalize_mobile(mobile).unwrap_or_else(|| mobile.trim().to_owned())
}
