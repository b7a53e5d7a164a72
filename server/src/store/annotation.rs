//! 圈注 in the database: the judge's permissions (one row per 申请圈注, from
//! request to its end) and the marks drawn over evidence files.

use cloudtrial_protocol::annotation::{Mark, MarkColour, Shape};
use cloudtrial_protocol::api::ParticipantSummary;
use rusqlite::{Connection, params};

use super::StoreError;
use super::hearings::parse_role;
use super::staff::invalid_column;

/// A request or permission that has not ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenPermission {
    pub id: i64,
    pub participant_id: i64,
    /// The evidence the request named.
    pub evidence_id: Option<String>,
    /// Approved (通过); otherwise still waiting for the judge.
    pub allowed: bool,
}

/// How a permission (or a request) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Refused,
    Withdrawn,
    /// 休庭, 闭庭 or a block ended it.
    Ended(&'static str),
}

impl Ending {
    /// Why, in the hearing log's words.
    pub fn reason(self) -> &'static str {
        match self {
            Ending::Refused => "refused",
            Ending::Withdrawn => "withdrawn",
            Ending::Ended(because) => because,
        }
    }
}

/// Requests and permissions still open, in a hearing.
pub fn open_permissions(conn: &Connection, hearing_id: i64) -> Result<Vec<OpenPermission>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, participant_id, evidence_id, state FROM annotation_permissions
         WHERE hearing_id = ?1 AND state IN ('requested', 'allowed') ORDER BY id",
    )?;
    let rows = stmt
        .query_map([hearing_id], |r| {
            Ok(OpenPermission {
                id: r.get(0)?,
                participant_id: r.get(1)?,
                evidence_id: r.get(2)?,
                allowed: r.get::<_, String>(3)? == "allowed",
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

pub fn request(
    conn: &Connection,
    hearing_id: i64,
    participant_id: i64,
    evidence_id: Option<&str>,
    now_ms: i64,
) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO annotation_permissions (hearing_id, participant_id, evidence_id, requested_at_ms, state)
         VALUES (?1, ?2, ?3, ?4, 'requested')",
        params![hearing_id, participant_id, evidence_id, now_ms],
    )?;
    Ok(conn.last_insert_rowid())
}

/// 通过: a waiting request becomes a permission. False if it was no longer waiting.
pub fn allow(conn: &Connection, id: i64, judge_id: i64, now_ms: i64) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "UPDATE annotation_permissions SET state = 'allowed', decided_by = ?2, decided_at_ms = ?3
         WHERE id = ?1 AND state = 'requested'",
        params![id, judge_id, now_ms],
    )? == 1)
}

/// Ends an open request or permission. False if it had already ended.
pub fn end(conn: &Connection, id: i64, ending: Ending, by: Option<i64>, now_ms: i64) -> Result<bool, StoreError> {
    let (state, because) = match ending {
        Ending::Ended(because) => ("ended", Some(because)),
        Ending::Refused | Ending::Withdrawn => (ending.reason(), None),
    };
    Ok(conn.execute(
        "UPDATE annotation_permissions
         SET state = ?2, ended_because = ?3, ended_at_ms = ?4,
             decided_by = COALESCE(decided_by, ?5), decided_at_ms = COALESCE(decided_at_ms, ?4)
         WHERE id = ?1 AND state IN ('requested', 'allowed')",
        params![id, state, because, now_ms, by],
    )? == 1)
}

/// Commits a mark (its `id` is ignored: the row's id is returned); the
/// evidence row and its file's hash were checked by the caller.
pub fn insert_mark(conn: &Connection, hearing_id: i64, evidence_row: i64, mark: &Mark) -> Result<i64, StoreError> {
    let shape = serde_json::to_string(&mark.shape).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    conn.execute(
        "INSERT INTO evidence_marks
             (hearing_id, evidence_id, evidence_sha256, page, colour, shape, author_id, permission_id, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            hearing_id,
            evidence_row,
            mark.evidence_sha256,
            mark.page,
            mark.colour.as_str(),
            shape,
            mark.author.id,
            mark.permission_id,
            mark.created_at_ms
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Takes a mark away (it stays in the table). False if it was already gone.
pub fn remove_mark(conn: &Connection, hearing_id: i64, mark_id: i64, by: i64, now_ms: i64) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "UPDATE evidence_marks SET removed_at_ms = ?3, removed_by = ?4
         WHERE id = ?1 AND hearing_id = ?2 AND removed_at_ms IS NULL",
        params![mark_id, hearing_id, now_ms, by],
    )? == 1)
}

const MARK_COLUMNS: &str = "m.id, e.public_id, m.evidence_sha256, m.page, m.colour, m.shape,
     p.id, p.name, p.role, m.permission_id, m.created_at_ms
     FROM evidence_marks m JOIN evidence e ON e.id = m.evidence_id JOIN participants p ON p.id = m.author_id";

fn mark_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Mark> {
    let colour: String = r.get(4)?;
    let shape: String = r.get(5)?;
    Ok(Mark {
        id: r.get(0)?,
        evidence_id: r.get(1)?,
        evidence_sha256: r.get(2)?,
        page: r.get(3)?,
        colour: MarkColour::parse(&colour).ok_or_else(|| invalid_column(4, &colour))?,
        shape: serde_json::from_str::<Shape>(&shape).map_err(|_| invalid_column(5, &shape))?,
        author: ParticipantSummary { id: r.get(6)?, name: r.get(7)?, role: parse_role(&r.get::<_, String>(8)?)? },
        permission_id: r.get(9)?,
        created_at_ms: r.get(10)?,
    })
}

/// The marks of a hearing that have not been taken away, in the server's order.
pub fn current_marks(conn: &Connection, hearing_id: i64) -> Result<Vec<Mark>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {MARK_COLUMNS} WHERE m.hearing_id = ?1 AND m.removed_at_ms IS NULL ORDER BY m.id"
    ))?;
    let rows = stmt.query_map([hearing_id], mark_row)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The current marks on one page of one evidence item.
pub fn marks_on(conn: &Connection, evidence_row: i64, page: u32) -> Result<Vec<Mark>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {MARK_COLUMNS} WHERE m.evidence_id = ?1 AND m.page = ?2 AND m.removed_at_ms IS NULL ORDER BY m.id"
    ))?;
    let rows = stmt.query_map(params![evidence_row, page], mark_row)?.collect::<Result<_, _>>()?;
    Ok(rows)
}
