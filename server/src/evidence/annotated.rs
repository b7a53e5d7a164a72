//! 圈注 for the case file: one page of evidence with its marks drawn over it,
//! and a strip below saying who drew what, with the evidence's title, hash
//! and when it was exported. Pure drawing (tiny-skia paths, the CJK font's
//! glyph outlines through skrifa): no I/O, so it is tested pixel by pixel.
//!
//! Sizes are fractions of the page's width, so a mark looks the same over
//! a preview and over a full-size picture.

use cloudtrial_protocol::annotation::{Mark, MarkColour, Point, Shape};
use cloudtrial_protocol::api::ParticipantSummary;
use image::RgbaImage;
use skrifa::instance::{LocationRef, Size};
use skrifa::outline::{DrawSettings, OutlinePen};
use skrifa::{FontRef, MetadataProvider};
use tiny_skia::{FillRule, IntSize, LineCap, LineJoin, Paint, Path, PathBuilder, Pixmap, Rect, Stroke, Transform};

use crate::record::font::RecordFont;
use crate::record::pdf::wrap;

/// A line's width, as a fraction of the page's width (at least [`MIN_STROKE`] pixels).
pub const STROKE: f32 = 0.004;
pub const MIN_STROKE: f32 = 2.0;
/// The height of a text mark's letters, as a fraction of the page's width.
pub const TEXT_SIZE: f32 = 0.035;
/// The author's label beside each mark, and the legend's text.
pub const LABEL_SIZE: f32 = 0.022;
const MIN_LABEL: f32 = 12.0;

const INK: [u8; 3] = [0x22, 0x22, 0x22];
const GREY: [u8; 3] = [0x88, 0x88, 0x88];

/// What the strip below the page says besides the authors.
#[derive(Debug, Clone)]
pub struct Legend {
    /// 案号 of the hearing the evidence was submitted in.
    pub case_number: String,
    pub title: String,
    /// The evidence file's SHA-256 (hex); the strip shows its first 16 digits.
    pub sha256: String,
    /// For a PDF: the page and how many there are.
    pub page: Option<(u32, u32)>,
    /// When it was exported, in court time ("2026-05-17 14:03").
    pub exported_at: String,
}

/// One author's marks, as the strip lists them.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorMarks {
    pub author: ParticipantSummary,
    /// In the order first used.
    pub colours: Vec<MarkColour>,
    pub count: usize,
}

/// The authors of `marks`, in the order they first drew.
pub fn authors(marks: &[Mark]) -> Vec<AuthorMarks> {
    let mut authors: Vec<AuthorMarks> = Vec::new();
    for mark in marks {
        match authors.iter_mut().find(|a| a.author.id == mark.author.id) {
            Some(a) => {
                a.count += 1;
                if !a.colours.contains(&mark.colour) {
                    a.colours.push(mark.colour);
                }
            }
            None => authors.push(AuthorMarks { author: mark.author.clone(), colours: vec![mark.colour], count: 1 }),
        }
    }
    authors
}

/// The page with `marks` drawn over it and the legend strip below.
pub fn render(base: RgbaImage, marks: &[Mark], legend: &Legend, font: &RecordFont) -> RgbaImage {
    let (width, height) = base.dimensions();
    let w = width as f32;
    let text = Text::new(font);
    let label_size = (w * LABEL_SIZE).max(MIN_LABEL);
    let pad = (label_size * 0.8).round();
    let line_height = (label_size * 1.6).round();
    let lines = legend_lines(marks, legend, &text, label_size, w - 2.0 * pad);
    let strip = (2.0 * pad + line_height * lines.len() as f32).ceil() as u32;

    let mut pixmap = opaque_pixmap(base, height + strip);
    let stroke_width = (w * STROKE).max(MIN_STROKE);
    let at = |p: Point| (p.x * w, p.y * height as f32);
    for mark in marks {
        draw_mark(&mut pixmap, mark, stroke_width, w, &at, &text);
    }
    for mark in marks {
        let first = mark.shape.points().first().copied().unwrap_or(Point { x: 0.0, y: 0.0 });
        author_label(&mut pixmap, &mark.author.label(), mark.colour.rgb(), at(first), stroke_width, label_size, &text);
    }

    // The strip: a rule, then each author's colours, label and count, then the file.
    let top = height as f32;
    fill(&mut pixmap, rect_path(0.0, top, w, top + (w * 0.002).max(1.0)), GREY, 255);
    let mut y = top + pad;
    for line in lines {
        let mut x = pad;
        for colour in &line.swatches {
            let s = label_size;
            fill(&mut pixmap, rect_path(x, y + (line_height - s) / 2.0, x + s, y + (line_height + s) / 2.0), colour.rgb(), 255);
            x += s + label_size * 0.3;
        }
        if !line.swatches.is_empty() {
            x += label_size * 0.4;
        }
        let baseline = y + (line_height + label_size * 0.7) / 2.0;
        text.fill(&mut pixmap, &line.text, label_size, x, baseline, line.colour);
        y += line_height;
    }
    let data = pixmap.take_demultiplied();
    RgbaImage::from_raw(width, height + strip, data).expect("the pixmap has the image's size")
}

