//! Writing and reading the record: every save is a new version, and a save
//! made from an old version is refused instead of overwriting newer text.

use cloudtrial_protocol::api::{HearingStatus, ParticipantRecord};
use cloudtrial_protocol::{ErrorCode, ParticipantRole};
use cloudtrial_protocol::record::{
    RecordContent, RecordHeader, RecordParagraph, RecordVersion, RecordVersionSummary, RecordView, SaveRecord, TakeSpeech,
};
use cloudtrial_protocol::signalling::RoomNotice;
use cloudtrial_protocol::text::checked_characters;
use rusqlite::Connection;
use serde_json::json;

use super::{RecordCaller, record_caller, signing};
use crate::auth::Caller;
use crate::clock::local_date_time;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{self, StoreError};

const MAX_PARAGRAPHS: usize = 5_000;
const MAX_PARAGRAPH_CHARS: usize = 20_000;
const MAX_TOTAL_CHARS: usize = 1_000_000;
const MAX_FIELD_CHARS: usize = 500;

pub async fn view(state: &AppState, caller: &Caller, hearing_id: i64) -> Result<RecordView, AppError> {
    let who = record_caller(state, caller, hearing_id).await?;
    let offset = state.config.utc_offset_minutes;
    state
        .store
        .call(move |conn| {
            let latest = store::record::latest(conn, hearing_id)?.map(|(_, v)| v);
            // Only the court writes the header; parties need not cost the query.
            let suggested_header = if who.may_edit { suggested_header(conn, hearing_id, offset)? } else { RecordHeader::default() };
            let signing = match store::record::latest_round(conn, hearing_id)? {
                Some(round) => Some(signing::round_view(conn, &round)?),
                None => None,
            };
            let me = who.participant.as_ref().map(|p| p.id);
            let must_sign = match (&signing, me) {
                (Some(round), Some(me)) => round.is_open() && round.signer(me).is_some_and(|s| s.signature.is_none()),
                _ => false,
            };
            let my_signature = match me {
                Some(me) => store::record::latest_signature_of(conn, me)?,
                None => None,
            };
            Ok(RecordView {
                hearing_id,
                latest,
                suggested_header,
                signing,
                may_edit: who.may_edit,
                may_start_signing: who.may_edit && who.status.allows_signing(),
                must_sign,
                my_signature,
            })
        })
        .await
}

/// Versions after `after`, oldest first: what a follower has not seen yet.
pub async fn versions_after(state: &AppState, caller: &Caller, hearing_id: i64, after: u32) -> Result<Vec<RecordVersion>, AppError> {
    record_caller(state, caller, hearing_id).await?;
    state.store.call(move |conn| store::record::versions_after(conn, hearing_id, after).map_err(AppError::from)).await
}

pub async fn history(state: &AppState, caller: &Caller, hearing_id: i64) -> Result<Vec<RecordVersionSummary>, AppError> {
    record_caller(state, caller, hearing_id).await?;
    state.store.call(move |conn| store::record::history(conn, hearing_id).map_err(AppError::from)).await
}

pub async fn version(state: &AppState, caller: &Caller, hearing_id: i64, number: u32) -> Result<RecordVersion, AppError> {
    record_caller(state, caller, hearing_id).await?;
    state
        .store
        .call(move |conn| store::record::version(conn, hearing_id, number)?.map(|(_, v)| v).ok_or_else(AppError::not_found))
        .await
}

/// Saves a new version, unless the content is the latest version's already.
pub async fn save(state: &AppState, caller: &Caller, hearing_id: i64, request: SaveRecord) -> Result<RecordVersion, AppError> {
    let who = record_caller(state, caller, hearing_id).await?;
    who.require_edit()?;
    let content = clean(request.content)?;
    let now = state.clock.now_ms();
    let saved = state.store.call(move |conn| store_version(conn, &who, hearing_id, request.base_version, content, now)).await?;
    if saved.new {
        state.rooms.broadcast(hearing_id, RoomNotice::RecordSaved { version: saved.version.version }).await;
    }
    for round_id in saved.superseded {
        state.rooms.broadcast(hearing_id, RoomNotice::SigningChanged { round_id }).await;
    }
    Ok(saved.version)
}

