//! The hearing's event log: who did what, when. Append-only.

use cloudtrial_protocol::api::HearingEvent;
use rusqlite::{Connection, params};

use super::StoreError;

/// Who caused an event.
#[derive(Debug, Clone)]
pub enum EventActor {
    Staff { id: i64, name: String },
    Participant { id: i64, name: String },
    System,
}

pub fn append(
    conn: &Connection,
    hearing_id: i64,
    actor: &EventActor,
    action: &str,
    detail: &serde_json::Value,
    now_ms: i64,
) -> Result<i64, StoreError> {
    let (kind, id, name) = match actor {
        EventActor::Staff { id, name } => ("staff", Some(*id), name.as_str()),
        EventActor::Participant { id, name } => ("participant", Some(*id), name.as_str()),
        EventActor::System => ("system", None, "系统"),
    };
    conn.execute(
        "INSERT INTO hearing_events (hearing_id, at_ms, actor_kind, actor_id, actor_name, action, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![hearing_id, now_ms, kind, id, name, action, detail.to_string()],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn list(conn: &Connection, hearing_id: i64) -> Result<Vec<HearingEvent>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, at_ms, actor_kind, actor_id, actor_name, action, detail
         FROM hearing_events WHERE hearing_id = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([hearing_id], |r| {
            let detail: String = r.get(6)?;
            Ok(HearingEvent {
                id: r.get(0)?,
                at_ms: r.get(1)?,
                actor_kind: r.get(2)?,
                actor_id: r.get(3)?,
                actor_name: r.get(4)?,
                action: r.get(5)?,
                detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The participants who have been in the hearing room at least once.
pub fn participants_who_joined(conn: &Connection, hearing_id: i64) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT actor_id FROM hearing_events
         WHERE hearing_id = ?1 AND action = 'participant_joined' AND actor_kind = 'participant'",
    )?;
    let ids = stmt.query_map([hearing_id], |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(ids)
}