struct LegendLine {
    swatches: Vec<MarkColour>,
    text: String,
    colour: [u8; 3],
}

fn legend_lines(marks: &[Mark], legend: &Legend, text: &Text<'_>, size: f32, width: f32) -> Vec<LegendLine> {
    let mut lines = Vec::new();
    let plain = |content: String, colour: [u8; 3], lines: &mut Vec<LegendLine>| {
        for part in wrap(text.font, &content, size, width) {
            lines.push(LegendLine { swatches: Vec::new(), text: part, colour });
        }
    };
    let authors = authors(marks);
    if authors.is_empty() {
        plain("本页无圈注".to_owned(), INK, &mut lines);
    }
    for a in authors {
        let swatch_width = a.colours.len() as f32 * size * 1.3 + size * 0.4;
        let content = format!("{}  圈注{}处", a.author.label(), a.count);
        let mut parts = wrap(text.font, &content, size, (width - swatch_width).max(size * 4.0)).into_iter();
        lines.push(LegendLine { swatches: a.colours, text: parts.next().unwrap_or_default(), colour: INK });
        lines.extend(parts.map(|t| LegendLine { swatches: Vec::new(), text: t, colour: INK }));
    }
    let page = legend.page.map(|(page, pages)| format!("（第{page}页，共{pages}页）")).unwrap_or_default();
    plain(format!("案号：{}", legend.case_number), INK, &mut lines);
    plain(format!("证据：{}{page}", legend.title), INK, &mut lines);
    let short: String = legend.sha256.chars().take(16).collect();
    plain(format!("SHA-256：{short}…"), GREY, &mut lines);
    plain(format!("导出时间：{}", legend.exported_at), GREY, &mut lines);
    lines
}

/// The base picture on an opaque canvas `height` tall (white below it).
fn opaque_pixmap(base: RgbaImage, height: u32) -> Pixmap {
    let width = base.width();
    let mut data = vec![255u8; width as usize * height as usize * 4];
    for (pixel, out) in base.pixels().zip(data.chunks_exact_mut(4)) {
        // Over white, so the canvas stays opaque whatever the picture's alpha.
        let a = u16::from(pixel[3]);
        for c in 0..3 {
            out[c] = ((u16::from(pixel[c]) * a + 255 * (255 - a)) / 255) as u8;
        }
    }
    let size = IntSize::from_wh(width, height).expect("a picture is never empty");
    Pixmap::from_vec(data, size).expect("the data has the canvas's size")
}

fn paint(rgb: [u8; 3], alpha: u8) -> Paint<'static> {
    let mut paint = Paint::default();
    paint.set_color_rgba8(rgb[0], rgb[1], rgb[2], alpha);
    paint.anti_alias = true;
    paint
}

fn fill(pixmap: &mut Pixmap, path: Option<Path>, rgb: [u8; 3], alpha: u8) {
    if let Some(path) = path {
        pixmap.fill_path(&path, &paint(rgb, alpha), FillRule::Winding, Transform::identity(), None);
    }
}

