//! Evidence, uploads in progress, and opinions.

use cloudtrial_protocol::api::ParticipantSummary;
use cloudtrial_protocol::evidence::{Evidence, EvidenceKind, NewUpload, Opinion, OpinionRequest, Position};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreError;
use super::hearings::parse_role;
use super::staff::invalid_column;

#[derive(Debug, Clone)]
pub struct UploadRow {
    pub id: String,
    pub hearing_id: i64,
    pub participant_id: i64,
    pub length: u64,
    pub sha256: String,
    pub received: u64,
    pub metadata: NewUpload,
    pub updated_at_ms: i64,
    pub evidence_id: Option<i64>,
}

pub fn insert_upload(
    conn: &Connection,
    id: &str,
    hearing_id: i64,
    participant_id: i64,
    new: &NewUpload,
    now_ms: i64,
) -> Result<(), StoreError> {
    let metadata = serde_json::to_string(new).expect("upload metadata serialises");
    conn.execute(
        "INSERT INTO uploads (id, hearing_id, participant_id, length, sha256, metadata, created_at_ms, updated_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![id, hearing_id, participant_id, new.length as i64, new.sha256, metadata, now_ms],
    )?;
    Ok(())
}

fn upload_from_row(row: &Row<'_>) -> rusqlite::Result<UploadRow> {
    let metadata: String = row.get(6)?;
    Ok(UploadRow {
        id: row.get(0)?,
        hearing_id: row.get(1)?,
        participant_id: row.get(2)?,
        length: row.get::<_, i64>(3)? as u64,
        sha256: row.get(4)?,
        received: row.get::<_, i64>(5)? as u64,
        metadata: serde_json::from_str(&metadata).map_err(|_| invalid_column(6, &metadata))?,
        updated_at_ms: row.get(7)?,
        evidence_id: row.get(8)?,
    })
}

const UPLOAD_COLUMNS: &str = "id, hearing_id, participant_id, length, sha256, received, metadata, updated_at_ms, evidence_id";

pub fn upload(conn: &Connection, id: &str) -> Result<Option<UploadRow>, StoreError> {
    Ok(conn
        .query_row(&format!("SELECT {UPLOAD_COLUMNS} FROM uploads WHERE id = ?1"), [id], upload_from_row)
        .optional()?)
}

/// Records that the first `received` bytes are on disk (after they were fsynced).
pub fn set_received(conn: &Connection, id: &str, received: u64, now_ms: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE uploads SET received = ?2, updated_at_ms = ?3 WHERE id = ?1",
        params![id, received as i64, now_ms],
    )?;
    Ok(())
}

pub fn complete_upload(conn: &Connection, id: &str, evidence_id: i64) -> Result<(), StoreError> {
    conn.execute("UPDATE uploads SET evidence_id = ?2 WHERE id = ?1", params![id, evidence_id])?;
    Ok(())
}

pub fn delete_upload(conn: &Connection, id: &str) -> Result<(), StoreError> {
    conn.execute("DELETE FROM uploads WHERE id = ?1", [id])?;
    Ok(())
}

/// Forgets an upload if it is still not completed and untouched since
/// `before_ms` (a chunk or its completion may have come since it was listed
/// as stale); whether it did.
pub fn expire_upload(conn: &Connection, id: &str, before_ms: i64) -> Result<bool, StoreError> {
    let deleted = conn.execute(
        "DELETE FROM uploads WHERE id = ?1 AND evidence_id IS NULL AND updated_at_ms < ?2",
        params![id, before_ms],
    )?;
    Ok(deleted == 1)
}

/// Uploads whose every byte arrived but that did not become evidence (a crash cut their completion short).
pub fn complete_unfinished_uploads(conn: &Connection) -> Result<Vec<UploadRow>, StoreError> {
    let ids: Vec<String> = conn
        .prepare("SELECT id FROM uploads WHERE evidence_id IS NULL AND received = length ORDER BY created_at_ms")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    ids.iter().filter_map(|id| upload(conn, id).transpose()).collect()
}

/// Uploads not completed and untouched since `before_ms`.
pub fn stale_uploads(conn: &Connection, before_ms: i64) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare("SELECT id FROM uploads WHERE evidence_id IS NULL AND updated_at_ms < ?1")?;
    let ids = stmt.query_map([before_ms], |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(ids)
}

