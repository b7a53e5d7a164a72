//! 圈注 in the live room: requests and the judge's permissions, marks checked
//! and ordered as they arrive, live previews relayed and never stored.

use std::collections::{HashMap, HashSet};

use cloudtrial_protocol::annotation::{Annotating, MAX_MARKS_PER_ITEM, Mark, MarkDraft};
use cloudtrial_protocol::evidence::EvidenceKind;
use cloudtrial_protocol::signalling::{RoomNotice, ServerMessage};
use cloudtrial_protocol::ErrorCode;
use serde_json::json;

use super::page_counts::{PageCount, PageCounts};
use super::{Member, Room};
use crate::access::{self, Action};
use crate::error::AppError;
use crate::store::annotation::{Ending, OpenPermission};
use crate::store::{self, StoreError};

/// What a participant sends about annotating.
pub enum AnnotationInput {
    Request { request_id: u64, evidence_id: Option<String> },
    Preview { stroke: u32, draft: MarkDraft },
    /// The stroke being drawn was given up.
    ClearPreview,
    Draw { request_id: u64, draft: MarkDraft },
    Remove { request_id: u64, mark_id: i64 },
}

/// What the room knows of an evidence item marks are drawn over.
#[derive(Debug, Clone)]
pub(super) struct MarkableEvidence {
    row: i64,
    sha256: String,
    /// How many pages marks may be on: a PDF's page count; an image has one.
    pages: u32,
}

/// The room's annotation state.
#[derive(Default)]
pub(super) struct Annotations {
    /// The marks not taken away, in the server's order.
    pub marks: Vec<Mark>,
    /// Evidence looked up for marks, by public id (`None`: not markable in this hearing).
    evidence: HashMap<String, Option<MarkableEvidence>>,
    page_counts: PageCounts,
    /// Who the others are watching draw (a preview was relayed and not yet cleared).
    previewing: HashSet<i64>,
}

impl Annotations {
    pub fn new(marks: Vec<Mark>) -> Self {
        Self { marks, evidence: HashMap::new(), page_counts: PageCounts::default(), previewing: HashSet::new() }
    }

    /// Evidence changed (withdrawn, say): look it up again next time.
    pub fn forget_evidence(&mut self, evidence_id: &str) {
        self.evidence.remove(evidence_id);
    }
}

/// Where a member stands, as the room view shows it.
pub(super) fn standing(member: &Member) -> Annotating {
    if member.record.role.is_court() {
        Annotating::Court
    } else {
        match &member.annotation {
            Some(p) if p.allowed => Annotating::Allowed,
            Some(_) => Annotating::Requested,
            None => Annotating::No,
        }
    }
}

fn not_markable() -> AppError {
    AppError::with_message(ErrorCode::InvalidRequest, "该证据不能圈注")
}

impl Room {
    pub(super) async fn annotation(&mut self, participant_id: i64, connection: u64, input: AnnotationInput) {
        match input {
            AnnotationInput::Preview { stroke, draft } => self.preview(participant_id, stroke, draft).await,
            AnnotationInput::ClearPreview => self.clear_shown_preview(participant_id),
            AnnotationInput::Request { request_id, evidence_id } => {
                let result = self.request_annotation(participant_id, evidence_id).await.map(|()| None);
                self.answer(participant_id, connection, request_id, result);
            }
            AnnotationInput::Draw { request_id, draft } => {
                let result = self.draw(participant_id, draft).await.map(Some);
                self.answer(participant_id, connection, request_id, result);
            }
            AnnotationInput::Remove { request_id, mark_id } => {
                let result = self.remove_mark(participant_id, mark_id).await.map(|()| None);
                self.answer(participant_id, connection, request_id, result);
            }
        }
    }

    fn answer(&self, participant_id: i64, connection: u64, request_id: u64, result: Result<Option<i64>, AppError>) {
        if let Err(error) = &result {
            tracing::info!(hearing_id = self.hearing_id, participant_id, "annotation refused: {error}");
        }
        let (mark_id, error) = match result {
            Ok(mark_id) => (mark_id, None),
            Err(e) => (None, Some(e.body())),
        };
        self.send_to(participant_id, connection, ServerMessage::AnnotationResult { request_id, mark_id, error });
    }

