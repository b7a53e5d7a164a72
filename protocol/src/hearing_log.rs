//! The hearing log, hash-chained and sealed by the court: what the server
//! exports at `GET /api/hearings/{id}/events`, and the offline check of it.
//!
//! Each entry's hash covers the entry before it, so an entry cannot be
//! edited, removed or moved without breaking the chain. Now and then the
//! court signs the chain's head (a checkpoint), so the chain cannot be
//! rewritten or cut short below a checkpoint without the court's key.
//!
//! The exact bytes, all integers 8 bytes big-endian, `str(s)` the UTF-8
//! bytes of `s` after their length as an 8-byte integer, `opt(None)` one byte
//! 0, `opt(Some(n))` one byte 1 and then `n`:
//!
//! ```text
//! entry_hash = SHA-256(prev_hash ‖ str(ENTRY_DOMAIN) ‖ hearing_id ‖ seq ‖ at_ms
//!                      ‖ str(actor_kind) ‖ opt(actor_id) ‖ str(actor_name) ‖ str(action) ‖ str(detail_json))
//! checkpoint signature = Ed25519(str(CHECKPOINT_DOMAIN) ‖ hearing_id ‖ seq ‖ entry_hash ‖ signed_at_ms)
//! ```
//!
//! Entry 1's `prev_hash` is [`GENESIS`], 32 zero bytes.

use std::fmt;

use base64::Engine;
use ed25519_dalek::{Signature, VerifyingKey};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::api::TimestampMs;

pub const ENTRY_DOMAIN: &str = "cloudtrial/hearing-log/entry/v1";
pub const CHECKPOINT_DOMAIN: &str = "cloudtrial/hearing-log/checkpoint/v1";

/// The `prev_hash` of a hearing's first entry.
pub const GENESIS: LogHash = LogHash([0; 32]);

/// A hearing's log as exported: every entry in the order it was stored, and
/// the court's signed checkpoints of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HearingLog {
    pub hearing_id: i64,
    /// The key the server says it signs with. Check the log with a copy of
    /// the court's key obtained elsewhere; this one only names it.
    pub public_key: CourtKey,
    pub entries: Vec<HearingEvent>,
    pub checkpoints: Vec<LogCheckpoint>,
}

/// One entry of a hearing's event log (who did what, when).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HearingEvent {
    /// The database row; not covered by the chain (`seq` is).
    pub id: i64,
    /// 1, 2, 3 … within the hearing.
    pub seq: i64,
    pub at_ms: TimestampMs,
    /// "staff", "participant" or "system".
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    /// What happened, e.g. "hearing_booked", "participant_blocked".
    pub action: String,
    pub detail: serde_json::Value,
    /// `detail` exactly as stored; the hash covers this text.
    pub detail_json: String,
    pub prev_hash: LogHash,
    pub entry_hash: LogHash,
}

impl HearingEvent {
    pub fn fields(&self) -> EntryFields<'_> {
        EntryFields {
            seq: self.seq,
            at_ms: self.at_ms,
            actor_kind: &self.actor_kind,
            actor_id: self.actor_id,
            actor_name: &self.actor_name,
            action: &self.action,
            detail_json: &self.detail_json,
        }
    }
}

/// What an entry's hash covers, besides the hearing and the previous hash.
#[derive(Debug, Clone, Copy)]
pub struct EntryFields<'a> {
    pub seq: i64,
    pub at_ms: TimestampMs,
    pub actor_kind: &'a str,
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub action: &'a str,
    pub detail_json: &'a str,
}

/// The court's signature over the chain up to entry `seq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogCheckpoint {
    pub seq: i64,
    pub entry_hash: LogHash,
    pub signed_at_ms: TimestampMs,
    pub signature: CheckpointSignature,
}

