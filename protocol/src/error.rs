use serde::{Deserialize, Serialize};

/// The body of every failed REST response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: ErrorCode,
    /// A sentence in Chinese the user can act on.
    pub message: String,
}

/// What went wrong, for programs to branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Malformed JSON, missing or mistyped fields, values out of range.
    InvalidRequest,
    PayloadTooLarge,
    /// No token, or a token the server does not know.
    Unauthorized,
    /// The token was valid once but has expired or been revoked.
    SessionExpired,
    Forbidden,
    /// The judge has blocked (屏蔽) this party: they get nothing of the hearing but their own status until summoned.
    Blocked,
    NotFound,
    MethodNotAllowed,
    /// Meeting number, mobile number or code did not match. Deliberately one
    /// code for all of them.
    LoginFailed,
    /// Too many wrong codes for this meeting number and mobile number.
    LoginLocked,
    RateLimited,
    /// The request conflicts with the current state (e.g. editing a cancelled hearing).
    Conflict,
    /// The file's content is not an accepted kind, or does not match what was declared.
    UnsupportedMedia,
    /// A chunk's checksum did not match its bytes; nothing was written.
    ChecksumMismatch,
    /// The client speaks an older protocol version; the app must be updated.
    UpgradeRequired,
    /// The request's body did not arrive whole (too slow, or cut off): send it again.
    Interrupted,
    Internal,
    /// A code this client does not know yet (sent by a newer server).
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// The default user-facing message for this code.
    pub fn default_message(self) -> &'static str {
        match self {
            Self::InvalidRequest => "请求格式不正确，请检查填写的内容",
            Self::PayloadTooLarge => "提交的内容过大",
            Self::Unauthorized => "请先登录",
            Self::SessionExpired => "登录已失效，请重新登录",
            Self::Forbidden => "您没有权限进行此操作",
            Self::Blocked => crate::signalling::BLOCKED_MESSAGE,
            Self::NotFound => "未找到请求的内容",
            Self::MethodNotAllowed => "不支持此操作",
            Self::LoginFailed => "会议号、手机号或验证码不正确，或验证码已失效",
            Self::LoginLocked => "验证码错误次数过多，请稍后重新获取验证码",
            Self::RateLimited => "操作过于频繁，请稍后再试",
            Self::Conflict => "当前状态下无法进行此操作",
            Self::UnsupportedMedia => "不支持的文件类型",
            Self::ChecksumMismatch => "数据校验失败，请重新上传该部分",
            Self::UpgradeRequired => "客户端版本过旧，请升级后再试",
            Self::Interrupted => "请求内容未能完整送达，请检查网络后重试",
            Self::Internal => "服务器内部错误，请稍后再试",
            Self::Unknown => "未知错误",
        }
    }

    pub fn http_status(self) -> u16 {
        match self {
            Self::InvalidRequest => 400,
            Self::Unauthorized | Self::SessionExpired | Self::LoginFailed | Self::LoginLocked => 401,
            Self::Forbidden | Self::Blocked => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::Conflict => 409,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMedia => 415,
            Self::ChecksumMismatch => 460,
            Self::UpgradeRequired => 426,
            Self::Interrupted => 408,
            Self::RateLimited => 429,
            Self::Internal | Self::Unknown => 500,
        }
    }
}

impl ErrorBody {
    pub fn new(code: ErrorCode) -> Self {
        Self { code, message: code.default_message().to_owned() }
    }

    pub fn with_message(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_codes_from_newer_servers_still_parse() {
        let body: ErrorBody =
            serde_json::from_str(r#"{"code":"something_new","message":"x"}"#).unwrap();
        assert_eq!(body.code, ErrorCode::Unknown);
    }
}
