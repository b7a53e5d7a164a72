//! Input checks shared by the handlers. Messages are for the person who typed the input.

use crate::error::AppError;

/// A trimmed, non-empty text of at most `max` characters.
pub fn text(value: &str, field: &str, max: usize) -> Result<String, AppError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::invalid(format!("请填写{field}")));
    }
    if value.chars().count() > max {
        return Err(AppError::invalid(format!("{field}不能超过{max}个字")));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(AppError::invalid(format!("{field}含有无效字符")));
    }
    Ok(value.to_owned())
}

/// A mainland mobile number in its 11-digit form; accepts spaces, dashes and a +86 prefix.
pub fn normalize_mobile(value: &str) -> Option<String> {
    let digits: String = value.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let digits = digits.strip_prefix("+86").or_else(|| digits.strip_prefix("0086")).unwrap_or(&digits);
    let b = digits.as_bytes();
    let valid = b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) && b.iter().all(u8::is_ascii_digit);
    valid.then(|| digits.to_owned())
}

pub fn mobile(value: &str) -> Result<String, AppError> {
    normalize_mobile(value).ok_or_else(|| AppError::invalid(format!("手机号“{}”格式不正确，应为11位手机号码", value.trim())))
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
    fn text_is_trimmed_and_bounded() {
        assert_eq!(text("  第一法庭 ", "法庭", 10).unwrap(), "第一法庭");
        assert!(text("   ", "法庭", 10).is_err());
        assert!(text("一二三四五六", "法庭", 5).is_err());
        assert!(text("a\u{0}b", "法庭", 5).is_err());
    }
}
