//! The media every simulated participant sends: encoded once, looped.

use std::sync::Arc;

use cloudtrial_core::media::codec::{AudioEncoder, VideoEncoder, nal_units};
use cloudtrial_core::media::synthetic::{Tone, TestPattern, colour};

/// Largest RTP payload the lean client sends (fits a 1500-byte MTU with SRTP and headers).
const MAX_PAYLOAD: usize = 1200;

/// Pre-encoded media, looped: a keyframe every `fps` frames, first frame a keyframe.
pub struct Recording {
    pub fps: f32,
    /// H.264 Annex B access units.
    pub video: Vec<Vec<u8>>,
    /// Opus packets of 20 ms.
    pub audio: Vec<Vec<u8>>,
    /// The same video as RTP payloads (RFC 6184, packetization-mode 1), per frame.
    pub video_rtp: Vec<Vec<Arc<[u8]>>>,
    pub audio_rtp: Vec<Arc<[u8]>>,
}

impl Recording {
    pub fn new(width: u32, height: u32, fps: f32) -> anyhow::Result<Self> {
        let mut encoder = VideoEncoder::new(width, height, fps, width * height * 3)?;
        let mut pattern = TestPattern::new(width, height, colour("green").unwrap());
        let frames = (fps.round() as usize).max(1) * 2;
        // Noise makes the picture cost what a camera's does; a flat pattern compresses to nothing.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut video = Vec::with_capacity(frames);
        for i in 0..frames {
            let mut frame = pattern.next_frame();
            for byte in frame.data.iter_mut().step_by(3) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                *byte = byte.wrapping_add((seed % 24) as u8);
            }
            video.push(encoder.encode(&frame, i % fps.round() as usize == 0)?);
        }
        let mut audio_encoder = AudioEncoder::new()?;
        let mut tone = Tone::new(440.0);
        let audio: Vec<Vec<u8>> = (0..50).map(|_| audio_encoder.encode(&tone.next_frame())).collect::<Result<_, _>>()?;
        let video_rtp = video.iter().map(|frame| packetise_h264(frame)).collect();
        let audio_rtp = audio.iter().map(|packet| Arc::from(packet.as_slice())).collect();
        Ok(Self { fps, video, audio, video_rtp, audio_rtp })
    }

    /// Average video bitrate in kbit/s.
    pub fn video_kbps(&self) -> f32 {
        self.video.iter().map(Vec::len).sum::<usize>() as f32 * 8.0 / (self.video.len() as f32 / self.fps) / 1000.0
    }
}

/// RFC 6184 payloads for one access unit: single NAL unit packets, and FU-A
/// fragments for units larger than `MAX_PAYLOAD`. The last one carries the marker.
pub fn packetise_h264(annex_b: &[u8]) -> Vec<Arc<[u8]>> {
    let mut payloads: Vec<Arc<[u8]>> = Vec::new();
    for nal in nal_units(annex_b).filter(|nal| !nal.is_empty()) {
        if nal.len() <= MAX_PAYLOAD {
            payloads.push(Arc::from(nal));
            continue;
        }
        let (header, body) = (nal[0], &nal[1..]);
        let indicator = (header & 0xe0) | 28;
        let chunks: Vec<&[u8]> = body.chunks(MAX_PAYLOAD - 2).collect();
        for (i, chunk) in chunks.iter().enumerate() {
            let mut fu = Vec::with_capacity(chunk.len() + 2);
            let start = if i == 0 { 0x80 } else { 0 };
            let end = if i + 1 == chunks.len() { 0x40 } else { 0 };
            fu.extend_from_slice(&[indicator, start | end | (header & 0x1f)]);
            fu.extend_from_slice(chunk);
            payloads.push(Arc::from(fu));
        }
    }
    payloads
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudtrial_protocol::rtp::starts_keyframe;

    #[test]
    fn a_large_idr_frame_becomes_fu_a_fragments_that_reassemble() {
        let mut idr = vec![0x65];
        idr.extend((0..3000u32).map(|i| (i % 251) as u8 + 1));
        let mut annex_b = vec![0, 0, 0, 1, 0x67, 1, 2, 3, 0, 0, 1, 0x68, 4, 5, 0, 0, 0, 1];
        annex_b.extend_from_slice(&idr);
        let payloads = packetise_h264(&annex_b);
        assert_eq!(&payloads[0][..], &[0x67, 1, 2, 3]);
        assert_eq!(&payloads[1][..], &[0x68, 4, 5]);
        assert!(starts_keyframe(&payloads[0]) && starts_keyframe(&payloads[2]));
        assert!(!starts_keyframe(&payloads[3]), "only the first fragment starts the unit");
        let mut rebuilt = vec![(payloads[2][0] & 0xe0) | (payloads[2][1] & 0x1f)];
        for fu in &payloads[2..] {
            rebuilt.extend_from_slice(&fu[2..]);
        }
        assert_eq!(rebuilt, idr);
        assert!(payloads.iter().all(|p| p.len() <= MAX_PAYLOAD));
    }
}