/// How many uploads a participant has in progress, and their declared bytes.
pub fn open_uploads_of(conn: &Connection, participant_id: i64) -> Result<(u64, u64), StoreError> {
    Ok(conn.query_row(
        "SELECT COUNT(*), COALESCE(SUM(length), 0) FROM uploads WHERE participant_id = ?1 AND evidence_id IS NULL",
        [participant_id],
        |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
    )?)
}

/// Every upload still in progress (its partial file should exist).
pub fn open_uploads(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare("SELECT id FROM uploads WHERE evidence_id IS NULL")?;
    let ids = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(ids)
}

pub struct StoredFile<'a> {
    pub file_name: &'a str,
    pub media_type: &'a str,
    pub kind: EvidenceKind,
    pub size: u64,
    pub sha256: &'a str,
    pub captured_at: Option<&'a str>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub has_preview: bool,
}

pub fn insert_evidence(
    conn: &Connection,
    public_id: &str,
    upload: &UploadRow,
    file: &StoredFile<'_>,
    now_ms: i64,
) -> Result<i64, StoreError> {
    let m = &upload.metadata;
    conn.execute(
        "INSERT INTO evidence (public_id, hearing_id, participant_id, title, description, purpose, counter, answers,
                               file_name, media_type, kind, size, sha256, captured_at, width, height, has_preview,
                               submitted_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
        params![
            public_id,
            upload.hearing_id,
            upload.participant_id,
            m.title,
            m.description,
            m.purpose,
            m.counter,
            m.answers,
            file.file_name,
            file.media_type,
            file.kind.as_str(),
            file.size as i64,
            file.sha256,
            file.captured_at,
            file.width,
            file.height,
            file.has_preview,
            now_ms
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

const EVIDENCE_COLUMNS: &str = "e.id, e.public_id, e.hearing_id, e.participant_id, p.name, p.role, e.title, e.description,
    e.purpose, e.counter, e.answers, e.file_name, e.media_type, e.kind, e.size, e.sha256, e.captured_at, e.width,
    e.height, e.has_preview, e.submitted_at_ms, e.withdrawn_at_ms, e.original_released_at_ms";

fn evidence_from_row(row: &Row<'_>) -> rusqlite::Result<(i64, Evidence)> {
    let role = parse_role(&row.get::<_, String>(5)?)?;
    let kind: String = row.get(13)?;
    Ok((
        row.get(0)?,
        Evidence {
            id: row.get(1)?,
            hearing_id: row.get(2)?,
            submitter: ParticipantSummary { id: row.get(3)?, name: row.get(4)?, role },
            side: role.side(),
            title: row.get(6)?,
            description: row.get(7)?,
            purpose: row.get(8)?,
            counter: row.get(9)?,
            answers: row.get(10)?,
            file_name: row.get(11)?,
            media_type: row.get(12)?,
            kind: EvidenceKind::parse(&kind).ok_or_else(|| invalid_column(13, &kind))?,
            size: row.get::<_, i64>(14)? as u64,
            sha256: row.get(15)?,
            captured_at: row.get(16)?,
            width: row.get(17)?,
            height: row.get(18)?,
            has_preview: row.get(19)?,
            submitted_at_ms: row.get(20)?,
            withdrawn_at_ms: row.get(21)?,
            original_released: row.get::<_, Option<i64>>(22)?.is_some(),
            opinions: Vec::new(),
        },
    ))
}

fn with_opinions(conn: &Connection, (id, mut evidence): (i64, Evidence)) -> Result<Evidence, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.participant_id, p.name, p.role, o.authenticity, o.legality, o.relevance, o.updated_at_ms
         FROM evidence_opinions o JOIN participants p ON p.id = o.participant_id
         WHERE o.evidence_id = ?1 ORDER BY o.updated_at_ms",
    )?;
    let position = |s: String| serde_json::from_str::<Position>(&s).map_err(|_| invalid_column(3, &s));
    evidence.opinions = stmt
        .query_map([id], |r| {
            let role = parse_role(&r.get::<_, String>(2)?)?;
            Ok(Opinion {
                by: ParticipantSummary { id: r.get(0)?, name: r.get(1)?, role },
                side: role.side(),
                authenticity: position(r.get(3)?)?,
                legality: position(r.get(4)?)?,
                relevance: position(r.get(5)?)?,
                updated_at_ms: r.get(6)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(evidence)
}

pub fn list(conn: &Connection, hearing_id: i64) -> Result<Vec<Evidence>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {EVIDENCE_COLUMNS} FROM evidence e JOIN participants p ON p.id = e.participant_id
         WHERE e.hearing_id = ?1 ORDER BY e.id"
    ))?;
    let rows: Vec<(i64, Evidence)> = stmt.query_map([hearing_id], evidence_from_row)?.collect::<Result<_, _>>()?;
    rows.into_iter().map(|row| with_opinions(conn, row)).collect()
}

/// One piece of evidence by its public id, with its row id.
pub fn by_public_id(conn: &Connection, public_id: &str) -> Result<Option<(i64, Evidence)>, StoreError> {
    let row = conn
        .query_row(
            &format!(
                "SELECT {EVIDENCE_COLUMNS} FROM evidence e JOIN participants p ON p.id = e.participant_id
                 WHERE e.public_id = ?1"
            ),
            [public_id],
            evidence_from_row,
        )
        .optional()?;
    row.map(|(id, e)| Ok((id, with_opinions(conn, (id, e))?))).transpose()
}

pub fn by_row_id(conn: &Connection, id: i64) -> Result<Option<Evidence>, StoreError> {
    let row = conn
        .query_row(
            &format!(
                "SELECT {EVIDENCE_COLUMNS} FROM evidence e JOIN participants p ON p.id = e.participant_id
                 WHERE e.id = ?1"
            ),
            [id],
            evidence_from_row,
        )
        .optional()?;
    row.map(|row| with_opinions(conn, row)).transpose()
}

/// Lets every party download the original; `false` if it already was.
pub fn release_original(conn: &Connection, id: i64, now_ms: i64) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "UPDATE evidence SET original_released_at_ms = ?2 WHERE id = ?1 AND original_released_at_ms IS NULL",
        params![id, now_ms],
    )? == 1)
}