/// Appends recognised sentences as paragraphs, each with the speaker's role
/// (原告, 被告代理人 …), in the order they were said. Only the court's writers
/// may, and only with this action: nothing recognised enters the record by itself.
pub async fn take_speech(state: &AppState, caller: &Caller, hearing_id: i64, request: TakeSpeech) -> Result<RecordVersion, AppError> {
    let who = record_caller(state, caller, hearing_id).await?;
    who.require_edit()?;
    if request.segments.is_empty() || request.segments.len() > 1000 {
        return Err(AppError::invalid("请选择要记入笔录的语音识别内容"));
    }
    let (now, offset) = (state.clock.now_ms(), state.config.utc_offset_minutes);
    let saved = state
        .store
        .call(move |conn| {
            let wanted: std::collections::HashSet<u64> = request.segments.iter().copied().collect();
            let lines: Vec<_> = store::speech::list(conn, hearing_id)?.into_iter().filter(|u| wanted.contains(&u.segment)).collect();
            if lines.len() != wanted.len() {
                return Err(AppError::invalid("所选的语音识别内容不存在"));
            }
            let mut content = match store::record::latest(conn, hearing_id)? {
                Some((_, latest)) => latest.content,
                None => RecordContent { header: suggested_header(conn, hearing_id, offset)?, paragraphs: Vec::new() },
            };
            content.paragraphs.extend(
                lines.into_iter().map(|u| RecordParagraph { speaker: u.speaker.role.label().to_owned(), text: u.text }),
            );
            let content = clean(content)?;
            store_version(conn, &who, hearing_id, request.base_version, content, now)
        })
        .await?;
    if saved.new {
        state.rooms.broadcast(hearing_id, RoomNotice::RecordSaved { version: saved.version.version }).await;
    }
    for round_id in saved.superseded {
        state.rooms.broadcast(hearing_id, RoomNotice::SigningChanged { round_id }).await;
    }
    Ok(saved.version)
}

struct Saved {
    version: RecordVersion,
    /// False when the content repeated the latest version, which is returned.
    new: bool,
    /// The signing rounds the edit superseded.
    superseded: Vec<i64>,
}

fn store_version(
    conn: &mut Connection,
    who: &RecordCaller,
    hearing_id: i64,
    base_version: Option<u32>,
    content: RecordContent,
    now: i64,
) -> Result<Saved, AppError> {
    let tx = conn.transaction().map_err(StoreError::from)?;
    if store::room::status(&tx, hearing_id)? == Some(HearingStatus::Cancelled) {
        return Err(AppError::with_message(ErrorCode::Conflict, "庭审已取消，不能编辑笔录"));
    }
    let latest = store::record::latest(&tx, hearing_id)?.map(|(_, v)| v);
    let current = latest.as_ref().map(|v| v.version);
    // What is already the latest text is saved, from whichever version: a save sent again
    // because its answer was lost finds its own version.
    if let Some(latest) = latest.filter(|v| v.content == content) {
        return Ok(Saved { version: latest, new: false, superseded: Vec::new() });
    }
    if base_version != current {
        return Err(AppError::with_message(
            ErrorCode::Conflict,
            format!("笔录已被更新（当前为第{}版），请刷新后再编辑", current.unwrap_or(0)),
        ));
    }
    let number = current.unwrap_or(0) + 1;
    let version = RecordVersion {
        hearing_id,
        version: number,
        sha256: content.sha256(hearing_id, number),
        content,
        saved_by: who.label(),
        saved_at_ms: now,
    };
    store::record::insert_version(&tx, &version)?;
    store::events::append(
        &tx,
        hearing_id,
        &who.actor,
        "record_saved",
        &json!({"version": number, "sha256": version.sha256, "paragraphs": version.content.paragraphs.len()}),
        now,
    )?;
    let superseded = store::record::supersede_open_rounds(&tx, hearing_id, now)?;
    if !superseded.is_empty() {
        store::events::append(
            &tx,
            hearing_id,
            &who.actor,
            "record_signing_superseded",
            &json!({"rounds": superseded, "by_version": number}),
            now,
        )?;
    }
    tx.commit().map_err(StoreError::from)?;
    Ok(Saved { version, new: true, superseded })
}

