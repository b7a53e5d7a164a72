//! Signature images: whatever PNG a client sends is decoded within limits,
//! checked to hold ink, and stored re-encoded, so the stored bytes (and their
//! hash) are the server's own.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits, RgbaImage};

/// Largest accepted upload, before decoding.
pub const MAX_BYTES: usize = 512 * 1024;
const MAX_WIDTH: u32 = 2000;
const MAX_HEIGHT: u32 = 1200;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureImageError {
    #[error("签名图片过大")]
    TooLarge,
    #[error("签名图片不是有效的PNG图片")]
    NotPng,
    #[error("签名为空，请重新签名")]
    Blank,
}

/// Decodes a client's PNG and returns the PNG the server stores.
pub fn normalise(png: &[u8]) -> Result<Vec<u8>, SignatureImageError> {
    if png.len() > MAX_BYTES {
        return Err(SignatureImageError::TooLarge);
    }
    let mut reader = ImageReader::with_format(Cursor::new(png), ImageFormat::Png);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_WIDTH);
    limits.max_image_height = Some(MAX_HEIGHT);
    limits.max_alloc = Some(64 * 1024 * 1024);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => SignatureImageError::TooLarge,
        _ => SignatureImageError::NotPng,
    })?;
    let rgba: RgbaImage = image.into_rgba8();
    if !has_ink(&rgba) {
        return Err(SignatureImageError::Blank);
    }
    let mut out = Vec::new();
    rgba.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).map_err(|_| SignatureImageError::NotPng)?;
    Ok(out)
}

/// At least a few dozen pixels that are visibly dark and not transparent.
fn has_ink(image: &RgbaImage) -> bool {
    image
        .pixels()
        .filter(|p| {
            let [r, g, b, a] = p.0;
            a > 64 && (u32::from(r) + u32::from(g) + u32::from(b)) < 3 * 160
        })
        .take(40)
        .count()
        >= 40
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(image: &RgbaImage) -> Vec<u8> {
        let mut out = Vec::new();
        image.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).unwrap();
        out
    }

    fn stroke() -> RgbaImage {
        let mut image = RgbaImage::new(300, 120);
        for x in 20..280 {
            for y in 58..63 {
                image.put_pixel(x, y, image::Rgba([0, 0, 0, 255]));
            }
        }
        image
    }

    #[test]
    fn a_drawn_signature_is_kept_as_the_servers_own_png() {
        let stored = normalise(&png(&stroke())).unwrap();
        let decoded = image::load_from_memory(&stored).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (300, 120));
        assert_eq!(normalise(&stored).unwrap(), stored, "stable");
    }

    #[test]
    fn blank_broken_and_huge_images_are_refused() {
        assert_eq!(normalise(&png(&RgbaImage::new(300, 120))), Err(SignatureImageError::Blank));
        assert_eq!(normalise(b"GIF89a not a png"), Err(SignatureImageError::NotPng));
        let mut truncated = png(&stroke());
        truncated.truncate(truncated.len() / 2);
        assert_eq!(normalise(&truncated), Err(SignatureImageError::NotPng));
        assert_eq!(normalise(&png(&RgbaImage::new(4000, 100))), Err(SignatureImageError::TooLarge));
        assert_eq!(normalise(&vec![0; MAX_BYTES + 1]), Err(SignatureImageError::TooLarge));
    }
}
