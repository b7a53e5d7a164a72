//! Sample-rate conversion between the 48 kHz of WebRTC's Opus and the 16 kHz
//! speech models take, and reading WAV recordings.

/// A windowed-sinc low-pass for a factor-3 rate change: it passes speech
/// (below 7 kHz) and removes what would alias at 16 kHz.
fn low_pass() -> Vec<f32> {
    const TAPS: usize = 48;
    let cutoff = 0.95 / 3.0 / 2.0; // of the 48 kHz rate: just under 8 kHz
    let centre = (TAPS - 1) as f32 / 2.0;
    let taps: Vec<f32> = (0..TAPS)
        .map(|i| {
            let x = i as f32 - centre;
            let sinc = if x == 0.0 { 2.0 * cutoff } else { (2.0 * std::f32::consts::PI * cutoff * x).sin() / (std::f32::consts::PI * x) };
            let window = 0.54 - 0.46 * (2.0 * std::f32::consts::PI * i as f32 / (TAPS - 1) as f32).cos();
            sinc * window
        })
        .collect();
    let sum: f32 = taps.iter().sum();
    taps.into_iter().map(|t| t / sum).collect()
}

/// 48 kHz to 16 kHz, a block at a time, keeping the filter's history between blocks.
pub struct Downsampler {
    taps: Vec<f32>,
    history: Vec<f32>,
    phase: usize,
}

impl Default for Downsampler {
    fn default() -> Self {
        let taps = low_pass();
        Self { history: vec![0.0; taps.len()], taps, phase: 0 }
    }
}

impl Downsampler {
    /// Takes 48 kHz samples in [-1, 1]; returns the 16 kHz samples they make.
    pub fn process(&mut self, input: &[f32]) -> Vec<f32> {
        let mut out = Vec::with_capacity(input.len() / 3 + 1);
        for &sample in input {
            self.history.rotate_left(1);
            *self.history.last_mut().expect("the history is as long as the filter") = sample;
            self.phase = (self.phase + 1) % 3;
            if self.phase == 0 {
                out.push(self.history.iter().zip(&self.taps).map(|(h, t)| h * t).sum());
            }
        }
        out
    }
}

/// 16 kHz to 48 kHz (for playing a recording as a microphone).
pub fn upsample_16k_to_48k(input: &[f32]) -> Vec<f32> {
    let taps = low_pass();
    let mut stuffed = vec![0.0f32; input.len() * 3];
    for (i, &s) in input.iter().enumerate() {
        stuffed[i * 3] = s * 3.0;
    }
    let half = taps.len() / 2;
    (0..stuffed.len())
        .map(|n| {
            taps.iter()
                .enumerate()
                .filter_map(|(k, t)| (n + half).checked_sub(k).and_then(|j| stuffed.get(j)).map(|s| s * t))
                .sum()
        })
        .collect()
}

pub fn from_i16(samples: &[i16]) -> Vec<f32> {
    samples.iter().map(|&s| f32::from(s) / 32768.0).collect()
}

pub fn to_i16(samples: &[f32]) -> Vec<i16> {
    samples.iter().map(|&s| (s.clamp(-1.0, 1.0) * 32767.0) as i16).collect()
}

