//! The court record's tables: versions, signing rounds and their signers,
//! signatures, QR signing tokens, and the signed PDFs handed out.

use cloudtrial_protocol::api::ParticipantSummary;
use cloudtrial_protocol::record::{
    RecordContent, RecordVersion, RecordVersionSummary, SignatureInfo, SignaturePayload, SignerLogin,
};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreError;
use super::hearings::parse_role;
use super::staff::invalid_column;

fn version_from_row(row: &Row<'_>) -> rusqlite::Result<(i64, RecordVersion)> {
    let content: String = row.get(3)?;
    let content: RecordContent = serde_json::from_str(&content).map_err(|_| invalid_column(3, "record content"))?;
    Ok((
        row.get(0)?,
        RecordVersion {
            hearing_id: row.get(1)?,
            version: row.get(2)?,
            content,
            sha256: row.get(4)?,
            saved_by: row.get(5)?,
            saved_at_ms: row.get(6)?,
        },
    ))
}

const VERSION_COLUMNS: &str = "id, hearing_id, version, content, sha256, saved_by, saved_at_ms";

/// The latest version and its row id.
pub fn latest(conn: &Connection, hearing_id: i64) -> Result<Option<(i64, RecordVersion)>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {VERSION_COLUMNS} FROM record_versions WHERE hearing_id = ?1 ORDER BY version DESC LIMIT 1"),
            [hearing_id],
            version_from_row,
        )
        .optional()?)
}

pub fn version(conn: &Connection, hearing_id: i64, version: u32) -> Result<Option<(i64, RecordVersion)>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {VERSION_COLUMNS} FROM record_versions WHERE hearing_id = ?1 AND version = ?2"),
            params![hearing_id, version],
            version_from_row,
        )
        .optional()?)
}

pub fn version_by_id(conn: &Connection, id: i64) -> Result<Option<RecordVersion>, StoreError> {
    Ok(conn
        .query_row(&format!("SELECT {VERSION_COLUMNS} FROM record_versions WHERE id = ?1"), [id], version_from_row)
        .optional()?
        .map(|(_, v)| v))
}

pub fn version_by_hash(conn: &Connection, sha256: &str) -> Result<Option<(i64, RecordVersion)>, StoreError> {
    Ok(conn
        .query_row(&format!("SELECT {VERSION_COLUMNS} FROM record_versions WHERE sha256 = ?1"), [sha256], version_from_row)
        .optional()?)
}

/// Versions after `after`, oldest first.
pub fn versions_after(conn: &Connection, hearing_id: i64, after: u32) -> Result<Vec<RecordVersion>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {VERSION_COLUMNS} FROM record_versions WHERE hearing_id = ?1 AND version > ?2 ORDER BY version"
    ))?;
    let rows = stmt.query_map(params![hearing_id, after], version_from_row)?;
    Ok(rows.map(|r| r.map(|(_, v)| v)).collect::<Result<_, _>>()?)
}

pub fn history(conn: &Connection, hearing_id: i64) -> Result<Vec<RecordVersionSummary>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT version, sha256, saved_by, saved_at_ms FROM record_versions WHERE hearing_id = ?1 ORDER BY version",
    )?;
    let rows = stmt.query_map([hearing_id], |r| {
        Ok(RecordVersionSummary { version: r.get(0)?, sha256: r.get(1)?, saved_by: r.get(2)?, saved_at_ms: r.get(3)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Stores a new version; returns its row id.
pub fn insert_version(conn: &Connection, version: &RecordVersion) -> Result<i64, StoreError> {
    let content = serde_json::to_string(&version.content).expect("record content always serialises");
    conn.execute(
        "INSERT INTO record_versions (hearing_id, version, content, sha256, saved_by, saved_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![version.hearing_id, version.version, content, version.sha256, version.saved_by, version.saved_at_ms],
    )?;
    Ok(conn.last_insert_rowid())
}

// ---------------------------------------------------------------- signing rounds

#[derive(Debug, Clone)]
pub struct RoundRow {
    pub id: i64,
    pub hearing_id: i64,
    pub version_id: i64,
    pub started_by: String,
    pub started_at_ms: i64,
    pub superseded_at_ms: Option<i64>,
}

fn round_from_row(row: &Row<'_>) -> rusqlite::Result<RoundRow> {
    Ok(RoundRow {
        id: row.get(0)?,
        hearing_id: row.get(1)?,
        version_id: row.get(2)?,
        started_by: row.get(3)?,
        started_at_ms: row.get(4)?,
        superseded_at_ms: row.get(5)?,
    })
}

const ROUND_COLUMNS: &str = "id, hearing_id, version_id, started_by, started_at_ms, superseded_at_ms";

/// The hearing's most recent signing round.
pub fn latest_round(conn: &Connection, hearing_id: i64) -> Result<Option<RoundRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {ROUND_COLUMNS} FROM signing_rounds WHERE hearing_id = ?1 ORDER BY id DESC LIMIT 1"),
            [hearing_id],
            round_from_row,
        )
        .optional()?)
}

pub fn round(conn: &Connection, id: i64) -> Result<Option<RoundRow>, StoreError> {
    Ok(conn
        .query_row(&format!("SELECT {ROUND_COLUMNS} FROM signing_rounds WHERE id = ?1"), [id], round_from_row)
        .optional()?)
}

pub fn rounds_of_version(conn: &Connection, version_id: i64) -> Result<Vec<RoundRow>, StoreError> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {ROUND_COLUMNS} FROM signing_rounds WHERE version_id = ?1 ORDER BY id"))?;
    let rows = stmt.query_map([version_id], round_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn insert_round(
    conn: &Connection,
    hearing_id: i64,
    version_id: i64,
    started_by: &str,
    signers: &[i64],
    now_ms: i64,
) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO signing_rounds (hearing_id, version_id, started_by, started_at_ms) VALUES (?1, ?2, ?3, ?4)",
        params![hearing_id, version_id, started_by, now_ms],
    )?;
    let round_id = conn.last_insert_rowid();
    let mut stmt = conn.prepare_cached("INSERT INTO signing_signers (round_id, participant_id) VALUES (?1, ?2)")?;
    for participant_id in signers {
        stmt.execute(params![round_id, participant_id])?;
    }
    Ok(round_id)
}