fn stroke(pixmap: &mut Pixmap, path: Option<Path>, rgb: [u8; 3], width: f32) {
    if let Some(path) = path {
        let stroke = Stroke { width, line_cap: LineCap::Round, line_join: LineJoin::Round, ..Stroke::default() };
        pixmap.stroke_path(&path, &paint(rgb, 255), &stroke, Transform::identity(), None);
    }
}

fn rect_path(left: f32, top: f32, right: f32, bottom: f32) -> Option<Path> {
    Rect::from_ltrb(left, top, right, bottom).map(PathBuilder::from_rect)
}

/// A closed outline through the four corners: a rectangle, or a line when it is flat.
fn corners(from: (f32, f32), to: (f32, f32)) -> Option<Path> {
    let mut path = PathBuilder::new();
    path.move_to(from.0, from.1);
    path.line_to(to.0, from.1);
    path.line_to(to.0, to.1);
    path.line_to(from.0, to.1);
    path.close();
    path.finish()
}

fn draw_mark(pixmap: &mut Pixmap, mark: &Mark, width: f32, page_width: f32, at: &impl Fn(Point) -> (f32, f32), text: &Text<'_>) {
    let rgb = mark.colour.rgb();
    match &mark.shape {
        Shape::Ink { points } => {
            let mut path = PathBuilder::new();
            let mut points = points.iter().map(|p| at(*p));
            let Some(first) = points.next() else { return };
            path.move_to(first.0, first.1);
            let mut moved = false;
            for (x, y) in points {
                path.line_to(x, y);
                moved = true;
            }
            if moved {
                stroke(pixmap, path.finish(), rgb, width);
            } else {
                // A tap: a dot as wide as the line.
                fill(pixmap, PathBuilder::from_circle(first.0, first.1, width / 2.0), rgb, 255);
            }
        }
        Shape::Rectangle { from, to } => stroke(pixmap, corners(at(*from), at(*to)), rgb, width),
        Shape::Ellipse { from, to } => {
            let ((x0, y0), (x1, y1)) = (at(*from), at(*to));
            let oval = Rect::from_ltrb(x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)).and_then(PathBuilder::from_oval);
            // A flat ellipse is a line.
            stroke(pixmap, oval.or_else(|| corners((x0, y0), (x1, y1))), rgb, width);
        }
        Shape::Arrow { from, to } => {
            let ((x0, y0), (x1, y1)) = (at(*from), at(*to));
            let length = (x1 - x0).hypot(y1 - y0);
            if length < 0.5 {
                fill(pixmap, PathBuilder::from_circle(x1, y1, width), rgb, 255);
                return;
            }
            let (ux, uy) = ((x1 - x0) / length, (y1 - y0) / length);
            let head = (width * 5.0).max(10.0).min(length);
            let (bx, by) = (x1 - ux * head, y1 - uy * head);
            let mut shaft = PathBuilder::new();
            shaft.move_to(x0, y0);
            shaft.line_to(bx + ux * head * 0.2, by + uy * head * 0.2);
            stroke(pixmap, shaft.finish(), rgb, width);
            let half = head * 0.5;
            let mut tip = PathBuilder::new();
            tip.move_to(x1, y1);
            tip.line_to(bx - uy * half, by + ux * half);
            tip.line_to(bx + uy * half, by - ux * half);
            tip.close();
            fill(pixmap, tip.finish(), rgb, 255);
        }
        Shape::Text { at: corner, text: words } => {
            let size = page_width * TEXT_SIZE;
            let (x, y) = at(*corner);
            text.fill(pixmap, words, size, x, y + text.ascent(size), rgb);
        }
        // Refused when drawn: never stored.
        Shape::Unknown => {}
    }
}

/// "原告 张三" in the mark's colour on a white translucent box, just above `point` (below it near the top).
fn author_label(pixmap: &mut Pixmap, label: &str, rgb: [u8; 3], point: (f32, f32), stroke: f32, size: f32, text: &Text<'_>) {
    let pad = size * 0.25;
    let (box_w, box_h) = (text.width(label, size) + 2.0 * pad, size * 1.3);
    let page_w = pixmap.width() as f32;
    let left = point.0.min(page_w - box_w).max(0.0);
    let above = point.1 - stroke - box_h;
    let top = if above >= 0.0 { above } else { point.1 + stroke };
    fill(pixmap, rect_path(left, top, left + box_w, top + box_h), [255, 255, 255], 200);
    text.fill(pixmap, label, size, left + pad, top + (box_h + size * 0.7) / 2.0, rgb);
}

