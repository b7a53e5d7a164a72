use cloudtrial_protocol::api::{
    HEARING_LIST_LIMIT, Hearing, HearingFilter, HearingStatus, NewParticipant, ParticipantRecord,
};
use cloudtrial_protocol::{CourtDateTime, MeetingNumber, ParticipantRole};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreError;
use super::staff::invalid_column;

pub(super) fn parse_role(s: &str) -> rusqlite::Result<ParticipantRole> {
    ParticipantRole::parse(s).ok_or_else(|| invalid_column(0, s))
}

fn parse_status(s: &str) -> rusqlite::Result<HearingStatus> {
    HearingStatus::parse(s).ok_or_else(|| invalid_column(0, s))
}

pub struct HearingFields<'a> {
    pub case_number: &'a str,
    pub case_title: &'a str,
    pub courtroom: &'a str,
    pub scheduled_at: CourtDateTime,
}

pub fn meeting_number_in_use(conn: &Connection, number: MeetingNumber) -> Result<bool, StoreError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM hearings WHERE meeting_number = ?1 AND status NOT IN ('closed', 'cancelled')",
            [number.to_string()],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

pub fn insert(
    conn: &Connection,
    fields: &HearingFields<'_>,
    meeting_number: MeetingNumber,
    booked_by: Option<i64>,
    now_ms: i64,
) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO hearings (meeting_number, case_number, case_title, courtroom, scheduled_at,
                               status, booked_by, created_at_ms, updated_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, 'scheduled', ?6, ?7, ?7)",
        params![
            meeting_number.to_string(),
            fields.case_number,
            fields.case_title,
            fields.courtroom,
            fields.scheduled_at.to_string(),
            booked_by,
            now_ms
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Inserts a participant; `None` if the hearing already has a participant with this mobile number.
pub fn insert_participant(
    conn: &Connection,
    hearing_id: i64,
    p: &NewParticipant,
    now_ms: i64,
) -> Result<Option<ParticipantRecord>, StoreError> {
    let inserted = conn.execute(
        "INSERT INTO participants (hearing_id, name, role, mobile, staff_id, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (hearing_id, mobile) WHERE removed_at_ms IS NULL DO NOTHING",
        params![hearing_id, p.name, p.role.as_str(), p.mobile, p.staff_id, now_ms],
    )?;
    Ok((inserted == 1).then(|| ParticipantRecord {
        id: conn.last_insert_rowid(),
        name: p.name.clone(),
        role: p.role,
        mobile: p.mobile.clone(),
        staff_id: p.staff_id,
    }))
}

pub fn update_fields(conn: &Connection, id: i64, fields: &HearingFields<'_>, now_ms: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE hearings SET case_number = ?2, case_title = ?3, courtroom = ?4, scheduled_at = ?5,
                             updated_at_ms = ?6
         WHERE id = ?1",
        params![
            id,
            fields.case_number,
            fields.case_title,
            fields.courtroom,
            fields.scheduled_at.to_string(),
            now_ms
        ],
    )?;
    Ok(())
}

pub fn set_status(conn: &Connection, id: i64, status: HearingStatus, now_ms: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE hearings SET status = ?2, updated_at_ms = ?3 WHERE id = ?1",
        params![id, status.as_str(), now_ms],
    )?;
    Ok(())
}

/// Marks a participant removed; `false` if they were not (still) in this hearing.
pub fn remove_participant(
    conn: &Connection,
    hearing_id: i64,
    participant_id: i64,
    now_ms: i64,
) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "UPDATE participants SET removed_at_ms = ?3
         WHERE id = ?2 AND hearing_id = ?1 AND removed_at_ms IS NULL",
        params![hearing_id, participant_id, now_ms],
    )? == 1)
}

const PARTICIPANT_COLUMNS: &str = "id, name, role, mobile, staff_id";

fn participant_from_row(row: &Row<'_>) -> rusqlite::Result<ParticipantRecord> {
    Ok(ParticipantRecord {
        id: row.get(0)?,
        name: row.get(1)?,
        role: parse_role(&row.get::<_, String>(2)?)?,
        mobile: row.get(3)?,
        staff_id: row.get(4)?,
    })
}

pub fn participants(conn: &Connection, hearing_id: i64) -> Result<Vec<ParticipantRecord>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {PARTICIPANT_COLUMNS} FROM participants
         WHERE hearing_id = ?1 AND removed_at_ms IS NULL ORDER BY id"
    ))?;
    let rows = stmt.query_map([hearing_id], participant_from_row)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

/// A current participant of the given hearing.
pub fn participant(
    conn: &Connection,
    hearing_id: i64,
    participant_id: i64,
) -> Result<Option<ParticipantRecord>, StoreError> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {PARTICIPANT_COLUMNS} FROM participants
                 WHERE id = ?1 AND hearing_id = ?2 AND removed_at_ms IS NULL"
            ),
            [participant_id, hearing_id],
            participant_from_row,
        )
        .optional()?)
}

/// The participant linked to a staff account in a hearing.
pub fn participant_for_staff(
    conn: &Connection,
    hearing_id: i64,
    staff_id: i64,
) -> Result<Option<ParticipantRecord>, StoreError> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {PARTICIPANT_COLUMNS} FROM participants
                 WHERE hearing_id = ?1 AND staff_id = ?2 AND removed_at_ms IS NULL
                 ORDER BY id LIMIT 1"
            ),
            [hearing_id, staff_id],
            participant_from_row,
        )
        .optional()?)
}

