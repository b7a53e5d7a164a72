//! The signed record as PDF: A4 pages of the frozen version, every page
//! carrying all signatures collected, the version's hash and page numbers
//! (所有当事人签名显示在笔录每一页). The same inputs give the same bytes.

use krilla::Document;
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::image::Image;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::Data;

use cloudtrial_protocol::record::RecordVersion;

use super::font::RecordFont;

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN_X: f32 = 64.0;
const MARGIN_TOP: f32 = 60.0;
const MARGIN_BOTTOM: f32 = 36.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN_X;

const BODY_SIZE: f32 = 11.5;
const LINE_PITCH: f32 = 1.7;

const SIGNATURE_WIDTH: f32 = 92.0;
const SIGNATURE_HEIGHT: f32 = 36.0;
const SIGNATURE_GAP: f32 = 10.0;
const SIGNATURE_CAPTION: f32 = 8.0;

/// One collected signature, as it is printed.
pub struct PrintedSignature {
    /// "原告 张三"
    pub label: String,
    /// "2026-11-24 16:05"
    pub signed_at: String,
    pub png: Vec<u8>,
}

pub struct SignedRecord<'a> {
    pub court: &'a str,
    pub record: &'a RecordVersion,
    pub signatures: &'a [PrintedSignature],
    /// Everyone asked to sign who has not ("原告 张三"): printed as 未签名 on every page.
    pub unsigned: &'a [String],
    /// The record was changed after this version: the newest version's number.
    pub superseded_by: Option<u32>,
}

/// What every page of an incomplete record says at its top.
pub const INCOMPLETE_NOTICE: &str = "签名未完成：本笔录尚有当事人未签名，不是完整的签名笔录";

/// What every page says at its top, if anything: a newer version first, since
/// it makes this one no longer the record, signed or not.
fn top_notice(signed: &SignedRecord<'_>) -> Option<String> {
    match signed.superseded_by {
        Some(newest) => Some(format!("已修改：本笔录其后已修改为第{newest}版，此为第{}版", signed.record.version)),
        None => (!signed.unsigned.is_empty()).then(|| INCOMPLETE_NOTICE.to_owned()),
    }
}

/// A line of text at a size, with space before it.
struct Line {
    text: String,
    size: f32,
    space_before: f32,
    centred: bool,
}

impl Line {
    fn height(&self) -> f32 {
        self.space_before + self.size * LINE_PITCH
    }
}

pub fn render(font: &RecordFont, signed: &SignedRecord<'_>) -> Result<Vec<u8>, String> {
    let lines = layout(font, signed);
    let footer = footer_height(signed.signatures.len() + signed.unsigned.len());
    let pages = paginate(&lines, PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM - footer);

    let pdf_font = Font::new(Data::from(font.bytes.clone()), font.index).ok_or("the font cannot be used in a PDF")?;
    let images = signed
        .signatures
        .iter()
        .map(|s| Image::from_png(Data::from(s.png.clone()), true))
        .collect::<Result<Vec<_>, _>>()?;

    let mut document = Document::new();
    let header = &signed.record.content.header;
    document.set_metadata(Metadata::new().title(format!("庭审笔录 {}", header.case_number)).creator(signed.court.to_owned()));
    let page_count = pages.len();
    for (number, page_lines) in pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or("page size")?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        if let Some(notice) = top_notice(signed) {
            let size = 9.0;
            let x = (PAGE_WIDTH - font.width(&notice, size)) / 2.0;
            surface.set_stroke(None);
            surface.set_fill(Some(Fill { paint: krilla::color::rgb::Color::new(179, 38, 30).into(), ..Default::default() }));
            surface.draw_text(Point::from_xy(x, MARGIN_TOP - 22.0), pdf_font.clone(), size, &notice, false, TextDirection::Auto);
        }
        let mut y = MARGIN_TOP;
        for line in page_lines {
            y += line.space_before;
            let x = if line.centred { (PAGE_WIDTH - font.width(&line.text, line.size)) / 2.0 } else { MARGIN_X };
            text(&mut surface, &pdf_font, x, y + line.size * 0.88, line.size, &line.text);
            y += line.size * LINE_PITCH;
        }
        draw_footer(&mut surface, font, &pdf_font, signed, &images, number + 1, page_count);
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| format!("the PDF could not be written: {e:?}"))
}

fn text(surface: &mut Surface<'_>, font: &Font, x: f32, baseline: f32, size: f32, text: &str) {
    surface.set_stroke(None);
    surface.set_fill(Some(Fill::default()));
    surface.draw_text(Point::from_xy(x, baseline), font.clone(), size, text, false, TextDirection::Auto);
}