/// Sets text with the CJK font's outlines (no shaping: one glyph per character, as Chinese needs).
struct Text<'a> {
    font: &'a RecordFont,
    face: Option<FontRef<'a>>,
}

impl<'a> Text<'a> {
    fn new(font: &'a RecordFont) -> Self {
        Self { font, face: FontRef::from_index(&font.bytes, font.index).ok() }
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        self.font.width(text, size)
    }

    fn ascent(&self, size: f32) -> f32 {
        self.face.as_ref().map_or(size * 0.88, |f| f.metrics(Size::new(size), LocationRef::default()).ascent)
    }

    /// Fills `text` at `size` pixels with its baseline starting at (`x`, `baseline`).
    fn fill(&self, pixmap: &mut Pixmap, text: &str, size: f32, x: f32, baseline: f32, rgb: [u8; 3]) {
        let Some(face) = &self.face else { return };
        let (charmap, outlines) = (face.charmap(), face.outline_glyphs());
        let metrics = face.glyph_metrics(Size::new(size), LocationRef::default());
        let mut pen = GlyphPen { path: PathBuilder::new(), x, baseline };
        for c in text.chars() {
            let glyph = charmap.map(c).unwrap_or_default();
            if let Some(outline) = outlines.get(glyph) {
                let _ = outline.draw(DrawSettings::unhinted(Size::new(size), LocationRef::default()), &mut pen);
            }
            pen.x += metrics.advance_width(glyph).unwrap_or(size * 0.5);
        }
        fill(pixmap, pen.path.finish(), rgb, 255);
    }
}

/// Glyph outlines (y up, from the pen position) into one path on the page (y down).
struct GlyphPen {
    path: PathBuilder,
    x: f32,
    baseline: f32,
}

impl OutlinePen for GlyphPen {
    fn move_to(&mut self, x: f32, y: f32) {
        self.path.move_to(self.x + x, self.baseline - y);
    }

    fn line_to(&mut self, x: f32, y: f32) {
        self.path.line_to(self.x + x, self.baseline - y);
    }

    fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
        self.path.quad_to(self.x + cx0, self.baseline - cy0, self.x + x, self.baseline - y);
    }

    fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
        let (px, b) = (self.x, self.baseline);
        self.path.cubic_to(px + cx0, b - cy0, px + cx1, b - cy1, px + x, b - y);
    }

    fn close(&mut self) {
        self.path.close();
    }
}

#[cfg(test)]
mod tests {
    use cloudtrial_protocol::ParticipantRole;

    use super::*;

    fn font() -> RecordFont {
        RecordFont::discover(None).expect("fonts-noto-cjk is installed for the tests")
    }

    fn white(width: u32, height: u32) -> RgbaImage {
        RgbaImage::from_pixel(width, height, image::Rgba([255, 255, 255, 255]))
    }

    fn p(x: f32, y: f32) -> Point {
        Point { x, y }
    }

    fn mark(id: i64, colour: MarkColour, shape: Shape, author: (i64, ParticipantRole, &str)) -> Mark {
        Mark {
            id,
            evidence_id: "e".into(),
            evidence_sha256: "ab".repeat(32),
            page: 1,
            colour,
            shape,
            author: ParticipantSummary { id: author.0, role: author.1, name: author.2.into() },
            permission_id: None,
            created_at_ms: 0,
        }
    }

    const JUDGE: (i64, ParticipantRole, &str) = (1, ParticipantRole::PresidingJudge, "王法官");
    const PLAINTIFF: (i64, ParticipantRole, &str) = (2, ParticipantRole::Plaintiff, "张三");