    /// The member's right to draw now, as the one access decision sees it.
    fn may_draw(&self, participant_id: i64) -> Result<&Member, AppError> {
        let member = self.member(participant_id).ok_or_else(AppError::forbidden)?;
        let allowed = standing(member) == Annotating::Allowed;
        access::decide(&self.facts(&member.record), Action::Annotate { allowed })?;
        Ok(member)
    }

    async fn markable(&mut self, evidence_id: &str) -> Result<MarkableEvidence, AppError> {
        if let Some(known) = self.annotations.evidence.get(evidence_id) {
            return known.clone().ok_or_else(not_markable);
        }
        let hearing_id = self.hearing_id;
        let id = evidence_id.to_owned();
        let found = self.store.call(move |conn| store::evidence::by_public_id(conn, &id)).await?;
        let mut markable = found.and_then(|(row, e)| {
            let shown_as_pages = (e.kind == EvidenceKind::Image && e.has_preview) || e.kind == EvidenceKind::Pdf;
            (e.hearing_id == hearing_id && e.withdrawn_at_ms.is_none() && shown_as_pages)
                .then_some((MarkableEvidence { row, sha256: e.sha256, pages: 1 }, e.kind == EvidenceKind::Pdf))
        });
        if let Some((evidence, true)) = &mut markable {
            let store = self.evidence.clone();
            let sha256 = evidence.sha256.clone();
            let count = move || async move { store.pdf_pages.pages(&store.files, &sha256).await.map_err(|e| e.to_string()) };
            match self.annotations.page_counts.get(&evidence.sha256, count).await {
                PageCount::Counted(pages) => evidence.pages = pages,
                PageCount::Counting => {
                    return Err(AppError::with_message(ErrorCode::Conflict, "正在读取该证据的页数，请稍后再圈注"));
                }
                // A PDF that cannot be shown takes no marks.
                PageCount::Failed(e) => {
                    tracing::warn!(hearing_id, evidence_id, "no page count for marks: {e}");
                    markable = None;
                }
            }
        }
        let markable = markable.map(|(evidence, _)| evidence);
        self.annotations.evidence.insert(evidence_id.to_owned(), markable.clone());
        markable.ok_or_else(not_markable)
    }

    async fn check_draft(&mut self, draft: &MarkDraft, finished: bool) -> Result<MarkableEvidence, AppError> {
        draft.check(finished).map_err(|e| AppError::with_message(e.code, e.message))?;
        let evidence = self.markable(&draft.evidence_id).await?;
        if draft.page > evidence.pages {
            return Err(AppError::with_message(ErrorCode::InvalidRequest, "该页不存在"));
        }
        Ok(evidence)
    }

    async fn preview(&mut self, participant_id: i64, stroke: u32, draft: MarkDraft) {
        let author = match self.may_draw(participant_id) {
            Ok(member) => member.summary(),
            Err(_) => {
                // Whatever it drew so far is gone for everyone, the drawer included.
                self.send_to_member(participant_id, ServerMessage::PreviewCleared { participant_id });
                return;
            }
        };
        if self.check_draft(&draft, false).await.is_err() {
            self.clear_shown_preview(participant_id);
            return;
        }
        self.annotations.previewing.insert(participant_id);
        self.send_to_others(participant_id, ServerMessage::MarkPreview { author, stroke, draft });
    }

    /// Everyone drops what this participant was drawing.
    fn clear_preview(&mut self, participant_id: i64) {
        self.annotations.previewing.remove(&participant_id);
        self.broadcast_message(ServerMessage::PreviewCleared { participant_id });
    }

    /// The same, when the others were shown something of theirs: the drawer
    /// gave the stroke up, left, or came back on a new connection.
    pub(super) fn clear_shown_preview(&mut self, participant_id: i64) {
        if self.annotations.previewing.contains(&participant_id) {
            self.clear_preview(participant_id);
        }
    }

    /// Refuses a mark past [`MAX_MARKS_PER_ITEM`] of one author on one item.
    fn check_mark_count(&self, author: i64, evidence_id: &str) -> Result<(), AppError> {
        let count = self.annotations.marks.iter().filter(|m| m.author.id == author && m.evidence_id == evidence_id).count();
        if count >= MAX_MARKS_PER_ITEM {
            let message = format!("您在该证据上的圈注已达{MAX_MARKS_PER_ITEM}处上限，请先撤销不需要的圈注");
            return Err(AppError::with_message(ErrorCode::Conflict, message));
        }
        Ok(())
    }

