//! Voice activity: cuts one speaker's 16 kHz audio into utterances. A frame
//! is speech when it stands clearly above the speaker's background level; an
//! utterance starts after a few speech frames (with a little of the audio
//! before, so first syllables are whole) and ends after a pause. A steady
//! sound (a test tone, a hum) is not speech: speech rises and falls with its
//! syllables, so an utterance whose loudness hardly varies is dropped.

pub const SAMPLE_RATE: usize = 16_000;
/// 20 ms.
pub const FRAME: usize = SAMPLE_RATE / 50;

#[derive(Debug, Clone, Copy)]
pub struct SegmenterConfig {
    /// Speech frames in a row that start an utterance.
    pub start_frames: usize,
    /// Quiet frames in a row that end one.
    pub end_frames: usize,
    /// Audio kept from before the start.
    pub pre_roll_frames: usize,
    /// An utterance this long is cut (and the next one starts at once).
    pub max_frames: usize,
    /// How far above the background a frame must be, in dB.
    pub above_background_db: f32,
    /// Quieter than this is never speech, in dBFS.
    pub floor_db: f32,
}

impl Default for SegmenterConfig {
    fn default() -> Self {
        Self {
            start_frames: 3,
            end_frames: 30,
            pre_roll_frames: 10,
            max_frames: 25 * 50,
            above_background_db: 12.0,
            floor_db: -50.0,
        }
    }
}

/// A finished utterance: its samples, and where it lies in the speaker's audio.
#[derive(Debug, Clone)]
pub struct Utterance {
    pub samples: Vec<f32>,
    /// Offsets in samples since the speaker's audio began.
    pub start: u64,
    pub end: u64,
}

#[derive(Debug, PartialEq)]
pub enum Segment {
    /// Nothing new to say.
    Nothing,
    /// An utterance is under way (partial recognition may run on it).
    Speaking,
}

pub struct Segmenter {
    config: SegmenterConfig,
    pending: Vec<f32>,
    /// Recent frames before any utterance, for the pre-roll.
    recent: std::collections::VecDeque<Vec<f32>>,
    /// The utterance being spoken, if any.
    current: Option<Current>,
    background_db: f32,
    speech_run: usize,
    /// Samples consumed so far.
    position: u64,
    done: Vec<Utterance>,
}

struct Current {
    samples: Vec<f32>,
    start: u64,
    quiet_run: usize,
    frame_levels: Vec<f32>,
}

fn level_db(frame: &[f32]) -> f32 {
    let power = frame.iter().map(|s| s * s).sum::<f32>() / frame.len() as f32;
    10.0 * power.max(1e-12).log10()
}

impl Segmenter {
    pub fn new(config: SegmenterConfig) -> Self {
        Self {
            config,
            pending: Vec::new(),
            recent: Default::default(),
            current: None,
            background_db: -60.0,
            speech_run: 0,
            position: 0,
            done: Vec::new(),
        }
    }

    /// Feeds 16 kHz samples; finished utterances are collected by `take_finished`.
    pub fn push(&mut self, samples: &[f32]) -> Segment {
        self.pending.extend_from_slice(samples);
        let frames = self.pending.len() / FRAME;
        let pending = std::mem::take(&mut self.pending);
        for frame in pending.chunks_exact(FRAME).take(frames) {
            self.frame(frame);
        }
        self.pending = pending[frames * FRAME..].to_vec();
        if self.current.is_some() { Segment::Speaking } else { Segment::Nothing }
    }

    /// The audio of the utterance under way.
    pub fn current_samples(&self) -> Option<&[f32]> {
        self.current.as_ref().map(|c| c.samples.as_slice())
    }

    /// Ends the utterance under way (the speaker stopped sending: muted, left, the hearing paused).
    pub fn finish(&mut self) {
        if let Some(current) = self.current.take() {
            self.close(current);
        }
        self.speech_run = 0;
    }

    pub fn take_finished(&mut self) -> Vec<Utterance> {
        std::mem::take(&mut self.done)
    }