    fn legend() -> Legend {
        Legend {
            case_number: "（2026）津0101民初1号".into(),
            title: "借条照片".into(),
            sha256: "0123456789abcdef".repeat(4),
            page: None,
            exported_at: "2026-05-17 14:03".into(),
        }
    }

    #[test]
    fn the_legend_names_the_case_the_evidence_and_the_file_it_was_drawn_on() {
        let font = font();
        let marks = [mark(1, MarkColour::Red, Shape::Rectangle { from: p(0.25, 0.25), to: p(0.75, 0.75) }, JUDGE)];
        let legend = Legend { page: Some((2, 5)), ..legend() };
        let lines: Vec<String> = legend_lines(&marks, &legend, &Text::new(&font), 14.0, 2000.0).into_iter().map(|l| l.text).collect();
        assert_eq!(
            lines,
            [
                "审判长 王法官  圈注1处",
                "案号：（2026）津0101民初1号",
                "证据：借条照片（第2页，共5页）",
                "SHA-256：0123456789abcdef…",
                "导出时间：2026-05-17 14:03",
            ]
        );
    }

    fn is_colour(pixel: &image::Rgba<u8>, colour: MarkColour) -> bool {
        let rgb = colour.rgb();
        (0..3).all(|c| pixel[c].abs_diff(rgb[c]) < 40)
    }

    fn is_white(pixel: &image::Rgba<u8>) -> bool {
        pixel[0] > 250 && pixel[1] > 250 && pixel[2] > 250
    }

    /// Pixels that are not white in a box.
    fn marked(image: &RgbaImage, (x0, y0, x1, y1): (u32, u32, u32, u32)) -> usize {
        (y0..y1).flat_map(|y| (x0..x1).map(move |x| (x, y))).filter(|&(x, y)| !is_white(image.get_pixel(x, y))).count()
    }

    #[test]
    fn a_rectangle_is_drawn_on_its_edge_only_and_the_legend_strip_is_below() {
        let font = font();
        let red = mark(1, MarkColour::Red, Shape::Rectangle { from: p(0.25, 0.25), to: p(0.75, 0.75) }, JUDGE);
        let out = render(white(400, 300), &[red], &legend(), &font);
        assert_eq!(out.width(), 400);
        assert!(out.height() > 300, "a legend strip below: {}", out.height());
        for (x, y) in [(100, 150), (300, 150), (200, 75), (200, 225), (150, 75), (100, 200)] {
            assert!(is_colour(out.get_pixel(x, y), MarkColour::Red), "({x},{y}) is on the edge: {:?}", out.get_pixel(x, y));
        }
        assert!(is_white(out.get_pixel(200, 150)), "the inside stays as it was");
        assert!(is_white(out.get_pixel(20, 280)), "so does the page outside the mark");
        assert!(marked(&out, (0, 302, 400, out.height())) > 200, "the strip has writing");
        // The author's label sits just above the first corner, in the mark's colour.
        let label = (100, 50, 200, 75);
        let red_in_label = (label.1..label.3)
            .flat_map(|y| (label.0..label.2).map(move |x| (x, y)))
            .filter(|&(x, y)| is_colour(out.get_pixel(x, y), MarkColour::Red))
            .count();
        assert!(red_in_label > 20, "the label 审判长 王法官 is written in red above the mark: {red_in_label}");
    }

