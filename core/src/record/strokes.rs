//! A signature drawn with a finger, as the shell's strokes, rendered to the
//! PNG the server keeps.

use std::io::Cursor;

use image::{ImageFormat, Rgba, RgbaImage};

use crate::error::{Error, Result};

/// A point of a stroke, in the drawing view's coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StrokePoint {
    pub x: f32,
    pub y: f32,
}

/// The largest image sent; a bigger drawing view is scaled down to fit.
const MAX_WIDTH: f32 = 1200.0;
const MAX_HEIGHT: f32 = 600.0;
const INK: Rgba<u8> = Rgba([20, 20, 20, 255]);

/// Renders strokes drawn on a `width`×`height` view as a PNG with a
/// transparent background. Fails when nothing was drawn.
pub fn render_signature(strokes: &[Vec<StrokePoint>], width: f32, height: f32) -> Result<Vec<u8>> {
    if !(width.is_finite() && height.is_finite()) || width < 10.0 || height < 10.0 {
        return Err(Error::InvalidInput("签名区域大小无效".into()));
    }
    let inside = |p: &StrokePoint| p.x.is_finite() && p.y.is_finite();
    if strokes.iter().all(|s| s.iter().filter(|p| inside(p)).count() == 0) {
        return Err(Error::InvalidInput("请先签名".into()));
    }
    let scale = (MAX_WIDTH / width).min(MAX_HEIGHT / height).min(2.0);
    let (w, h) = ((width * scale).round() as u32, (height * scale).round() as u32);
    let radius = (h as f32 / 90.0).max(1.5);
    let mut canvas = RgbaImage::new(w, h);
    for stroke in strokes {
        let points: Vec<(f32, f32)> = stroke
            .iter()
            .filter(|p| inside(p))
            .map(|p| ((p.x * scale).clamp(0.0, w as f32 - 1.0), (p.y * scale).clamp(0.0, h as f32 - 1.0)))
            .collect();
        match points.as_slice() {
            [] => {}
            [only] => disc(&mut canvas, *only, radius),
            _ => {
                for pair in points.windows(2) {
                    line(&mut canvas, pair[0], pair[1], radius);
                }
            }
        }
    }
    let mut png = Vec::new();
    canvas
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .map_err(|e| Error::Media(format!("签名图片生成失败：{e}")))?;
    Ok(png)
}

fn line(canvas: &mut RgbaImage, from: (f32, f32), to: (f32, f32), radius: f32) {
    let length = ((to.0 - from.0).powi(2) + (to.1 - from.1).powi(2)).sqrt();
    let steps = (length / (radius / 2.0)).ceil().max(1.0) as u32;
    for step in 0..=steps {
        let t = step as f32 / steps as f32;
        disc(canvas, (from.0 + (to.0 - from.0) * t, from.1 + (to.1 - from.1) * t), radius);
    }
}

fn disc(canvas: &mut RgbaImage, (cx, cy): (f32, f32), radius: f32) {
    let (w, h) = canvas.dimensions();
    let left = (cx - radius).floor().max(0.0) as u32;
    let right = ((cx + radius).ceil() as u32).min(w - 1);
    let top = (cy - radius).floor().max(0.0) as u32;
    let bottom = ((cy + radius).ceil() as u32).min(h - 1);
    for y in top..=bottom {
        for x in left..=right {
            let distance = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
            if distance <= radius {
                canvas.put_pixel(x, y, INK);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(x: f32, y: f32) -> StrokePoint {
        StrokePoint { x, y }
    }

    #[test]
    fn strokes_become_ink_where_they_were_drawn() {
        let strokes = vec![vec![point(10.0, 50.0), point(190.0, 50.0)], vec![point(100.0, 10.0)]];
        let png = render_signature(&strokes, 200.0, 100.0).unwrap();
        let image = image::load_from_memory(&png).unwrap().to_rgba8();
        let (w, h) = image.dimensions();
        assert_eq!(w, 2 * h, "keeps the view's shape");
        let scale = w as f32 / 200.0;
        let at = |x: f32, y: f32| image.get_pixel((x * scale) as u32, (y * scale) as u32)[3];
        assert_eq!(at(100.0, 50.0), 255, "on the line");
        assert_eq!(at(100.0, 10.0), 255, "the dot");
        assert_eq!(at(100.0, 90.0), 0, "below the line is left clear");
    }

    #[test]
    fn nothing_drawn_or_a_broken_view_is_refused() {
        assert!(matches!(render_signature(&[], 200.0, 100.0), Err(Error::InvalidInput(_))));
        assert!(matches!(render_signature(&[vec![point(f32::NAN, 1.0)]], 200.0, 100.0), Err(Error::InvalidInput(_))));
        assert!(matches!(render_signature(&[vec![point(1.0, 1.0)]], 0.0, 100.0), Err(Error::InvalidInput(_))));
        assert!(matches!(render_signature(&[vec![point(1.0, 1.0)]], f32::INFINITY, 100.0), Err(Error::InvalidInput(_))));
    }

    #[test]
    fn a_huge_view_is_scaled_to_the_servers_limits() {
        let png = render_signature(&[vec![point(0.0, 0.0), point(8000.0, 4000.0)]], 8000.0, 4000.0).unwrap();
        let image = image::load_from_memory(&png).unwrap();
        assert!(image.width() <= 1200 && image.height() <= 600);
    }
}
