use cloudtrial_core::ClientError as CoreError;

/// The one error type of the bindings. `reason` is a sentence in Chinese to show the user.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum ClientError {
    #[error("{reason}")]
    Network { reason: String },
    #[error("{reason}")]
    InvalidCode { reason: String },
    #[error("{reason}")]
    Locked { reason: String },
    #[error("{reason}")]
    RateLimited { reason: String },
    #[error("{reason}")]
    SessionExpired { reason: String },
    #[error("{reason}")]
    NotLoggedIn { reason: String },
    #[error("{reason}")]
    Forbidden { reason: String },
    /// Blocked (屏蔽) by the judge until summoned.
    #[error("{reason}")]
    Blocked { reason: String },
    #[error("{reason}")]
    InvalidInput { reason: String },
    #[error("{reason}")]
    Server { reason: String },
    /// Camera, microphone or the media connection failed.
    #[error("{reason}")]
    Media { reason: String },
}

impl From<CoreError> for ClientError {
    fn from(error: CoreError) -> Self {
        let reason = error.to_string();
        match error {
            CoreError::Network { .. } => Self::Network { reason },
            CoreError::InvalidCode { .. } => Self::InvalidCode { reason },
            CoreError::Locked { .. } => Self::Locked { reason },
            CoreError::RateLimited { .. } => Self::RateLimited { reason },
            CoreError::SessionExpired => Self::SessionExpired { reason },
            CoreError::NotLoggedIn => Self::NotLoggedIn { reason },
            CoreError::Forbidden { .. } => Self::Forbidden { reason },
            CoreError::Blocked { .. } => Self::Blocked { reason },
            CoreError::InvalidInput { .. } => Self::InvalidInput { reason },
            CoreError::Server { .. } => Self::Server { reason },
            CoreError::Media { .. } => Self::Media { reason },
        }
    }
}

impl From<cloudtrial_core::Error> for ClientError {
    fn from(error: cloudtrial_core::Error) -> Self {
        CoreError::from(error).into()
    }
}
