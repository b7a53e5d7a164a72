//! What the live hearing room keeps in the database: the hearing's state and
//! each participant's block and mute.

use cloudtrial_protocol::ParticipantRole;
use cloudtrial_protocol::api::HearingStatus;
use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use super::hearings::parse_role;
use super::staff::invalid_column;

#[derive(Debug, Clone)]
pub struct RoomMember {
    pub id: i64,
    pub name: String,
    pub role: ParticipantRole,
    pub blocked: bool,
    pub muted: bool,
}

pub fn status(conn: &Connection, hearing_id: i64) -> Result<Option<HearingStatus>, StoreError> {
    let status: Option<String> = conn
        .query_row("SELECT status FROM hearings WHERE id = ?1", [hearing_id], |r| r.get(0))
        .optional()?;
    status.map(|s| HearingStatus::parse(&s).ok_or_else(|| invalid_column(0, &s).into())).transpose()
}

pub fn members(conn: &Connection, hearing_id: i64) -> Result<Vec<RoomMember>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, role, blocked, muted FROM participants
         WHERE hearing_id = ?1 AND removed_at_ms IS NULL ORDER BY id",
    )?;
    let rows = stmt
        .query_map([hearing_id], |r| {
            Ok(RoomMember {
                id: r.get(0)?,
                name: r.get(1)?,
                role: parse_role(&r.get::<_, String>(2)?)?,
                blocked: r.get(3)?,
                muted: r.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Moves the hearing from `from` to `to`; `false` if it was no longer in `from`.
pub fn transition(
    conn: &Connection,
    hearing_id: i64,
    from: HearingStatus,
    to: HearingStatus,
    now_ms: i64,
) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "UPDATE hearings SET status = ?3, updated_at_ms = ?4 WHERE id = ?1 AND status = ?2",
        params![hearing_id, from.as_str(), to.as_str(), now_ms],
    )? == 1)
}

pub fn set_blocked(conn: &Connection, participant_id: i64, blocked: bool) -> Result<(), StoreError> {
    conn.execute("UPDATE participants SET blocked = ?2 WHERE id = ?1", params![participant_id, blocked])?;
    Ok(())
}

pub fn set_muted(conn: &Connection, participant_id: i64, muted: bool) -> Result<(), StoreError> {
    conn.execute("UPDATE participants SET muted = ?2 WHERE id = ?1", params![participant_id, muted])?;
    Ok(())
}
