use cloudtrial_protocol::StaffRole;
use cloudtrial_protocol::api::StaffAccount;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreError;

pub struct NewStaff<'a> {
    pub username: &'a str,
    pub name: &'a str,
    pub role: StaffRole,
    pub mobile: Option<&'a str>,
    pub password_hash: &'a str,
}

/// Inserts an account; `None` if the username is taken, in any case of its letters
/// (`zhang` and `ZHANG` would be two accounts nobody could tell apart).
pub fn insert(conn: &Connection, new: &NewStaff<'_>, now_ms: i64) -> Result<Option<StaffAccount>, StoreError> {
    let taken: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM staff WHERE username = ?1 COLLATE NOCASE)",
        [new.username],
        |r| r.get(0),
    )?;
    if taken {
        return Ok(None);
    }
    let inserted = conn.execute(
        "INSERT INTO staff (username, name, role, mobile, password_hash, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (username) DO NOTHING",
        params![new.username, new.name, new.role.as_str(), new.mobile, new.password_hash, now_ms],
    )?;
    if inserted == 0 {
        return Ok(None);
    }
    by_id(conn, conn.last_insert_rowid())
}

const COLUMNS: &str = "id, username, name, role, mobile, disabled_at_ms IS NOT NULL";

fn from_row(row: &Row<'_>) -> rusqlite::Result<StaffAccount> {
    let role: String = row.get(3)?;
    Ok(StaffAccount {
        id: row.get(0)?,
        username: row.get(1)?,
        name: row.get(2)?,
        role: StaffRole::parse(&role).ok_or_else(|| invalid_column(3, &role))?,
        mobile: row.get(4)?,
        disabled: row.get(5)?,
    })
}

pub(super) fn invalid_column(index: usize, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        index,
        rusqlite::types::Type::Text,
        format!("unexpected value {value:?}").into(),
    )
}

pub fn by_id(conn: &Connection, id: i64) -> Result<Option<StaffAccount>, StoreError> {
    Ok(conn
        .query_row(&format!("SELECT {COLUMNS} FROM staff WHERE id = ?1"), [id], from_row)
        .optional()?)
}

/// The account and its password hash, for login.
pub fn credentials(conn: &Connection, username: &str) -> Result<Option<(StaffAccount, String)>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS}, password_hash FROM staff WHERE username = ?1"),
            [username],
            |row| Ok((from_row(row)?, row.get(6)?)),
        )
        .optional()?)
}

pub fn list(conn: &Connection) -> Result<Vec<StaffAccount>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM staff ORDER BY id"))?;
    let rows = stmt.query_map([], from_row)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

/// 停用 (`Some(when)`) or 启用 (`None`); whether the account exists.
pub fn set_disabled(conn: &Connection, id: i64, disabled_at_ms: Option<i64>) -> Result<bool, StoreError> {
    Ok(conn.execute("UPDATE staff SET disabled_at_ms = ?2 WHERE id = ?1", params![id, disabled_at_ms])? == 1)
}

/// 重设密码; whether the account exists.
pub fn set_password(conn: &Connection, id: i64, password_hash: &str) -> Result<bool, StoreError> {
    Ok(conn.execute("UPDATE staff SET password_hash = ?2 WHERE id = ?1", params![id, password_hash])? == 1)
}
