//! Looking at evidence, withdrawing it, and cross-examining it (质证).

use cloudtrial_protocol::ErrorCode;
use cloudtrial_protocol::evidence::{Evidence, OpinionRequest};
use serde_json::json;

use super::files::Derived;
use crate::auth::Caller;
use crate::error::AppError;
use crate::permissions::{EvidenceAction, StaffAction, participant_may};
use crate::state::AppState;
use crate::store::{self, StoreError};
use crate::validate;

/// Which file of a piece of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Original,
    Preview,
    Thumbnail,
}

/// Staff may look at any hearing's evidence; participants at their own hearing's.
fn may_see(caller: &Caller, hearing_id: i64) -> bool {
    match caller {
        Caller::Staff(staff) => staff.require(StaffAction::ViewHearing).is_ok(),
        Caller::Participant(p) => p.hearing_id == hearing_id,
    }
}

pub async fn list(state: &AppState, caller: &Caller, hearing_id: i64) -> Result<Vec<Evidence>, AppError> {
    if !may_see(caller, hearing_id) {
        return Err(AppError::forbidden());
    }
    state.store.call(move |conn| store::evidence::list(conn, hearing_id).map_err(AppError::from)).await
}

/// One piece of evidence the caller may see; others' look exactly like ones that do not exist.
pub async fn get(state: &AppState, caller: &Caller, public_id: &str) -> Result<(i64, Evidence), AppError> {
    let id = public_id.to_owned();
    let found = state.store.call(move |conn| store::evidence::by_public_id(conn, &id).map_err(AppError::from)).await?;
    found.filter(|(_, e)| may_see(caller, e.hearing_id)).ok_or_else(AppError::not_found)
}

/// The file to serve: its bytes and media type.
pub async fn file(state: &AppState, caller: &Caller, public_id: &str, variant: Variant) -> Result<(Evidence, Vec<u8>, &'static str), AppError> {
    let (_, evidence) = get(state, caller, public_id).await?;
    let files = state.evidence.files.clone();
    let (path, media_type) = match variant {
        Variant::Original => (files.object(&evidence.sha256), ""),
        Variant::Preview if evidence.has_preview => (files.derived(&evidence.sha256, Derived::Preview), "image/jpeg"),
        Variant::Thumbnail if evidence.has_preview => (files.derived(&evidence.sha256, Derived::Thumbnail), "image/jpeg"),
        _ => return Err(AppError::not_found()),
    };
    let bytes = tokio::task::spawn_blocking(move || std::fs::read(path))
        .await
        .map_err(AppError::internal)?
        .map_err(|e| AppError::internal(format!("evidence file unreadable: {e}")))?;
    Ok((evidence, bytes, media_type))
}

pub async fn withdraw(state: &AppState, caller: &Caller, public_id: &str) -> Result<Evidence, AppError> {
    let Caller::Participant(participant) = caller else { return Err(AppError::forbidden()) };
    let (row_id, evidence) = get(state, caller, public_id).await?;
    if evidence.submitter.id != participant.participant_id {
        return Err(AppError::with_message(ErrorCode::Forbidden, "只能撤回自己提交的证据"));
    }
    let now = state.clock.now_ms();
    let actor = participant.actor();
    let hearing_id = evidence.hearing_id;
    let withdrawn = state
        .store
        .call(move |conn| {
            let tx = conn.transaction().map_err(StoreError::from)?;
            if store::room::status(&tx, hearing_id)?.is_some_and(|s| s.is_over()) {
                return Err(AppError::with_message(ErrorCode::Conflict, "庭审已结束，不能撤回证据"));
            }
            if !store::evidence::withdraw(&tx, row_id, now)? {
                return Err(AppError::with_message(ErrorCode::Conflict, "该证据已撤回"));
            }
            store::events::append(
                &tx,
                hearing_id,
                &actor,
                "evidence_withdrawn",
                &json!({"evidence_id": evidence.id, "title": evidence.title, "sha256": evidence.sha256}),
                now,
            )?;
            tx.commit().map_err(StoreError::from)?;
            store::evidence::by_row_id(conn, row_id)?.ok_or_else(AppError::not_found)
        })
        .await?;
    state.rooms.evidence_changed(hearing_id, withdrawn.id.clone()).await;
    Ok(withdrawn)
}

pub async fn give_opinion(
    state: &AppState,
    caller: &Caller,
    public_id: &str,
    mut opinion: OpinionRequest,
) -> Result<Evidence, AppError> {
    let Caller::Participant(participant) = caller else { return Err(AppError::forbidden()) };
    if !participant_may(participant.role, EvidenceAction::Opine) {
        return Err(AppError::with_message(ErrorCode::Forbidden, "只有当事人可以发表质证意见"));
    }
    let (row_id, evidence) = get(state, caller, public_id).await?;
    if evidence.side == participant.role.side() {
        return Err(AppError::with_message(ErrorCode::Forbidden, "不能对本方提交的证据发表质证意见"));
    }
    if evidence.withdrawn_at_ms.is_some() {
        return Err(AppError::with_message(ErrorCode::Conflict, "该证据已撤回"));
    }
    for (position, aspect) in [
        (&mut opinion.authenticity, "真实性"),
        (&mut opinion.legality, "合法性"),
        (&mut opinion.relevance, "关联性"),
    ] {
        position.reason = position.reason.trim().to_owned();
        if position.reason.chars().count() > 2000 {
            return Err(AppError::invalid(format!("{aspect}的理由不能超过2000个字")));
        }
        if position.stance == cloudtrial_protocol::evidence::Stance::Dispute {
            position.reason = validate::text(&position.reason, &format!("对{aspect}有异议的理由"), 2000)?;
        }
    }
    let now = state.clock.now_ms();
    let (participant_id, actor, hearing_id) = (participant.participant_id, participant.actor(), evidence.hearing_id);
    let updated = state
        .store
        .call(move |conn| {
            let tx = conn.transaction().map_err(StoreError::from)?;
            if store::room::status(&tx, hearing_id)?.is_some_and(|s| s.is_over()) {
                return Err(AppError::with_message(ErrorCode::Conflict, "庭审已结束，不能再发表质证意见"));
            }
            store::evidence::put_opinion(&tx, row_id, participant_id, &opinion, now)?;
            store::events::append(
                &tx,
                hearing_id,
                &actor,
                "evidence_opinion",
                &json!({
                    "evidence_id": evidence.id, "sha256": evidence.sha256,
                    "authenticity": opinion.authenticity, "legality": opinion.legality, "relevance": opinion.relevance,
                }),
                now,
            )?;
            tx.commit().map_err(StoreError::from)?;
            store::evidence::by_row_id(conn, row_id)?.ok_or_else(AppError::not_found)
        })
        .await?;
    state.rooms.evidence_changed(hearing_id, updated.id.clone()).await;
    Ok(updated)
}
