//! Measuring what was received: the dominant tone of audio, the colour of video.
//! Used by the command-line participant and the tests.

/// The frequency (Hz) of the strongest tone in `samples`, from zero crossings,
/// which is exact enough for a clean test tone.
pub fn dominant_frequency(samples: &[i16], sample_rate: u32) -> f32 {
    if samples.len() < 2 {
        return 0.0;
    }
    let mut crossings = 0usize;
    let (mut first, mut last) = (None, 0usize);
    for i in 1..samples.len() {
        if (samples[i - 1] < 0) != (samples[i] < 0) && samples[i - 1] != samples[i] {
            crossings += 1;
            first.get_or_insert(i);
            last = i;
        }
    }
    let Some(first) = first else { return 0.0 };
    if crossings < 2 {
        return 0.0;
    }
    let span = (last - first) as f32 / sample_rate as f32;
    (crossings - 1) as f32 / 2.0 / span
}

/// Loudness as the root mean square of the samples (0..32768).
pub fn rms(samples: &[i16]) -> f32 {
    if samples.is_empty() {
        return 0.0;
    }
    (samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum::<f64>() / samples.len() as f64).sqrt() as f32
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_the_tone() {
        let samples: Vec<i16> =
            (0..48_000).map(|i| (f32::sin(2.0 * std::f32::consts::PI * 660.0 * i as f32 / 48_000.0) * 5000.0) as i16).collect();
        let f = super::dominant_frequency(&samples, 48_000);
        assert!((f - 660.0).abs() < 2.0, "{f}");
        assert!(super::rms(&samples) > 3000.0);
    }
}