fn layout(font: &RecordFont, signed: &SignedRecord<'_>) -> Vec<Line> {
    let header = &signed.record.content.header;
    let mut lines = vec![
        Line { text: signed.court.to_owned(), size: 14.0, space_before: 0.0, centred: true },
        Line { text: "庭 审 笔 录".to_owned(), size: 20.0, space_before: 2.0, centred: true },
    ];
    let mut field = |label: &str, value: &str, first: bool| {
        for (i, text) in wrap(font, &format!("{label}：{value}"), 10.5, CONTENT_WIDTH).into_iter().enumerate() {
            lines.push(Line { text, size: 10.5, space_before: if first && i == 0 { 12.0 } else { 0.0 }, centred: false });
        }
    };
    field("案号", &header.case_number, true);
    field("案由", &header.case_title, false);
    field("时间", &header.time, false);
    field("地点", &header.place, false);
    field("审判人员", &header.judges.join("、"), false);
    field("书记员", &header.clerk, false);
    field("到庭人员", &header.present.join("、"), false);
    for (index, paragraph) in signed.record.content.paragraphs.iter().enumerate() {
        let space = if index == 0 { 14.0 } else { 5.0 };
        let speaker = paragraph.speaker.trim();
        let whole = if speaker.is_empty() { paragraph.text.clone() } else { format!("{speaker}：{}", paragraph.text) };
        for (i, part) in whole.split('\n').enumerate() {
            for (j, text) in wrap(font, part, BODY_SIZE, CONTENT_WIDTH).into_iter().enumerate() {
                let space_before = if i == 0 && j == 0 { space } else { 0.0 };
                lines.push(Line { text, size: BODY_SIZE, space_before, centred: false });
            }
        }
    }
    lines
}

