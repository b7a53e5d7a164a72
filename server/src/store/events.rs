//! The hearing's event log: who did what, when. Append-only, and
//! hash-chained per hearing as `cloudtrial_protocol::hearing_log` defines.

use cloudtrial_protocol::api::HearingEvent;
use cloudtrial_protocol::hearing_log::{self, EntryFields, GENESIS, LogHash};
use rusqlite::{Connection, OptionalExtension, params};

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
    let detail = detail.to_string();
    let (seq, prev_hash) = next_link(conn, hearing_id)?;
    let entry = EntryFields {
        seq,
        at_ms: now_ms,
        actor_kind: kind,
        actor_id: id,
        actor_name: name,
        action,
        detail_json: &detail,
    };
    let entry_hash = hearing_log::entry_hash(&prev_hash, hearing_id, &entry);
    conn.execute(
        "INSERT INTO hearing_events
             (hearing_id, at_ms, actor_kind, actor_id, actor_name, action, detail, seq, prev_hash, entry_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![hearing_id, now_ms, kind, id, name, action, detail, seq, prev_hash.0, entry_hash.0],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The seq and previous hash of the hearing's next entry.
fn next_link(conn: &Connection, hearing_id: i64) -> Result<(i64, LogHash), StoreError> {
    let (last, hash) = head(conn, hearing_id)?.unwrap_or((0, GENESIS));
    Ok((last + 1, hash))
}

/// The hearing's last chained entry: its seq and hash.
pub fn head(conn: &Connection, hearing_id: i64) -> Result<Option<(i64, LogHash)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, entry_hash FROM hearing_events
         WHERE hearing_id = ?1 AND seq IS NOT NULL ORDER BY seq DESC LIMIT 1",
    )?;
    Ok(stmt.query_row([hearing_id], |r| Ok((r.get(0)?, stored_hash(r.get(1)?)))).optional()?)
}

/// Chains the entries written before the log was chained, in the order they were stored.
pub fn chain_unchained(conn: &mut Connection) -> Result<usize, StoreError> {
    struct Unchained {
        id: i64,
        hearing_id: i64,
        at_ms: i64,
        actor_kind: String,
        actor_id: Option<i64>,
        actor_name: String,
        action: String,
        detail: String,
    }
    let tx = conn.transaction()?;
    let rows: Vec<Unchained> = tx
        .prepare(
            "SELECT id, hearing_id, at_ms, actor_kind, actor_id, actor_name, action, detail
             FROM hearing_events WHERE seq IS NULL ORDER BY id",
        )?
        .query_map([], |r| {
            Ok(Unchained {
                id: r.get(0)?,
                hearing_id: r.get(1)?,
                at_ms: r.get(2)?,
                actor_kind: r.get(3)?,
                actor_id: r.get(4)?,
                actor_name: r.get(5)?,
                action: r.get(6)?,
                detail: r.get(7)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    for row in &rows {
        let (seq, prev_hash) = next_link(&tx, row.hearing_id)?;
        let entry = EntryFields {
            seq,
            at_ms: row.at_ms,
            actor_kind: &row.actor_kind,
            actor_id: row.actor_id,
            actor_name: &row.actor_name,
            action: &row.action,
            detail_json: &row.detail,
        };
        let entry_hash = hearing_log::entry_hash(&prev_hash, row.hearing_id, &entry);
        tx.execute(
            "UPDATE hearing_events SET seq = ?2, prev_hash = ?3, entry_hash = ?4 WHERE id = ?1",
            params![row.id, seq, prev_hash.0, entry_hash.0],
        )?;
    }
    tx.commit()?;
    Ok(rows.len())
}

/// The hearing's log in the order it was stored, chain fields as they are in
/// the database (a missing or damaged one reads as zeros, which never verifies).
pub fn list(conn: &Connection, hearing_id: i64) -> Result<Vec<HearingEvent>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, seq, at_ms, actor_kind, actor_id, actor_name, action, detail, prev_hash, entry_hash
         FROM hearing_events WHERE hearing_id = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([hearing_id], |r| {
            let detail_json: String = r.get(7)?;
            Ok(HearingEvent {
                id: r.get(0)?,
                seq: r.get::<_, Option<i64>>(1)?.unwrap_or(0),
                at_ms: r.get(2)?,
                actor_kind: r.get(3)?,
                actor_id: r.get(4)?,
                actor_name: r.get(5)?,
                action: r.get(6)?,
                detail: serde_json::from_str(&detail_json).unwrap_or(serde_json::Value::Null),
                detail_json,
                prev_hash: stored_hash(r.get(8)?),
                entry_hash: stored_hash(r.get(9)?),
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

fn stored_hash(value: Option<Vec<u8>>) -> LogHash {
    value.and_then(|bytes| bytes.try_into().ok()).map(LogHash).unwrap_or(GENESIS)
}

/// When the judge first started the hearing (开始).
pub fn started_at(conn: &Connection, hearing_id: i64) -> Result<Option<i64>, StoreError> {
    Ok(conn.query_row(
        "SELECT MIN(at_ms) FROM hearing_events WHERE hearing_id = ?1 AND action = 'hearing_started'",
        [hearing_id],
        |r| r.get(0),
    )?)
}

/// When the judge closed the hearing (闭庭).
pub fn closed_at(conn: &Connection, hearing_id: i64) -> Result<Option<i64>, StoreError> {
    Ok(conn.query_row(
        "SELECT MAX(at_ms) FROM hearing_events WHERE hearing_id = ?1 AND action = 'hearing_closed'",
        [hearing_id],
        |r| r.get(0),
    )?)
}

/// When a notice was last resent to a participant (重发通知).
pub fn notice_resent_at(conn: &Connection, hearing_id: i64, participant_id: i64) -> Result<Option<i64>, StoreError> {
    Ok(conn.query_row(
        "SELECT MAX(at_ms) FROM hearing_events
         WHERE hearing_id = ?1 AND action = 'notice_resent' AND json_extract(detail, '$.participant_id') = ?2",
        [hearing_id, participant_id],
        |r| r.get(0),
    )?)
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

/// Logs the departure of everyone the log still has in a hearing room: after a
/// server was killed (`kill -9`, a power cut), which left no time to log who
/// was connected. Logged when the server starts again, so such a departure
/// lies between the entry before it and its own time. Returns how many.
pub fn log_departures_left_open(conn: &mut Connection, now_ms: i64) -> Result<usize, StoreError> {
    let tx = conn.transaction()?;
    let open: Vec<(i64, i64, String)> = {
        // SQLite takes the bare columns from the row holding MAX(id): each participant's last
        // arrival or departure, kept when it is an arrival.
        let mut stmt = tx.prepare(
            "SELECT hearing_id, actor_id, actor_name, action, MAX(id) FROM hearing_events
             WHERE actor_kind = 'participant' AND action IN ('participant_joined', 'participant_left')
             GROUP BY hearing_id, actor_id
             HAVING action = 'participant_joined'",
        )?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?
    };
    for (hearing_id, id, name) in &open {
        let actor = EventActor::Participant { id: *id, name: name.clone() };
        append(&tx, *hearing_id, &actor, "participant_left", &serde_json::json!({"server_restarted": true}), now_ms)?;
    }
    tx.commit()?;
    Ok(open.len())
}
