use cloudtrial_protocol::api::{SmsKind, SmsRecord, SmsStatus};
use rusqlite::{Connection, Row, params};

use super::StoreError;
use super::staff::invalid_column;

pub struct NewSms<'a> {
    pub mobile: &'a str,
    pub text: &'a str,
    pub kind: SmsKind,
    pub hearing_id: Option<i64>,
    pub participant_id: Option<i64>,
    pub gateway: &'a str,
}

pub fn insert(conn: &Connection, sms: &NewSms<'_>, now_ms: i64) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO sms_messages (mobile, text, kind, hearing_id, participant_id, gateway, status, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7)",
        params![sms.mobile, sms.text, sms.kind.as_str(), sms.hearing_id, sms.participant_id, sms.gateway, now_ms],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn set_status(conn: &Connection, id: i64, status: SmsStatus, error: Option<&str>) -> Result<(), StoreError> {
    let status = match status {
        SmsStatus::Queued => "queued",
        SmsStatus::Sent => "sent",
        SmsStatus::Failed => "failed",
    };
    conn.execute("UPDATE sms_messages SET status = ?2, error = ?3 WHERE id = ?1", params![id, status, error])?;
    Ok(())
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<SmsRecord> {
    let kind: String = row.get(3)?;
    let status: String = row.get(7)?;
    Ok(SmsRecord {
        id: row.get(0)?,
        mobile: row.get(1)?,
        text: row.get(2)?,
        kind: SmsKind::parse(&kind).ok_or_else(|| invalid_column(3, &kind))?,
        hearing_id: row.get(4)?,
        participant_id: row.get(5)?,
        gateway: row.get(6)?,
        status: match status.as_str() {
            "queued" => SmsStatus::Queued,
            "sent" => SmsStatus::Sent,
            "failed" => SmsStatus::Failed,
            other => return Err(invalid_column(7, other)),
        },
        error: row.get(8)?,
        created_at_ms: row.get(9)?,
    })
}

/// Messages, newest first, optionally for one hearing and/or one mobile number.
pub fn list(conn: &Connection, hearing_id: Option<i64>, mobile: Option<&str>) -> Result<Vec<SmsRecord>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, mobile, text, kind, hearing_id, participant_id, gateway, status, error, created_at_ms
         FROM sms_messages
         WHERE (?1 IS NULL OR hearing_id = ?1) AND (?2 IS NULL OR mobile = ?2)
         ORDER BY id DESC LIMIT 1000",
    )?;
    let rows = stmt.query_map(params![hearing_id, mobile], from_row)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Messages stored but not yet handed to the gateway (e.g. the server stopped first).
pub fn queued(conn: &Connection) -> Result<Vec<SmsRecord>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, mobile, text, kind, hearing_id, participant_id, gateway, status, error, created_at_ms
         FROM sms_messages WHERE status = 'queued' ORDER BY id",
    )?;
    let rows = stmt.query_map([], from_row)?.collect::<Result<_, _>>()?;
    Ok(rows)
}