/// Breaks `text` into lines no wider than `width`: between any two CJK
/// characters, between words of Latin text, never before closing punctuation.
pub(crate) fn wrap(font: &RecordFont, text: &str, size: f32, width: f32) -> Vec<String> {
    const CLOSING: &str = "，。、；：！？）》」』”’…,.;:!?)]";
    let mut tokens: Vec<String> = Vec::new();
    for c in text.chars() {
        let joins_word = c.is_ascii_alphanumeric() && tokens.last().is_some_and(|t| t.chars().all(|x| x.is_ascii_alphanumeric()));
        match tokens.last_mut() {
            Some(last) if joins_word => last.push(c),
            _ => tokens.push(c.to_string()),
        }
    }
    let mut lines = Vec::new();
    let mut current = String::new();
    for token in tokens {
        let fits = font.width(&current, size) + font.width(&token, size) <= width;
        let closing = token.chars().all(|c| CLOSING.contains(c));
        if fits || current.is_empty() || closing {
            current.push_str(&token);
        } else {
            lines.push(std::mem::take(&mut current).trim_end().to_owned());
            current = token.trim_start().to_owned();
        }
        // A single word longer than a line is cut where it overflows.
        while font.width(&current, size) > width && current.chars().count() > 1 {
            let mut cut = String::new();
            for c in current.chars() {
                if font.width(&format!("{cut}{c}"), size) > width && !cut.is_empty() {
                    break;
                }
                cut.push(c);
            }
            current = current[cut.len()..].to_owned();
            lines.push(cut);
        }
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

fn paginate(lines: &[Line], available: f32) -> Vec<Vec<&Line>> {
    let mut pages: Vec<Vec<&Line>> = vec![Vec::new()];
    let mut used = 0.0;
    for line in lines {
        let page = pages.last_mut().expect("there is always a page");
        if used + line.height() > available && !page.is_empty() {
            pages.push(vec![line]);
            used = line.size * LINE_PITCH;
        } else {
            page.push(line);
            used += line.height();
        }
    }
    pages
}

fn signatures_per_row() -> usize {
    ((CONTENT_WIDTH + SIGNATURE_GAP) / (SIGNATURE_WIDTH + SIGNATURE_GAP)) as usize
}

fn footer_height(signatures: usize) -> f32 {
    let rows = signatures.div_ceil(signatures_per_row()).max(1);
    let row = SIGNATURE_HEIGHT + SIGNATURE_CAPTION * 2.6 + 4.0;
    12.0 + 14.0 + rows as f32 * row + 26.0
}

fn draw_footer(
    surface: &mut Surface<'_>,
    font: &RecordFont,
    pdf_font: &Font,
    signed: &SignedRecord<'_>,
    images: &[Image],
    page: usize,
    pages: usize,
) {
    let slots = signed.signatures.len() + signed.unsigned.len();
    let top = PAGE_HEIGHT - MARGIN_BOTTOM - footer_height(slots) + 12.0;
    let mut rule = PathBuilder::new();
    rule.move_to(MARGIN_X, top);
    rule.line_to(PAGE_WIDTH - MARGIN_X, top);
    if let Some(path) = rule.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke { width: 0.5, ..Default::default() }));
        surface.draw_path(&path);
    }
    let heading = if signed.unsigned.is_empty() {
        "当事人签名：".to_owned()
    } else {
        format!("当事人签名（签名未完成，{}未签名）：", signed.unsigned.join("、"))
    };
    text(surface, pdf_font, MARGIN_X, top + 14.0, 9.0, &heading);
    let mut y = top + 20.0;
    if slots == 0 {
        text(surface, pdf_font, MARGIN_X, y + 14.0, 9.0, "（尚无签名）");
    }
    let per_row = signatures_per_row();
    let row_height = SIGNATURE_HEIGHT + SIGNATURE_CAPTION * 2.6 + 4.0;
    // The signatures given, then a box saying 未签名 for each one missing.
    let given = signed.signatures.iter().zip(images).map(|(s, image)| (s.label.as_str(), Some((s, image))));
    let missing = signed.unsigned.iter().map(|label| (label.as_str(), None));
    for (slot, (label, signature)) in given.chain(missing).enumerate() {
        let row_y = y + (slot / per_row) as f32 * row_height;
        let x = MARGIN_X + (slot % per_row) as f32 * (SIGNATURE_WIDTH + SIGNATURE_GAP);
        let caption_y = row_y + SIGNATURE_HEIGHT + SIGNATURE_CAPTION;
        if let Some((signature, image)) = signature {
            let (w, h) = image.size();
            let scale = (SIGNATURE_WIDTH / w.max(1) as f32).min(SIGNATURE_HEIGHT / h.max(1) as f32);
            if let Some(size) = Size::from_wh(w as f32 * scale, h as f32 * scale) {
                surface.push_transform(&Transform::from_translate(x, row_y));
                surface.draw_image(image.clone(), size);
                surface.pop();
            }
            text(surface, pdf_font, x, caption_y, SIGNATURE_CAPTION, label);
            text(surface, pdf_font, x, caption_y + SIGNATURE_CAPTION * 1.3, SIGNATURE_CAPTION * 0.85, &signature.signed_at);
        } else {
            let mut outline = PathBuilder::new();
            if let Some(rect) = krilla::geom::Rect::from_xywh(x, row_y, SIGNATURE_WIDTH, SIGNATURE_HEIGHT) {
                outline.push_rect(rect);
            }
            if let Some(path) = outline.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke { width: 0.5, ..Default::default() }));
                surface.draw_path(&path);
            }
            text(surface, pdf_font, x + 30.0, row_y + SIGNATURE_HEIGHT / 2.0 + 4.0, 10.0, "未签名");
            text(surface, pdf_font, x, caption_y, SIGNATURE_CAPTION, label);
        }
    }
    y = PAGE_HEIGHT - MARGIN_BOTTOM;
    let record = signed.record;
    let hash = format!("笔录第{}版 SHA-256：{}", record.version, record.sha256);
    text(surface, pdf_font, MARGIN_X, y - 10.0, 7.0, &hash);
    let number = format!("第 {page} 页 共 {pages} 页");
    let width = font.width(&number, 9.0);
    text(surface, pdf_font, PAGE_WIDTH - MARGIN_X - width, y, 9.0, &number);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn font() -> RecordFont {
        RecordFont::discover(None).expect("fonts-noto-cjk is installed for the tests")
    }

    #[test]
    fn lines_fit_the_page_keep_every_character_and_never_start_with_closing_punctuation() {
        let font = font();
        let text = "原告：请求判令被告偿还借款人民币50000元及利息（自2025年1月1日起按年利率3.85%计算），并承担本案诉讼费用。Plaintiff asks for repayment of RMB 50,000 with interest. 被告：借款属实，但已经归还两万元，剩余部分同意分期偿还。";
        let lines = wrap(&font, text, BODY_SIZE, CONTENT_WIDTH);
        assert!(lines.len() > 2, "{lines:?}");
        let joined: String = lines.concat();
        let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        assert_eq!(squeeze(&joined), squeeze(text));
        for line in &lines {
            let overflow = font.width(line, BODY_SIZE) - CONTENT_WIDTH;
            assert!(overflow <= BODY_SIZE, "{line:?} overflows by {overflow}");
            assert!(!line.starts_with(['，', '。', '、', '）']), "{line:?}");
        }
    }

    #[test]
    fn a_word_longer_than_a_line_is_cut() {
        let font = font();
        let lines = wrap(&font, &"a".repeat(400), BODY_SIZE, CONTENT_WIDTH);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat().len(), 400);
    }
}
