//! The court record (笔录): the clerk's versions, signing (in the app or
//! through a QR code), the signed PDF and its verification.

pub mod font;
pub mod pdf;
mod qr;
pub mod seal;
pub mod signature_image;
pub mod signed_pdf;
pub mod signing;
pub mod verify;
pub mod writing;

use std::path::PathBuf;
use std::sync::Arc;

use cloudtrial_protocol::ErrorCode;
use cloudtrial_protocol::api::{HearingStatus, ParticipantRecord, ParticipantSummary};
use cloudtrial_protocol::signalling::BLOCKED_MESSAGE;

use crate::auth::Caller;
use crate::error::AppError;
use crate::permissions::{RecordAction, StaffAction, participant_may_record, staff_may};
use crate::state::AppState;
use crate::store::{self, events::EventActor};

/// The record's server-wide parts: the seal, and the PDF font (loaded once, when first needed).
pub struct RecordServices {
    pub seal: Arc<seal::RecordSeal>,
    font_path: Option<PathBuf>,
    font: tokio::sync::OnceCell<Arc<font::RecordFont>>,
}

impl RecordServices {
    pub fn new(seal: Arc<seal::RecordSeal>, font_path: Option<PathBuf>) -> Self {
        Self { seal, font_path, font: tokio::sync::OnceCell::new() }
    }

    pub async fn font(&self) -> Result<Arc<font::RecordFont>, AppError> {
        self.font
            .get_or_try_init(|| async {
                let path = self.font_path.clone();
                let loaded = tokio::task::spawn_blocking(move || font::RecordFont::discover(path.as_deref()))
                    .await
                    .map_err(AppError::internal)?;
                loaded.map(Arc::new).map_err(|e| {
                    tracing::error!("the signed record PDF cannot be made: {e}");
                    AppError::with_message(ErrorCode::Internal, "服务器缺少中文字体，暂时无法生成笔录PDF")
                })
            })
            .await
            .cloned()
    }
}

/// Who is asking about a hearing's record, and what they may do with it.
#[derive(Debug, Clone)]
pub struct RecordCaller {
    /// The caller as a participant of the hearing; for staff, the participant
    /// their account is linked to, if any.
    pub participant: Option<ParticipantSummary>,
    pub may_edit: bool,
    pub actor: EventActor,
}

impl RecordCaller {
    /// "书记员 李书记", for the version's author.
    pub fn label(&self) -> String {
        match (&self.participant, &self.actor) {
            (Some(p), _) => p.label(),
            (None, EventActor::Staff { name, .. } | EventActor::Participant { name, .. }) => name.clone(),
            (None, EventActor::System) => "系统".to_owned(),
        }
    }

    pub fn require_edit(&self) -> Result<(), AppError> {
        if self.may_edit {
            Ok(())
        } else {
            Err(AppError::with_message(ErrorCode::Forbidden, "只有本案的审判人员和书记员可以编辑笔录或发起签名"))
        }
    }
}

/// Participants read their own hearing's record unless blocked; staff read
/// any; the hearing's judges and clerk (in the room or in the console) write it.
pub async fn record_caller(state: &AppState, caller: &Caller, hearing_id: i64) -> Result<RecordCaller, AppError> {
    match caller {
        Caller::Participant(p) => {
            p.require_hearing(hearing_id)?;
            let participant_id = p.participant_id;
            // A block keeps a party out of the hearing while it runs; once it is
            // closed, everyone reads the record they are asked to sign.
            let blocked = state
                .store
                .call(move |conn| {
                    let members = store::room::members(conn, hearing_id)?;
                    let closed = store::room::status(conn, hearing_id)? == Some(HearingStatus::Closed);
                    Ok::<_, AppError>(members.iter().find(|m| m.id == participant_id).map(|m| m.blocked && !closed))
                })
                .await?
                .ok_or_else(AppError::forbidden)?;
            if blocked {
                return Err(AppError::with_message(ErrorCode::Forbidden, BLOCKED_MESSAGE));
            }
            Ok(RecordCaller {
                participant: Some(ParticipantSummary { id: p.participant_id, name: p.name.clone(), role: p.role }),
                may_edit: participant_may_record(p.role, RecordAction::Write),
                actor: p.actor(),
            })
        }
        Caller::Staff(staff) => {
            staff.require(StaffAction::ViewHearing)?;
            let staff_id = staff.account.id;
            let linked = state
                .store
                .call(move |conn| {
                    store::room::status(conn, hearing_id)?.ok_or_else(AppError::not_found)?;
                    store::hearings::participant_for_staff(conn, hearing_id, staff_id).map_err(AppError::from)
                })
                .await?;
            let may_edit = staff_may(staff.account.role, StaffAction::EnterHearing)
                && linked.as_ref().is_some_and(|p| participant_may_record(p.role, RecordAction::Write));
            Ok(RecordCaller {
                participant: linked.as_ref().map(ParticipantRecord::summary),
                may_edit,
                actor: staff.actor(),
            })
        }
    }
}
