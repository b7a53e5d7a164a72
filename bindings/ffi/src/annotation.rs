use std::sync::Arc;

use cloudtrial_core::annotation as core;
use cloudtrial_core::protocol::annotation as wire;

use crate::error::ClientError;
use crate::room::HearingRoom;
use crate::runtime;
use crate::task_handle::TaskHandle;

/// A point on the page, as fractions (0..1) of its width and height.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct MarkPoint {
    pub x: f32,
    pub y: f32,
}

impl From<wire::Point> for MarkPoint {
    fn from(p: wire::Point) -> Self {
        Self { x: p.x, y: p.y }
    }
}

impl From<MarkPoint> for wire::Point {
    fn from(p: MarkPoint) -> Self {
        Self { x: p.x, y: p.y }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum MarkColour {
    Red,
    Blue,
    Green,
    Orange,
}

impl From<wire::MarkColour> for MarkColour {
    fn from(c: wire::MarkColour) -> Self {
        match c {
            wire::MarkColour::Red => Self::Red,
            wire::MarkColour::Blue => Self::Blue,
            wire::MarkColour::Green => Self::Green,
            wire::MarkColour::Orange => Self::Orange,
            // A colour from a newer server than this app knows.
            wire::MarkColour::Unknown => Self::Red,
        }
    }
}

impl From<MarkColour> for wire::MarkColour {
    fn from(c: MarkColour) -> Self {
        match c {
            MarkColour::Red => Self::Red,
            MarkColour::Blue => Self::Blue,
            MarkColour::Green => Self::Green,
            MarkColour::Orange => Self::Orange,
        }
    }
}

/// 画笔, 矩形, 椭圆, 箭头, 文字.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum MarkShape {
    Ink { points: Vec<MarkPoint> },
    Rectangle { from: MarkPoint, to: MarkPoint },
    Ellipse { from: MarkPoint, to: MarkPoint },
    Arrow { from: MarkPoint, to: MarkPoint },
    Text { at: MarkPoint, text: String },
}

impl From<wire::Shape> for MarkShape {
    fn from(s: wire::Shape) -> Self {
        match s {
            wire::Shape::Ink { points } => Self::Ink { points: points.into_iter().map(Into::into).collect() },
            wire::Shape::Rectangle { from, to } => Self::Rectangle { from: from.into(), to: to.into() },
            wire::Shape::Ellipse { from, to } => Self::Ellipse { from: from.into(), to: to.into() },
            wire::Shape::Arrow { from, to } => Self::Arrow { from: from.into(), to: to.into() },
            wire::Shape::Text { at, text } => Self::Text { at: at.into(), text },
            // A shape from a newer server than this app knows: a stroke with no points draws nothing.
            wire::Shape::Unknown => Self::Ink { points: Vec::new() },
        }
    }
}

impl From<MarkShape> for wire::Shape {
    fn from(s: MarkShape) -> Self {
        match s {
            MarkShape::Ink { points } => Self::Ink { points: points.into_iter().map(Into::into).collect() },
            MarkShape::Rectangle { from, to } => Self::Rectangle { from: from.into(), to: to.into() },
            MarkShape::Ellipse { from, to } => Self::Ellipse { from: from.into(), to: to.into() },
            MarkShape::Arrow { from, to } => Self::Arrow { from: from.into(), to: to.into() },
            MarkShape::Text { at, text } => Self::Text { at: at.into(), text },
        }
    }
}

/// A mark over the evidence, committed or still being drawn.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct EvidenceMark {
    /// `None` while it is being drawn (a preview).
    pub id: Option<i64>,
    pub page: u32,
    pub colour: MarkColour,
    pub shape: MarkShape,
    pub author_id: i64,
    /// "被告 李四": shown next to the mark.
    pub author_label: String,
}

impl From<wire::Mark> for EvidenceMark {
    fn from(m: wire::Mark) -> Self {
        Self {
            id: Some(m.id),
            page: m.page,
            colour: m.colour.into(),
            shape: m.shape.into(),
            author_id: m.author.id,
            author_label: m.author.label(),
        }
    }
}

impl From<cloudtrial_core::LivePreview> for EvidenceMark {
    fn from(p: cloudtrial_core::LivePreview) -> Self {
        Self {
            id: None,
            page: p.draft.page,
            colour: p.draft.colour.into(),
            shape: p.draft.shape.into(),
            author_id: p.author.id,
            author_label: p.author.label(),
        }
    }
}

/// Where this participant stands on annotating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Annotating {
    /// Show 申请圈注.
    No,
    /// Waiting for the judge.
    Requested,
    Allowed,
    /// Judges and clerks.
    Court,
}

