//! Mobile numbers as the court keeps them: 11 digits, however they were
//! typed (spaces, dashes, +86 or 0086). Server and clients read them alike.

/// The number in its kept form, or `None` if it is not a mainland mobile number.
pub fn normalize_mobile(value: &str) -> Option<String> {
    if value.len() > 32 {
        return None;
    }
    let digits: String = value.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let digits = digits.strip_prefix("+86").or_else(|| digits.strip_prefix("0086")).unwrap_or(&digits);
    let b = digits.as_bytes();
    let valid = b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) && b.iter().all(u8::is_ascii_digit);
    valid.then(|| digits.to_owned())
}