    fn frame(&mut self, frame: &[f32]) {
        let level = level_db(frame);
        let speech = level > self.config.floor_db && level > self.background_db + self.config.above_background_db;
        let start = self.position;
        self.position += frame.len() as u64;
        if let Some(current) = &mut self.current {
            current.samples.extend_from_slice(frame);
            current.frame_levels.push(level);
            current.quiet_run = if speech { 0 } else { current.quiet_run + 1 };
            let over = current.quiet_run >= self.config.end_frames || current.frame_levels.len() >= self.config.max_frames;
            if over {
                let current = self.current.take().expect("checked above");
                self.close(current);
            }
            return;
        }
        // Follow the background while nobody speaks: quickly down, slowly up.
        if !speech {
            let rate = if level < self.background_db { 0.3 } else { 0.02 };
            self.background_db += (level - self.background_db) * rate;
        }
        self.speech_run = if speech { self.speech_run + 1 } else { 0 };
        self.recent.push_back(frame.to_vec());
        while self.recent.len() > self.config.pre_roll_frames + self.config.start_frames {
            self.recent.pop_front();
        }
        if self.speech_run >= self.config.start_frames {
            let frames: Vec<Vec<f32>> = self.recent.drain(..).collect();
            let first = start + FRAME as u64 - (frames.len() * FRAME) as u64;
            // Loudness counts from the first speech frame: the pre-roll is background.
            let frame_levels = frames[frames.len() - self.config.start_frames..].iter().map(|f| level_db(f)).collect();
            self.current = Some(Current { samples: frames.concat(), start: first, quiet_run: 0, frame_levels });
            self.speech_run = 0;
        }
    }

    fn close(&mut self, current: Current) {
        // The trailing pause is not part of what was said.
        let quiet = current.quiet_run.min(current.frame_levels.len());
        let keep = current.samples.len().saturating_sub(quiet.saturating_sub(5) * FRAME);
        let levels = &current.frame_levels[..current.frame_levels.len() - quiet];
        if levels.len() < self.config.start_frames + 5 || is_steady(levels) {
            return;
        }
        let samples = current.samples[..keep].to_vec();
        let end = current.start + samples.len() as u64;
        self.done.push(Utterance { samples, start: current.start, end });
    }
}

/// Whether loudness hardly varies across the utterance (a tone, a hum): the
/// spread of frame levels, in dB, is what syllables make large.
fn is_steady(levels: &[f32]) -> bool {
    let mean = levels.iter().sum::<f32>() / levels.len() as f32;
    let spread = (levels.iter().map(|l| (l - mean).powi(2)).sum::<f32>() / levels.len() as f32).sqrt();
    spread < 3.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recording() -> Vec<f32> {
        let path = crate::audio::crate_dir().join("../../shared/speech/aishell1-BAC009S0764W0121.wav");
        crate::audio::read_wav(&path).unwrap().samples
    }

    fn silence(seconds: f32) -> Vec<f32> {
        vec![0.0; (SAMPLE_RATE as f32 * seconds) as usize]
    }

    fn run(audio: &[f32]) -> Vec<Utterance> {
        let mut segmenter = Segmenter::new(SegmenterConfig::default());
        for block in audio.chunks(960) {
            segmenter.push(block);
        }
        segmenter.finish();
        segmenter.take_finished()
    }

    #[test]
    fn a_real_sentence_between_pauses_is_one_utterance() {
        let speech = recording();
        let audio = [silence(1.0), speech.clone(), silence(1.5)].concat();
        let found = run(&audio);
        assert_eq!(found.len(), 1, "{:?}", found.iter().map(|u| (u.start, u.end)).collect::<Vec<_>>());
        let (start, end) = (found[0].start as f32 / 16_000.0, found[0].end as f32 / 16_000.0);
        assert!((0.7..1.3).contains(&start), "starts where speech does: {start}");
        assert!(end > 1.0 + speech.len() as f32 / 16_000.0 - 0.6 && end < 1.0 + speech.len() as f32 / 16_000.0 + 0.4, "ends: {end}");
    }

    #[test]
    fn two_sentences_with_a_pause_are_two_utterances() {
        let speech = recording();
        let audio = [silence(0.5), speech.clone(), silence(1.5), speech, silence(1.0)].concat();
        assert_eq!(run(&audio).len(), 2);
    }

    #[test]
    fn a_steady_tone_and_silence_are_not_speech() {
        let tone: Vec<f32> = (0..SAMPLE_RATE * 3).map(|i| (i as f32 * 2.0 * std::f32::consts::PI * 660.0 / 16_000.0).sin() * 0.25).collect();
        assert!(run(&[silence(0.5), tone, silence(1.0)].concat()).is_empty());
        assert!(run(&silence(3.0)).is_empty());
    }

    #[test]
    fn a_long_monologue_is_cut_before_the_engine_limit() {
        let speech = recording();
        let audio: Vec<f32> = std::iter::repeat_n(speech, 8).flatten().collect();
        let found = run(&audio);
        assert!(found.len() >= 2, "30 s of talk without a pause is cut");
        assert!(found.iter().all(|u| u.samples.len() <= 25 * SAMPLE_RATE + FRAME));
    }
}
