//! Login challenges: one per (meeting number, mobile) pair that asked for a code,
//! whether or not the pair belongs to a participant.

use cloudtrial_protocol::MeetingNumber;
use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;

#[derive(Debug, Clone)]
pub struct Challenge {
    pub participant_id: Option<i64>,
    pub code_hash: Option<Vec<u8>>,
    pub sent_at_ms: i64,
    pub expires_at_ms: i64,
    pub failed_attempts: u32,
    pub locked_until_ms: Option<i64>,
}

pub fn get(conn: &Connection, number: MeetingNumber, mobile: &str) -> Result<Option<Challenge>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT participant_id, code_hash, sent_at_ms, expires_at_ms, failed_attempts, locked_until_ms
             FROM login_challenges WHERE meeting_number = ?1 AND mobile = ?2",
            params![number.to_string(), mobile],
            |r| {
                Ok(Challenge {
                    participant_id: r.get(0)?,
                    code_hash: r.get(1)?,
                    sent_at_ms: r.get(2)?,
                    expires_at_ms: r.get(3)?,
                    failed_attempts: r.get(4)?,
                    locked_until_ms: r.get(5)?,
                })
            },
        )
        .optional()?)
}

/// Starts a fresh challenge for the pair, replacing any earlier one.
pub fn put(
    conn: &Connection,
    number: MeetingNumber,
    mobile: &str,
    participant_id: Option<i64>,
    code_hash: Option<&[u8]>,
    now_ms: i64,
    expires_at_ms: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO login_challenges
             (meeting_number, mobile, participant_id, code_hash, sent_at_ms, expires_at_ms, failed_attempts, locked_until_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, NULL)
         ON CONFLICT (meeting_number, mobile) DO UPDATE SET
             participant_id = excluded.participant_id, code_hash = excluded.code_hash,
             sent_at_ms = excluded.sent_at_ms, expires_at_ms = excluded.expires_at_ms,
             failed_attempts = 0, locked_until_ms = NULL",
        params![number.to_string(), mobile, participant_id, code_hash, now_ms, expires_at_ms],
    )?;
    Ok(())
}

/// Counts a wrong code; locks the pair once `max_attempts` is reached. Returns whether it is now locked.
pub fn record_failure(
    conn: &Connection,
    number: MeetingNumber,
    mobile: &str,
    max_attempts: u32,
    locked_until_ms: i64,
) -> Result<bool, StoreError> {
    let attempts: u32 = conn.query_row(
        "UPDATE login_challenges SET failed_attempts = failed_attempts + 1
         WHERE meeting_number = ?1 AND mobile = ?2 RETURNING failed_attempts",
        params![number.to_string(), mobile],
        |r| r.get(0),
    )?;
    if attempts >= max_attempts {
        conn.execute(
            "UPDATE login_challenges SET locked_until_ms = ?3, code_hash = NULL
             WHERE meeting_number = ?1 AND mobile = ?2",
            params![number.to_string(), mobile, locked_until_ms],
        )?;
        return Ok(true);
    }
    Ok(false)
}

/// A code is good for one login.
pub fn consume(conn: &Connection, number: MeetingNumber, mobile: &str) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM login_challenges WHERE meeting_number = ?1 AND mobile = ?2",
        params![number.to_string(), mobile],
    )?;
    Ok(())
}

/// Forgets challenges that can no longer matter: expired and not locked, or lock elapsed.
pub fn delete_stale(conn: &Connection, now_ms: i64) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "DELETE FROM login_challenges
         WHERE expires_at_ms < ?1 AND (locked_until_ms IS NULL OR locked_until_ms < ?1)",
        [now_ms],
    )?)
}