pub fn entry_hash(prev_hash: &LogHash, hearing_id: i64, entry: &EntryFields<'_>) -> LogHash {
    let mut bytes = Canonical::default();
    bytes.bytes(&prev_hash.0);
    bytes.str(ENTRY_DOMAIN);
    bytes.int(hearing_id);
    bytes.int(entry.seq);
    bytes.int(entry.at_ms);
    bytes.str(entry.actor_kind);
    match entry.actor_id {
        None => bytes.bytes(&[0]),
        Some(id) => {
            bytes.bytes(&[1]);
            bytes.int(id);
        }
    }
    bytes.str(entry.actor_name);
    bytes.str(entry.action);
    bytes.str(entry.detail_json);
    LogHash(Sha256::digest(&bytes.0).into())
}

/// The bytes the court signs for a checkpoint.
pub fn checkpoint_message(hearing_id: i64, seq: i64, entry_hash: &LogHash, signed_at_ms: TimestampMs) -> Vec<u8> {
    let mut bytes = Canonical::default();
    bytes.str(CHECKPOINT_DOMAIN);
    bytes.int(hearing_id);
    bytes.int(seq);
    bytes.bytes(&entry_hash.0);
    bytes.int(signed_at_ms);
    bytes.0
}

#[derive(Default)]
struct Canonical(Vec<u8>);

impl Canonical {
    fn bytes(&mut self, b: &[u8]) {
        self.0.extend_from_slice(b);
    }

    fn int(&mut self, n: i64) {
        self.bytes(&n.to_be_bytes());
    }

    fn str(&mut self, s: &str) {
        self.bytes(&(s.len() as u64).to_be_bytes());
        self.bytes(s.as_bytes());
    }
}

/// A log that checked out: every entry in place and unaltered, and all of
/// them covered by checkpoints the court signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedLog {
    pub hearing_id: i64,
    pub entries: usize,
    pub checkpoints: usize,
    /// The last entry's hash.
    pub head: Option<LogHash>,
    pub first_at_ms: Option<TimestampMs>,
    pub last_at_ms: Option<TimestampMs>,
    /// When the court last signed the whole log (the latest checkpoint of the last entry).
    pub sealed_at_ms: Option<TimestampMs>,
}

/// Why a log does not check out, naming the first bad entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogError {
    #[error("the log names another court key than the one it is checked with")]
    OtherKey,
    #[error("entry {seq} is missing: it was deleted")]
    Missing { seq: i64 },
    #[error("entry {seq} is out of order where entry {expected} belongs: entries were reordered")]
    OutOfOrder { seq: i64, expected: i64 },
    #[error("entry {seq} does not follow the entry before it: its previous hash is not that entry's hash")]
    BrokenLink { seq: i64 },
    #[error("entry {seq} was edited: its contents do not match its hash")]
    Edited { seq: i64 },
    #[error("the checkpoint of entry {seq} is not the court's signature: it was forged or altered")]
    ForgedCheckpoint { seq: i64 },
    #[error("the court signed a different entry {seq}: the log was rewritten up to there")]
    CheckpointMismatch { seq: i64 },
    #[error("the log was cut short: it ends before entry {seq}, but the court signed entries up to {checkpoint_seq}")]
    Truncated { seq: i64, checkpoint_seq: i64 },
    #[error("entries from {seq} on are not covered by any checkpoint the court signed")]
    Unsigned { seq: i64 },
}

impl LogError {
    /// The first bad entry, by sequence number.
    pub fn seq(&self) -> Option<i64> {
        match self {
            LogError::OtherKey => None,
            LogError::Missing { seq }
            | LogError::OutOfOrder { seq, .. }
            | LogError::BrokenLink { seq }
            | LogError::Edited { seq }
            | LogError::ForgedCheckpoint { seq }
            | LogError::CheckpointMismatch { seq }
            | LogError::Truncated { seq, .. }
            | LogError::Unsigned { seq } => Some(*seq),
        }
    }
}

