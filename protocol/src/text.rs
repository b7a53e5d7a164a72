//! What the server takes as typed text (names, titles, reasons), the same rule
//! for the server and the apps, so an app can refuse it before anything is sent.
//! Messages are for the person who typed it.

/// A trimmed, non-empty text of at most `max` characters, on one line, without
/// control characters or characters that hide or turn text around.
pub fn checked_text(value: &str, field: &str, max: usize) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(format!("请填写{field}"));
    }
    checked_characters(value, field, max, false)?;
    Ok(value.to_owned())
}

/// A trimmed text of at most `max` characters that may be empty and may run
/// over several lines (a description, a reason), held to the same characters
/// as [`checked_text`] otherwise.
pub fn checked_note(value: &str, field: &str, max: usize) -> Result<String, String> {
    let value = value.trim();
    checked_characters(value, field, max, true)?;
    Ok(value.to_owned())
}

/// The length and characters rule of both, for text trimmed otherwise (a
/// paragraph of the record keeps its indentation). `lines`: line breaks and
/// tabs are allowed.
pub fn checked_characters(value: &str, field: &str, max: usize, lines: bool) -> Result<(), String> {
    if value.chars().count() > max {
        return Err(format!("{field}不能超过{max}个字"));
    }
    if value.chars().any(|c| c.is_control() && !(lines && matches!(c, '\n' | '\t'))) {
        return Err(format!("{field}含有无效字符"));
    }
    if value.chars().any(is_invisible) {
        return Err(format!("{field}含有不可见字符或改变文字方向的字符，请删除后重新填写"));
    }
    Ok(())
}

/// Characters that show nothing, or turn the text around them: with them one
/// name can be made to look exactly like another. Inclusive ranges.
pub const INVISIBLE: &[(char, char)] = &[
    ('\u{00AD}', '\u{00AD}'), // soft hyphen
    ('\u{034F}', '\u{034F}'), // combining grapheme joiner
    ('\u{061C}', '\u{061C}'), // Arabic letter mark
    ('\u{115F}', '\u{1160}'), // Hangul fillers
    ('\u{17B4}', '\u{17B5}'), // Khmer inherent vowels
    ('\u{180B}', '\u{180F}'), // Mongolian variation selectors and vowel separator
    ('\u{200B}', '\u{200F}'), // zero-width space, (non-)joiner, direction marks
    ('\u{2028}', '\u{2029}'), // line and paragraph separators
    ('\u{202A}', '\u{202E}'), // direction embeddings and overrides
    ('\u{2060}', '\u{206F}'), // word joiner, invisible operators, direction isolates, deprecated format controls
    ('\u{3164}', '\u{3164}'), // Hangul filler
    ('\u{FE00}', '\u{FE0F}'), // variation selectors
    ('\u{FEFF}', '\u{FEFF}'), // byte order mark
    ('\u{FFA0}', '\u{FFA0}'), // halfwidth Hangul filler
    ('\u{E0000}', '\u{E007F}'), // tags
    ('\u{E0100}', '\u{E01EF}'), // variation selectors supplement
];

pub fn is_invisible(c: char) -> bool {
    INVISIBLE.iter().any(|&(first, last)| (first..=last).contains(&c))
}

/// `value` without its [`INVISIBLE`] characters: what it shows, for text a
/// client took from a paste or an emoji keyboard, which its user cannot check
/// for characters nobody sees.
pub fn visible(value: &str) -> String {
    value.chars().filter(|&c| !is_invisible(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_and_direction_changing_characters_are_refused() {
        for c in [
            '\u{00AD}', '\u{034F}', '\u{061C}', '\u{115F}', '\u{1160}', '\u{3164}', '\u{FFA0}', '\u{180E}', '\u{200B}',
            '\u{200D}', '\u{200F}', '\u{202A}', '\u{202E}', '\u{2060}', '\u{2064}', '\u{2066}', '\u{2069}', '\u{FE0F}',
            '\u{FEFF}', '\u{E0001}', '\u{E007F}', '\u{E0100}',
        ] {
            let error = checked_text(&format!("张{c}三"), "姓名", 50).unwrap_err();
            assert!(error.contains("不可见"), "U+{:04X}", u32::from(c));
        }
        for fine in ["张三", "欧阳娜娜", "Zhang San", "O'Brien-Li", "张·三", "（2026）津0101民初88号"] {
            assert_eq!(checked_text(fine, "姓名", 50).unwrap(), fine);
        }
    }

    #[test]
    fn visible_text_keeps_what_shows() {
        assert_eq!(visible("证明\u{200B}借款\u{00AD}事实\u{202E}"), "证明借款事实");
        assert_eq!(visible("谢谢\u{2764}\u{FE0F}\n第二行\t"), "谢谢\u{2764}\n第二行\t");
        let pasted = visible("五\u{2066}万\u{2069}元\u{FEFF}");
        assert_eq!(checked_note(&pasted, "说明", 10).unwrap(), "五万元");
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(checked_text("  第一法庭 ", "法庭", 10).unwrap(), "第一法庭");
        assert_eq!(checked_text("   ", "法庭", 10).unwrap_err(), "请填写法庭");
        assert_eq!(checked_text("一二三四五六", "法庭", 5).unwrap_err(), "法庭不能超过5个字");
        assert_eq!(checked_text("a\u{0}b", "法庭", 5).unwrap_err(), "法庭含有无效字符");
        assert_eq!(checked_text("第一\n法庭", "法庭", 10).unwrap_err(), "法庭含有无效字符");
    }

    #[test]
    fn a_note_may_be_empty_and_run_over_lines_but_hides_nothing() {
        assert_eq!(checked_note("  ", "说明", 10).unwrap(), "");
        assert_eq!(checked_note(" 第一行\n\t第二行 ", "说明", 10).unwrap(), "第一行\n\t第二行");
        assert_eq!(checked_note("一二三四五六", "说明", 5).unwrap_err(), "说明不能超过5个字");
        assert_eq!(checked_note("第一行\r第二行", "说明", 10).unwrap_err(), "说明含有无效字符");
        assert_eq!(checked_note("a\u{0}b", "说明", 10).unwrap_err(), "说明含有无效字符");
        for c in ['\u{200B}', '\u{202E}', '\u{2066}', '\u{FEFF}', '\u{2028}'] {
            let error = checked_note(&format!("借款\n五{c}万元"), "说明", 50).unwrap_err();
            assert_eq!(error, "说明含有不可见字符或改变文字方向的字符，请删除后重新填写", "U+{:04X}", u32::from(c));
        }
    }
}
