//! 圈注: marks drawn over evidence during cross-examination. A mark is a layer
//! over one fixed evidence file (its SHA-256), never written into it. Points
//! are fractions of the upright image's or the PDF page's width and height
//! (0..=1), so every rendering of the page, at any size, puts a mark in the
//! same place.

use serde::{Deserialize, Serialize};

use crate::api::{ParticipantSummary, TimestampMs};
use crate::text::checked_characters;
use crate::{ErrorBody, ErrorCode};

/// The most points one freehand stroke may have.
pub const MAX_INK_POINTS: usize = 2000;
/// The longest text mark, in characters.
pub const MAX_TEXT_CHARS: usize = 60;
/// The most pages a PDF mark may be on.
pub const MAX_PAGE: u32 = 5000;
/// The most marks one participant may have on one evidence item. Cross-examining
/// an item takes a handful of marks, rarely dozens; every client redraws all of
/// an item's marks and every export draws them, so a runaway or hostile client
/// must not heap up thousands.
pub const MAX_MARKS_PER_ITEM: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkColour {
    Red,
    Blue,
    Green,
    Orange,
    /// A colour this side does not know yet (from a newer server). The server refuses it
    /// in a mark; an app draws such a mark in red.
    #[serde(other)]
    Unknown,
}

impl MarkColour {
    pub const ALL: [MarkColour; 4] = [Self::Red, Self::Blue, Self::Green, Self::Orange];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Red => "red",
            Self::Blue => "blue",
            Self::Green => "green",
            Self::Orange => "orange",
            Self::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Red => "红",
            Self::Blue => "蓝",
            Self::Green => "绿",
            Self::Orange => "橙",
            Self::Unknown => "未知",
        }
    }

    /// sRGB, the same on every client and in the export.
    pub fn rgb(self) -> [u8; 3] {
        match self {
            Self::Red | Self::Unknown => [0xd9, 0x1e, 0x18],
            Self::Blue => [0x1f, 0x5f, 0xd6],
            Self::Green => [0x13, 0x8a, 0x36],
            Self::Orange => [0xe8, 0x7b, 0x00],
        }
    }
}

/// A point on the page, as fractions of its width (`x`) and height (`y`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

impl Point {
    fn on_page(self) -> bool {
        (0.0..=1.0).contains(&self.x) && (0.0..=1.0).contains(&self.y)
    }
}

/// What a mark looks like. Rectangles and ellipses fill the box between two
/// corners; an arrow points from `from` to `to`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Shape {
    /// 画笔: freehand.
    Ink { points: Vec<Point> },
    Rectangle { from: Point, to: Point },
    Ellipse { from: Point, to: Point },
    Arrow { from: Point, to: Point },
    /// Short text, its top-left corner at `at`.
    Text { at: Point, text: String },
    /// A shape this side does not know yet (from a newer server). The server refuses it
    /// in a mark; an app leaves such a mark out.
    #[serde(other)]
    Unknown,
}

impl Shape {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Ink { .. } => "ink",
            Self::Rectangle { .. } => "rectangle",
            Self::Ellipse { .. } => "ellipse",
            Self::Arrow { .. } => "arrow",
            Self::Text { .. } => "text",
            Self::Unknown => "unknown",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Self::Ink { .. } => "画笔",
            Self::Rectangle { .. } => "矩形",
            Self::Ellipse { .. } => "椭圆",
            Self::Arrow { .. } => "箭头",
            Self::Text { .. } => "文字",
            Self::Unknown => "未知图形",
        }
    }

    /// The points that place the shape (an ink stroke's, borrowed: checked on every preview).
    pub fn points(&self) -> std::borrow::Cow<'_, [Point]> {
        match self {
            Self::Ink { points } => std::borrow::Cow::Borrowed(points),
            Self::Rectangle { from, to } | Self::Ellipse { from, to } | Self::Arrow { from, to } => vec![*from, *to].into(),
            Self::Text { at, .. } => vec![*at].into(),
            Self::Unknown => std::borrow::Cow::Borrowed(&[]),
        }
    }
}

/// A mark as its author draws it: sent as it grows (a preview) and once
/// finished (to be committed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkDraft {
    pub evidence_id: String,
    /// 1 for an image; the page of a PDF, from 1.
    pub page: u32,
    pub colour: MarkColour,
    pub shape: Shape,
}

impl MarkDraft {
    /// Checks the draft's own form (not whether its author may draw it).
    /// A preview may still be empty; a finished mark may not.
    pub fn check(&self, finished: bool) -> Result<(), ErrorBody> {
        let invalid = |message: &str| Err(ErrorBody::with_message(ErrorCode::InvalidRequest, message));
        if self.page == 0 || self.page > MAX_PAGE {
            return invalid("页码无效");
        }
        if self.colour == MarkColour::Unknown || self.shape == Shape::Unknown {
            return invalid("不支持的圈注颜色或图形");
        }
        let points = self.shape.points();
        if !points.iter().all(|p| p.on_page()) {
            return invalid("圈注超出了证据页面");
        }
        match &self.shape {
            Shape::Ink { points } if points.len() > MAX_INK_POINTS => invalid("笔画过长，请分几笔画"),
            Shape::Ink { points } if finished && points.is_empty() => invalid("圈注为空"),
            Shape::Text { text, .. } if text.chars().count() > MAX_TEXT_CHARS => invalid("文字过长"),
            Shape::Text { text, .. } if finished && text.trim().is_empty() => invalid("请输入文字"),
            Shape::Text { text, .. } => match checked_characters(text, "文字", MAX_TEXT_CHARS, false) {
                Ok(()) => Ok(()),
                Err(message) => invalid(&message),
            },
            _ => Ok(()),
        }
    }
}

