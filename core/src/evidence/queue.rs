//! The upload queue in the local database: it outlives the app.

use rusqlite::{Connection, Row, params};
use serde::{Deserialize, Serialize};

use super::inspect::Inspected;
use crate::protocol::evidence::checked_texts;
use crate::protocol::text::visible;
use crate::error::{Error, Result};

/// Where an upload is, in the court's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadState {
    /// 排队中
    Queued,
    /// 上传中
    Uploading,
    /// 已暂停 (by the user, or waiting for the network)
    Paused,
    /// 已提交
    Submitted,
    /// 失败
    Failed,
}

impl UploadState {
    pub fn label(self) -> &'static str {
        match self {
            Self::Queued => "排队中",
            Self::Uploading => "上传中",
            Self::Paused => "已暂停",
            Self::Submitted => "已提交",
            Self::Failed => "失败",
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Uploading => "uploading",
            Self::Paused => "paused",
            Self::Submitted => "submitted",
            Self::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "uploading" => Self::Uploading,
            "paused" => Self::Paused,
            "submitted" => Self::Submitted,
            "failed" => Self::Failed,
            _ => Self::Queued,
        }
    }
}

/// What the party says about the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceDetails {
    pub title: String,
    pub description: String,
    /// 证明目的
    pub purpose: String,
    /// 反证
    pub counter: bool,
    /// The evidence this answers, for counter-evidence.
    pub answers: Option<String>,
}

impl EvidenceDetails {
    /// The server's rule for these texts (证据名称 and 证明目的 are required), held
    /// by what they show: the apps ask it before the form closes, and an
    /// upload is refused without it.
    pub fn check(&self) -> Result<()> {
        self.clone().checked().map(|_| ())
    }

    /// The details as submitted: the texts without the characters nobody
    /// sees (a party pasting from a chat cannot find them to delete, so what
    /// is submitted is what shows), held to [`Self::check`]'s rule.
    pub fn checked(self) -> Result<Self> {
        let shown = Self {
            title: visible(&self.title),
            description: visible(&self.description),
            purpose: visible(&self.purpose),
            ..self
        };
        checked_texts(&shown.title, &shown.purpose, &shown.description).map_err(Error::InvalidInput)?;
        Ok(shown)
    }
}

#[derive(Debug, Clone)]
pub struct QueuedUpload {
    pub id: i64,
    pub hearing_id: i64,
    pub copy_path: String,
    pub file_name: String,
    pub length: u64,
    pub sha256: String,
    pub media_type: String,
    pub details: EvidenceDetails,
    pub server_upload_id: Option<String>,
    /// Bytes the server has confirmed.
    pub sent: u64,
    pub state: UploadState,
    pub error: Option<String>,
    pub evidence_id: Option<String>,
    /// Paused by the user: not resumed until they say so.
    pub held: bool,
}

const COLUMNS: &str = "id, hearing_id, copy_path, file_name, length, sha256, media_type, metadata, server_upload_id, sent, \
                       state, error, evidence_id, held";

fn from_row(row: &Row<'_>) -> rusqlite::Result<QueuedUpload> {
    let details: String = row.get(7)?;
    Ok(QueuedUpload {
        id: row.get(0)?,
        hearing_id: row.get(1)?,
        copy_path: row.get(2)?,
        file_name: row.get(3)?,
        length: row.get::<_, i64>(4)? as u64,
        sha256: row.get(5)?,
        media_type: row.get(6)?,
        details: serde_json::from_str(&details).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(7, rusqlite::types::Type::Text, Box::new(e))
        })?,
        server_upload_id: row.get(8)?,
        sent: row.get::<_, i64>(9)? as u64,
        state: UploadState::parse(&row.get::<_, String>(10)?),
        error: row.get(11)?,
        evidence_id: row.get(12)?,
        held: row.get(13)?,
    })
}

/// The id a new row gets; take it and insert under one lock of the connection.
pub fn next_id(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT coalesce(max(id), 0) + 1 FROM upload_queue", [], |r| r.get(0))?)
}

pub struct NewQueued<'a> {
    pub id: i64,
    pub base_url: &'a str,
    pub hearing_id: i64,
    pub participant_id: i64,
    pub copy_path: &'a str,
    pub file_name: &'a str,
    pub inspected: &'a Inspected,
    pub details: &'a EvidenceDetails,
}

pub fn insert(conn: &Connection, new: &NewQueued<'_>, now_ms: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO upload_queue (id, base_url, hearing_id, copy_path, file_name, length, sha256, media_type, kind,
                                   metadata, state, created_at_ms, participant_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'queued', ?11, ?12)",
        params![
            new.id,
            new.base_url,
            new.hearing_id,
            new.copy_path,
            new.file_name,
            new.inspected.length as i64,
            new.inspected.sha256,
            new.inspected.media_type,
            new.inspected.kind.as_str(),
            serde_json::to_string(new.details).expect("details serialise"),
            now_ms,
            new.participant_id
        ],
    )?;
    Ok(())
}

/// This participant's uploads to this server's hearing, oldest first. (Rows
/// queued before the queue recorded whose they were count as anyone's.)
pub fn all(conn: &Connection, base_url: &str, hearing_id: i64, participant_id: i64) -> Result<Vec<QueuedUpload>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM upload_queue
         WHERE base_url = ?1 AND hearing_id = ?2 AND (participant_id = ?3 OR participant_id IS NULL) ORDER BY id"
    ))?;
    let rows =
        stmt.query_map(params![base_url, hearing_id, participant_id], from_row)?.collect::<std::result::Result<_, _>>()?;
    Ok(rows)
}

pub fn set_server_upload(conn: &Connection, id: i64, server_upload_id: Option<&str>) -> Result<()> {
    conn.execute(
        "UPDATE upload_queue SET server_upload_id = ?2, sent = 0 WHERE id = ?1",
        params![id, server_upload_id],
    )?;
    Ok(())
}

pub fn set_sent(conn: &Connection, id: i64, sent: u64) -> Result<()> {
    conn.execute("UPDATE upload_queue SET sent = ?2 WHERE id = ?1", params![id, sent as i64])?;
    Ok(())
}

pub fn set_state(conn: &Connection, id: i64, state: UploadState, error: Option<&str>) -> Result<()> {
    conn.execute("UPDATE upload_queue SET state = ?2, error = ?3 WHERE id = ?1", params![id, state.as_str(), error])?;
    Ok(())
}

/// Whether the party has paused the upload.
pub fn is_held(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.query_row("SELECT held FROM upload_queue WHERE id = ?1", [id], |r| r.get(0))?)
}

pub fn set_submitted(conn: &Connection, id: i64, evidence_id: &str, length: u64) -> Result<()> {
    conn.execute(
        "UPDATE upload_queue SET state = 'submitted', error = NULL, evidence_id = ?2, sent = ?3, held = 0 WHERE id = ?1",
        params![id, evidence_id, length as i64],
    )?;
    Ok(())
}

pub fn set_held(conn: &Connection, id: i64, held: bool) -> Result<()> {
    let state = if held { "paused" } else { "queued" };
    conn.execute(
        "UPDATE upload_queue SET held = ?2, state = ?3, error = NULL WHERE id = ?1 AND state NOT IN ('submitted')",
        params![id, held, state],
    )?;
    Ok(())
}
