//! The court's signed checkpoints of hearing logs. Never changed or deleted.

use cloudtrial_protocol::hearing_log::{CheckpointSignature, LogCheckpoint, LogHash};
use rusqlite::{Connection, params};

use super::StoreError;

pub fn insert(conn: &Connection, hearing_id: i64, checkpoint: &LogCheckpoint) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO hearing_log_checkpoints (hearing_id, seq, entry_hash, signed_at_ms, signature)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            hearing_id,
            checkpoint.seq,
            checkpoint.entry_hash.0,
            checkpoint.signed_at_ms,
            checkpoint.signature.0
        ],
    )?;
    Ok(())
}

/// The hearing's checkpoints, oldest first. A damaged hash or signature reads
/// as zeros, which never verifies.
pub fn list(conn: &Connection, hearing_id: i64) -> Result<Vec<LogCheckpoint>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT seq, entry_hash, signed_at_ms, signature FROM hearing_log_checkpoints
         WHERE hearing_id = ?1 ORDER BY seq, id",
    )?;
    let rows = stmt
        .query_map([hearing_id], |r| {
            let hash: Vec<u8> = r.get(1)?;
            let signature: Vec<u8> = r.get(3)?;
            Ok(LogCheckpoint {
                seq: r.get(0)?,
                entry_hash: LogHash(hash.try_into().unwrap_or([0; 32])),
                signed_at_ms: r.get(2)?,
                signature: CheckpointSignature(signature.try_into().unwrap_or([0; 64])),
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The highest entry the hearing's checkpoints cover.
pub fn latest_seq(conn: &Connection, hearing_id: i64) -> Result<Option<i64>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT MAX(seq) FROM hearing_log_checkpoints WHERE hearing_id = ?1")?;
    Ok(stmt.query_row([hearing_id], |r| r.get(0))?)
}

/// Hearings whose log has entries past their last checkpoint.
pub fn hearings_past_checkpoint(conn: &Connection) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT e.hearing_id FROM hearing_events e
         GROUP BY e.hearing_id
         HAVING MAX(e.seq) > COALESCE(
             (SELECT MAX(c.seq) FROM hearing_log_checkpoints c WHERE c.hearing_id = e.hearing_id), 0)",
    )?;
    let ids = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(ids)
}
