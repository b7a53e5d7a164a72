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
    if value.chars().any(is_invisible) {
        return Err(AppError::invalid(format!("{field}含有不可见字符或改变文字方向的字符，请删除后重新填写")));
    }
    Ok(value.to_owned())
}

/// Characters that show nothing, or turn the text around them: with them one
/// name can be made to look exactly like another.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'   // soft hyphen
        | '\u{034F}' // combining grapheme joiner
        | '\u{061C}' // Arabic letter mark
        | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' // Hangul fillers
        | '\u{17B4}' | '\u{17B5}' // Khmer inherent vowels
        | '\u{180B}'..='\u{180F}' // Mongolian variation selectors and vowel separator
        | '\u{200B}'..='\u{200F}' // zero-width space, (non-)joiner, direction marks
        | '\u{2028}' | '\u{2029}' // line and paragraph separators
        | '\u{202A}'..='\u{202E}' // direction embeddings and overrides
        | '\u{2060}'..='\u{206F}' // word joiner, invisible operators, direction isolates, deprecated format controls
        | '\u{FE00}'..='\u{FE0F}' // variation selectors
        | '\u{FEFF}' // byte order mark
        | '\u{E0000}'..='\u{E007F}' // tags
        | '\u{E0100}'..='\u{E01EF}' // variation selectors supplement
    )
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
    fn invisible_and_direction_changing_characters_are_refused() {
        for c in [
            '\u{00AD}', '\u{034F}', '\u{061C}', '\u{115F}', '\u{1160}', '\u{3164}', '\u{FFA0}', '\u{180E}', '\u{200B}',
            '\u{200D}', '\u{200F}', '\u{202A}', '\u{202E}', '\u{2060}', '\u{2064}', '\u{2066}', '\u{2069}', '\u{FE0F}',
            '\u{FEFF}', '\u{E0001}', '\u{E007F}', '\u{E0100}',
        ] {
            let error = text(&format!("张{c}三"), "姓名", 50).unwrap_err();
            assert!(error.body().message.contains("不可见"), "U+{:04X}", u32::from(c));
        }
        for fine in ["张三", "欧阳娜娜", "Zhang San", "O'Brien-Li", "张·三", "（2026）津0101民初88号"] {
            assert_eq!(text(fine, "姓名", 50).unwrap(), fine);
        }
    }

    #[test]
    fn a_bad_mobile_is_repeated_back_only_when_short() {
        assert_eq!(mobile("1380013800").unwrap_err().body().message, "手机号“1380013800”格式不正确，应为11位手机号码");
        let huge = mobile(&"1".repeat(10_000)).unwrap_err().body().message;
        assert_eq!(huge, "手机号格式不正确，应为11位手机号码");
        assert_eq!(mobile("138\u{202E}00138000").unwrap_err().body().message, "手机号格式不正确，应为11位手机号码");
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(text("  第一法庭 ", "法庭", 10).unwrap(), "第一法庭");
        assert!(text("   ", "法庭", 10).is_err());
        assert!(text("一二三四五六", "法庭", 5).is_err());
        assert!(text("a\u{0}b", "法庭", 5).is_err());
    }
}
