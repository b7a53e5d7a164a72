//! SQLite storage. This module owns every SQL statement of the server.

mod migrations;

pub mod annotation;
pub mod events;
pub mod evidence;
pub mod hearings;
pub mod log_checkpoints;
pub mod login;
pub mod record;
pub mod room;
pub mod sessions;
pub mod settings;
pub mod sms;
pub mod speech;
pub mod staff;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

pub use migrations::{MIGRATIONS, schema_version};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database file {path}: {source}")]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error("the database task stopped unexpectedly")]
    TaskFailed,
}

/// The server's database: one connection, used from blocking threads.
///
/// SQLite serialises writers anyway; one connection behind a mutex keeps the
/// server simple and every write `synchronous=FULL`.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
    path: Arc<PathBuf>,
}

impl Store {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let open_err = |source| StoreError::Open { path: path.to_owned(), source };
        let mut conn = Connection::open(path).map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(open_err)?;
        let before = migrations::run(&mut conn)?;
        // Once only: an entry that turns up unchained later was not written by
        // this server, and stays unchained (it never verifies).
        if before < migrations::CHAINED_WHEN_WRITTEN {
            let chained = events::chain_unchained(&mut conn)?;
            if chained > 0 {
                tracing::info!(chained, "chained hearing log entries written before the log was chained");
            }
        }
        Ok(Self { conn: Arc::new(Mutex::new(conn)), path: Arc::new(path.to_owned()) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` with the connection on a blocking thread.
    pub async fn call<F, R, E>(&self, f: F) -> Result<R, E>
    where
        F: FnOnce(&mut Connection) -> Result<R, E> + Send + 'static,
        R: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|_| E::from(StoreError::TaskFailed))?
    }

    /// Runs `f` on the calling thread; for start-up and command-line tools.
    pub fn call_blocking<R, E>(&self, f: impl FnOnce(&mut Connection) -> Result<R, E>) -> Result<R, E> {
        let mut guard = self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_run_in_order_from_an_empty_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cloudtrial.db");
        let store = Store::open(&path).unwrap();
        let version = store.call_blocking(|c| schema_version(c)).unwrap();
        assert_eq!(version as usize, MIGRATIONS.len());
        let mode: String = store
            .call_blocking(|c| c.query_row("PRAGMA journal_mode", [], |r| r.get(0)))
            .unwrap();
        assert_eq!(mode, "wal");
        drop(store);
        // Reopening an up-to-date database changes nothing.
        let store = Store::open(&path).unwrap();
        assert_eq!(store.call_blocking(|c| schema_version(c)).unwrap() as usize, MIGRATIONS.len());
    }
}