/// A committed mark, as everyone sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    /// In the order the server took the marks.
    pub id: i64,
    pub evidence_id: String,
    /// The evidence file the mark is drawn over.
    pub evidence_sha256: String,
    pub page: u32,
    pub colour: MarkColour,
    pub shape: Shape,
    /// Who drew it (role and name are shown with the mark).
    pub author: ParticipantSummary,
    /// The judge's approval it was drawn under; `None` for the court's own marks.
    pub permission_id: Option<i64>,
    pub created_at_ms: TimestampMs,
}

/// Where a participant stands on annotating, as everyone sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Annotating {
    /// May not annotate (the party can 申请圈注).
    #[default]
    No,
    /// Asked; the presiding judge decides (通过 / 拒绝).
    Requested,
    /// The judge approved: until 休庭, 闭庭, a block, or the judge withdraws it.
    Allowed,
    /// Judges and clerks annotate without asking.
    Court,
    /// A state this side does not know yet (from a newer server): taken as not allowed.
    #[serde(other)]
    Unknown,
}

impl Annotating {
    pub fn may_draw(self) -> bool {
        matches!(self, Self::Allowed | Self::Court)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::No => "",
            Self::Requested => "申请圈注",
            Self::Allowed => "可圈注",
            Self::Court | Self::Unknown => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(shape: Shape) -> MarkDraft {
        MarkDraft { evidence_id: "e".into(), page: 1, colour: MarkColour::Red, shape }
    }

    #[test]
    fn a_mark_must_lie_on_the_page_and_be_of_a_sensible_size() {
        let p = |x, y| Point { x, y };
        assert!(draft(Shape::Rectangle { from: p(0.1, 0.1), to: p(0.9, 1.0) }).check(true).is_ok());
        assert!(draft(Shape::Arrow { from: p(-0.1, 0.1), to: p(0.5, 0.5) }).check(true).is_err());
        assert!(draft(Shape::Ink { points: vec![p(f32::NAN, 0.5)] }).check(true).is_err());
        assert!(draft(Shape::Ink { points: vec![] }).check(false).is_ok(), "a preview may be empty");
        assert!(draft(Shape::Ink { points: vec![] }).check(true).is_err());
        assert!(draft(Shape::Ink { points: vec![p(0.5, 0.5); MAX_INK_POINTS + 1] }).check(false).is_err());
        assert!(draft(Shape::Text { at: p(0.5, 0.5), text: "签名处".into() }).check(true).is_ok());
        assert!(draft(Shape::Text { at: p(0.5, 0.5), text: "长".repeat(MAX_TEXT_CHARS + 1) }).check(true).is_err());
        assert!(draft(Shape::Text { at: p(0.5, 0.5), text: "a\u{0}b".into() }).check(true).is_err());
        let hidden = draft(Shape::Text { at: p(0.5, 0.5), text: "签名\u{202E}处".into() }).check(true).unwrap_err();
        assert_eq!(hidden.message, "文字含有不可见字符或改变文字方向的字符，请删除后重新填写");
        let mut zero = draft(Shape::Text { at: p(0.5, 0.5), text: "x".into() });
        zero.page = 0;
        assert!(zero.check(true).is_err());
    }

    #[test]
    fn a_colour_or_shape_this_side_does_not_know_is_read_and_refused() {
        let newer: MarkDraft = serde_json::from_value(serde_json::json!({"evidence_id": "e", "page": 1, "colour": "purple",
            "shape": {"kind": "star", "centre": {"x": 0.5, "y": 0.5}, "points": 5}}))
        .unwrap();
        assert_eq!((newer.colour, &newer.shape), (MarkColour::Unknown, &Shape::Unknown));
        assert_eq!(newer.check(true).unwrap_err().message, "不支持的圈注颜色或图形");
        let purple = MarkDraft { colour: MarkColour::Unknown, ..draft(Shape::Ink { points: vec![Point { x: 0.5, y: 0.5 }] }) };
        assert!(purple.check(true).is_err());
        assert!(!MarkColour::ALL.contains(&MarkColour::Unknown) && MarkColour::parse("unknown").is_none());
    }

    #[test]
    fn shapes_have_a_stable_json_shape() {
        let json = serde_json::to_value(draft(Shape::Arrow { from: Point { x: 0.0, y: 0.5 }, to: Point { x: 1.0, y: 0.5 } })).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"evidence_id": "e", "page": 1, "colour": "red",
                "shape": {"kind": "arrow", "from": {"x": 0.0, "y": 0.5}, "to": {"x": 1.0, "y": 0.5}}})
        );
    }
}
