//! Recognised speech: the finished sentences of each hearing.

use cloudtrial_protocol::api::ParticipantSummary;
use cloudtrial_protocol::signalling::Utterance;
use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use super::hearings::parse_role;

pub fn insert(conn: &Connection, hearing_id: i64, line: &Utterance, engine: &str, now_ms: i64) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO recognized_speech
             (hearing_id, participant_id, segment, start_ms, end_ms, text, confidence, engine, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            hearing_id,
            line.speaker.id,
            line.segment as i64,
            line.start_ms,
            line.end_ms,
            line.text,
            line.confidence.unwrap_or(0.0),
            engine,
            now_ms
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Every finished sentence of a hearing, in the order they were recognised.
pub fn list(conn: &Connection, hearing_id: i64) -> Result<Vec<Utterance>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.segment, s.participant_id, p.name, p.role, s.start_ms, s.end_ms, s.text, s.confidence
         FROM recognized_speech s JOIN participants p ON p.id = s.participant_id
         WHERE s.hearing_id = ?1 ORDER BY s.id",
    )?;
    let rows = stmt
        .query_map([hearing_id], |r| {
            Ok(Utterance {
                segment: r.get::<_, i64>(0)? as u64,
                speaker: ParticipantSummary { id: r.get(1)?, name: r.get(2)?, role: parse_role(&r.get::<_, String>(3)?)? },
                start_ms: r.get(4)?,
                end_ms: r.get(5)?,
                text: r.get(6)?,
                confidence: Some(r.get::<_, f64>(7)? as f32),
                is_final: true,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The finished sentences a participant may read: all but those spoken while
/// the judge kept them out (屏蔽), so a witness called in later does not read
/// the testimony they were kept from hearing.
pub fn list_for(conn: &Connection, hearing_id: i64, participant_id: i64) -> Result<Vec<Utterance>, StoreError> {
    let all = list(conn, hearing_id)?;
    let kept_out = kept_out(conn, hearing_id, participant_id)?;
    if kept_out.is_empty() {
        return Ok(all);
    }
    let Some(started) = super::events::started_at(conn, hearing_id)? else { return Ok(all) };
    let heard = |u: &Utterance| kept_out.iter().all(|&(from, to)| started + u.end_ms < from || started + u.start_ms >= to);
    Ok(all.into_iter().filter(heard).collect())
}

/// When the judge blocked the participant and, if they did, summoned them again.
fn kept_out(conn: &Connection, hearing_id: i64, participant_id: i64) -> Result<Vec<(i64, i64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT action, at_ms FROM hearing_events
         WHERE hearing_id = ?1 AND action IN ('participant_blocked', 'participant_summoned')
           AND json_extract(detail, '$.target.participant_id') = ?2
         ORDER BY id",
    )?;
    let mut intervals: Vec<(i64, i64)> = Vec::new();
    let rows = stmt.query_map(params![hearing_id, participant_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        match row? {
            (action, at) if action == "participant_blocked" => intervals.push((at, i64::MAX)),
            (_, at) => {
                if let Some(open) = intervals.last_mut().filter(|(_, to)| *to == i64::MAX) {
                    open.1 = at;
                }
            }
        }
    }
    Ok(intervals)
}

pub fn speaker(conn: &Connection, participant_id: i64) -> Result<Option<ParticipantSummary>, StoreError> {
    Ok(conn
        .query_row("SELECT id, name, role FROM participants WHERE id = ?1", [participant_id], |r| {
            Ok(ParticipantSummary { id: r.get(0)?, name: r.get(1)?, role: parse_role(&r.get::<_, String>(2)?)? })
        })
        .optional()?)
}
