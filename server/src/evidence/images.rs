//! Photos: EXIF orientation and capture time, and upright previews (2048 px)
//! and thumbnails (256 px) re-encoded without any metadata. Decoding is
//! bounded: dimensions, and the memory the decoder will hold, are checked
//! from the header before pixels are allocated.

use std::io::{BufRead, Cursor, Read, Seek};

use fast_image_resize as fr;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits, RgbImage};

use super::sniff::ImageFormat;

pub const PREVIEW_SIZE: u32 = 2048;
/// JPEGs are decoded at the smallest DCT scale (1/8, 1/4, 1/2) whose long side
/// still reaches this: most of the decoding cost, and memory, is saved.
const SCALED_DECODE_AT_LEAST: u16 = 1920;
pub const THUMBNAIL_SIZE: u32 = 256;

#[derive(Debug, Clone, Copy)]
pub struct ImageLimits {
    /// Largest width or height accepted.
    pub max_dimension: u32,
    /// Largest number of pixels accepted (a 50 MP phone photo is about 50,000,000).
    pub max_pixels: u64,
    /// Most memory one decode may hold. JPEGs from cameras are decoded at a
    /// reduced scale and need little; PNG and WebP are decoded whole (3 to 8
    /// bytes a pixel, and 3 more to convert), progressive JPEGs keep every
    /// coefficient (up to 8 bytes a pixel).
    pub max_decode_bytes: u64,
    /// Pictures decoded at the same time; more wait their turn.
    pub concurrent_decodes: usize,
}

impl Default for ImageLimits {
    fn default() -> Self {
        Self { max_dimension: 16_384, max_pixels: 100_000_000, max_decode_bytes: 256 << 20, concurrent_decodes: 1 }
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PhotoInfo {
    /// EXIF orientation, 1..=8.
    pub orientation: Option<u32>,
    /// EXIF DateTimeOriginal as the camera wrote it, e.g. "2026:05:17 14:03:22".
    pub captured_at: Option<String>,
}

pub struct Derived {
    pub preview: Vec<u8>,
    pub thumbnail: Vec<u8>,
    /// The upright picture's size.
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("图片尺寸过大（{0}×{1}），无法处理")]
    TooLarge(u32, u32),
    /// What the decoder said, for the log: the party is told only that it is broken.
    #[error("图片已损坏，无法打开，请重新拍摄或选择原图上传")]
    Corrupt(String),
}

/// Orientation and capture time, if the file carries EXIF.
pub fn photo_info(bytes: &[u8]) -> PhotoInfo {
    let Ok(exif) = exif::Reader::new().read_from_container(&mut Cursor::new(bytes)) else {
        return PhotoInfo::default();
    };
    let orientation = exif
        .get_field(exif::Tag::Orientation, exif::In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        .filter(|o| (1..=8).contains(o));
    let captured_at = exif.get_field(exif::Tag::DateTimeOriginal, exif::In::PRIMARY).and_then(|f| match &f.value {
        exif::Value::Ascii(values) => values
            .first()
            .and_then(|v| std::str::from_utf8(v).ok())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty() && s.chars().any(|c| c.is_ascii_digit() && c != '0')),
        _ => None,
    });
    PhotoInfo { orientation, captured_at }
}

fn fit(width: u32, height: u32, max: u32) -> (u32, u32) {
    let (w, h, m) = (u64::from(width), u64::from(height), u64::from(max));
    if w >= h {
        (max, ((h * m + w / 2) / w).max(1) as u32)
    } else {
        (((w * m + h / 2) / h).max(1) as u32, max)
    }
}

fn orientation_of(value: Option<u32>) -> image::metadata::Orientation {
    value.and_then(|v| image::metadata::Orientation::from_exif(v as u8)).unwrap_or(image::metadata::Orientation::NoTransforms)
}

/// Whether a JPEG's main image is whole: after its first scan starts there is
/// an end-of-image marker. (Inside entropy-coded data 0xFF is always followed
/// by 0x00 or a restart marker, so 0xFF 0xD9 there can only be the end.)
/// Decoders fill a cut-off picture with grey rather than fail; evidence must not.
pub fn jpeg_is_complete(bytes: &[u8]) -> bool {
    if bytes.len() < 4 || bytes[..2] != [0xff, 0xd8] {
        return false;
    }
    let mut i = 2;
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xff {
            return false;
        }
        let marker = bytes[i + 1];
        if marker == 0xff {
            i += 1;
            continue;
        }
        let length = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        if marker == 0xda {
            return bytes[i + 2 + length..].windows(2).any(|w| w == [0xff, 0xd9]);
        }
        i += 2 + length;
    }
    false
}

