use std::path::PathBuf;
use std::sync::Arc;

use crate::error::ClientError;
use crate::runtime;
use crate::task_handle::TaskHandle;
use crate::types::{DeviceKind, HearingDetails, LoginCodeSent, SessionInfo, SessionState};

/// Receives the session state: once at once, then on every change.
#[uniffi::export(callback_interface)]
pub trait SessionStateListener: Send + Sync {
    fn on_update(&self, state: SessionState);
}

/// The client for one Cloud Trial server, with its local data in `data_dir`.
#[derive(uniffi::Object)]
pub struct CloudTrialClient {
    inner: cloudtrial_core::Client,
}

#[uniffi::export]
impl CloudTrialClient {
    /// `data_dir` is a directory the app owns (Android: `context.filesDir`, iOS: Application Support).
    #[uniffi::constructor]
    pub fn new(base_url: String, data_dir: String) -> Result<Arc<Self>, ClientError> {
        let inner = cloudtrial_core::Client::new(&base_url, &PathBuf::from(data_dir))?;
        Ok(Arc::new(Self { inner }))
    }

    pub fn base_url(&self) -> String {
        self.inner.base_url().to_owned()
    }

    /// 会议号登录, step one: the server texts a code to the mobile number it has for this meeting.
    pub async fn request_login_code(&self, meeting_number: String, mobile: String) -> Result<LoginCodeSent, ClientError> {
        let client = self.inner.clone();
        runtime::run(async move { client.request_login_code(&meeting_number, &mobile).await })
            .await
            .map(Into::into)
            .map_err(Into::into)
    }

    /// Step two: the code from the SMS. On success the session is saved and the app enters the hearing.
    pub async fn login(
        &self,
        meeting_number: String,
        mobile: String,
        code: String,
        device: DeviceKind,
    ) -> Result<SessionInfo, ClientError> {
        let client = self.inner.clone();
        runtime::run(async move { client.login(&meeting_number, &mobile, &code, device.into()).await })
            .await
            .map(Into::into)
            .map_err(Into::into)
    }

    pub fn session_state(&self) -> SessionState {
        self.inner.session_state().into()
    }

    pub fn subscribe_session(&self, listener: Box<dyn SessionStateListener>) -> Arc<TaskHandle> {
        let mut states = self.inner.subscribe_session();
        TaskHandle::new(runtime::handle().spawn(async move {
            listener.on_update(states.borrow_and_update().clone().into());
            while states.changed().await.is_ok() {
                listener.on_update(states.borrow_and_update().clone().into());
            }
        }))
    }

    pub async fn hearing_details(&self) -> Result<HearingDetails, ClientError> {
        let client = self.inner.clone();
        runtime::run(async move { client.hearing_details().await }).await.map(Into::into).map_err(Into::into)
    }

    /// Enters the hearing room (登录后将直接入会). The room reconnects by itself.
    pub fn join_hearing(&self, device: DeviceKind) -> Result<Arc<crate::room::HearingRoom>, ClientError> {
        crate::room::HearingRoom::start(&self.inner, device)
    }

    /// The participant's evidence: uploads resume from the local queue at once.
    pub fn evidence(&self) -> Result<Arc<crate::evidence::HearingEvidence>, ClientError> {
        crate::evidence::HearingEvidence::start(&self.inner)
    }

    /// The court record (笔录): read it, follow it, sign it.
    pub fn record(&self) -> Result<Arc<crate::record::HearingRecord>, ClientError> {
        crate::record::HearingRecord::new(&self.inner)
    }

    pub async fn logout(&self) -> Result<(), ClientError> {
        let client = self.inner.clone();
        runtime::run(async move { client.logout().await }).await.map_err(Into::into)
    }
}

impl CloudTrialClient {
    pub fn core(&self) -> &cloudtrial_core::Client {
        &self.inner
    }
}
