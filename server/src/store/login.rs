//! 会议号登录 codes. Each code asked for is a challenge of its own, held by
//! whoever asked (as the hash of a random value only they were given),
//! whether or not the meeting number and mobile belong to a participant.

use cloudtrial_protocol::MeetingNumber;
use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;

#[derive(Debug, Clone)]
pub struct Challenge {
    pub participant_id: Option<i64>,
    /// None for a pair that belongs to nobody, and once the code is burned or used.
    pub code_hash: Option<Vec<u8>>,
    pub sent_at_ms: i64,
    pub expires_at_ms: i64,
    pub failed_attempts: u32,
    pub used: bool,
}

/// Codes asked for one pair since `since_ms` and not used to log in (a login
/// starts its asker afresh, as it always did): from `network`, from every
/// network, and when `network` last asked.
#[derive(Debug, Clone, Copy, Default)]
pub struct Asked {
    pub from_network: u32,
    pub in_all: u32,
    pub first_from_network_ms: Option<i64>,
    pub first_in_all_ms: Option<i64>,
    pub last_from_network_ms: Option<i64>,
}

pub fn asked(conn: &Connection, number: MeetingNumber, mobile: &str, network: &str, since_ms: i64) -> Result<Asked, StoreError> {
    Ok(conn.query_row(
        "SELECT COALESCE(SUM(network = ?3), 0), COUNT(*), MIN(CASE WHEN network = ?3 THEN sent_at_ms END),
                MIN(sent_at_ms), MAX(CASE WHEN network = ?3 THEN sent_at_ms END)
         FROM login_codes WHERE meeting_number = ?1 AND mobile = ?2 AND sent_at_ms > ?4 AND NOT used",
        params![number.to_string(), mobile, network, since_ms],
        |r| {
            Ok(Asked {
                from_network: r.get(0)?,
                in_all: r.get(1)?,
                first_from_network_ms: r.get(2)?,
                first_in_all_ms: r.get(3)?,
                last_from_network_ms: r.get(4)?,
            })
        },
    )?)
}

#[allow(clippy::too_many_arguments)]
pub fn issue(
    conn: &Connection,
    challenge_hash: &[u8],
    number: MeetingNumber,
    mobile: &str,
    network: &str,
    participant_id: Option<i64>,
    code_hash: Option<&[u8]>,
    now_ms: i64,
    expires_at_ms: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO login_codes (challenge_hash, meeting_number, mobile, network, participant_id, code_hash, sent_at_ms, expires_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![challenge_hash, number.to_string(), mobile, network, participant_id, code_hash, now_ms, expires_at_ms],
    )?;
    Ok(())
}

/// The challenge, if it was issued for this pair.
pub fn get(conn: &Connection, challenge_hash: &[u8], number: MeetingNumber, mobile: &str) -> Result<Option<Challenge>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT participant_id, code_hash, sent_at_ms, expires_at_ms, failed_attempts, used
             FROM login_codes WHERE challenge_hash = ?1 AND meeting_number = ?2 AND mobile = ?3",
            params![challenge_hash, number.to_string(), mobile],
            |r| {
                Ok(Challenge {
                    participant_id: r.get(0)?,
                    code_hash: r.get(1)?,
                    sent_at_ms: r.get(2)?,
                    expires_at_ms: r.get(3)?,
                    failed_attempts: r.get(4)?,
                    used: r.get(5)?,
                })
            },
        )
        .optional()?)
}

/// Counts a wrong code against this challenge only; the guess that reaches
/// `max_attempts` burns its code. Returns whether it was burned.
pub fn record_failure(conn: &Connection, challenge_hash: &[u8], max_attempts: u32) -> Result<bool, StoreError> {
    let attempts: u32 = conn.query_row(
        "UPDATE login_codes SET failed_attempts = failed_attempts + 1 WHERE challenge_hash = ?1 RETURNING failed_attempts",
        params![challenge_hash],
        |r| r.get(0),
    )?;
    if attempts >= max_attempts {
        conn.execute("UPDATE login_codes SET code_hash = NULL WHERE challenge_hash = ?1", params![challenge_hash])?;
        return Ok(true);
    }
    Ok(false)
}

/// A code is good for one login.
pub fn consume(conn: &Connection, challenge_hash: &[u8]) -> Result<(), StoreError> {
    conn.execute("UPDATE login_codes SET code_hash = NULL, used = 1 WHERE challenge_hash = ?1", params![challenge_hash])?;
    Ok(())
}

/// The clerk sent the notice again: the party starts afresh.
pub fn reset(conn: &Connection, number: MeetingNumber, mobile: &str) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM login_codes WHERE meeting_number = ?1 AND mobile = ?2",
        params![number.to_string(), mobile],
    )?;
    Ok(())
}

/// Forgets codes that can no longer matter: expired, and their window over.
pub fn delete_stale(conn: &Connection, now_ms: i64, window_ms: i64) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "DELETE FROM login_codes WHERE expires_at_ms < ?1 AND sent_at_ms + ?2 < ?1",
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
