//! 圈注 over one evidence item, for the app shells: the marks on it (and
//! those being drawn), and drawing, previewing and undoing one's own.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use cloudtrial_protocol::annotation::{Annotating, Mark, MarkColour, MarkDraft, Shape};
use cloudtrial_protocol::signalling::ClientMessage;
use cloudtrial_protocol::text::visible;
use tokio::sync::watch;

use crate::error::{Error, Result};
use crate::hearing::{LivePreview, RoomLink, RoomState};

/// The least time between two previews of a stroke: the others see it grow
/// about twelve times a second, whatever the pen's rate.
pub const PREVIEW_INTERVAL: Duration = Duration::from_millis(80);

/// The marks over one evidence item as this participant sees them now.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EvidenceMarks {
    pub marks: Vec<Mark>,
    pub previews: Vec<LivePreview>,
    /// Where this participant stands (申请圈注 when `No`).
    pub annotating: Annotating,
    /// This participant's id, to tell their own marks (which they may undo).
    pub me: Option<i64>,
}

impl EvidenceMarks {
    pub fn may_draw(&self) -> bool {
        self.annotating.may_draw()
    }
}

pub struct AnnotationSession {
    link: RoomLink,
    evidence_id: String,
    stroke: AtomicU32,
    last_preview: Mutex<Option<Instant>>,
}

impl AnnotationSession {
    pub(crate) fn new(link: RoomLink, evidence_id: String) -> Self {
        Self { link, evidence_id, stroke: AtomicU32::new(1), last_preview: Mutex::new(None) }
    }

    pub fn evidence_id(&self) -> &str {
        &self.evidence_id
    }

    /// This item's marks out of the whole room's state.
    pub fn marks_in(&self, state: &RoomState) -> EvidenceMarks {
        let here = |id: &str| id == self.evidence_id;
        EvidenceMarks {
            marks: state.marks.iter().filter(|m| here(&m.evidence_id)).cloned().collect(),
            previews: state.previews.iter().filter(|p| here(&p.draft.evidence_id)).cloned().collect(),
            annotating: state.room.as_ref().map(|r| r.me.annotating).unwrap_or_default(),
            me: state.room.as_ref().map(|r| r.me.id),
        }
    }

    pub fn marks(&self) -> EvidenceMarks {
        self.marks_in(&self.link.state())
    }

    /// The room's state, current value first; read it with `marks_in`.
    pub fn subscribe(&self) -> watch::Receiver<RoomState> {
        self.link.subscribe_state()
    }

    /// 申请圈注 for this item.
    pub async fn request(&self) -> Result<()> {
        let evidence_id = Some(self.evidence_id.clone());
        self.link.ask(|request_id| ClientMessage::RequestAnnotation { request_id, evidence_id }).await.map(|_| ())
    }

    fn draft(&self, page: u32, colour: MarkColour, shape: Shape) -> MarkDraft {
        // Text as it shows: typed on a phone, it may carry characters nobody sees.
        let shape = match shape {
            Shape::Text { at, text } => Shape::Text { at, text: visible(&text) },
            other => other,
        };
        MarkDraft { evidence_id: self.evidence_id.clone(), page, colour, shape }
    }

    /// The mark being drawn, so far. Sent at most every `PREVIEW_INTERVAL`;
    /// returns whether this one went out.
    pub fn preview(&self, page: u32, colour: MarkColour, shape: Shape) -> Result<bool> {
        // Held while sending, so `last_preview` says whether a preview of this stroke went out.
        let mut last = self.last_preview.lock().unwrap_or_else(|p| p.into_inner());
        if last.is_some_and(|at| at.elapsed() < PREVIEW_INTERVAL) {
            return Ok(false);
        }
        let stroke = self.stroke.load(Ordering::Relaxed);
        self.link.preview(stroke, self.draft(page, colour, shape))?;
        *last = Some(Instant::now());
        Ok(true)
    }

    /// The stroke being drawn is given up (too small to keep, the touch
    /// cancelled, the viewer closed): if the others were shown any of it,
    /// they drop it (`clear_preview`), and so does this room state. The next
    /// preview starts a new stroke. Returns whether the clearing went out;
    /// nothing is sent for a stroke nobody was shown.
    pub fn abandon(&self) -> Result<bool> {
        let shown = {
            let mut last = self.last_preview.lock().unwrap_or_else(|p| p.into_inner());
            self.stroke.fetch_add(1, Ordering::Relaxed);
            last.take().is_some()
        };
        if !shown {
            return Ok(false);
        }
        self.link.clear_preview()?;
        Ok(true)
    }

    /// Commits the finished mark; returns its id once the server has taken it.
    /// A refusal (no permission any more, hearing closed) comes back as an error.
    pub async fn draw(&self, page: u32, colour: MarkColour, shape: Shape) -> Result<i64> {
        self.stroke.fetch_add(1, Ordering::Relaxed);
        *self.last_preview.lock().unwrap_or_else(|p| p.into_inner()) = None;
        let draft = self.draft(page, colour, shape);
        self.link.ask(|request_id| ClientMessage::DrawMark { request_id, draft }).await?.ok_or(Error::NotConnected)
    }

    /// 撤销: takes away this participant's latest mark on this item, if any.
    pub async fn undo(&self) -> Result<Option<i64>> {
        let mine = self.marks();
        let Some(last) = mine.marks.iter().rev().find(|m| Some(m.author.id) == mine.me) else { return Ok(None) };
        self.remove(last.id).await?;
        Ok(Some(last.id))
    }

    /// Takes a mark away: one's own, or any for the presiding judge (清除).
    pub async fn remove(&self, mark_id: i64) -> Result<()> {
        self.link.ask(|request_id| ClientMessage::RemoveMark { request_id, mark_id }).await.map(|_| ())
    }
}
