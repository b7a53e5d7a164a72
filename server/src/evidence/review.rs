//! Looking at evidence, withdrawing it, and cross-examining it (质证).

use cloudtrial_protocol::ErrorCode;
use cloudtrial_protocol::evidence::{Evidence, EvidenceKind, EvidenceStream, OpinionRequest};
use cloudtrial_protocol::paths;
use serde_json::json;

use super::annotated::{self, Legend};
use super::files::Derived;
use super::integrity;
use super::pdf_pages::Page;
use crate::auth::Caller;
use crate::error::AppError;
use crate::access::{self, Action, HearingAccess};
use crate::state::AppState;
use crate::stream_ticket;
use crate::store::{self, StoreError};
use crate::validate;

/// Which file of a piece of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Original,
    /// An image at full resolution without metadata.
    Copy,
    Preview,
    Thumbnail,
}

pub async fn list(state: &AppState, caller: &Caller, hearing_id: i64) -> Result<Vec<Evidence>, AppError> {
    HearingAccess::require(state, caller, hearing_id, Action::ReadEvidence).await?;
    state.store.call(move |conn| store::evidence::list(conn, hearing_id).map_err(AppError::from)).await
}

/// One piece of evidence and the caller's standing in its hearing. Another
/// hearing's evidence looks exactly like evidence that does not exist.
pub async fn get(state: &AppState, caller: &Caller, public_id: &str) -> Result<(i64, Evidence, HearingAccess), AppError> {
    let id = public_id.to_owned();
    let found = state.store.call(move |conn| store::evidence::by_public_id(conn, &id).map_err(AppError::from)).await?;
    let (row_id, evidence) = found.ok_or_else(AppError::not_found)?;
    let access = HearingAccess::load(state, caller, evidence.hearing_id).await.map_err(|e| match e.code {
        ErrorCode::Forbidden => AppError::not_found(),
        _ => e,
    })?;
    access.check(Action::ReadEvidence)?;
    Ok((row_id, evidence, access))
}

/// What is served for a file of an item: a picture made from it, or the
/// stored original itself (checked against its hash), read as it is sent.
pub enum Content {
    Picture(Vec<u8>),
    Stored(std::path::PathBuf),
}

/// The file to serve, and its media type (the original's is the item's own).
pub async fn file(state: &AppState, caller: &Caller, public_id: &str, variant: Variant) -> Result<(Evidence, Content, &'static str), AppError> {
    let (_, evidence, access) = get(state, caller, public_id).await?;
    let picture = |bytes| (Content::Picture(bytes), "image/jpeg");
    let (content, media_type) = match variant {
        Variant::Original => {
            access.check(read_original(&evidence))?;
            (Content::Stored(integrity::original(state, &evidence).await?), "")
        }
        Variant::Copy if evidence.has_preview => picture(integrity::clean_copy(state, &evidence).await?),
        Variant::Preview if evidence.has_preview => picture(integrity::preview(state, &evidence, Derived::Preview).await?),
        Variant::Thumbnail if evidence.has_preview => picture(integrity::preview(state, &evidence, Derived::Thumbnail).await?),
        _ => return Err(AppError::not_found()),
    };
    Ok((evidence, content, media_type))
}

/// A link that plays the original in the page's own player, for this caller's session.
pub async fn stream_link(state: &AppState, caller: &Caller, public_id: &str) -> Result<EvidenceStream, AppError> {
    let (_, evidence, access) = get(state, caller, public_id).await?;
    access.check(read_original(&evidence))?;
    let expires_at_ms = (state.clock.now_ms() + stream_ticket::LIFETIME_MS).min(caller.expires_at_ms());
    let ticket = stream_ticket::issue(&state.secret, &evidence.id, caller.token_hash(), expires_at_ms);
    let url = format!("{}?ticket={ticket}", paths::fill(paths::EVIDENCE_STREAM, &[&evidence.id]));
    Ok(EvidenceStream { url, expires_at_ms })
}

/// Whose session a stream ticket for `public_id` was issued to. Any ticket
/// that does not hold fails as an unknown token does.
pub async fn stream_caller(state: &AppState, public_id: &str, ticket: &str) -> Result<Caller, AppError> {
    let token_hash = stream_ticket::verify(&state.secret, public_id, ticket, state.clock.now_ms())
        .ok_or(AppError::new(ErrorCode::Unauthorized))?;
    crate::auth::resolve_hash(state, token_hash).await
}

