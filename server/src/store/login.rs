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
    /// Wrong codes in this window, over all its codes.
    pub failed_attempts: u32,
    /// Set when too many wrong codes burned the current code: until it would have expired.
    pub locked_until_ms: Option<i64>,
    pub codes_in_window: u32,
    pub window_started_ms: i64,
}

pub fn get(conn: &Connection, number: MeetingNumber, mobile: &str) -> Result<Option<Challenge>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT participant_id, code_hash, sent_at_ms, expires_at_ms, failed_attempts, locked_until_ms,
                    codes_in_window, window_started_ms
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
                    codes_in_window: r.get(6)?,
                    window_started_ms: r.get(7)?,
                })
            },
        )
        .optional()?)
}

/// Issues a new code for the pair. Within one window the count of codes and
/// of wrong guesses carries over (a new code does not forgive them); the
/// first code after the window starts both afresh.
#[allow(clippy::too_many_arguments)]
pub fn put(
    conn: &Connection,
    number: MeetingNumber,
    mobile: &str,
    participant_id: Option<i64>,
    code_hash: Option<&[u8]>,
    now_ms: i64,
    expires_at_ms: i64,
    window_ms: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO login_challenges
             (meeting_number, mobile, participant_id, code_hash, sent_at_ms, expires_at_ms, failed_attempts,
              locked_until_ms, codes_in_window, window_started_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, NULL, 1, ?5)
         ON CONFLICT (meeting_number, mobile) DO UPDATE SET
             participant_id = excluded.participant_id, code_hash = excluded.code_hash,
             sent_at_ms = excluded.sent_at_ms, expires_at_ms = excluded.expires_at_ms, locked_until_ms = NULL,
             codes_in_window = CASE WHEN window_started_ms + ?7 <= ?5 THEN 1 ELSE codes_in_window + 1 END,
             failed_attempts = CASE WHEN window_started_ms + ?7 <= ?5 THEN 0 ELSE failed_attempts END,
             window_started_ms = CASE WHEN window_started_ms + ?7 <= ?5 THEN ?5 ELSE window_started_ms END",
        params![number.to_string(), mobile, participant_id, code_hash, now_ms, expires_at_ms, window_ms],
    )?;
    Ok(())
}

/// Counts a wrong code. Each code issued in the window allows `max_attempts`
/// wrong guesses; the guess that uses them up burns the current code (it can
/// no longer log anyone in). Returns whether it was burned.
pub fn record_failure(conn: &Connection, number: MeetingNumber, mobile: &str, max_attempts: u32) -> Result<bool, StoreError> {
    let (attempts, codes): (u32, u32) = conn.query_row(
        "UPDATE login_challenges SET failed_attempts = failed_attempts + 1
         WHERE meeting_number = ?1 AND mobile = ?2 RETURNING failed_attempts, codes_in_window",
        params![number.to_string(), mobile],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if attempts >= max_attempts * codes.max(1) {
        conn.execute(
            "UPDATE login_challenges SET locked_until_ms = expires_at_ms, code_hash = NULL
             WHERE meeting_number = ?1 AND mobile = ?2",
            params![number.to_string(), mobile],
        )?;
        return Ok(true);
    }
    Ok(false)
}

/// The clerk sent the notice again: the party starts afresh.
pub fn reset(conn: &Connection, number: MeetingNumber, mobile: &str) -> Result<(), StoreError> {
    consume(conn, number, mobile)
}

/// A code is good for one login.
pub fn consume(conn: &Connection, number: MeetingNumber, mobile: &str) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM login_challenges WHERE meeting_number = ?1 AND mobile = ?2",
        params![number.to_string(), mobile],
    )?;
    Ok(())
}

/// Forgets challenges that can no longer matter: expired, and their window over.
pub fn delete_stale(conn: &Connection, now_ms: i64, window_ms: i64) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "DELETE FROM login_challenges WHERE expires_at_ms < ?1 AND window_started_ms + ?2 < ?1",
        params![now_ms, window_ms],
    )?)
}

/// A staff username's failed password logins, and until when it is locked.
pub fn staff_lock(conn: &Connection, username: &str) -> Result<Option<(u32, Option<i64>)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT failures, locked_until_ms FROM staff_login_failures WHERE username = ?1",
            [username],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Counts a wrong password for a username (whether or not it exists); every
/// `max_failures`-th locks it until `locked_until_ms`. Returns whether it is now locked.
pub fn record_staff_failure(
    conn: &Connection,
    username: &str,
    max_failures: u32,
    now_ms: i64,
    locked_until_ms: i64,
) -> Result<bool, StoreError> {
    let failures: u32 = conn.query_row(
        "INSERT INTO staff_login_failures (username, failures, last_failure_ms) VALUES (?1, 1, ?2)
         ON CONFLICT (username) DO UPDATE SET failures = failures + 1, last_failure_ms = ?2
         RETURNING failures",
        params![username, now_ms],
        |r| r.get(0),
    )?;
    if failures.is_multiple_of(max_failures.max(1)) {
        conn.execute(
            "UPDATE staff_login_failures SET locked_until_ms = ?2 WHERE username = ?1",
            params![username, locked_until_ms],
        )?;
        return Ok(true);
    }
    Ok(false)
}

/// A successful login, or an administrator's unlock, clears the count.
pub fn clear_staff_failures(conn: &Connection, username: &str) -> Result<bool, StoreError> {
    Ok(conn.execute("DELETE FROM staff_login_failures WHERE username = ?1", [username])? == 1)
}

/// Usernames with failed logins, for administrators.
pub fn staff_locks(conn: &Connection) -> Result<Vec<(String, u32, Option<i64>)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT username, failures, locked_until_ms FROM staff_login_failures ORDER BY last_failure_ms DESC LIMIT 200",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
    Ok(rows)
}
