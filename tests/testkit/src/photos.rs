//! Test photos made on the spot: a phone-style JPEG stored sideways with EXIF
//! orientation 6, a capture time and GPS tags. Shared with the server's tests,
//! which include this file by path.

/// EXIF (big-endian TIFF) with Orientation 6, DateTimeOriginal and GPS latitude.
fn exif_segment() -> Vec<u8> {
    let mut t = Vec::new();
    t.extend_from_slice(b"MM\x00\x2a\x00\x00\x00\x08");
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        t.extend_from_slice(&tag.to_be_bytes());
        t.extend_from_slice(&kind.to_be_bytes());
        t.extend_from_slice(&count.to_be_bytes());
        t.extend_from_slice(&value);
    };
    // IFD0 at 8: Orientation, Exif IFD at 50, GPS IFD at 88.
    t.extend_from_slice(&3u16.to_be_bytes());
    entry(&mut t, 0x0112, 3, 1, [0, 6, 0, 0]);
    entry(&mut t, 0x8769, 4, 1, 50u32.to_be_bytes());
    entry(&mut t, 0x8825, 4, 1, 88u32.to_be_bytes());
    t.extend_from_slice(&0u32.to_be_bytes());
    assert_eq!(t.len(), 50);
    // Exif IFD: DateTimeOriginal, its 20 bytes at 68.
    t.extend_from_slice(&1u16.to_be_bytes());
    entry(&mut t, 0x9003, 2, 20, 68u32.to_be_bytes());
    t.extend_from_slice(&0u32.to_be_bytes());
    t.extend_from_slice(b"2026:05:17 14:03:22\0");
    assert_eq!(t.len(), 88);
    // GPS IFD: latitude 39°7'30" N (rationals at 118).
    t.extend_from_slice(&2u16.to_be_bytes());
    entry(&mut t, 0x0001, 2, 2, *b"N\0\0\0");
    entry(&mut t, 0x0002, 5, 3, 118u32.to_be_bytes());
    t.extend_from_slice(&0u32.to_be_bytes());
    for (n, d) in [(39u32, 1u32), (7, 1), (30, 1)] {
        t.extend_from_slice(&n.to_be_bytes());
        t.extend_from_slice(&d.to_be_bytes());
    }
    let mut segment = b"Exif\0\0".to_vec();
    segment.extend_from_slice(&t);
    segment
}

/// A 400×300 photo stored sideways (EXIF orientation 6): red in the stored
/// top-left corner, blue elsewhere. Upright, it is 300×400 with red top-right.
pub fn phone_photo() -> Vec<u8> {
    photo_of_size(400, 300)
}

/// A sideways phone photo of any size (red stored top-left, blue elsewhere).
pub fn photo_of_size(w: usize, h: usize) -> Vec<u8> {
    let mut rgb = vec![0u8; w * h * 3];
    for y in 0..h {
        for x in 0..w {
            let pixel = if x < w / 4 && y < h / 4 { [220, 30, 30] } else { [30, 40, 200] };
            rgb[(y * w + x) * 3..(y * w + x) * 3 + 3].copy_from_slice(&pixel);
        }
    }
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
    encoder.add_app_segment(1, exif_segment()).unwrap();
    encoder.encode(&rgb, w as u16, h as u16, jpeg_encoder::ColorType::Rgb).unwrap();
    out
}

