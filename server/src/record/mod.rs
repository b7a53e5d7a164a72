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
use cloudtrial_protocol::api::ParticipantSummary;

use crate::access::{Action, HearingAccess};
use crate::auth::Caller;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::events::EventActor;

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

    /// Whether a usable font is there, without keeping it (tens of MB) in
    /// memory before the first record PDF or 圈注 export needs it.
    pub async fn font_available(&self) -> bool {
        if self.font.initialized() {
            return true;
        }
        let path = self.font_path.clone();
        tokio::task::spawn_blocking(move || font::RecordFont::discover(path.as_deref()).is_ok()).await.unwrap_or(false)
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
    /// Where the hearing stands.
    pub status: cloudtrial_protocol::api::HearingStatus,
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

/// The caller's standing for the record, from the one access decision.
pub async fn record_caller(state: &AppState, caller: &Caller, hearing_id: i64) -> Result<RecordCaller, AppError> {
    let access = HearingAccess::require(state, caller, hearing_id, Action::ReadRecord).await?;
    Ok(RecordCaller {
        may_edit: access.allows(Action::WriteRecord),
        status: access.facts.status,
        participant: access.participant,
        actor: access.actor,
    })
}