/// The participant a meeting number and mobile number identify: in a hearing
/// that is not over or, after it closed, in one whose record they still have
/// to sign (so a party who left can come back to sign).
pub fn participant_for_login(
    conn: &Connection,
    meeting_number: MeetingNumber,
    mobile: &str,
) -> Result<Option<(i64, i64)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT p.id, p.hearing_id FROM participants p JOIN hearings h ON h.id = p.hearing_id
             WHERE h.meeting_number = ?1 AND p.mobile = ?2 AND p.removed_at_ms IS NULL
               AND (h.status NOT IN ('closed', 'cancelled')
                    OR (h.status = 'closed' AND EXISTS (
                        SELECT 1 FROM signing_rounds r JOIN signing_signers s ON s.round_id = r.id
                         WHERE r.hearing_id = h.id AND r.superseded_at_ms IS NULL AND s.participant_id = p.id
                           AND NOT EXISTS (SELECT 1 FROM signatures g WHERE g.round_id = r.id AND g.participant_id = p.id))))
             ORDER BY h.status = 'closed', h.id DESC
             LIMIT 1",
            params![meeting_number.to_string(), mobile],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// The participant of a closed or cancelled hearing with this meeting number
/// and mobile number, whether or not anything is left for them to do, and
/// whether it was cancelled: a party who signed, or whose hearing was
/// cancelled, and logs in again is told so (after proving the code).
pub fn participant_of_ended_hearing(
    conn: &Connection,
    meeting_number: MeetingNumber,
    mobile: &str,
) -> Result<Option<(i64, i64, bool)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT p.id, p.hearing_id, h.status = 'cancelled' FROM participants p JOIN hearings h ON h.id = p.hearing_id
             WHERE h.meeting_number = ?1 AND p.mobile = ?2 AND p.removed_at_ms IS NULL AND h.status IN ('closed', 'cancelled')
             ORDER BY h.id DESC
             LIMIT 1",
            params![meeting_number.to_string(), mobile],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}

fn full_width_brackets(text: &str) -> String {
    text.replace('(', "（").replace(')', "）")
}

const HEARING_COLUMNS: &str =
    "id, meeting_number, case_number, case_title, courtroom, scheduled_at, status, created_at_ms, booked_by";

fn hearing_from_row(row: &Row<'_>) -> rusqlite::Result<Hearing> {
    let meeting_number: String = row.get(1)?;
    let scheduled_at: String = row.get(5)?;
    Ok(Hearing {
        id: row.get(0)?,
        meeting_number: meeting_number.parse().map_err(|_| invalid_column(1, &meeting_number))?,
        case_number: row.get(2)?,
        case_title: row.get(3)?,
        courtroom: row.get(4)?,
        scheduled_at: scheduled_at.parse().map_err(|_| invalid_column(5, &scheduled_at))?,
        status: parse_status(&row.get::<_, String>(6)?)?,
        participants: Vec::new(),
        created_at_ms: row.get(7)?,
        booked_by: row.get(8)?,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Hearing>, StoreError> {
    let hearing = conn
        .query_row(&format!("SELECT {HEARING_COLUMNS} FROM hearings WHERE id = ?1"), [id], hearing_from_row)
        .optional()?;
    hearing
        .map(|mut h| {
            h.participants = participants(conn, h.id)?;
            Ok(h)
        })
        .transpose()
}

/// Hearings for the console list, soonest first. `today` is the court's local date ("2026-11-25").
pub fn list(
    conn: &Connection,
    filter: HearingFilter,
    case_number: Option<&str>,
    today: &str,
) -> Result<Vec<Hearing>, StoreError> {
    let condition = match filter {
        HearingFilter::Today => "(substr(scheduled_at, 1, 10) = ?1 OR status IN ('in_session', 'adjourned'))",
        HearingFilter::Upcoming => "status NOT IN ('closed', 'cancelled') AND ?1 IS NOT NULL",
        HearingFilter::Closed => "status IN ('closed', 'cancelled') AND ?1 IS NOT NULL",
        HearingFilter::All => "?1 IS NOT NULL",
    };
    // What is coming, soonest first; what is over, and everything, latest first.
    let order = if matches!(filter, HearingFilter::Today | HearingFilter::Upcoming) { "ASC" } else { "DESC" };
    // 案号 are written with full-width brackets, and typed with either.
    let pattern = case_number.map(|c| format!("%{}%", full_width_brackets(&c.replace(['%', '_'], ""))));
    let mut stmt = conn.prepare(&format!(
        "SELECT {HEARING_COLUMNS} FROM hearings
         WHERE {condition} AND (?2 IS NULL OR replace(replace(case_number, '(', '（'), ')', '）') LIKE ?2)
         ORDER BY scheduled_at {order}, id {order} LIMIT {HEARING_LIST_LIMIT}"
    ))?;
    let mut hearings: Vec<Hearing> =
        stmt.query_map(params![today, pattern], hearing_from_row)?.collect::<Result<_, _>>()?;
    for h in &mut hearings {
        h.participants = participants(conn, h.id)?;
    }
    Ok(hearings)
}