#[derive(Debug, thiserror::Error)]
pub enum WavError {
    #[error("not a WAV file: {0}")]
    Format(&'static str),
    #[error("only 16-bit PCM WAV files are supported")]
    Unsupported,
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// A recording: mono samples in [-1, 1] and their rate.
#[derive(Debug, Clone)]
pub struct Recording {
    pub sample_rate: u32,
    pub samples: Vec<f32>,
}

/// Reads a 16-bit PCM WAV file (stereo is mixed down to mono).
pub fn read_wav(path: &std::path::Path) -> Result<Recording, WavError> {
    let bytes = std::fs::read(path)?;
    if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(WavError::Format("no RIFF/WAVE header"));
    }
    let (mut format, mut data) = (None, None);
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let size = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().expect("four bytes")) as usize;
        let body = bytes.get(at + 8..(at + 8 + size).min(bytes.len())).ok_or(WavError::Format("chunk past the end"))?;
        match id {
            b"fmt " if body.len() >= 16 => format = Some(body),
            b"data" => data = Some(body),
            _ => {}
        }
        at += 8 + size + size % 2;
    }
    let format = format.ok_or(WavError::Format("no fmt chunk"))?;
    let data = data.ok_or(WavError::Format("no data chunk"))?;
    let pcm = u16::from_le_bytes([format[0], format[1]]);
    let channels = usize::from(u16::from_le_bytes([format[2], format[3]]));
    let sample_rate = u32::from_le_bytes(format[4..8].try_into().expect("four bytes"));
    let bits = u16::from_le_bytes([format[14], format[15]]);
    if pcm != 1 || bits != 16 || channels == 0 {
        return Err(WavError::Unsupported);
    }
    let frames = data.chunks_exact(2 * channels);
    let samples = frames
        .map(|frame| {
            let sum: i32 = frame.chunks_exact(2).map(|s| i32::from(i16::from_le_bytes([s[0], s[1]]))).sum();
            sum as f32 / channels as f32 / 32768.0
        })
        .collect();
    Ok(Recording { sample_rate, samples })
}

/// This crate's folder, for tests' data. Cargo's variable at run time: a test
/// binary built in another checkout may be reused.
#[cfg(test)]
pub(crate) fn crate_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(frequency: f32, rate: f32, seconds: f32) -> Vec<f32> {
        (0..(rate * seconds) as usize).map(|i| (2.0 * std::f32::consts::PI * frequency * i as f32 / rate).sin() * 0.5).collect()
    }

    fn rms(samples: &[f32]) -> f32 {
        (samples.iter().map(|s| s * s).sum::<f32>() / samples.len() as f32).sqrt()
    }

    #[test]
    fn speech_band_passes_and_what_would_alias_is_removed() {
        let mut low = Downsampler::default();
        let kept = low.process(&tone(1000.0, 48_000.0, 0.5));
        assert_eq!(kept.len(), 8000);
        assert!((rms(&kept[1000..]) - 0.354).abs() < 0.03, "1 kHz passes: {}", rms(&kept[1000..]));
        let mut high = Downsampler::default();
        let removed = high.process(&tone(12_000.0, 48_000.0, 0.5));
        assert!(rms(&removed[1000..]) < 0.02, "12 kHz would alias to 4 kHz: {}", rms(&removed[1000..]));
    }

    #[test]
    fn blocks_give_the_same_as_one_pass() {
        let input = tone(440.0, 48_000.0, 0.1);
        let whole = Downsampler::default().process(&input);
        let mut blocks = Downsampler::default();
        let pieces: Vec<f32> = input.chunks(960).flat_map(|c| blocks.process(c)).collect();
        assert_eq!(whole, pieces);
    }

    #[test]
    fn a_recording_goes_up_and_back_down_unchanged() {
        let speechlike = tone(300.0, 16_000.0, 0.25);
        let up = upsample_16k_to_48k(&speechlike);
        assert_eq!(up.len(), speechlike.len() * 3);
        let down = Downsampler::default().process(&up);
        // The filters delay the signal; compare levels away from the edges.
        assert!((rms(&down[500..3500]) - rms(&speechlike[500..3500])).abs() < 0.03);
    }

    #[test]
    fn the_shared_recording_reads_as_16_khz_mono() {
        let path = crate_dir().join("../../shared/speech/aishell1-BAC009S0764W0121.wav");
        let recording = read_wav(&path).unwrap();
        assert_eq!(recording.sample_rate, 16_000);
        assert_eq!(recording.samples.len(), 67_263);
        assert!(rms(&recording.samples) > 0.01);
        assert!(read_wav(crate_dir().join("Cargo.toml").as_path()).is_err());
    }
}
