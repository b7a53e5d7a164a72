//! Two tiers: the rich `Error` used inside the core, and the small public
//! `ClientError` holding only what a caller acts on.

use cloudtrial_protocol::ErrorCode;

/// Everything that can go wrong inside the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("could not reach the server: {0}")]
    Network(#[source] reqwest::Error),
    #[error("server answered {status} {code:?}: {message}")]
    Api { status: u16, code: ErrorCode, message: String },
    /// The server sent nothing for too long in the middle of an answer.
    #[error("the connection stalled")]
    Stalled,
    #[error("unexpected answer from the server: {0}")]
    UnexpectedResponse(String),
    #[error("local database: {0}")]
    Store(#[from] rusqlite::Error),
    #[error("local file: {0}")]
    Io(#[from] std::io::Error),
    #[error("not logged in")]
    NotLoggedIn,
    #[error("not connected to the hearing room")]
    NotConnected,
    #[error("the session has expired")]
    SessionExpired,
    #[error("invalid input: {0}")]
    InvalidInput(String),
    #[error("media: {0}")]
    Media(String),
}

/// What a caller of the core needs to tell apart.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// The server could not be reached; try again when the network is back.
    #[error("网络连接失败，请检查网络后重试")]
    Network { detail: String },
    /// The meeting number, mobile number or code did not match, or the code expired.
    #[error("{message}")]
    InvalidCode { message: String },
    /// Too many wrong codes; wait and request a new code.
    #[error("{message}")]
    Locked { message: String },
    /// Asked too often; wait before trying again.
    #[error("{message}")]
    RateLimited { message: String },
    /// The session ended (expired, logged out elsewhere, removed from the hearing): log in again.
    #[error("登录已失效，请重新登录")]
    SessionExpired,
    /// Nobody is logged in.
    #[error("请先登录")]
    NotLoggedIn,
    #[error("{message}")]
    Forbidden { message: String },
    /// The judge has blocked (屏蔽) this party until summoned: show 您已被屏蔽，请等待法官传唤.
    #[error("{message}")]
    Blocked { message: String },
    /// The input was refused; the message says why.
    #[error("{message}")]
    InvalidInput { message: String },
    #[error("{message}")]
    Server { message: String },
    /// Camera, microphone or the media connection failed.
    #[error("音视频出错：{message}")]
    Media { message: String },
}

impl From<Error> for ClientError {
    fn from(error: Error) -> Self {
        match error {
            Error::Network(e) => ClientError::Network { detail: e.to_string() },
            Error::Api { code, message, .. } => match code {
                ErrorCode::LoginFailed => ClientError::InvalidCode { message },
                ErrorCode::LoginLocked => ClientError::Locked { message },
                ErrorCode::RateLimited => ClientError::RateLimited { message },
                ErrorCode::Interrupted => ClientError::Network { detail: message },
                ErrorCode::SessionExpired | ErrorCode::Unauthorized => ClientError::SessionExpired,
                ErrorCode::Forbidden => ClientError::Forbidden { message },
                ErrorCode::Blocked => ClientError::Blocked { message },
                ErrorCode::InvalidRequest
                | ErrorCode::PayloadTooLarge
                | ErrorCode::UnsupportedMedia
                | ErrorCode::ChecksumMismatch
                | ErrorCode::Conflict
                | ErrorCode::NotFound => ClientError::InvalidInput { message },
                ErrorCode::MethodNotAllowed
                | ErrorCode::UpgradeRequired
                | ErrorCode::Internal
                | ErrorCode::Unknown => {
                    ClientError::Server { message }
                }
            },
            Error::Stalled => ClientError::Network { detail: "连接长时间没有数据".into() },
            Error::NotLoggedIn => ClientError::NotLoggedIn,
            Error::NotConnected => ClientError::Network { detail: "not connected to the hearing room".into() },
            Error::SessionExpired => ClientError::SessionExpired,
            Error::InvalidInput(message) => ClientError::InvalidInput { message },
            Error::Media(message) => ClientError::Media { message },
            Error::UnexpectedResponse(detail) => ClientError::Server { message: format!("服务器响应异常：{detail}") },
            Error::Store(e) => ClientError::Server { message: format!("本地数据读写失败：{e}") },
            Error::Io(e) => ClientError::Server { message: format!("本地文件读写失败：{e}") },
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
