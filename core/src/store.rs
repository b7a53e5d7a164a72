//! The client's local SQLite database, in a directory the app gives (on a
//! phone, its files directory). It keeps the session so a restarted app is
//! still logged in.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use cloudtrial_protocol::ParticipantRole;
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;
use crate::session::Session;

const MIGRATIONS: &[&str] = &[
    // 1: the logged-in session (at most one).
    r#"
    CREATE TABLE session (
        id             INTEGER PRIMARY KEY CHECK (id = 1),
        base_url       TEXT NOT NULL,
        token          TEXT NOT NULL,
        hearing_id     INTEGER NOT NULL,
        participant_id INTEGER NOT NULL,
        role           TEXT NOT NULL,
        meeting_number TEXT NOT NULL,
        expires_at_ms  INTEGER NOT NULL
    );
    "#,
    // 2: evidence waiting to be uploaded, and uploads under way.
    r#"
    CREATE TABLE upload_queue (
        id               INTEGER PRIMARY KEY,
        base_url         TEXT NOT NULL,
        hearing_id       INTEGER NOT NULL,
        copy_path        TEXT NOT NULL,
        file_name        TEXT NOT NULL,
        length           INTEGER NOT NULL,
        sha256           TEXT NOT NULL,
        media_type       TEXT NOT NULL,
        kind             TEXT NOT NULL,
        metadata         TEXT NOT NULL,
        server_upload_id TEXT,
        sent             INTEGER NOT NULL DEFAULT 0,
        state            TEXT NOT NULL,
        error            TEXT,
        evidence_id      TEXT,
        held             INTEGER NOT NULL DEFAULT 0,
        created_at_ms    INTEGER NOT NULL
    );
    "#,
    // 3: whose upload it is: only that participant's login on this device sends it.
    r#"
    ALTER TABLE upload_queue ADD COLUMN participant_id INTEGER;
    "#,
    // 4: the challenge of the last login code asked for, so that the code
    // can still be entered after the app was closed to read the SMS.
    r#"
    CREATE TABLE login_challenge (
        base_url       TEXT NOT NULL,
        meeting_number TEXT NOT NULL,
        mobile         TEXT NOT NULL,
        challenge      TEXT NOT NULL,
        PRIMARY KEY (base_url, meeting_number, mobile)
    );
    "#,
];

pub struct LocalStore {
    conn: Mutex<Connection>,
    dir: PathBuf,
}

impl LocalStore {
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)?;
        let mut conn = Connection::open(dir.join("cloudtrial-client.db"))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let applied: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (index + 1) as i64)?;
            tx.commit()?;
        }
        Ok(Self { conn: Mutex::new(conn), dir: dir.to_owned() })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn load_session(&self, base_url: &str) -> Result<Option<Session>> {
        let row = self
            .conn()
            .query_row(
                "SELECT token, hearing_id, participant_id, role, meeting_number, expires_at_ms
                 FROM session WHERE id = 1 AND base_url = ?1",
                [base_url],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get::<_, String>(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                },
            )
            .optional()?;
        Ok(row.and_then(|(token, hearing_id, participant_id, role, meeting_number, expires_at_ms)| {
            Some(Session {
                token,
                hearing_id,
                participant_id,
                role: ParticipantRole::parse(&role)?,
                meeting_number,
                expires_at_ms,
            })
        }))
    }

    pub fn save_session(&self, base_url: &str, s: &Session) -> Result<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO session
                 (id, base_url, token, hearing_id, participant_id, role, meeting_number, expires_at_ms)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![base_url, s.token, s.hearing_id, s.participant_id, s.role.as_str(), s.meeting_number, s.expires_at_ms],
        )?;
        Ok(())
    }

    pub fn save_login_challenge(&self, base_url: &str, meeting_number: &str, mobile: &str, challenge: &str) -> Result<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO login_challenge (base_url, meeting_number, mobile, challenge) VALUES (?1, ?2, ?3, ?4)",
            params![base_url, meeting_number, mobile, challenge],
        )?;
        Ok(())
    }

    pub fn login_challenge(&self, base_url: &str, meeting_number: &str, mobile: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT challenge FROM login_challenge WHERE base_url = ?1 AND meeting_number = ?2 AND mobile = ?3",
                params![base_url, meeting_number, mobile],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Forgets every login challenge: one was used, and the others are for codes no longer wanted.
    pub fn clear_login_challenges(&self) -> Result<()> {
        self.conn().execute("DELETE FROM login_challenge", [])?;
        Ok(())
    }

    pub fn clear_session(&self) -> Result<()> {
        self.conn().execute("DELETE FROM session", [])?;
        Ok(())
    }
}