    #[test]
    fn ellipses_arrows_ink_and_text_each_mark_where_they_are() {
        let font = font();
        let blank = render(white(400, 300), &[], &legend(), &font);
        let draw = |shape: Shape, colour| render(white(400, 300), &[mark(1, colour, shape, PLAINTIFF)], &legend(), &font);

        let ellipse = draw(Shape::Ellipse { from: p(0.25, 0.25), to: p(0.75, 0.75) }, MarkColour::Blue);
        assert!(is_colour(ellipse.get_pixel(100, 150), MarkColour::Blue), "the left end of the ellipse");
        assert!(is_colour(ellipse.get_pixel(200, 225), MarkColour::Blue), "its bottom");
        assert!(is_white(ellipse.get_pixel(200, 150)), "its middle stays");
        assert!(is_white(ellipse.get_pixel(105, 80)), "the box's corner is not the ellipse's");

        let arrow = draw(Shape::Arrow { from: p(0.1, 0.5), to: p(0.9, 0.5) }, MarkColour::Green);
        assert!(is_colour(arrow.get_pixel(200, 150), MarkColour::Green), "the shaft");
        assert!(is_colour(arrow.get_pixel(352, 150 + 2), MarkColour::Green), "the head is wider than the shaft");
        assert!(is_white(arrow.get_pixel(200, 150 + 2)), "the shaft is not");

        let ink = draw(Shape::Ink { points: vec![p(0.1, 0.8), p(0.5, 0.9), p(0.9, 0.8)] }, MarkColour::Orange);
        assert!(is_colour(ink.get_pixel(200, 270), MarkColour::Orange), "through the middle point");
        assert!(is_white(ink.get_pixel(200, 200)));

        let text = draw(Shape::Text { at: p(0.3, 0.4), text: "签名处".into() }, MarkColour::Red);
        // Letters 0.035 × 400 = 14 px tall, from (120, 120); three of them about 42 px wide.
        let in_box = (120..165).flat_map(|x| (120..136).map(move |y| (x, y)));
        // Thin strokes are mostly anti-aliased: count what is clearly red, light or full.
        let reddish = |p: &image::Rgba<u8>| i16::from(p[0]) - i16::from(p[1]) > 60 && i16::from(p[0]) - i16::from(p[2]) > 60;
        let red = in_box.clone().filter(|&(x, y)| reddish(text.get_pixel(x, y))).count();
        assert!(red > 60, "the letters are in red within their box: {red}");
        assert!(in_box.clone().any(|(x, y)| is_colour(text.get_pixel(x, y), MarkColour::Red)), "in the mark's own red");
        assert_eq!(marked(&blank, (120, 120, 165, 136)), 0, "nothing there without the mark");
        assert!(marked(&text, (200, 120, 260, 136)) == 0, "nothing past the third letter");
    }

    #[test]
    fn the_legend_lists_each_author_once_with_their_colours_and_count() {
        let marks = [
            mark(1, MarkColour::Red, Shape::Arrow { from: p(0.1, 0.1), to: p(0.2, 0.2) }, JUDGE),
            mark(2, MarkColour::Blue, Shape::Arrow { from: p(0.1, 0.1), to: p(0.2, 0.2) }, PLAINTIFF),
            mark(3, MarkColour::Green, Shape::Arrow { from: p(0.1, 0.1), to: p(0.2, 0.2) }, JUDGE),
            mark(4, MarkColour::Red, Shape::Arrow { from: p(0.1, 0.1), to: p(0.2, 0.2) }, JUDGE),
        ];
        let listed = authors(&marks);
        assert_eq!(listed.len(), 2);
        assert_eq!((listed[0].author.label(), listed[0].count), ("审判长 王法官".to_owned(), 3));
        assert_eq!(listed[0].colours, vec![MarkColour::Red, MarkColour::Green]);
        assert_eq!((listed[1].author.name.as_str(), listed[1].count, listed[1].colours.as_slice()), ("张三", 1, &[MarkColour::Blue][..]));

        let font = font();
        let out = render(white(400, 300), &marks, &legend(), &font);
        let fewer = render(white(400, 300), &marks[..1], &legend(), &font);
        assert!(out.height() > fewer.height(), "a line per author");
        // The first line's swatches: red, then green, at the strip's left edge.
        let strip = &out;
        let swatch_row = (300..strip.height()).find(|&y| is_colour(strip.get_pixel(12, y), MarkColour::Red)).expect("a red swatch");
        let green = (12..60).any(|x| is_colour(strip.get_pixel(x, swatch_row + 2), MarkColour::Green));
        assert!(green, "then a green one beside it");
    }

    #[test]
    fn a_long_title_wraps_within_the_width() {
        let font = font();
        let text = Text::new(&font);
        let lines = wrap(&font, &"很长的证据标题".repeat(10), 12.0, 200.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| text.width(l, 12.0) <= 200.0));
        assert_eq!(lines.concat(), "很长的证据标题".repeat(10));
    }
}
