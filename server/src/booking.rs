//! Booking hearings (预定网上开庭) and changing them, with the notices each change sends.

use cloudtrial_protocol::api::{
    BookHearingRequest, Hearing, HearingStatus, NewParticipant, ParticipantRecord, SmsKind,
    UpdateHearingRequest,
};
use cloudtrial_protocol::{CourtDateTime, ErrorCode, MeetingNumber, ParticipantRole, StaffRole};
use rusqlite::Connection;
use serde_json::json;

use crate::error::AppError;
use crate::hearing_log;
use crate::secrets;
use crate::sms::templates::{self, NoticeContext};
use crate::sms::OutgoingSms;
use crate::state::AppState;
use crate::store::events::EventActor;
use crate::store::hearings::HearingFields;
use crate::store::{self, StoreError};
use crate::validate;

const MAX_PARTICIPANTS: usize = 50;

/// A meeting number no live hearing uses: 8 digits, first digit not 0, from the OS CSPRNG.
pub fn random_meeting_number() -> MeetingNumber {
    MeetingNumber::from_u32(10_000_000 + secrets::random_below(90_000_000)).expect("8 digits")
}

/// A meeting number no hearing that is still live uses.
pub fn unused_meeting_number(conn: &Connection) -> Result<MeetingNumber, AppError> {
    for _ in 0..64 {
        let candidate = random_meeting_number();
        if !store::hearings::meeting_number_in_use(conn, candidate)? {
            return Ok(candidate);
        }
    }
    Err(AppError::internal("no free meeting number after 64 tries"))
}

fn validate_participant(conn: &Connection, p: &NewParticipant) -> Result<NewParticipant, AppError> {
    let name = validate::text(&p.name, "参与人姓名", 50)?;
    let mobile = validate::mobile(&p.mobile)?;
    if p.role == ParticipantRole::Unknown {
        return Err(AppError::invalid(format!("{name}的庭审角色不是本系统的角色")));
    }
    if let Some(staff_id) = p.staff_id {
        let account = store::staff::by_id(conn, staff_id)?
            .ok_or_else(|| AppError::invalid(format!("{name}关联的工作人员账号不存在")))?;
        if !p.role.is_court() || account.role == StaffRole::Admin {
            return Err(AppError::invalid(format!("只有审判人员和书记员可以关联工作人员账号（{name}）")));
        }
        let fits = match account.role {
            StaffRole::Judge => p.role.is_judge(),
            StaffRole::Clerk => p.role == ParticipantRole::Clerk,
            StaffRole::Admin => false,
        };
        if !fits {
            return Err(AppError::invalid(format!(
                "{name}的庭审角色与关联账号不符：法官账号只能担任审判长或审判员，书记员账号只能担任书记员"
            )));
        }
    }
    Ok(NewParticipant { name, mobile, role: p.role, staff_id: p.staff_id })
}

fn fields_of(case_number: &str, case_title: &str, courtroom: &str) -> Result<(String, String, String), AppError> {
    Ok((
        validate::text(case_number, "案号", 100)?,
        validate::text(case_title, "案由", 200)?,
        validate::text(courtroom, "法庭", 100)?,
    ))
}

fn check_not_in_past(state: &AppState, at: CourtDateTime) -> Result<(), AppError> {
    let now = crate::clock::local_date_time(state.clock.now_ms(), state.config.utc_offset_minutes);
    if at.to_string() < now {
        return Err(AppError::invalid("开庭时间不能早于当前时间"));
    }
    Ok(())
}

fn check_size(participants: usize) -> Result<(), AppError> {
    if participants == 0 || participants > MAX_PARTICIPANTS {
        return Err(AppError::invalid(format!("参与人须为1至{MAX_PARTICIPANTS}人")));
    }
    Ok(())
}