/// Closes every open round of the hearing; returns the rounds closed.
pub fn supersede_open_rounds(conn: &Connection, hearing_id: i64, now_ms: i64) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "UPDATE signing_rounds SET superseded_at_ms = ?2 WHERE hearing_id = ?1 AND superseded_at_ms IS NULL RETURNING id",
    )?;
    let ids = stmt.query_map(params![hearing_id, now_ms], |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(ids)
}

/// Who must sign the round, as they are named now (removed participants included).
pub fn signers(conn: &Connection, round_id: i64) -> Result<Vec<ParticipantSummary>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.name, p.role FROM signing_signers s JOIN participants p ON p.id = s.participant_id
         WHERE s.round_id = ?1 ORDER BY p.id",
    )?;
    let rows = stmt.query_map([round_id], |r| {
        Ok(ParticipantSummary { id: r.get(0)?, name: r.get(1)?, role: parse_role(&r.get::<_, String>(2)?)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn is_signer(conn: &Connection, round_id: i64, participant_id: i64) -> Result<bool, StoreError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM signing_signers WHERE round_id = ?1 AND participant_id = ?2",
            params![round_id, participant_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

// ---------------------------------------------------------------- signatures

/// A stored signature: the image, the exact signed payload and the server's signature.
#[derive(Debug, Clone)]
pub struct SignatureRow {
    pub id: i64,
    pub round_id: i64,
    pub image_png: Vec<u8>,
    pub payload: String,
    pub server_signature: Vec<u8>,
}

impl SignatureRow {
    /// The signature as clients see it, read from the payload the server signed.
    pub fn info(&self) -> Result<SignatureInfo, StoreError> {
        Ok(info(self.id, self.round_id, &self.payload)?)
    }
}

fn info(id: i64, round_id: i64, payload: &str) -> rusqlite::Result<SignatureInfo> {
    let payload: SignaturePayload = serde_json::from_str(payload).map_err(|_| invalid_column(2, "signature payload"))?;
    Ok(payload.info(id, round_id))
}

/// A signature without its image, for lists and views.
fn info_from_row(row: &Row<'_>) -> rusqlite::Result<SignatureInfo> {
    info(row.get(0)?, row.get(1)?, &row.get::<_, String>(2)?)
}

const INFO_COLUMNS: &str = "id, round_id, payload";

/// The round's signatures, without their images.
pub fn signature_infos(conn: &Connection, round_id: i64) -> Result<Vec<SignatureInfo>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {INFO_COLUMNS} FROM signatures WHERE round_id = ?1 ORDER BY id"))?;
    let rows = stmt.query_map([round_id], info_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn signature_from_row(row: &Row<'_>) -> rusqlite::Result<SignatureRow> {
    Ok(SignatureRow {
        id: row.get(0)?,
        round_id: row.get(1)?,
        image_png: row.get(2)?,
        payload: row.get(3)?,
        server_signature: row.get(4)?,
    })
}

const SIGNATURE_COLUMNS: &str = "id, round_id, image_png, payload, server_signature";

pub fn signatures_of_round(conn: &Connection, round_id: i64) -> Result<Vec<SignatureRow>, StoreError> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {SIGNATURE_COLUMNS} FROM signatures WHERE round_id = ?1 ORDER BY id"))?;
    let rows = stmt.query_map([round_id], signature_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn signature(conn: &Connection, id: i64) -> Result<Option<SignatureRow>, StoreError> {
    Ok(conn
        .query_row(&format!("SELECT {SIGNATURE_COLUMNS} FROM signatures WHERE id = ?1"), [id], signature_from_row)
        .optional()?)
}

/// The participant's most recent signature, without its image.
pub fn latest_signature_of(conn: &Connection, participant_id: i64) -> Result<Option<SignatureInfo>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {INFO_COLUMNS} FROM signatures WHERE participant_id = ?1 ORDER BY id DESC LIMIT 1"),
            [participant_id],
            info_from_row,
        )
        .optional()?)
}

pub fn has_signed(conn: &Connection, round_id: i64, participant_id: i64) -> Result<bool, StoreError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM signatures WHERE round_id = ?1 AND participant_id = ?2",
            params![round_id, participant_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

pub fn insert_signature(
    conn: &Connection,
    round_id: i64,
    participant_id: i64,
    image_png: &[u8],
    payload: &str,
    server_signature: &[u8],
) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO signatures (round_id, participant_id, image_png, payload, server_signature)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![round_id, participant_id, image_png, payload, server_signature],
    )?;
    Ok(conn.last_insert_rowid())
}

// ---------------------------------------------------------------- QR signing tokens

#[derive(Debug, Clone)]
pub struct TokenRow {
    pub round_id: i64,
    pub participant_id: i64,
    /// How the participant who asked for the QR code had logged in.
    pub login: SignerLogin,
    pub expires_at_ms: i64,
    pub used_at_ms: Option<i64>,
    pub created_at_ms: i64,
}

pub fn insert_token(
    conn: &Connection,
    token_hash: &[u8],
    round_id: i64,
    participant_id: i64,
    login: &SignerLogin,
    now_ms: i64,
    expires_at_ms: i64,
) -> Result<(), StoreError> {
    let login = serde_json::to_string(login).expect("login serialises");
    conn.execute(
        "INSERT INTO signing_tokens (token_hash, round_id, participant_id, login, created_at_ms, expires_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![token_hash, round_id, participant_id, login, now_ms, expires_at_ms],
    )?;
    Ok(())
}

pub fn token(conn: &Connection, token_hash: &[u8]) -> Result<Option<TokenRow>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT round_id, participant_id, login, expires_at_ms, used_at_ms, created_at_ms FROM signing_tokens WHERE token_hash = ?1",
            [token_hash],
            |r| {
                let login: String = r.get(2)?;
                Ok(TokenRow {
                    round_id: r.get(0)?,
                    participant_id: r.get(1)?,
                    login: serde_json::from_str(&login).map_err(|_| invalid_column(2, "login"))?,
                    expires_at_ms: r.get(3)?,
                    used_at_ms: r.get(4)?,
                    created_at_ms: r.get(5)?,
                })
            },
        )
        .optional()?)
}

