//! Photos: EXIF orientation and capture time, and upright previews (2048 px)
//! and thumbnails (256 px) re-encoded without any metadata. Decoding is
//! bounded: dimensions are checked from the header before pixels are allocated.

use std::io::Cursor;

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
}

impl Default for ImageLimits {
    fn default() -> Self {
        Self { max_dimension: 16_384, max_pixels: 100_000_000 }
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
    #[error("图片已损坏，无法打开：{0}")]
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

fn check_size(width: u32, height: u32, limits: ImageLimits) -> Result<(), ImageError> {
    if width == 0
        || height == 0
        || width > limits.max_dimension
        || height > limits.max_dimension
        || u64::from(width) * u64::from(height) > limits.max_pixels
    {
        return Err(ImageError::TooLarge(width, height));
    }
    Ok(())
}

/// Decodes a JPEG at the smallest DCT scale whose long side still reaches
/// `at_least` (`u16::MAX`: full size), after checking its header.
fn decode_jpeg(bytes: &[u8], limits: ImageLimits, at_least: u16) -> Result<(RgbImage, (u32, u32)), ImageError> {
    if !jpeg_is_complete(bytes) {
        return Err(ImageError::Corrupt("JPEG 文件不完整（可能在传输中被截断）".into()));
    }
    let corrupt = |e: jpeg_decoder::Error| ImageError::Corrupt(e.to_string());
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.read_info().map_err(corrupt)?;
    let info = decoder.info().ok_or_else(|| ImageError::Corrupt("no JPEG header".into()))?;
    check_size(u32::from(info.width), u32::from(info.height), limits)?;
    let (width, height) = decoder.scale(at_least, at_least).map_err(corrupt)?;
    decoder.set_max_decoding_buffer_size(1 << 30);
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
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut image_limits = Limits::default();
    image_limits.max_image_width = Some(limits.max_dimension);
    image_limits.max_image_height = Some(limits.max_dimension);
    image_limits.max_alloc = Some(1 << 30);
    reader.limits(image_limits);
    let mut decoder = reader.into_decoder().map_err(|e| match e {
        image::ImageError::Limits(_) => ImageError::TooLarge(0, 0),
        other => ImageError::Corrupt(other.to_string()),
    })?;
    let (width, height) = decoder.dimensions();
    check_size(width, height, limits)?;
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