/// The court's side of a hearing: a judge, at most one 审判长, and each staff
/// account sitting as one participant only.
fn check_bench(participants: &[ParticipantRecord]) -> Result<(), AppError> {
    if !participants.iter().any(|p| p.role.is_judge()) {
        return Err(AppError::invalid("庭审须有审判长或审判员参加"));
    }
    if participants.iter().filter(|p| p.role == ParticipantRole::PresidingJudge).count() > 1 {
        return Err(AppError::invalid("一次庭审只能有一位审判长"));
    }
    for (i, p) in participants.iter().enumerate() {
        let twice = participants[..i].iter().find(|q| q.staff_id.is_some() && q.staff_id == p.staff_id);
        if let Some(q) = twice {
            return Err(AppError::invalid(format!("{}和{}关联了同一个工作人员账号，每个账号在一次庭审中只能担任一个角色", q.name, p.name)));
        }
    }
    Ok(())
}

fn duplicate_mobile(mobile: &str) -> AppError {
    AppError::invalid(format!("手机号{mobile}在本次庭审中重复，每位参与人须使用不同的手机号"))
}

pub(crate) fn notice(
    state: &AppState,
    hearing: &Hearing,
    participant: &ParticipantRecord,
    kind: SmsKind,
) -> OutgoingSms {
    let link = state.config.download_link(hearing.meeting_number);
    let context = NoticeContext {
        court_name: &state.config.court_name,
        participant_name: &participant.name,
        case_number: &hearing.case_number,
        case_title: &hearing.case_title,
        scheduled_at: hearing.scheduled_at,
        courtroom: &hearing.courtroom,
        meeting_number: hearing.meeting_number,
        download_link: &link,
    };
    let text = match kind {
        SmsKind::HearingNotice => templates::hearing_notice(&context),
        SmsKind::HearingChanged => templates::hearing_changed(&context),
        SmsKind::ParticipantRemoved => templates::participant_removed(&context),
        SmsKind::HearingCancelled => templates::hearing_cancelled(&context),
        SmsKind::SigningRequest => templates::signing_request(&context),
        SmsKind::LoginCode => unreachable!("login codes are not notices"),
    };
    OutgoingSms {
        mobile: participant.mobile.clone(),
        text,
        kind,
        hearing_id: Some(hearing.id),
        participant_id: Some(participant.id),
        secret: None,
    }
}

/// Books a hearing and notifies every participant.
pub async fn book(
    state: &AppState,
    actor: EventActor,
    booked_by: Option<i64>,
    request: BookHearingRequest,
) -> Result<Hearing, AppError> {
    let (case_number, case_title, courtroom) =
        fields_of(&request.case_number, &request.case_title, &request.courtroom)?;
    check_not_in_past(state, request.scheduled_at)?;
    check_size(request.participants.len())?;
    let now = state.clock.now_ms();
    let hearing = state
        .store
        .call(move |conn| {
            let tx = conn.transaction().map_err(StoreError::from)?;
            let participants =
                request.participants.iter().map(|p| validate_participant(&tx, p)).collect::<Result<Vec<_>, _>>()?;
            let fields = HearingFields {
                case_number: &case_number,
                case_title: &case_title,
                courtroom: &courtroom,
                scheduled_at: request.scheduled_at,
            };
            let meeting_number = unused_meeting_number(&tx)?;
            let id = store::hearings::insert(&tx, &fields, meeting_number, booked_by, now)?;
            let mut added = Vec::new();
            for p in &participants {
                added.push(
                    store::hearings::insert_participant(&tx, id, p, now)?
                        .ok_or_else(|| duplicate_mobile(&p.mobile))?,
                );
            }
            check_bench(&added)?;
            store::events::append(
                &tx,
                id,
                &actor,
                "hearing_booked",
                &json!({
                    "meeting_number": meeting_number,
                    "case_number": case_number,
                    "scheduled_at": request.scheduled_at,
                    "participants": added.iter().map(|p| json!({"id": p.id, "name": p.name, "role": p.role})).collect::<Vec<_>>(),
                }),
                now,
            )?;
            tx.commit().map_err(StoreError::from)?;
            store::hearings::get(conn, id)?.ok_or_else(|| AppError::internal("booked hearing vanished"))
        })
        .await?;
    tracing::info!(hearing_id = hearing.id, "hearing booked");
    let notices = hearing.participants.iter().map(|p| notice(state, &hearing, p, SmsKind::HearingNotice)).collect();
    state.sms.send(notices).await?;
    Ok(hearing)
}