/// Trims what was typed and checks it fits.
fn clean(content: RecordContent) -> Result<RecordContent, AppError> {
    let field = |value: &str, name: &str| -> Result<String, AppError> {
        let value = value.trim();
        checked_characters(value, name, MAX_FIELD_CHARS, false).map_err(AppError::invalid)?;
        Ok(value.to_owned())
    };
    let list = |values: &[String], name: &str| -> Result<Vec<String>, AppError> {
        values.iter().map(|v| field(v, name)).filter(|v| !matches!(v, Ok(s) if s.is_empty())).collect()
    };
    let h = &content.header;
    let header = RecordHeader {
        case_number: field(&h.case_number, "案号")?,
        case_title: field(&h.case_title, "案由")?,
        time: field(&h.time, "时间")?,
        place: field(&h.place, "地点")?,
        judges: list(&h.judges, "审判人员")?,
        clerk: field(&h.clerk, "书记员")?,
        present: list(&h.present, "到庭人员")?,
    };
    if content.paragraphs.len() > MAX_PARAGRAPHS {
        return Err(AppError::invalid(format!("笔录不能超过{MAX_PARAGRAPHS}段")));
    }
    let mut total = 0;
    let mut paragraphs = Vec::with_capacity(content.paragraphs.len());
    for (index, p) in content.paragraphs.into_iter().enumerate() {
        let speaker = field(&p.speaker, "发言人")?;
        let text = p.text.trim_end().to_owned();
        // The paragraph keeps its indentation.
        checked_characters(&text, &format!("第{}段", index + 1), MAX_PARAGRAPH_CHARS, true).map_err(AppError::invalid)?;
        total += text.chars().count();
        if speaker.is_empty() && text.trim().is_empty() {
            continue;
        }
        paragraphs.push(RecordParagraph { speaker, text });
    }
    if total > MAX_TOTAL_CHARS {
        return Err(AppError::invalid("笔录内容过长"));
    }
    Ok(RecordContent { header, paragraphs })
}

/// The header as the hearing fills it: case, time (when it was held, once it
/// was), place, the court, and the participants who have been in the room.
fn suggested_header(conn: &Connection, hearing_id: i64, utc_offset_minutes: i32) -> Result<RecordHeader, AppError> {
    let hearing = store::hearings::get(conn, hearing_id)?.ok_or_else(AppError::not_found)?;
    let joined = store::events::participants_who_joined(conn, hearing_id)?;
    let label = |p: &ParticipantRecord| p.summary().label();
    let court = |p: &&ParticipantRecord| !crate::access::signs_the_record(p.role);
    Ok(RecordHeader {
        case_number: hearing.case_number.clone(),
        case_title: hearing.case_title.clone(),
        time: match store::events::started_at(conn, hearing_id)? {
            Some(started) => held(started, store::events::closed_at(conn, hearing_id)?, utc_offset_minutes),
            None => format!("{} {}", hearing.scheduled_at.date(), hearing.scheduled_at.time()),
        },
        place: format!("{}（网上开庭）", hearing.courtroom),
        judges: hearing
            .participants
            .iter()
            .filter(court)
            .filter(|p| p.role != ParticipantRole::Clerk)
            .map(label)
            .collect(),
        clerk: hearing
            .participants
            .iter()
            .filter(|p| p.role == ParticipantRole::Clerk)
            .map(|p| p.name.clone())
            .collect::<Vec<_>>()
            .join("、"),
        present: hearing.participants.iter().filter(|p| !court(p) && joined.contains(&p.id)).map(label).collect(),
    })
}

/// When the hearing was held, in the court's time: from 开始 (to 闭庭, once closed),
/// "2026-11-25 09:32至11:05", the date repeated only when it changed.
fn held(started_ms: i64, closed_ms: Option<i64>, utc_offset_minutes: i32) -> String {
    let start = local_date_time(started_ms, utc_offset_minutes);
    let Some(closed_ms) = closed_ms.filter(|c| *c >= started_ms) else { return start };
    let end = local_date_time(closed_ms, utc_offset_minutes);
    match end.strip_prefix(&start[..start.len() - 5]) {
        Some(same_day) => format!("{start}至{same_day}"),
        None => format!("{start}至{end}"),
    }
}

#[cfg(test)]
mod tests {
    use super::held;

    const BEIJING: i32 = 480;
    /// 2026-11-25 09:32 in Beijing.
    const START: i64 = 1_795_570_320_000;
    const MINUTE: i64 = 60_000;

    #[test]
    fn the_hearing_was_held_from_its_start_to_its_close_in_the_courts_time() {
        assert_eq!(held(START, None, BEIJING), "2026-11-25 09:32");
        assert_eq!(held(START, Some(START + 93 * MINUTE), BEIJING), "2026-11-25 09:32至11:05");
        // Closed after midnight: the end has its own date.
        assert_eq!(held(START, Some(START + 15 * 60 * MINUTE), BEIJING), "2026-11-25 09:32至2026-11-26 00:32");
        assert_eq!(held(START, Some(START + 93 * MINUTE), 0), "2026-11-25 01:32至03:05");
        // A close logged before the start (a clock set back) is not believed.
        assert_eq!(held(START, Some(START - MINUTE), BEIJING), "2026-11-25 09:32");
    }
}
