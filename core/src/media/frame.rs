//! Raw media as the shell gives and gets it: I420 video and 16-bit PCM audio.

/// Audio is 48 kHz mono, in 20 ms frames.
pub const AUDIO_SAMPLE_RATE: u32 = 48_000;
pub const AUDIO_FRAME_SAMPLES: usize = 960;

/// One video frame in I420: the Y plane (width × height), then U and V
/// (each width/2 × height/2), tightly packed. Width and height are even.
#[derive(Clone, PartialEq, Eq)]
pub struct I420Frame {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

impl std::fmt::Debug for I420Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "I420Frame({}x{})", self.width, self.height)
    }
}

impl I420Frame {
    pub fn size(width: u32, height: u32) -> usize {
        let (w, h) = (width as usize, height as usize);
        w * h + 2 * (w / 2) * (h / 2)
    }

    /// A frame filled with one colour (given as Y, U, V).
    pub fn filled(width: u32, height: u32, yuv: (u8, u8, u8)) -> Self {
        let (w, h) = (width as usize, height as usize);
        let mut data = vec![yuv.0; w * h];
        data.resize(w * h + (w / 2) * (h / 2), yuv.1);
        data.resize(Self::size(width, height), yuv.2);
        Self { width, height, data }
    }

    /// Checks the buffer matches the dimensions.
    pub fn validate(&self) -> Result<(), String> {
        if self.width == 0 || self.height == 0 || self.width % 2 == 1 || self.height % 2 == 1 {
            return Err(format!("frame size {}x{} must be even and non-zero", self.width, self.height));
        }
        if self.width > 4096 || self.height > 4096 {
            return Err(format!("frame size {}x{} is too large", self.width, self.height));
        }
        let expected = Self::size(self.width, self.height);
        if self.data.len() != expected {
            return Err(format!("I420 {}x{} needs {expected} bytes, got {}", self.width, self.height, self.data.len()));
        }
        Ok(())
    }

    pub fn planes(&self) -> (&[u8], &[u8], &[u8]) {
        let (w, h) = (self.width as usize, self.height as usize);
        let (y, rest) = self.data.split_at(w * h);
        let (u, v) = rest.split_at((w / 2) * (h / 2));
        (y, u, v)
    }

    pub fn planes_mut(&mut self) -> (&mut [u8], &mut [u8], &mut [u8]) {
        let (w, h) = (self.width as usize, self.height as usize);
        let (y, rest) = self.data.split_at_mut(w * h);
        let (u, v) = rest.split_at_mut((w / 2) * (h / 2));
        (y, u, v)
    }

    /// Mean Y, U and V over the frame: what colour it mostly is.
    pub fn mean_yuv(&self) -> (u8, u8, u8) {
        let (y, u, v) = self.planes();
        let mean = |p: &[u8]| (p.iter().map(|&x| u64::from(x)).sum::<u64>() / p.len().max(1) as u64) as u8;
        (mean(y), mean(u), mean(v))
    }
}

/// BT.601 studio-range conversion, for tests and synthetic sources.
pub fn rgb_to_yuv(r: u8, g: u8, b: u8) -> (u8, u8, u8) {
    let (r, g, b) = (f32::from(r), f32::from(g), f32::from(b));
    let y = 16.0 + 0.257 * r + 0.504 * g + 0.098 * b;
    let u = 128.0 - 0.148 * r - 0.291 * g + 0.439 * b;
    let v = 128.0 + 0.439 * r - 0.368 * g - 0.071 * b;
    (y.round().clamp(0.0, 255.0) as u8, u.round().clamp(0.0, 255.0) as u8, v.round().clamp(0.0, 255.0) as u8)
}

pub fn yuv_to_rgb(y: u8, u: u8, v: u8) -> (u8, u8, u8) {
    let (y, u, v) = (f32::from(y) - 16.0, f32::from(u) - 128.0, f32::from(v) - 128.0);
    let r = 1.164 * y + 1.596 * v;
    let g = 1.164 * y - 0.392 * u - 0.813 * v;
    let b = 1.164 * y + 2.017 * u;
    (r.round().clamp(0.0, 255.0) as u8, g.round().clamp(0.0, 255.0) as u8, b.round().clamp(0.0, 255.0) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_survive_the_round_trip() {
        for rgb in [(200, 30, 30), (30, 200, 30), (30, 30, 200), (220, 220, 40)] {
            let (y, u, v) = rgb_to_yuv(rgb.0, rgb.1, rgb.2);
            let back = yuv_to_rgb(y, u, v);
            for (a, b) in [(rgb.0, back.0), (rgb.1, back.1), (rgb.2, back.2)] {
                assert!(a.abs_diff(b) <= 2, "{rgb:?} -> {back:?}");
            }
        }
    }

    #[test]
    fn frames_check_their_size() {
        let frame = I420Frame::filled(64, 48, (100, 50, 200));
        assert!(frame.validate().is_ok());
        assert_eq!(frame.mean_yuv(), (100, 50, 200));
        assert!(I420Frame { width: 63, height: 48, data: vec![0; 10] }.validate().is_err());
        assert!(I420Frame { width: 64, height: 48, data: vec![0; 10] }.validate().is_err());
    }
}
