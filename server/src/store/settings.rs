use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;

/// Returns the stored value for `key`, storing `make()` first if there is none.
pub fn get_or_insert(
    conn: &Connection,
    key: &str,
    make: impl FnOnce() -> Vec<u8>,
) -> Result<Vec<u8>, StoreError> {
    if let Some(value) = conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0))
        .optional()?
    {
        return Ok(value);
    }
    let value = make();
    conn.execute("INSERT INTO settings (key, value) VALUES (?1, ?2)", params![key, value])?;
    Ok(value)
}

/// The stored value for `key`, if any.
pub fn get(conn: &Connection, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

pub fn remove(conn: &Connection, key: &str) -> Result<(), StoreError> {
    conn.execute("DELETE FROM settings WHERE key = ?1", [key])?;
    Ok(())
}
