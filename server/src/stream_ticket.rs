//! Links that let the page's own audio or video player read an original as
//! it plays (with the ranges it asks for) instead of downloading it whole
//! first: the player cannot send the Authorization header, so the link
//! carries a ticket. A ticket names one item and one session, ends when
//! the session ends or at its own expiry, and is keyed with the server
//! secret; whoever holds it is still put through the same access decision
//! as the session itself.

use hmac::{KeyInit, Mac};
use sha2::Sha256;

/// How long a link plays: a long recording, paused and sought through.
pub const LIFETIME_MS: i64 = 4 * 3600 * 1000;

fn mac(secret: &[u8], evidence_id: &str, token_hash: &[u8], expires_at_ms: i64) -> Vec<u8> {
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(b"evidence-stream");
    for part in [evidence_id.as_bytes(), token_hash, &expires_at_ms.to_le_bytes()] {
        mac.update(&(part.len() as u32).to_le_bytes());
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

/// The ticket for `evidence_id`, for the session whose token hashes to `token_hash`.
pub fn issue(secret: &[u8], evidence_id: &str, token_hash: &[u8], expires_at_ms: i64) -> String {
    format!("{expires_at_ms}.{}.{}", hex::encode(token_hash), hex::encode(mac(secret, evidence_id, token_hash, expires_at_ms)))
}

/// The session's token hash, if `ticket` was issued for `evidence_id` and has not expired.
pub fn verify(secret: &[u8], evidence_id: &str, ticket: &str, now_ms: i64) -> Option<Vec<u8>> {
    let mut parts = ticket.split('.');
    let (expires, token_hash, tag) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let expires_at_ms: i64 = expires.parse().ok()?;
    let (token_hash, tag) = (hex::decode(token_hash).ok()?, hex::decode(tag).ok()?);
    let genuine = crate::secrets::same_hash(&tag, &mac(secret, evidence_id, &token_hash, expires_at_ms));
    (genuine && now_ms < expires_at_ms).then_some(token_hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_opens_only_its_own_item_until_it_expires_and_cannot_be_altered() {
        let (secret, hash) = (b"server secret".as_slice(), [7u8; 32]);
        let ticket = issue(secret, "item-a", &hash, 1_000);
        assert_eq!(verify(secret, "item-a", &ticket, 999), Some(hash.to_vec()));
        assert_eq!(verify(secret, "item-a", &ticket, 1_000), None, "expired");
        assert_eq!(verify(secret, "item-b", &ticket, 0), None, "another item");
        assert_eq!(verify(b"another server", "item-a", &ticket, 0), None, "another key");
        let later = ticket.replacen("1000.", "9000.", 1);
        assert_eq!(verify(secret, "item-a", &later, 0), None, "a later expiry");
        let other_session = issue(secret, "item-a", &[8u8; 32], 1_000);
        let spliced = format!("{}.{}", ticket.rsplit_once('.').unwrap().0.replace(&hex::encode(hash), &hex::encode([8u8; 32])), ticket.rsplit_once('.').unwrap().1);
        assert_ne!(spliced, other_session);
        assert_eq!(verify(secret, "item-a", &spliced, 0), None, "another session's hash");
        for broken in ["", "1000", "1000.ab", "x.ab.cd", "1000.zz.zz", &format!("{ticket}.x")] {
            assert_eq!(verify(secret, "item-a", broken, 0), None, "{broken}");
        }
    }
}