/// Reading an item's original file: the decision for the original itself and for what is rendered from it.
fn read_original(evidence: &Evidence) -> Action {
    Action::ReadOriginal {
        side: evidence.side,
        private: evidence.kind.may_carry_location(),
        released: evidence.original_released,
    }
}

/// A PDF's page (from 1) as a picture, for whoever may read the PDF itself.
pub async fn pdf_page(state: &AppState, caller: &Caller, public_id: &str, page: u32) -> Result<(Evidence, Page), AppError> {
    let (_, evidence, access) = get(state, caller, public_id).await?;
    // The kind is in the evidence list the caller may read: say it first.
    if evidence.kind != EvidenceKind::Pdf {
        return Err(AppError::invalid("该证据不是PDF文件，没有分页图片"));
    }
    access.check(read_original(&evidence))?;
    let page = rendered_page(state, &evidence, page).await?;
    Ok((evidence, page))
}

async fn rendered_page(state: &AppState, evidence: &Evidence, page: u32) -> Result<Page, AppError> {
    integrity::check_stored(state, evidence).await?;
    Ok(state.evidence.pdf_pages.page(&state.evidence.files, &evidence.sha256, page).await?)
}

/// One page of an image or a PDF with its current 圈注 drawn over it and
/// the legend below, as a PNG, for the case file. It carries no metadata, so
/// whoever may see the evidence may have it.
pub async fn annotated(state: &AppState, caller: &Caller, public_id: &str, page: u32) -> Result<(Evidence, Vec<u8>), AppError> {
    let (row_id, evidence, _) = get(state, caller, public_id).await?;
    let no_such_page = || AppError::with_message(ErrorCode::NotFound, "该页不存在");
    // An image is drawn over its upright preview (2048 px at most, no
    // metadata): ample for the case file, and its memory is bounded whatever
    // the original's size. A PDF's page is the picture the clients show.
    let (base, pages) = match evidence.kind {
        EvidenceKind::Pdf => {
            let rendered = rendered_page(state, &evidence, page).await?;
            (rendered.png, Some((page, rendered.pages)))
        }
        EvidenceKind::Image if evidence.has_preview => {
            if page != 1 {
                return Err(no_such_page());
            }
            (integrity::preview(state, &evidence, Derived::Preview).await?, None)
        }
        _ => return Err(AppError::invalid("只有图片和PDF证据可以圈注，无法导出圈注")),
    };
    let hearing_id = evidence.hearing_id;
    let (marks, case_number) = state
        .store
        .call(move |conn| {
            let marks = store::annotation::marks_on(conn, row_id, page)?;
            let hearing = store::hearings::get(conn, hearing_id)?.ok_or_else(AppError::not_found)?;
            Ok::<_, AppError>((marks, hearing.case_number))
        })
        .await?;
    let font = state
        .record
        .font()
        .await
        .map_err(|_| AppError::with_message(ErrorCode::Internal, "服务器缺少中文字体（fonts-noto-cjk），暂时无法导出圈注"))?;
    let legend = Legend {
        case_number,
        title: evidence.title.clone(),
        sha256: evidence.sha256.clone(),
        page: pages,
        exported_at: crate::clock::local_date_time(state.clock.now_ms(), state.config.utc_offset_minutes),
    };
    let turn = state.evidence.decode_turn().await?;
    let png = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, AppError> {
        let _turn = turn;
        let base = image::load_from_memory(&base).map_err(|e| AppError::internal(format!("evidence picture: {e}")))?.into_rgba8();
        let drawn = annotated::render(base, &marks, &legend, &font);
        let mut png = Vec::new();
        image::DynamicImage::ImageRgba8(drawn)
            .into_rgb8()
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .map_err(AppError::internal)?;
        Ok(png)
    })
    .await
    .map_err(AppError::internal)??;
    Ok((evidence, png))
}