/// Marks the token used; `false` if it already was.
pub fn use_token(conn: &Connection, token_hash: &[u8], now_ms: i64) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "UPDATE signing_tokens SET used_at_ms = ?2 WHERE token_hash = ?1 AND used_at_ms IS NULL",
        params![token_hash, now_ms],
    )? == 1)
}

/// Moves an unused token's expiry (the signing page is still in use).
pub fn extend_token(conn: &Connection, token_hash: &[u8], expires_at_ms: i64) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "UPDATE signing_tokens SET expires_at_ms = ?2 WHERE token_hash = ?1 AND used_at_ms IS NULL",
        params![token_hash, expires_at_ms],
    )? == 1)
}

pub fn delete_expired_tokens(conn: &Connection, before_ms: i64) -> Result<usize, StoreError> {
    Ok(conn.execute("DELETE FROM signing_tokens WHERE expires_at_ms < ?1", [before_ms])?)
}

// ---------------------------------------------------------------- signed PDFs

/// Remembers a PDF handed out; `false` if the same bytes were handed out before.
pub fn remember_pdf(conn: &Connection, sha256: &str, round_id: i64, signature_ids: &[i64], now_ms: i64) -> Result<bool, StoreError> {
    let ids = serde_json::to_string(signature_ids).expect("ids serialise");
    Ok(conn.execute(
        "INSERT OR IGNORE INTO record_pdfs (sha256, round_id, signature_ids, created_at_ms) VALUES (?1, ?2, ?3, ?4)",
        params![sha256, round_id, ids, now_ms],
    )? == 1)
}

/// The round and signatures a handed-out PDF holds.
pub fn pdf(conn: &Connection, sha256: &str) -> Result<Option<(i64, Vec<i64>)>, StoreError> {
    let row: Option<(i64, String)> = conn
        .query_row("SELECT round_id, signature_ids FROM record_pdfs WHERE sha256 = ?1", [sha256], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    row.map(|(round, ids)| {
        let ids = serde_json::from_str(&ids).map_err(|_| StoreError::Sqlite(invalid_column(2, "signature ids")))?;
        Ok((round, ids))
    })
    .transpose()
}