/// Checks the picture's size, and the memory its decoding will hold, before anything is allocated.
fn check_size(width: u32, height: u32, decode_bytes: u64, limits: ImageLimits) -> Result<(), ImageError> {
    if width == 0
        || height == 0
        || width > limits.max_dimension
        || height > limits.max_dimension
        || u64::from(width) * u64::from(height) > limits.max_pixels
        || decode_bytes > limits.max_decode_bytes
    {
        return Err(ImageError::TooLarge(width, height));
    }
    Ok(())
}

/// Reads a JPEG's header and checks it against the limits.
fn jpeg_header<R: Read>(decoder: &mut jpeg_decoder::Decoder<R>, limits: ImageLimits) -> Result<jpeg_decoder::ImageInfo, ImageError> {
    decoder.read_info().map_err(|e| ImageError::Corrupt(e.to_string()))?;
    let info = decoder.info().ok_or_else(|| ImageError::Corrupt("no JPEG header".into()))?;
    // Progressive and lossless pictures are held whole while decoding, two
    // bytes a sample (every component counted at full resolution, padded to
    // whole blocks), whatever the scale they are decoded at.
    let samples = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 | jpeg_decoder::PixelFormat::L16 => 1,
        jpeg_decoder::PixelFormat::RGB24 => 3,
        jpeg_decoder::PixelFormat::CMYK32 => 4,
    };
    let held = match info.coding_process {
        jpeg_decoder::CodingProcess::DctSequential => 0,
        _ => samples * u64::from(info.width).next_multiple_of(16) * u64::from(info.height).next_multiple_of(16) * 2,
    };
    check_size(u32::from(info.width), u32::from(info.height), held, limits)?;
    Ok(info)
}

/// A PNG or WebP decoder whose header has been checked against the limits.
fn other_decoder<'a, R: BufRead + Seek + 'a>(
    file: R,
    format: image::ImageFormat,
    limits: ImageLimits,
) -> Result<impl ImageDecoder + 'a, ImageError> {
    let mut reader = ImageReader::with_format(file, format);
    let mut image_limits = Limits::default();
    image_limits.max_image_width = Some(limits.max_dimension);
    image_limits.max_image_height = Some(limits.max_dimension);
    image_limits.max_alloc = Some(limits.max_decode_bytes);
    reader.limits(image_limits);
    let decoder = reader.into_decoder().map_err(|e| match e {
        image::ImageError::Limits(_) => ImageError::TooLarge(0, 0),
        other => ImageError::Corrupt(other.to_string()),
    })?;
    let (width, height) = decoder.dimensions();
    let converted = if decoder.color_type() == image::ColorType::Rgb8 { 0 } else { u64::from(width) * u64::from(height) * 3 };
    check_size(width, height, decoder.total_bytes().saturating_add(converted), limits)?;
    Ok(decoder)
}

/// Checks from its header alone, without decoding, that a picture can be decoded within the limits.
pub fn check_header(file: impl BufRead + Seek, format: ImageFormat, limits: ImageLimits) -> Result<(), ImageError> {
    match format {
        ImageFormat::Jpeg => jpeg_header(&mut jpeg_decoder::Decoder::new(file), limits).map(drop),
        ImageFormat::Png => other_decoder(file, image::ImageFormat::Png, limits).map(drop),
        ImageFormat::Webp => other_decoder(file, image::ImageFormat::WebP, limits).map(drop),
        ImageFormat::Heic => Ok(()),
    }
}