    async fn draw(&mut self, participant_id: i64, draft: MarkDraft) -> Result<i64, AppError> {
        let member = self.may_draw(participant_id)?;
        let author = member.summary();
        let permission_id = member.annotation.as_ref().filter(|p| p.allowed).map(|p| p.id);
        let actor = self.actor(participant_id);
        let checked = self.check_draft(&draft, true).await;
        let checked = checked.and_then(|evidence| self.check_mark_count(participant_id, &draft.evidence_id).map(|()| evidence));
        let evidence = match checked {
            Ok(evidence) => evidence,
            Err(e) => {
                self.clear_preview(participant_id);
                return Err(e);
            }
        };
        let hearing_id = self.hearing_id;
        let now = self.clock.now_ms();
        let mark = self
            .store
            .call(move |conn| {
                let tx = conn.transaction().map_err(StoreError::from)?;
                let mut mark = Mark {
                    id: 0,
                    evidence_id: draft.evidence_id,
                    evidence_sha256: evidence.sha256,
                    page: draft.page,
                    colour: draft.colour,
                    shape: draft.shape,
                    author,
                    permission_id,
                    created_at_ms: now,
                };
                mark.id = store::annotation::insert_mark(&tx, hearing_id, evidence.row, &mark)?;
                store::events::append(&tx, hearing_id, &actor, "mark_added", &json!({"mark": mark}), now)?;
                tx.commit().map_err(StoreError::from)?;
                Ok::<_, StoreError>(mark)
            })
            .await?;
        let id = mark.id;
        self.annotations.marks.push(mark.clone());
        self.broadcast_message(ServerMessage::MarkAdded { mark });
        self.clear_preview(participant_id);
        Ok(id)
    }

    async fn remove_mark(&mut self, participant_id: i64, mark_id: i64) -> Result<(), AppError> {
        let member = self.member(participant_id).ok_or_else(AppError::forbidden)?;
        let allowed = standing(member) == Annotating::Allowed;
        let by = member.summary();
        let facts = self.facts(&member.record);
        let mark = self
            .annotations
            .marks
            .iter()
            .find(|m| m.id == mark_id)
            .cloned()
            .ok_or_else(|| AppError::with_message(ErrorCode::NotFound, "该圈注已不存在"))?;
        access::decide(&facts, Action::RemoveMark { author: mark.author.id, allowed })?;
        let (hearing_id, now, actor) = (self.hearing_id, self.clock.now_ms(), self.actor(participant_id));
        let detail = json!({"mark_id": mark.id, "evidence_id": mark.evidence_id, "author": mark.author});
        let by_id = by.id;
        let removed = self
            .store
            .call(move |conn| {
                let tx = conn.transaction().map_err(StoreError::from)?;
                if !store::annotation::remove_mark(&tx, hearing_id, mark_id, by_id, now)? {
                    return Ok(false);
                }
                store::events::append(&tx, hearing_id, &actor, "mark_removed", &detail, now)?;
                tx.commit().map_err(StoreError::from)?;
                Ok::<_, StoreError>(true)
            })
            .await?;
        self.annotations.marks.retain(|m| m.id != mark_id);
        if !removed {
            return Err(AppError::with_message(ErrorCode::NotFound, "该圈注已不存在"));
        }
        self.broadcast_message(ServerMessage::MarkRemoved { mark_id, evidence_id: mark.evidence_id, by });
        Ok(())
    }

