//! Character error rate: how far recognised text is from what was said.

/// The characters that count: punctuation and spaces are not words.
fn significant(text: &str) -> Vec<char> {
    text.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Edit distance over characters divided by the reference's length.
pub fn character_error_rate(reference: &str, hypothesis: &str) -> f32 {
    let (r, h) = (significant(reference), significant(hypothesis));
    if r.is_empty() {
        return if h.is_empty() { 0.0 } else { 1.0 };
    }
    let mut previous: Vec<usize> = (0..=h.len()).collect();
    for (i, rc) in r.iter().enumerate() {
        let mut current = vec![i + 1; h.len() + 1];
        for (j, hc) in h.iter().enumerate() {
            current[j + 1] = (previous[j] + usize::from(rc != hc)).min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[h.len()] as f32 / r.len() as f32
}

#[cfg(test)]
mod tests {
    use super::character_error_rate;

    #[test]
    fn counts_substitutions_insertions_and_deletions_per_reference_character() {
        assert_eq!(character_error_rate("甚至出现交易几乎停滞的情况", "甚至出现交易几乎停滞的情况。"), 0.0);
        assert!((character_error_rate("甚至出现交易几乎停滞的情况", "甚至出现交易几乎停制的情况") - 1.0 / 13.0).abs() < 1e-6);
        assert!((character_error_rate("原告张三", "原告") - 0.5).abs() < 1e-6);
        assert_eq!(character_error_rate("", ""), 0.0);
    }
}
