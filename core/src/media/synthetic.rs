//! Synthetic camera and microphone: a moving test pattern whose colour says
//! who sent it, and a tone whose frequency does. For the command-line
//! participant, the tests and the load tool.

use super::frame::{AUDIO_FRAME_SAMPLES, AUDIO_SAMPLE_RATE, I420Frame, rgb_to_yuv};

/// A solid background in the sender's colour with a white bar sweeping across;
/// textured, the background is grain that changes every frame, as a real
/// camera's picture does, so the encoder needs its whole bit rate.
pub struct TestPattern {
    width: u32,
    height: u32,
    background: (u8, u8, u8),
    frame: u32,
    grain: Option<u64>,
}

impl TestPattern {
    pub fn new(width: u32, height: u32, rgb: (u8, u8, u8)) -> Self {
        Self { width, height, background: rgb_to_yuv(rgb.0, rgb.1, rgb.2), frame: 0, grain: None }
    }

    pub fn textured(width: u32, height: u32, rgb: (u8, u8, u8)) -> Self {
        Self { grain: Some(0x9e37_79b9_7f4a_7c15), ..Self::new(width, height, rgb) }
    }

    pub fn next_frame(&mut self) -> I420Frame {
        let mut frame = I420Frame::filled(self.width, self.height, self.background);
        let (w, h) = (self.width as usize, self.height as usize);
        let bar = (w / 16).max(2);
        let x0 = (self.frame as usize * 4) % w.saturating_sub(bar).max(1);
        let (y, _, _) = frame.planes_mut();
        if let Some(state) = &mut self.grain {
            // xorshift; symmetric around the background, so the mean colour stays the sender's.
            for pixel in y.iter_mut() {
                *state ^= *state << 13;
                *state ^= *state >> 7;
                *state ^= *state << 17;
                *pixel = (i16::from(*pixel) + (*state % 13) as i16 - 6).clamp(16, 235) as u8;
            }
        }
        for row in 0..h {
            y[row * w + x0..row * w + x0 + bar].fill(235);
        }
        self.frame += 1;
        frame
    }
}

/// A continuous sine tone, 20 ms at a time.
pub struct Tone {
    frequency: f32,
    sample: u64,
}

impl Tone {
    pub fn new(frequency: f32) -> Self {
        Self { frequency, sample: 0 }
    }

    pub fn next_frame(&mut self) -> Vec<i16> {
        let start = self.sample;
        self.sample += AUDIO_FRAME_SAMPLES as u64;
        (0..AUDIO_FRAME_SAMPLES as u64)
            .map(|i| {
                let t = (start + i) as f64 / f64::from(AUDIO_SAMPLE_RATE);
                (f64::sin(2.0 * std::f64::consts::PI * f64::from(self.frequency) * t) * 8000.0) as i16
            })
            .collect()
    }
}

/// Colours the test participants are told apart by.
pub const PALETTE: [(&str, (u8, u8, u8)); 6] = [
    ("red", (220, 40, 40)),
    ("green", (40, 200, 40)),
    ("blue", (40, 60, 220)),
    ("yellow", (230, 220, 40)),
    ("magenta", (210, 40, 210)),
    ("cyan", (40, 210, 210)),
];

pub fn colour(name: &str) -> Option<(u8, u8, u8)> {
    PALETTE.iter().find(|(n, _)| *n == name).map(|(_, rgb)| *rgb)
}

/// The palette colour nearest to `rgb`.
pub fn nearest_colour(rgb: (u8, u8, u8)) -> &'static str {
    let distance = |c: (u8, u8, u8)| {
        let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).pow(2);
        d(c.0, rgb.0) + d(c.1, rgb.1) + d(c.2, rgb.2)
    };
    PALETTE.iter().min_by_key(|(_, c)| distance(*c)).map(|(n, _)| *n).unwrap_or("?")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::frame::yuv_to_rgb;

    #[test]
    fn the_pattern_is_mostly_its_colour_and_moves() {
        let mut pattern = TestPattern::new(160, 120, colour("blue").unwrap());
        let a = pattern.next_frame();
        let b = pattern.next_frame();
        assert_ne!(a, b, "the bar moves");
        let (y, u, v) = a.mean_yuv();
        assert_eq!(nearest_colour(yuv_to_rgb(y, u, v)), "blue");
    }

    #[test]
    fn the_textured_pattern_changes_everywhere_and_keeps_its_colour() {
        let mut pattern = TestPattern::textured(160, 120, colour("green").unwrap());
        let a = pattern.next_frame();
        let b = pattern.next_frame();
        let changed = a.planes().0.iter().zip(b.planes().0).filter(|(x, y)| x != y).count();
        assert!(changed > 160 * 120 * 8 / 10, "grain everywhere: {changed} pixels changed");
        let (y, u, v) = b.mean_yuv();
        assert_eq!(nearest_colour(yuv_to_rgb(y, u, v)), "green");
    }
}