/// Checks a log with the court's public key alone. Entries are checked in
/// order; a checkpoint is checked right after the entry it signs, so the
/// error names the first thing wrong.
pub fn verify(log: &HearingLog, public_key: &[u8; 32]) -> Result<VerifiedLog, LogError> {
    if log.public_key.0 != *public_key {
        return Err(LogError::OtherKey);
    }
    let key = VerifyingKey::from_bytes(public_key).map_err(|_| LogError::OtherKey)?;
    // Every hearing's log begins with its booking: a log of nothing had everything taken out.
    if log.entries.is_empty() {
        return Err(LogError::Missing { seq: 1 });
    }
    let mut checkpoints: Vec<&LogCheckpoint> = log.checkpoints.iter().collect();
    checkpoints.sort_by_key(|c| c.seq);
    let mut checkpoints = checkpoints.into_iter().peekable();
    let mut prev = GENESIS;
    let mut covered = 0;
    for (index, entry) in log.entries.iter().enumerate() {
        let expected = index as i64 + 1;
        let seq = entry.seq;
        if seq != expected {
            let comes_later = log.entries[index + 1..].iter().any(|e| e.seq == expected);
            return Err(if seq > expected && !comes_later {
                LogError::Missing { seq: expected }
            } else {
                LogError::OutOfOrder { seq, expected }
            });
        }
        if entry.prev_hash != prev {
            return Err(LogError::BrokenLink { seq });
        }
        let hash = entry_hash(&prev, log.hearing_id, &entry.fields());
        let detail_as_stored = serde_json::from_str::<serde_json::Value>(&entry.detail_json).ok();
        if hash != entry.entry_hash || detail_as_stored.as_ref() != Some(&entry.detail) {
            return Err(LogError::Edited { seq });
        }
        while let Some(checkpoint) = checkpoints.next_if(|c| c.seq <= seq) {
            check_signature(&key, log.hearing_id, checkpoint)?;
            if checkpoint.seq != seq || checkpoint.entry_hash != hash {
                return Err(LogError::CheckpointMismatch { seq: checkpoint.seq });
            }
            covered = seq;
        }
        prev = hash;
    }
    let last = log.entries.len() as i64;
    if let Some(checkpoint) = checkpoints.next() {
        check_signature(&key, log.hearing_id, checkpoint)?;
        return Err(LogError::Truncated { seq: last + 1, checkpoint_seq: checkpoint.seq });
    }
    if covered < last {
        return Err(LogError::Unsigned { seq: covered + 1 });
    }
    Ok(VerifiedLog {
        hearing_id: log.hearing_id,
        entries: log.entries.len(),
        checkpoints: log.checkpoints.len(),
        head: log.entries.last().map(|e| e.entry_hash),
        first_at_ms: log.entries.first().map(|e| e.at_ms),
        last_at_ms: log.entries.last().map(|e| e.at_ms),
        sealed_at_ms: log.checkpoints.iter().filter(|c| c.seq == last).map(|c| c.signed_at_ms).max(),
    })
}

fn check_signature(key: &VerifyingKey, hearing_id: i64, checkpoint: &LogCheckpoint) -> Result<(), LogError> {
    let message = checkpoint_message(hearing_id, checkpoint.seq, &checkpoint.entry_hash, checkpoint.signed_at_ms);
    key.verify_strict(&message, &Signature::from_bytes(&checkpoint.signature.0))
        .map_err(|_| LogError::ForgedCheckpoint { seq: checkpoint.seq })
}

/// A SHA-256 hash, written as lowercase hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct LogHash(pub [u8; 32]);

/// An Ed25519 signature, written as base64.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct CheckpointSignature(pub [u8; 64]);

/// An Ed25519 public key, written as base64 (as at `/api/records/public-key`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct CourtKey(pub [u8; 32]);

impl CourtKey {
    pub fn from_base64(text: &str) -> Option<Self> {
        from_base64(text.trim()).map(Self)
    }

    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.0)
    }
}

impl fmt::Display for LogHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for LogHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LogHash({self})")
    }
}

impl fmt::Debug for CheckpointSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CheckpointSignature({})", base64::engine::general_purpose::STANDARD.encode(self.0))
    }
}

impl fmt::Debug for CourtKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CourtKey({})", self.to_base64())
    }
}

fn from_base64<const N: usize>(text: &str) -> Option<[u8; N]> {
    base64::engine::general_purpose::STANDARD.decode(text).ok()?.try_into().ok()
}