/// Decodes a JPEG at the smallest DCT scale whose long side still reaches
/// `at_least` (`u16::MAX`: full size), after checking its header.
fn decode_jpeg(bytes: &[u8], limits: ImageLimits, at_least: u16) -> Result<(RgbImage, (u32, u32)), ImageError> {
    if !jpeg_is_complete(bytes) {
        return Err(ImageError::Corrupt("JPEG 文件不完整（可能在传输中被截断）".into()));
    }
    let corrupt = |e: jpeg_decoder::Error| ImageError::Corrupt(e.to_string());
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    let info = jpeg_header(&mut decoder, limits)?;
    let (width, height) = decoder.scale(at_least, at_least).map_err(corrupt)?;
    decoder.set_max_decoding_buffer_size(usize::try_from(limits.max_decode_bytes).unwrap_or(usize::MAX));
    let pixels = decoder.decode().map_err(corrupt)?;
    let (width, height) = (u32::from(width), u32::from(height));
    let rgb = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => pixels,
        jpeg_decoder::PixelFormat::L8 => pixels.iter().flat_map(|&l| [l, l, l]).collect(),
        jpeg_decoder::PixelFormat::L16 => pixels.chunks_exact(2).flat_map(|l| [l[0], l[0], l[0]]).collect(),
        jpeg_decoder::PixelFormat::CMYK32 => pixels
            .chunks_exact(4)
            .flat_map(|p| {
                let k = u16::from(p[3]);
                [(u16::from(p[0]) * k / 255) as u8, (u16::from(p[1]) * k / 255) as u8, (u16::from(p[2]) * k / 255) as u8]
            })
            .collect(),
    };
    let picture = RgbImage::from_raw(width, height, rgb).ok_or_else(|| ImageError::Corrupt("decoded size mismatch".into()))?;
    Ok((picture, (u32::from(info.width), u32::from(info.height))))
}

/// Decodes a PNG or WebP within limits; returns the picture and its orientation (from the file).
fn decode_other(bytes: &[u8], format: image::ImageFormat, limits: ImageLimits) -> Result<(RgbImage, Option<image::metadata::Orientation>), ImageError> {
    let mut decoder = other_decoder(Cursor::new(bytes), format, limits)?;
    let orientation = decoder.orientation().ok().filter(|o| *o != image::metadata::Orientation::NoTransforms);
    let rgb = DynamicImage::from_decoder(decoder).map_err(|e| ImageError::Corrupt(e.to_string()))?.into_rgb8();
    Ok((rgb, orientation))
}

/// Decodes a JPEG, PNG or WebP within limits: the picture as stored, how to
/// turn it upright, and the stored size.
fn decode(
    bytes: &[u8],
    format: ImageFormat,
    exif_orientation: Option<u32>,
    limits: ImageLimits,
    jpeg_at_least: u16,
) -> Result<(RgbImage, image::metadata::Orientation, (u32, u32)), ImageError> {
    let (rgb, orientation, size) = match format {
        ImageFormat::Jpeg => {
            let (rgb, size) = decode_jpeg(bytes, limits, jpeg_at_least)?;
            (rgb, None, size)
        }
        ImageFormat::Png | ImageFormat::Webp => {
            let format = if format == ImageFormat::Png { image::ImageFormat::Png } else { image::ImageFormat::WebP };
            let (rgb, orientation) = decode_other(bytes, format, limits)?;
            let size = (rgb.width(), rgb.height());
            (rgb, orientation, size)
        }
        ImageFormat::Heic => return Err(ImageError::Corrupt("HEIC 暂不支持生成预览".into())),
    };
    Ok((rgb, orientation.unwrap_or(orientation_of(exif_orientation)), size))
}

/// Turns a picture upright and encodes it as a JPEG that carries no metadata at all.
fn encode_upright(picture: RgbImage, orientation: image::metadata::Orientation, quality: u8) -> Result<Vec<u8>, ImageError> {
    let mut picture = DynamicImage::ImageRgb8(picture);
    picture.apply_orientation(orientation);
    let picture = picture.into_rgb8();
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
    encoder
        .encode(picture.as_raw(), picture.width() as u16, picture.height() as u16, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| ImageError::Corrupt(e.to_string()))?;
    Ok(out)
}

/// The whole picture at full resolution, upright, without any metadata (no
/// location, no camera): what the other parties download instead of the original.
pub fn clean_copy(bytes: &[u8], format: ImageFormat, exif_orientation: Option<u32>, limits: ImageLimits) -> Result<Vec<u8>, ImageError> {
    let (rgb, orientation, _) = decode(bytes, format, exif_orientation, limits, u16::MAX)?;
    encode_upright(rgb, orientation, 92)
}