/// What an edit changed, for the notices.
struct Edit {
    hearing: Hearing,
    schedule_changed: bool,
    added: Vec<i64>,
    removed: Vec<ParticipantRecord>,
}

/// Edits a hearing that is not over; everyone affected is notified.
pub async fn update(
    state: &AppState,
    actor: EventActor,
    hearing_id: i64,
    request: UpdateHearingRequest,
) -> Result<Hearing, AppError> {
    if let Some(at) = request.scheduled_at {
        check_not_in_past(state, at)?;
    }
    let now = state.clock.now_ms();
    let edit = state
        .store
        .call(move |conn| {
            let tx = conn.transaction().map_err(StoreError::from)?;
            let before = store::hearings::get(&tx, hearing_id)?.ok_or_else(AppError::not_found)?;
            if before.status.is_over() {
                return Err(AppError::with_message(ErrorCode::Conflict, "庭审已结束或已取消，不能修改"));
            }
            let (case_number, case_title, courtroom) = fields_of(
                request.case_number.as_deref().unwrap_or(&before.case_number),
                request.case_title.as_deref().unwrap_or(&before.case_title),
                request.courtroom.as_deref().unwrap_or(&before.courtroom),
            )?;
            let scheduled_at = request.scheduled_at.unwrap_or(before.scheduled_at);
            let schedule_changed = scheduled_at != before.scheduled_at || courtroom != before.courtroom;
            store::hearings::update_fields(
                &tx,
                hearing_id,
                &HearingFields { case_number: &case_number, case_title: &case_title, courtroom: &courtroom, scheduled_at },
                now,
            )?;
            let mut removed = Vec::new();
            for &pid in &request.remove_participants {
                let participant = before
                    .participants
                    .iter()
                    .find(|p| p.id == pid)
                    .ok_or_else(|| AppError::invalid(format!("参与人{pid}不在本次庭审中")))?;
                if store::hearings::remove_participant(&tx, hearing_id, pid, now)? {
                    store::sessions::revoke_participant(&tx, pid, now)?;
                    removed.push(participant.clone());
                }
            }
            let mut added = Vec::new();
            for p in &request.add_participants {
                let p = validate_participant(&tx, p)?;
                let record = store::hearings::insert_participant(&tx, hearing_id, &p, now)?
                    .ok_or_else(|| duplicate_mobile(&p.mobile))?;
                added.push(record);
            }
            let after = store::hearings::get(&tx, hearing_id)?.ok_or_else(AppError::not_found)?;
            check_bench(&after.participants)?;
            check_size(after.participants.len())?;
            store::events::append(
                &tx,
                hearing_id,
                &actor,
                "hearing_updated",
                &json!({
                    "case_number": after.case_number,
                    "case_title": after.case_title,
                    "courtroom": after.courtroom,
                    "scheduled_at": after.scheduled_at,
                    "added": added.iter().map(|p| json!({"id": p.id, "name": p.name, "role": p.role})).collect::<Vec<_>>(),
                    "removed": removed.iter().map(|p| json!({"id": p.id, "name": p.name, "role": p.role})).collect::<Vec<_>>(),
                }),
                now,
            )?;
            tx.commit().map_err(StoreError::from)?;
            Ok(Edit { schedule_changed, added: added.iter().map(|p| p.id).collect(), removed, hearing: after })
        })
        .await?;

    state.rooms.reload(hearing_id).await;
    let hearing = &edit.hearing;
    let mut notices: Vec<OutgoingSms> =
        edit.removed.iter().map(|p| notice(state, hearing, p, SmsKind::ParticipantRemoved)).collect();
    for p in &hearing.participants {
        if edit.added.contains(&p.id) {
            notices.push(notice(state, hearing, p, SmsKind::HearingNotice));
        } else if edit.schedule_changed {
            notices.push(notice(state, hearing, p, SmsKind::HearingChanged));
        }
    }
    state.sms.send(notices).await?;
    Ok(edit.hearing)
}

