//! Random values and their hashes: tokens, codes, meeting numbers.

use base64::Engine;
use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};

/// Fills a buffer from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).expect("the operating system's random number generator failed");
    buf
}

/// A uniformly random integer in `0..bound`, without modulo bias.
pub fn random_below(bound: u32) -> u32 {
    assert!(bound > 0);
    let zone = u32::MAX - (u32::MAX % bound);
    loop {
        let v = u32::from_le_bytes(random_bytes::<4>());
        if v < zone {
            return v % bound;
        }
    }
}

/// A bearer token: 256 bits, URL-safe.
pub fn new_token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// What the database keeps instead of a token.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A 6-digit SMS verification code.
pub fn new_login_code() -> String {
    format!("{:06}", random_below(1_000_000))
}

/// Login codes are stored keyed with the server secret, so a copy of the
/// database alone does not let anyone brute-force them offline.
pub fn code_hash(secret: &[u8], meeting_number: &str, mobile: &str, code: &str) -> Vec<u8> {
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    for part in [meeting_number, mobile, code] {
        mac.update(&(part.len() as u32).to_le_bytes());
        mac.update(part.as_bytes());
    }
    mac.finalize().into_bytes().to_vec()
}

/// Constant-time comparison of two hashes.
pub fn same_hash(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_and_distinct() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43); // 256 bits in unpadded base64
    }

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..1000 {
            let c = new_login_code();
            assert!(c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()), "{c}");
        }
    }

    #[test]
    fn random_below_covers_its_range() {
        let mut seen = [false; 10];
        for _ in 0..1000 {
            seen[random_below(10) as usize] = true;
        }
        assert!(seen.iter().all(|s| *s));
    }
}