/// Decodes a JPEG, PNG or WebP within limits and makes the upright preview and thumbnail.
pub fn derive(bytes: &[u8], format: ImageFormat, exif_orientation: Option<u32>, limits: ImageLimits) -> Result<Derived, ImageError> {
    let (rgb, orientation, (width, height)) = decode(bytes, format, exif_orientation, limits, SCALED_DECODE_AT_LEAST)?;
    let options = fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3));
    let mut resizer = fr::Resizer::new();
    let mut shrink = |source: &RgbImage, max: u32| -> Result<RgbImage, ImageError> {
        if source.width().max(source.height()) <= max {
            return Ok(source.clone());
        }
        let (w, h) = fit(source.width(), source.height(), max);
        let mut target = RgbImage::new(w, h);
        resizer.resize(source, &mut target, &options).map_err(|e| ImageError::Corrupt(e.to_string()))?;
        Ok(target)
    };
    let preview = shrink(&rgb, PREVIEW_SIZE)?;
    drop(rgb);
    // From the preview: a fraction of the work of shrinking the original.
    let thumbnail = shrink(&preview, THUMBNAIL_SIZE)?;

    // Rotating after shrinking costs far less.
    let preview = encode_upright(preview, orientation, 85)?;
    let thumbnail = encode_upright(thumbnail, orientation, 80)?;
    let (width, height) = match orientation {
        image::metadata::Orientation::Rotate90
        | image::metadata::Orientation::Rotate270
        | image::metadata::Orientation::Rotate90FlipH
        | image::metadata::Orientation::Rotate270FlipH => (height, width),
        _ => (width, height),
    };
    Ok(Derived { preview, thumbnail, width, height })
}

#[cfg(test)]
mod tests {
    use image::RgbaImage;

    use super::*;

    fn within(max_decode_bytes: u64) -> ImageLimits {
        ImageLimits { max_decode_bytes, ..ImageLimits::default() }
    }

    fn png(picture: DynamicImage) -> Vec<u8> {
        let mut out = Vec::new();
        picture.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
        out
    }

    fn jpeg(width: u16, height: u16, progressive: bool) -> Vec<u8> {
        let pixels = vec![128u8; usize::from(width) * usize::from(height) * 3];
        let mut out = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut out, 80);
        encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_1_1);
        encoder.set_progressive(progressive);
        encoder.encode(&pixels, width, height, jpeg_encoder::ColorType::Rgb).unwrap();
        out
    }

    #[test]
    fn a_picture_whose_decoding_would_pass_the_memory_budget_is_refused_before_it_is_decoded() {
        // 600×600: 1.08 MB as RGB; with alpha 1.44 MB, and 1.08 MB more to drop it.
        let rgb = png(DynamicImage::ImageRgb8(RgbImage::new(600, 600)));
        let rgba = png(DynamicImage::ImageRgba8(RgbaImage::new(600, 600)));
        assert!(derive(&rgb, ImageFormat::Png, None, within(2 << 20)).is_ok());
        assert!(matches!(derive(&rgba, ImageFormat::Png, None, within(2 << 20)), Err(ImageError::TooLarge(600, 600))));
        assert!(derive(&rgba, ImageFormat::Png, None, within(3 << 20)).is_ok());
        assert!(check_header(Cursor::new(&rgb), ImageFormat::Png, within(2 << 20)).is_ok(), "the header says as much");
        assert!(check_header(Cursor::new(&rgba), ImageFormat::Png, within(2 << 20)).is_err());

        // A progressive JPEG holds all its coefficients (here 3 × 1200 × 800 × 2 bytes) whatever
        // scale it is decoded at; a camera's sequential one is decoded a row of blocks at a time.
        assert!(derive(&jpeg(1200, 800, false), ImageFormat::Jpeg, None, within(4 << 20)).is_ok());
        assert!(matches!(derive(&jpeg(1200, 800, true), ImageFormat::Jpeg, None, within(4 << 20)), Err(ImageError::TooLarge(1200, 800))));
        assert!(derive(&jpeg(1200, 800, true), ImageFormat::Jpeg, None, within(6 << 20)).is_ok());
        assert!(check_header(Cursor::new(jpeg(1200, 800, true)), ImageFormat::Jpeg, within(4 << 20)).is_err());
    }
}