/// Cancels a hearing that has not started; everyone is told and their sessions end.
pub async fn cancel(state: &AppState, actor: EventActor, hearing_id: i64) -> Result<Hearing, AppError> {
    let now = state.clock.now_ms();
    let record = state.record.clone();
    let hearing = state
        .store
        .call(move |conn| {
            let tx = conn.transaction().map_err(StoreError::from)?;
            let hearing = store::hearings::get(&tx, hearing_id)?.ok_or_else(AppError::not_found)?;
            if hearing.status != HearingStatus::Scheduled {
                return Err(AppError::with_message(ErrorCode::Conflict, "只能取消尚未开庭的庭审"));
            }
            store::hearings::set_status(&tx, hearing_id, HearingStatus::Cancelled, now)?;
            for p in &hearing.participants {
                store::sessions::revoke_participant(&tx, p.id, now)?;
            }
            store::events::append(&tx, hearing_id, &actor, "hearing_cancelled", &json!({}), now)?;
            hearing_log::checkpoint(&tx, &record.seal, hearing_id, now)?;
            tx.commit().map_err(StoreError::from)?;
            Ok::<_, AppError>(Hearing { status: HearingStatus::Cancelled, ..hearing })
        })
        .await?;
    state.rooms.reload(hearing_id).await;
    let notices =
        hearing.participants.iter().map(|p| notice(state, &hearing, p, SmsKind::HearingCancelled)).collect();
    state.sms.send(notices).await?;
    Ok(hearing)
}

/// How soon a notice may be resent to the same participant.
const RESEND_GAP_MS: i64 = 60_000;

/// Sends a participant's 庭审通知 again; after 闭庭, the 签名通知 to a party who has not signed yet.
pub async fn resend_notice(
    state: &AppState,
    actor: EventActor,
    hearing_id: i64,
    participant_id: i64,
) -> Result<(), AppError> {
    let now = state.clock.now_ms();
    let (hearing, participant, kind) = state
        .store
        .call(move |conn| {
            let hearing = store::hearings::get(conn, hearing_id)?.ok_or_else(AppError::not_found)?;
            if hearing.status == HearingStatus::Cancelled {
                return Err(AppError::with_message(ErrorCode::Conflict, "庭审已取消"));
            }
            let participant = hearing
                .participants
                .iter()
                .find(|p| p.id == participant_id)
                .cloned()
                .ok_or_else(AppError::not_found)?;
            // After 闭庭 all that is left is signing: only a party who still owes a signature
            // (who may log in) is sent the signing request again.
            let kind = if hearing.status.is_over() {
                let may_log_in = store::hearings::participant_for_login(conn, hearing.meeting_number, &participant.mobile)?
                    == Some((participant.id, hearing_id));
                if !may_log_in {
                    return Err(AppError::with_message(ErrorCode::Conflict, "庭审已闭庭，该参与人没有待签名的笔录"));
                }
                SmsKind::SigningRequest
            } else {
                SmsKind::HearingNotice
            };
            // A second click, or an impatient one, does not text the party again at once.
            if store::events::notice_resent_at(conn, hearing_id, participant.id)?.is_some_and(|at| now - at < RESEND_GAP_MS) {
                return Err(AppError::with_message(ErrorCode::RateLimited, "刚刚已向该参与人重发通知，请1分钟后再试"));
            }
            // A new notice also lets a party who used up their login codes start afresh.
            store::login::reset(conn, hearing.meeting_number, &participant.mobile)?;
            store::events::append(
                conn,
                hearing_id,
                &actor,
                "notice_resent",
                &json!({"participant_id": participant.id, "name": participant.name, "login_reset": true, "kind": kind}),
                now,
            )?;
            Ok((hearing, participant, kind))
        })
        .await?;
    state.sms.send(vec![notice(state, &hearing, &participant, kind)]).await
}