/// The presiding judge lets every party download an original (a photo with
/// its location, a recording); the hearing log says who and when.
pub async fn release_original(state: &AppState, caller: &Caller, public_id: &str) -> Result<Evidence, AppError> {
    let (row_id, evidence, access) = get(state, caller, public_id).await?;
    access.check(Action::ReleaseOriginal)?;
    let detail = json!({"evidence_id": evidence.id, "title": evidence.title, "sha256": evidence.sha256});
    change(state, &access, row_id, "evidence_original_released", detail, move |tx, now| {
        store::evidence::release_original(tx, row_id, now).map_err(AppError::from)
    })
    .await
}

pub async fn withdraw(state: &AppState, caller: &Caller, public_id: &str) -> Result<Evidence, AppError> {
    let (row_id, evidence, access) = get(state, caller, public_id).await?;
    let action = Action::WithdrawEvidence { submitted_by: evidence.submitter.id };
    access.check(action)?;
    let detail = json!({"evidence_id": evidence.id, "title": evidence.title, "sha256": evidence.sha256});
    let standing = access.clone();
    change(state, &access, row_id, "evidence_withdrawn", detail, move |tx, now| {
        recheck(tx, &standing, action)?;
        if !store::evidence::withdraw(tx, row_id, now)? {
            return Err(AppError::with_message(ErrorCode::Conflict, "该证据已撤回"));
        }
        Ok(true)
    })
    .await
}

/// Changes one piece of evidence in a transaction that logs the change
/// (when `apply` says something changed), then tells the room.
async fn change(
    state: &AppState,
    access: &HearingAccess,
    row_id: i64,
    action: &'static str,
    detail: serde_json::Value,
    apply: impl FnOnce(&rusqlite::Transaction<'_>, i64) -> Result<bool, AppError> + Send + 'static,
) -> Result<Evidence, AppError> {
    let (now, actor, hearing_id) = (state.clock.now_ms(), access.actor.clone(), access.hearing_id);
    let changed = state
        .store
        .call(move |conn| {
            let tx = conn.transaction().map_err(StoreError::from)?;
            if apply(&tx, now)? {
                store::events::append(&tx, hearing_id, &actor, action, &detail, now)?;
            }
            tx.commit().map_err(StoreError::from)?;
            store::evidence::by_row_id(conn, row_id)?.ok_or_else(AppError::not_found)
        })
        .await?;
    state.rooms.evidence_changed(hearing_id, changed.id.clone()).await;
    Ok(changed)
}

pub async fn give_opinion(
    state: &AppState,
    caller: &Caller,
    public_id: &str,
    mut opinion: OpinionRequest,
) -> Result<Evidence, AppError> {
    let (row_id, evidence, access) = get(state, caller, public_id).await?;
    let action = Action::Opine { side: evidence.side };
    access.check(action)?;
    let participant_id = access.participant_id().ok_or_else(AppError::forbidden)?;
    if evidence.withdrawn_at_ms.is_some() {
        return Err(AppError::with_message(ErrorCode::Conflict, "该证据已撤回"));
    }
    for (position, aspect) in [
        (&mut opinion.authenticity, "真实性"),
        (&mut opinion.legality, "合法性"),
        (&mut opinion.relevance, "关联性"),
    ] {
        if position.stance == cloudtrial_protocol::evidence::Stance::Unknown {
            return Err(AppError::invalid(format!("对{aspect}的意见只能是认可或有异议")));
        }
        position.reason = validate::note(&position.reason, &format!("{aspect}的理由"), 2000)?;
        if position.stance == cloudtrial_protocol::evidence::Stance::Dispute && position.reason.is_empty() {
            return Err(AppError::invalid(format!("请填写对{aspect}有异议的理由")));
        }
    }
    let now = state.clock.now_ms();
    let (actor, hearing_id) = (access.actor.clone(), evidence.hearing_id);
    let updated = state
        .store
        .call(move |conn| {
            let tx = conn.transaction().map_err(StoreError::from)?;
            recheck(&tx, &access, action)?;
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

/// The decision again inside the write's transaction: the judge may have
/// blocked the party, or closed the hearing, since the request began.
fn recheck(conn: &rusqlite::Connection, access: &HearingAccess, action: Action) -> Result<(), AppError> {
    let participant_id = access.participant_id().ok_or_else(AppError::forbidden)?;
    let (standing, _) = access::participant_standing(conn, access.hearing_id, participant_id)?;
    access::decide(&standing, action)
}