impl From<wire::Annotating> for Annotating {
    fn from(a: wire::Annotating) -> Self {
        match a {
            wire::Annotating::No => Self::No,
            wire::Annotating::Requested => Self::Requested,
            wire::Annotating::Allowed => Self::Allowed,
            wire::Annotating::Court => Self::Court,
            wire::Annotating::Unknown => Self::No,
        }
    }
}

/// The marks over one evidence item now.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct EvidenceMarks {
    pub marks: Vec<EvidenceMark>,
    /// Being drawn right now (this participant's own included).
    pub previews: Vec<EvidenceMark>,
    pub annotating: Annotating,
    pub may_draw: bool,
}

impl From<core::EvidenceMarks> for EvidenceMarks {
    fn from(m: core::EvidenceMarks) -> Self {
        Self {
            may_draw: m.may_draw(),
            annotating: m.annotating.into(),
            marks: m.marks.into_iter().map(Into::into).collect(),
            previews: m.previews.into_iter().map(Into::into).collect(),
        }
    }
}

/// Receives the marks of one item: at once, then on every change.
#[uniffi::export(callback_interface)]
pub trait EvidenceMarksListener: Send + Sync {
    fn on_update(&self, marks: EvidenceMarks);
}

/// 圈注 over one evidence item.
#[derive(uniffi::Object)]
pub struct AnnotationSession {
    inner: Arc<core::AnnotationSession>,
}

#[uniffi::export]
impl HearingRoom {
    /// Marks over one evidence item: watch, draw, undo.
    pub fn annotation(&self, evidence_id: String) -> Arc<AnnotationSession> {
        Arc::new(AnnotationSession { inner: Arc::new(self.session().annotation(evidence_id)) })
    }

    /// 申请圈注 without naming an item.
    pub async fn request_annotation(&self) -> Result<(), ClientError> {
        let room = self.session_handle();
        runtime::run(async move { room.request_annotation(None).await }).await.map_err(Into::into)
    }

    /// 通过 a party's 申请圈注 (judges only).
    pub async fn allow_annotation(&self, participant_id: i64) -> Result<(), ClientError> {
        let room = self.session_handle();
        runtime::run(async move { room.allow_annotation(participant_id).await }).await.map_err(Into::into)
    }

    /// 收回圈注 (judges only).
    pub async fn withdraw_annotation(&self, participant_id: i64) -> Result<(), ClientError> {
        let room = self.session_handle();
        runtime::run(async move { room.withdraw_annotation(participant_id).await }).await.map_err(Into::into)
    }
}

#[uniffi::export]
impl AnnotationSession {
    pub fn marks(&self) -> EvidenceMarks {
        self.inner.marks().into()
    }

    pub fn subscribe(&self, listener: Box<dyn EvidenceMarksListener>) -> Arc<TaskHandle> {
        let session = self.inner.clone();
        let mut states = session.subscribe();
        TaskHandle::new(runtime::handle().spawn(async move {
            let mut last = session.marks_in(&states.borrow_and_update());
            listener.on_update(last.clone().into());
            while states.changed().await.is_ok() {
                let now = session.marks_in(&states.borrow_and_update());
                if now != last {
                    listener.on_update(now.clone().into());
                    last = now;
                }
            }
        }))
    }

    /// 申请圈注 for this item.
    pub async fn request(&self) -> Result<(), ClientError> {
        let session = self.inner.clone();
        runtime::run(async move { session.request().await }).await.map_err(Into::into)
    }

    /// The mark so far, while the finger moves (throttled; not stored).
    pub fn preview(&self, page: u32, colour: MarkColour, shape: MarkShape) -> Result<(), ClientError> {
        self.inner.preview(page, colour.into(), shape.into()).map(|_| ()).map_err(Into::into)
    }

    /// The stroke is given up without a mark (too small, the touch cancelled,
    /// the viewer closed): whoever was shown it drops it. The next preview
    /// starts a new stroke.
    pub fn abandon(&self) -> Result<(), ClientError> {
        self.inner.abandon().map(|_| ()).map_err(Into::into)
    }

    /// Commits the finished mark; returns its id.
    pub async fn draw(&self, page: u32, colour: MarkColour, shape: MarkShape) -> Result<i64, ClientError> {
        let session = self.inner.clone();
        runtime::run(async move { session.draw(page, colour.into(), shape.into()).await }).await.map_err(Into::into)
    }

    /// 撤销 this participant's latest mark on the item; returns its id, if there was one.
    pub async fn undo(&self) -> Result<Option<i64>, ClientError> {
        let session = self.inner.clone();
        runtime::run(async move { session.undo().await }).await.map_err(Into::into)
    }

    /// Takes a mark away: one's own, or any for the presiding judge (清除).
    pub async fn remove(&self, mark_id: i64) -> Result<(), ClientError> {
        let session = self.inner.clone();
        runtime::run(async move { session.remove(mark_id).await }).await.map_err(Into::into)
    }
}
