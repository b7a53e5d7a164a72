use cloudtrial_protocol::ParticipantRole;
use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;

/// Who a session token belongs to, as stored.
#[derive(Debug, Clone)]
pub enum SessionOwner {
    Staff { staff_id: i64 },
    Participant { participant_id: i64, hearing_id: i64 },
}

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub owner: SessionOwner,
    pub expires_at_ms: i64,
    pub revoked: bool,
}

/// `entered_from`: for a room session entered from the console, the console session's token hash (it ends with it).
pub fn insert(
    conn: &Connection,
    token_hash: &[u8],
    owner: &SessionOwner,
    device: Option<&str>,
    entered_from: Option<&[u8]>,
    now_ms: i64,
    expires_at_ms: i64,
) -> Result<(), StoreError> {
    let (kind, staff_id, participant_id, hearing_id) = match *owner {
        SessionOwner::Staff { staff_id } => ("staff", Some(staff_id), None, None),
        SessionOwner::Participant { participant_id, hearing_id } => {
            ("participant", None, Some(participant_id), Some(hearing_id))
        }
    };
    conn.execute(
        "INSERT INTO sessions (token_hash, kind, staff_id, participant_id, hearing_id, device,
                               created_at_ms, expires_at_ms, entered_from)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![token_hash, kind, staff_id, participant_id, hearing_id, device, now_ms, expires_at_ms, entered_from],
    )?;
    Ok(())
}

pub fn find(conn: &Connection, token_hash: &[u8]) -> Result<Option<SessionRow>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT kind, staff_id, participant_id, hearing_id, expires_at_ms, revoked_at_ms
             FROM sessions WHERE token_hash = ?1",
            [token_hash],
            |row| {
                let kind: String = row.get(0)?;
                let owner = if kind == "staff" {
                    SessionOwner::Staff { staff_id: row.get(1)? }
                } else {
                    SessionOwner::Participant { participant_id: row.get(2)?, hearing_id: row.get(3)? }
                };
                Ok(SessionRow {
                    owner,
                    expires_at_ms: row.get(4)?,
                    revoked: row.get::<_, Option<i64>>(5)?.is_some(),
                })
            },
        )
        .optional()?)
}

/// Revokes a session and the room sessions entered from it; the token hashes revoked.
pub fn revoke(conn: &Connection, token_hash: &[u8], now_ms: i64) -> Result<Vec<Vec<u8>>, StoreError> {
    let mut stmt = conn.prepare(
        "UPDATE sessions SET revoked_at_ms = ?2
         WHERE (token_hash = ?1 OR entered_from = ?1) AND revoked_at_ms IS NULL
         RETURNING token_hash",
    )?;
    let revoked = stmt.query_map(params![token_hash, now_ms], |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(revoked)
}

/// Revokes every session of a staff account and the room sessions entered from them; the token hashes revoked.
pub fn revoke_staff(conn: &Connection, staff_id: i64, now_ms: i64) -> Result<Vec<Vec<u8>>, StoreError> {
    let mut stmt = conn.prepare(
        "UPDATE sessions SET revoked_at_ms = ?2
         WHERE revoked_at_ms IS NULL
           AND (staff_id = ?1 OR entered_from IN (SELECT token_hash FROM sessions WHERE staff_id = ?1))
         RETURNING token_hash",
    )?;
    let revoked = stmt.query_map(params![staff_id, now_ms], |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(revoked)
}

/// Revokes every session of a participant (removed from the hearing, or the hearing ended).
pub fn revoke_participant(conn: &Connection, participant_id: i64, now_ms: i64) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "UPDATE sessions SET revoked_at_ms = ?2 WHERE participant_id = ?1 AND revoked_at_ms IS NULL",
        params![participant_id, now_ms],
    )?)
}

/// The role and name behind a participant session, if the participant is still in the hearing.
pub fn participant_identity(
    conn: &Connection,
    participant_id: i64,
) -> Result<Option<(ParticipantRole, String)>, StoreError> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT role, name FROM participants WHERE id = ?1 AND removed_at_ms IS NULL",
            [participant_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    row.map(|(role, name)| {
        let role = super::hearings::parse_role(&role)?;
        Ok((role, name))
    })
    .transpose()
}

pub fn delete_expired(conn: &Connection, before_ms: i64) -> Result<usize, StoreError> {
    Ok(conn.execute("DELETE FROM sessions WHERE expires_at_ms < ?1", [before_ms])?)
}

/// How and when a session was started: its device, and its start time.
pub fn login_of(conn: &Connection, token_hash: &[u8]) -> Result<Option<(Option<String>, i64)>, StoreError> {
    Ok(conn
        .query_row("SELECT device, created_at_ms FROM sessions WHERE token_hash = ?1", [token_hash], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?)
}