    async fn request_annotation(&mut self, participant_id: i64, evidence_id: Option<String>) -> Result<(), AppError> {
        let member = self.member(participant_id).ok_or_else(AppError::forbidden)?;
        access::decide(&self.facts(&member.record), Action::RequestAnnotation)?;
        match standing(member) {
            Annotating::Requested => return Err(AppError::with_message(ErrorCode::Conflict, "已申请圈注，请等待法官处理")),
            Annotating::Allowed => return Err(AppError::with_message(ErrorCode::Conflict, "您已可以圈注")),
            Annotating::No | Annotating::Court | Annotating::Unknown => {}
        }
        if let Some(id) = &evidence_id {
            self.markable(id).await?;
        }
        let (hearing_id, now, actor) = (self.hearing_id, self.clock.now_ms(), self.actor(participant_id));
        let named = evidence_id.clone();
        let id = self
            .store
            .call(move |conn| {
                let tx = conn.transaction().map_err(StoreError::from)?;
                let id = store::annotation::request(&tx, hearing_id, participant_id, named.as_deref(), now)?;
                let detail = json!({"permission_id": id, "evidence_id": named});
                store::events::append(&tx, hearing_id, &actor, "annotation_requested", &detail, now)?;
                tx.commit().map_err(StoreError::from)?;
                Ok::<_, StoreError>(id)
            })
            .await?;
        if let Some(member) = self.member_mut(participant_id) {
            member.annotation =
                Some(OpenPermission { id, participant_id, evidence_id: evidence_id.clone(), allowed: false });
        }
        self.changed(Some(RoomNotice::AnnotationRequested { participant_id, evidence_id }));
        Ok(())
    }

    /// The permissions a judge's command or a status change ends, with why,
    /// as (permission, participant, ending).
    pub(super) fn endings(&self, command: &cloudtrial_protocol::signalling::JudgeCommand) -> Vec<(i64, i64, Ending)> {
        use cloudtrial_protocol::signalling::JudgeCommand::*;
        let open = |id: i64| self.member(id).and_then(|m| m.annotation.as_ref());
        match *command {
            Adjourn | Close => {
                let because = if matches!(command, Adjourn) { "adjourned" } else { "closed" };
                self.members
                    .iter()
                    .filter_map(|m| m.annotation.as_ref())
                    .map(|p| (p.id, p.participant_id, Ending::Ended(because)))
                    .collect()
            }
            Block { participant_id } => {
                open(participant_id).map(|p| vec![(p.id, participant_id, Ending::Ended("blocked"))]).unwrap_or_default()
            }
            RefuseAnnotation { participant_id } => {
                open(participant_id).filter(|p| !p.allowed).map(|p| vec![(p.id, participant_id, Ending::Refused)]).unwrap_or_default()
            }
            WithdrawAnnotation { participant_id } => {
                open(participant_id).filter(|p| p.allowed).map(|p| vec![(p.id, participant_id, Ending::Withdrawn)]).unwrap_or_default()
            }
            _ => Vec::new(),
        }
    }

    /// Checks that a judge's annotation command has something to act on.
    pub(super) fn check_annotation_command(
        &self,
        command: &cloudtrial_protocol::signalling::JudgeCommand,
    ) -> Result<Option<i64>, AppError> {
        use cloudtrial_protocol::signalling::JudgeCommand::*;
        let conflict = |message: &str| Err(AppError::with_message(ErrorCode::Conflict, message));
        let (participant_id, want_allowed) = match *command {
            AllowAnnotation { participant_id } | RefuseAnnotation { participant_id } => (participant_id, false),
            WithdrawAnnotation { participant_id } => (participant_id, true),
            _ => return Ok(None),
        };
        match self.member(participant_id).and_then(|m| m.annotation.as_ref()) {
            Some(p) if p.allowed == want_allowed => Ok(Some(p.id)),
            _ if want_allowed => conflict("该当事人当前没有圈注权限"),
            _ => conflict("该当事人没有待处理的圈注申请"),
        }
    }

    /// After the command's transaction: the room's memory follows, and
    /// whatever the ended permissions were drawing disappears.
    pub(super) fn apply_endings(&mut self, endings: &[(i64, i64, Ending)]) {
        for (_, participant_id, _) in endings {
            if let Some(member) = self.member_mut(*participant_id) {
                member.annotation = None;
            }
            self.clear_preview(*participant_id);
        }
    }

    /// To everyone who may see the room, but `participant_id`.
    fn send_to_others(&self, participant_id: i64, message: ServerMessage) {
        for member in self.members.iter().filter(|m| m.record.id != participant_id && !self.kept_out(m)) {
            if let Some(connection) = &member.connection {
                let _ = connection.outbox.try_send(message.clone());
            }
        }
    }
}
