//! What the participant receives from each other participant, measured.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use cloudtrial_core::media::analysis::{dominant_frequency, rms};
use cloudtrial_core::media::frame::yuv_to_rgb;
use cloudtrial_core::media::synthetic::nearest_colour;
use cloudtrial_core::media::{AUDIO_SAMPLE_RATE, I420Frame, RemoteMediaSink, RemoteParticipant};
use serde::Serialize;

#[derive(Default)]
struct Stream {
    label: String,
    video_frames: u64,
    audio_frames: u64,
    colour: Option<&'static str>,
    size: Option<(u32, u32)>,
    audio: Vec<i16>,
    last_video: Option<Instant>,
    max_video_gap: Duration,
}

/// Collects decoded media from the core's threads.
#[derive(Default)]
pub struct Receiver {
    streams: Mutex<HashMap<i64, Stream>>,
}

#[derive(Debug, Serialize)]
pub struct Received {
    pub participant_id: i64,
    pub label: String,
    pub video_frames: u64,
    pub audio_frames: u64,
    /// The palette colour the video mostly is.
    pub colour: Option<&'static str>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The dominant frequency of the last second of audio.
    pub tone_hz: Option<f32>,
    /// The longest time between two decoded video frames since the last reset.
    pub max_video_gap_ms: u64,
    pub last_video_ms_ago: Option<u64>,
}

impl RemoteMediaSink for Receiver {
    fn on_video_frame(&self, from: &RemoteParticipant, frame: &I420Frame) {
        let (y, u, v) = frame.mean_yuv();
        let now = Instant::now();
        let mut streams = self.streams.lock().unwrap_or_else(|p| p.into_inner());
        let stream = streams.entry(from.participant_id).or_default();
        stream.label = from.label();
        stream.video_frames += 1;
        stream.colour = Some(nearest_colour(yuv_to_rgb(y, u, v)));
        stream.size = Some((frame.width, frame.height));
        if let Some(last) = stream.last_video {
            stream.max_video_gap = stream.max_video_gap.max(now - last);
        }
        stream.last_video = Some(now);
    }

    fn on_audio_frame(&self, from: &RemoteParticipant, samples: &[i16]) {
        let mut streams = self.streams.lock().unwrap_or_else(|p| p.into_inner());
        let stream = streams.entry(from.participant_id).or_default();
        stream.label = from.label();
        stream.audio_frames += 1;
        stream.audio.extend_from_slice(samples);
        let excess = stream.audio.len().saturating_sub(AUDIO_SAMPLE_RATE as usize);
        stream.audio.drain(..excess);
    }
}

impl Receiver {
    pub fn report(&self) -> Vec<Received> {
        let streams = self.streams.lock().unwrap_or_else(|p| p.into_inner());
        let mut report: Vec<Received> = streams
            .iter()
            .map(|(&participant_id, s)| Received {
                participant_id,
                label: s.label.clone(),
                video_frames: s.video_frames,
                audio_frames: s.audio_frames,
                colour: s.colour,
                width: s.size.map(|(w, _)| w),
                height: s.size.map(|(_, h)| h),
                tone_hz: (s.audio.len() >= 4800 && rms(&s.audio) > 200.0)
                    .then(|| (dominant_frequency(&s.audio, AUDIO_SAMPLE_RATE) * 10.0).round() / 10.0),
                max_video_gap_ms: s.max_video_gap.as_millis() as u64,
                last_video_ms_ago: s.last_video.map(|at| at.elapsed().as_millis() as u64),
            })
            .collect();
        report.sort_by_key(|r| r.participant_id);
        report
    }

    /// Starts measuring gaps afresh (e.g. once media has settled).
    pub fn reset_gaps(&self) {
        for stream in self.streams.lock().unwrap_or_else(|p| p.into_inner()).values_mut() {
            stream.max_video_gap = Duration::ZERO;
        }
    }
}
