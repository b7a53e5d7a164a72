//! Input checks shared by the handlers. Messages are for the person who typed the input.

use cloudtrial_protocol::text::is_invisible;

use crate::error::AppError;

/// A trimmed, non-empty text of at most `max` characters (the protocol's rule, which the apps check too).
pub fn text(value: &str, field: &str, max: usize) -> Result<String, AppError> {
    cloudtrial_protocol::text::checked_text(value, field, max).map_err(AppError::invalid)
}

/// A trimmed text that may be empty and run over several lines (the protocol's rule too).
pub fn note(value: &str, field: &str, max: usize) -> Result<String, AppError> {
    cloudtrial_protocol::text::checked_note(value, field, max).map_err(AppError::invalid)
}

/// A mainland mobile number in its 11-digit form; accepts spaces, dashes and a +86 prefix.
pub use cloudtrial_protocol::normalize_mobile;

pub fn mobile(value: &str) -> Result<String, AppError> {
    normalize_mobile(value).ok_or_else(|| {
        // Repeated back only when short and plain: it helps find the typo, and nothing else is echoed.
        let value = value.trim();
        if value.chars().count() <= 20 && !value.chars().any(|c| c.is_control() || is_invisible(c)) {
            AppError::invalid(format!("手机号“{value}”格式不正确，应为11位手机号码"))
        } else {
            AppError::invalid("手机号格式不正确，应为11位手机号码")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_are_normalised() {
        assert_eq!(normalize_mobile("+86 138-0013-8000").as_deref(), Some("13800138000"));
        assert_eq!(normalize_mobile("13800138000").as_deref(), Some("13800138000"));
        for bad in ["12800138000", "1380013800", "138001380001", "1380013800a", ""] {
            assert_eq!(normalize_mobile(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_bad_mobile_is_repeated_back_only_when_short() {
        assert_eq!(mobile("1380013800").unwrap_err().body().message, "手机号“1380013800”格式不正确，应为11位手机号码");
        let huge = mobile(&"1".repeat(10_000)).unwrap_err().body().message;
        assert_eq!(huge, "手机号格式不正确，应为11位手机号码");
        assert_eq!(mobile("138\u{202E}00138000").unwrap_err().body().message, "手机号格式不正确，应为11位手机号码");
    }
}