impl Serialize for LogHash {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LogHash {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let mut hash = [0; 32];
        hex::decode_to_slice(&text, &mut hash).map_err(|_| serde::de::Error::custom("a hash is 64 hex digits"))?;
        Ok(Self(hash))
    }
}

impl Serialize for CheckpointSignature {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(self.0))
    }
}

impl<'de> Deserialize<'de> for CheckpointSignature {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        from_base64(&text).map(Self).ok_or_else(|| serde::de::Error::custom("a signature is 64 bytes in base64"))
    }
}

impl Serialize for CourtKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_base64())
    }
}

impl<'de> Deserialize<'de> for CourtKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::from_base64(&text).ok_or_else(|| serde::de::Error::custom("a public key is 32 bytes in base64"))
    }
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::{Signer, SigningKey};

    use super::*;

    const HEARING: i64 = 42;

    fn court() -> SigningKey {
        SigningKey::from_bytes(&[7; 32])
    }

    fn sign(key: &SigningKey, seq: i64, entry_hash: LogHash, signed_at_ms: i64) -> LogCheckpoint {
        let message = checkpoint_message(HEARING, seq, &entry_hash, signed_at_ms);
        LogCheckpoint { seq, entry_hash, signed_at_ms, signature: CheckpointSignature(key.sign(&message).to_bytes()) }
    }

    /// Recomputes every hash from the entries' contents, as someone rewriting the log would.
    fn rechain(entries: &mut [HearingEvent]) {
        let mut prev = GENESIS;
        for entry in entries {
            entry.prev_hash = prev;
            entry.entry_hash = entry_hash(&prev, HEARING, &entry.fields());
            prev = entry.entry_hash;
        }
    }

    /// A hearing's log as the server keeps it: booked, two parties in, opened
    /// and closed, with the court's checkpoints at `sealed` entries.
    fn log(sealed: &[i64]) -> HearingLog {
        let steps = [
            ("staff", Some(1), "李书记", "hearing_booked", r#"{"case_number":"（2026）津0101民初8号"}"#),
            ("participant", Some(3), "张三", "participant_logged_in", r#"{"device":"android"}"#),
            ("participant", Some(4), "李四", "participant_logged_in", r#"{"device":"ios"}"#),
            ("participant", Some(2), "王法官", "hearing_started", "{}"),
            ("participant", Some(2), "王法官", "hearing_closed", "{}"),
            ("system", None, "系统", "record_pdf_generated", r#"{"sha256":"ab"}"#),
        ];
        let mut entries: Vec<HearingEvent> = steps
            .iter()
            .enumerate()
            .map(|(i, (kind, id, name, action, detail))| HearingEvent {
                id: 100 + i as i64,
                seq: i as i64 + 1,
                at_ms: 1_700_000_000_000 + 60_000 * i as i64,
                actor_kind: (*kind).into(),
                actor_id: *id,
                actor_name: (*name).into(),
                action: (*action).into(),
                detail: serde_json::from_str(detail).unwrap(),
                detail_json: (*detail).into(),
                prev_hash: GENESIS,
                entry_hash: GENESIS,
            })
            .collect();
        rechain(&mut entries);
        let checkpoints =
            sealed.iter().map(|&seq| sign(&court(), seq, entries[seq as usize - 1].entry_hash, 1_800_000_000_000 + seq)).collect();
        HearingLog { hearing_id: HEARING, public_key: CourtKey(court().verifying_key().to_bytes()), entries, checkpoints }
    }

    fn check(log: &HearingLog) -> Result<VerifiedLog, LogError> {
        verify(log, &court().verifying_key().to_bytes())
    }

    #[test]
    fn an_entry_hash_is_sha256_of_the_previous_hash_and_the_length_prefixed_fields() {
        let prev = LogHash([9; 32]);
        let entry = EntryFields {
            seq: 2,
            at_ms: 1_700_000_000_000,
            actor_kind: "participant",
            actor_id: Some(3),
            actor_name: "张三",
            action: "participant_joined",
            detail_json: r#"{"device":"android"}"#,
        };
        let mut bytes = vec![9u8; 32];
        bytes.extend((ENTRY_DOMAIN.len() as u64).to_be_bytes());
        bytes.extend(ENTRY_DOMAIN.as_bytes());
        bytes.extend(HEARING.to_be_bytes());
        bytes.extend(2i64.to_be_bytes());
        bytes.extend(1_700_000_000_000i64.to_be_bytes());
        bytes.extend(11u64.to_be_bytes());
        bytes.extend(b"participant");
        bytes.push(1);
        bytes.extend(3i64.to_be_bytes());
        bytes.extend(6u64.to_be_bytes());
        bytes.extend("张三".as_bytes());
        bytes.extend(18u64.to_be_bytes());
        bytes.extend(b"participant_joined");
        bytes.extend(20u64.to_be_bytes());
        bytes.extend(br#"{"device":"android"}"#);
        assert_eq!(entry_hash(&prev, HEARING, &entry).0, <[u8; 32]>::from(Sha256::digest(&bytes)));
    }

    #[test]
    fn every_field_is_covered_and_no_field_bleeds_into_the_next() {
        let base = EntryFields {
            seq: 1,
            at_ms: 5,
            actor_kind: "staff",
            actor_id: Some(0),
            actor_name: "ab",
            action: "c",
            detail_json: "{}",
        };
        let hash = |prev: &LogHash, hearing: i64, e: EntryFields<'_>| entry_hash(prev, hearing, &e);
        let original = hash(&GENESIS, 1, base);
        assert_eq!(original, hash(&GENESIS, 1, base), "deterministic");
        let variants = [
            hash(&LogHash([1; 32]), 1, base),
            hash(&GENESIS, 2, base),
            hash(&GENESIS, 1, EntryFields { seq: 2, ..base }),
            hash(&GENESIS, 1, EntryFields { at_ms: 6, ..base }),
            hash(&GENESIS, 1, EntryFields { actor_kind: "system", ..base }),
            hash(&GENESIS, 1, EntryFields { actor_id: None, ..base }),
            hash(&GENESIS, 1, EntryFields { actor_id: Some(1), ..base }),
            hash(&GENESIS, 1, EntryFields { actor_name: "a", action: "bc", ..base }),
            hash(&GENESIS, 1, EntryFields { detail_json: "{ }", ..base }),
        ];
        for (i, variant) in variants.iter().enumerate() {
            assert_ne!(*variant, original, "variant {i}");
        }
    }

    #[test]
    fn a_sealed_log_verifies_and_survives_a_round_trip_through_json() {
        let log = log(&[5, 6]);
        let json = serde_json::to_string_pretty(&log).unwrap();
        let read: HearingLog = serde_json::from_str(&json).unwrap();
        let verified = check(&read).unwrap();
        assert_eq!(verified.hearing_id, HEARING);
        assert_eq!((verified.entries, verified.checkpoints), (6, 2));
        assert_eq!(verified.head, Some(log.entries[5].entry_hash));
        assert_eq!(verified.sealed_at_ms, Some(1_800_000_000_006));
        assert_eq!(read.entries[0].prev_hash, GENESIS);
    }

    #[test]
    fn a_deleted_entry_is_named() {
        let mut log = log(&[6]);
        log.entries.remove(2);
        assert_eq!(check(&log), Err(LogError::Missing { seq: 3 }));
    }

    #[test]
    fn an_edited_entry_is_named_whichever_copy_of_the_detail_was_changed() {
        let mut text = log(&[6]);
        text.entries[1].detail_json = r#"{"device":"pc_browser"}"#.into();
        assert_eq!(check(&text), Err(LogError::Edited { seq: 2 }));

        let mut shown = log(&[6]);
        shown.entries[1].detail = serde_json::json!({"device": "pc_browser"});
        assert_eq!(check(&shown), Err(LogError::Edited { seq: 2 }), "what a reader sees is what was hashed");

        let mut name = log(&[6]);
        name.entries[3].actor_name = "赵法官".into();
        assert_eq!(check(&name), Err(LogError::Edited { seq: 4 }));
    }

    #[test]
    fn reordered_entries_are_named() {
        let mut log = log(&[6]);
        log.entries.swap(2, 3);
        assert_eq!(check(&log), Err(LogError::OutOfOrder { seq: 4, expected: 3 }));
    }

    #[test]
    fn a_replaced_hash_or_a_broken_link_is_named() {
        let mut log = log(&[6]);
        log.entries[1].entry_hash = LogHash([5; 32]);
        assert_eq!(check(&log), Err(LogError::Edited { seq: 2 }));
        log.entries[1].entry_hash = entry_hash(&log.entries[1].prev_hash, HEARING, &log.entries[1].fields());
        log.entries[2].prev_hash = LogHash([5; 32]);
        assert_eq!(check(&log), Err(LogError::BrokenLink { seq: 3 }));
    }

    #[test]
    fn a_log_cut_short_below_a_checkpoint_is_named() {
        let mut log = log(&[2, 5]);
        log.entries.truncate(3);
        assert_eq!(check(&log), Err(LogError::Truncated { seq: 4, checkpoint_seq: 5 }));
    }

    #[test]
    fn a_rewritten_chain_does_not_match_what_the_court_signed() {
        let mut log = log(&[2, 5, 6]);
        log.entries[2].detail_json = r#"{"device":"pc_browser"}"#.into();
        log.entries[2].detail = serde_json::json!({"device": "pc_browser"});
        rechain(&mut log.entries);
        assert_eq!(check(&log), Err(LogError::CheckpointMismatch { seq: 5 }));
    }

    #[test]
    fn a_forged_or_altered_checkpoint_is_named() {
        let mut other_key = log(&[3, 6]);
        other_key.checkpoints[0] = sign(&SigningKey::from_bytes(&[8; 32]), 3, other_key.entries[2].entry_hash, 1);
        assert_eq!(check(&other_key), Err(LogError::ForgedCheckpoint { seq: 3 }));

        let mut later = log(&[3, 6]);
        later.checkpoints[0].signed_at_ms += 1;
        assert_eq!(check(&later), Err(LogError::ForgedCheckpoint { seq: 3 }));

        let mut moved = log(&[3, 6]);
        moved.checkpoints[0].seq = 4;
        moved.checkpoints[0].entry_hash = moved.entries[3].entry_hash;
        assert_eq!(check(&moved), Err(LogError::ForgedCheckpoint { seq: 4 }));

        let mut beyond = log(&[3, 6]);
        beyond.checkpoints.push(sign(&SigningKey::from_bytes(&[8; 32]), 9, LogHash([1; 32]), 1));
        assert_eq!(check(&beyond), Err(LogError::ForgedCheckpoint { seq: 9 }), "not mistaken for a cut");
    }

    #[test]
    fn entries_past_the_last_checkpoint_are_not_vouched_for() {
        let log = log(&[4]);
        assert_eq!(check(&log), Err(LogError::Unsigned { seq: 5 }));
        assert_eq!(check(&HearingLog { checkpoints: vec![], ..log }), Err(LogError::Unsigned { seq: 1 }));
    }

    #[test]
    fn a_log_resealed_with_another_key_is_refused() {
        let mut log = log(&[6]);
        let forger = SigningKey::from_bytes(&[8; 32]);
        log.public_key = CourtKey(forger.verifying_key().to_bytes());
        log.checkpoints = vec![sign(&forger, 6, log.entries[5].entry_hash, 1)];
        assert_eq!(check(&log), Err(LogError::OtherKey));
        assert!(verify(&log, &forger.verifying_key().to_bytes()).is_ok(), "it is the forger's log");
    }

    #[test]
    fn errors_name_the_first_bad_entry() {
        assert_eq!(LogError::Truncated { seq: 4, checkpoint_seq: 5 }.seq(), Some(4));
        assert_eq!(LogError::OtherKey.seq(), None);
        assert_eq!(LogError::Missing { seq: 3 }.to_string(), "entry 3 is missing: it was deleted");
    }
}
