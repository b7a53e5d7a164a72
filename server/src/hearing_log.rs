//! The court's checkpoints of hearing logs, and a log as it is exported.
//! How entries are chained and checked is `cloudtrial_protocol::hearing_log`.

use cloudtrial_protocol::hearing_log::{self, CheckpointSignature, CourtKey, HearingLog, LogCheckpoint, LogHash};
use rusqlite::Connection;

use crate::record::seal::RecordSeal;
use crate::store::{self, StoreError};

/// Signs the hearing's log up to its last entry, if it grew since its last checkpoint.
pub fn checkpoint(
    conn: &Connection,
    seal: &RecordSeal,
    hearing_id: i64,
    now_ms: i64,
) -> Result<Option<LogCheckpoint>, StoreError> {
    let Some((seq, entry_hash)) = store::events::head(conn, hearing_id)? else { return Ok(None) };
    if store::log_checkpoints::latest_seq(conn, hearing_id)?.is_some_and(|covered| covered >= seq) {
        return Ok(None);
    }
    let checkpoint = sign(seal, hearing_id, seq, entry_hash, now_ms);
    store::log_checkpoints::insert(conn, hearing_id, &checkpoint)?;
    Ok(Some(checkpoint))
}

/// Checkpoints every hearing whose log grew since its last checkpoint. Returns how many.
pub fn checkpoint_all(conn: &mut Connection, seal: &RecordSeal, now_ms: i64) -> Result<usize, StoreError> {
    let tx = conn.transaction()?;
    let hearings = store::log_checkpoints::hearings_past_checkpoint(&tx)?;
    for &hearing_id in &hearings {
        checkpoint(&tx, seal, hearing_id, now_ms)?;
    }
    tx.commit()?;
    Ok(hearings.len())
}

/// The log with every checkpoint, the last one signed now: an export is
/// covered up to its last entry, and says the log ended there when exported.
pub fn export(conn: &Connection, seal: &RecordSeal, hearing_id: i64, now_ms: i64) -> Result<HearingLog, StoreError> {
    let kept = checkpoint(conn, seal, hearing_id, now_ms)?;
    let mut checkpoints = store::log_checkpoints::list(conn, hearing_id)?;
    if kept.is_none()
        && let Some((seq, entry_hash)) = store::events::head(conn, hearing_id)?
    {
        checkpoints.push(sign(seal, hearing_id, seq, entry_hash, now_ms));
    }
    Ok(HearingLog {
        hearing_id,
        public_key: CourtKey(seal.public_key()),
        entries: store::events::list(conn, hearing_id)?,
        checkpoints,
    })
}

fn sign(seal: &RecordSeal, hearing_id: i64, seq: i64, entry_hash: LogHash, signed_at_ms: i64) -> LogCheckpoint {
    let message = hearing_log::checkpoint_message(hearing_id, seq, &entry_hash, signed_at_ms);
    LogCheckpoint { seq, entry_hash, signed_at_ms, signature: CheckpointSignature(seal.sign(&message)) }
}