pub fn withdraw(conn: &Connection, id: i64, now_ms: i64) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "UPDATE evidence SET withdrawn_at_ms = ?2 WHERE id = ?1 AND withdrawn_at_ms IS NULL",
        params![id, now_ms],
    )? == 1)
}

pub fn put_opinion(
    conn: &Connection,
    evidence_id: i64,
    participant_id: i64,
    opinion: &OpinionRequest,
    now_ms: i64,
) -> Result<(), StoreError> {
    let json = |p: &Position| serde_json::to_string(p).expect("positions serialise");
    conn.execute(
        "INSERT INTO evidence_opinions (evidence_id, participant_id, authenticity, legality, relevance, updated_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (evidence_id, participant_id) DO UPDATE SET
             authenticity = excluded.authenticity, legality = excluded.legality,
             relevance = excluded.relevance, updated_at_ms = excluded.updated_at_ms",
        params![
            evidence_id,
            participant_id,
            json(&opinion.authenticity),
            json(&opinion.legality),
            json(&opinion.relevance),
            now_ms
        ],
    )?;
    Ok(())
}

/// Whether any stored evidence still refers to this content.
pub fn sha256_in_use(conn: &Connection, sha256: &str) -> Result<bool, StoreError> {
    Ok(conn.query_row("SELECT 1 FROM evidence WHERE sha256 = ?1 LIMIT 1", [sha256], |_| Ok(())).optional()?.is_some())
}

/// Every original's hash, once.
pub fn stored_hashes(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare("SELECT DISTINCT sha256 FROM evidence ORDER BY sha256")?;
    let rows = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The hearings (and their evidence ids) holding this content.
pub fn holders_of(conn: &Connection, sha256: &str) -> Result<Vec<(i64, String)>, StoreError> {
    let mut stmt = conn.prepare("SELECT hearing_id, public_id FROM evidence WHERE sha256 = ?1 ORDER BY id")?;
    let rows = stmt.query_map([sha256], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    Ok(rows)
}
