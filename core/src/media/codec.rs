//! Encoding and decoding in Rust, so every platform shares them: H.264
//! (constrained baseline, what phones and browsers share) and Opus.

use openh264::OpenH264API;
use openh264::encoder::{BitRate, Encoder, EncoderConfig, FrameRate, IntraFramePeriod, Profile, RateControlMode};
use openh264::formats::{YUVSlices, YUVSource};

use super::frame::{AUDIO_FRAME_SAMPLES, AUDIO_SAMPLE_RATE, I420Frame};

#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error("H.264: {0}")]
    H264(String),
    #[error("Opus: {0}")]
    Opus(String),
    #[error("bad frame: {0}")]
    BadFrame(String),
}

pub struct VideoEncoder {
    encoder: Encoder,
    width: u32,
    height: u32,
    fps: f32,
    bitrate: u32,
}

impl VideoEncoder {
    pub fn new(width: u32, height: u32, fps: f32, bitrate: u32) -> Result<Self, CodecError> {
        let config = EncoderConfig::new()
            .bitrate(BitRate::from_bps(bitrate))
            .max_frame_rate(FrameRate::from_hz(fps))
            // Every frame must come out: a skipped frame would be an empty sample.
            .skip_frames(false)
            .profile(Profile::Baseline)
            // Keep to the bit rate (the network's), rather than to a quality.
            .rate_control_mode(RateControlMode::Bitrate)
            // A keyframe at least every two seconds bounds how long a loss can freeze the picture.
            .intra_frame_period(IntraFramePeriod::from_num_frames((fps * 2.0).round() as u32));
        let encoder = Encoder::with_api_config(OpenH264API::from_source(), config)
            .map_err(|e| CodecError::H264(e.to_string()))?;
        Ok(Self { encoder, width, height, fps, bitrate })
    }

    /// The bit rate the encoder aims for from the next frame on, without a new keyframe.
    // The one unsafe call in the core: the safe crate does not wrap this option.
    #[allow(unsafe_code)]
    pub fn set_bitrate(&mut self, bitrate: u32) -> Result<(), CodecError> {
        if bitrate == self.bitrate {
            return Ok(());
        }
        self.bitrate = bitrate;
        let mut info = openh264_sys2::SBitrateInfo { iLayer: openh264_sys2::SPATIAL_LAYER_ALL, iBitrate: bitrate as i32 };
        // SAFETY: the option is ENCODER_OPTION_BITRATE, whose argument is an SBitrateInfo that outlives the call.
        let status = unsafe {
            self.encoder.raw_api().set_option(openh264_sys2::ENCODER_OPTION_BITRATE, std::ptr::addr_of_mut!(info).cast())
        };
        if status != 0 {
            // Not initialised yet (no frame encoded): the rebuilt encoder starts at the new rate.
            *self = Self::new(self.width, self.height, self.fps, bitrate)?;
        }
        Ok(())
    }

    pub fn bitrate(&self) -> u32 {
        self.bitrate
    }

    /// Encodes one frame to an Annex-B access unit. The encoder is rebuilt if the size changes.
    pub fn encode(&mut self, frame: &I420Frame, keyframe: bool) -> Result<Vec<u8>, CodecError> {
        frame.validate().map_err(CodecError::BadFrame)?;
        if (frame.width, frame.height) != (self.width, self.height) {
            *self = Self::new(frame.width, frame.height, self.fps, self.bitrate)?;
        }
        if keyframe {
            self.encoder.force_intra_frame();
        }
        let (y, u, v) = frame.planes();
        let (w, h) = (frame.width as usize, frame.height as usize);
        let source = YUVSlices::new((y, u, v), (w, h), (w, w / 2, w / 2));
        let bitstream = self.encoder.encode(&source).map_err(|e| CodecError::H264(e.to_string()))?;
        Ok(bitstream.to_vec())
    }
}

pub struct VideoDecoder {
    decoder: openh264::decoder::Decoder,
}

impl VideoDecoder {
    pub fn new() -> Result<Self, CodecError> {
        let decoder = openh264::decoder::Decoder::new().map_err(|e| CodecError::H264(e.to_string()))?;
        Ok(Self { decoder })
    }

    /// Decodes one Annex-B access unit; `None` while the decoder has no picture yet.
    pub fn decode(&mut self, access_unit: &[u8]) -> Result<Option<I420Frame>, CodecError> {
        let Some(yuv) = self.decoder.decode(access_unit).map_err(|e| CodecError::H264(e.to_string()))? else {
            return Ok(None);
        };
        let (w, h) = yuv.dimensions();
        let (ys, us, vs) = yuv.strides();
        let mut frame = I420Frame { width: w as u32, height: h as u32, data: vec![0; I420Frame::size(w as u32, h as u32)] };
        let (y, u, v) = frame.planes_mut();
        // Decoded rows can be padded: copy row by row using the strides.
        for row in 0..h {
            y[row * w..(row + 1) * w].copy_from_slice(&yuv.y()[row * ys..row * ys + w]);
        }
        for row in 0..h / 2 {
            u[row * (w / 2)..(row + 1) * (w / 2)].copy_from_slice(&yuv.u()[row * us..row * us + w / 2]);
            v[row * (w / 2)..(row + 1) * (w / 2)].copy_from_slice(&yuv.v()[row * vs..row * vs + w / 2]);
        }
        Ok(Some(frame))
    }
}

pub struct AudioEncoder {
    encoder: opus::Encoder,
}

impl AudioEncoder {
    pub fn new() -> Result<Self, CodecError> {
        let mut encoder = opus::Encoder::new(AUDIO_SAMPLE_RATE, opus::Channels::Mono, opus::Application::Voip)
            .map_err(|e| CodecError::Opus(e.to_string()))?;
        let _ = encoder.set_inband_fec(true);
        let _ = encoder.set_packet_loss_perc(5);
        Ok(Self { encoder })
    }

    /// Encodes 20 ms (960 samples) of 48 kHz mono audio.
    pub fn encode(&mut self, samples: &[i16]) -> Result<Vec<u8>, CodecError> {
        if samples.len() != AUDIO_FRAME_SAMPLES {
            return Err(CodecError::BadFrame(format!("audio frames are {AUDIO_FRAME_SAMPLES} samples, got {}", samples.len())));
        }
        self.encoder.encode_vec(samples, 1500).map_err(|e| CodecError::Opus(e.to_string()))
    }
}

pub struct AudioDecoder {
    decoder: opus::Decoder,
}

impl AudioDecoder {
    pub fn new() -> Result<Self, CodecError> {
        let decoder =
            opus::Decoder::new(AUDIO_SAMPLE_RATE, opus::Channels::Mono).map_err(|e| CodecError::Opus(e.to_string()))?;
        Ok(Self { decoder })
    }

    pub fn decode(&mut self, packet: &[u8]) -> Result<Vec<i16>, CodecError> {
        let mut out = vec![0i16; AUDIO_FRAME_SAMPLES * 6];
        let n = self.decoder.decode(packet, &mut out, false).map_err(|e| CodecError::Opus(e.to_string()))?;
        out.truncate(n);
        Ok(out)
    }
}

/// Whether an Annex-B access unit holds an IDR picture (a decoder can start from it).
pub fn is_keyframe(access_unit: &[u8]) -> bool {
    nal_units(access_unit).any(|nal| nal.first().is_some_and(|b| b & 0x1f == 5))
}

/// The NAL units of an Annex-B stream (after each 00 00 01 start code).
pub fn nal_units(stream: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut starts = Vec::new();
    let mut i = 0;
    while i + 3 <= stream.len() {
        if stream[i] == 0 && stream[i + 1] == 0 && stream[i + 2] == 1 {
            starts.push(i + 3);
            i += 3;
        } else {
            i += 1;
        }
    }
    let ends: Vec<usize> = starts
        .iter()
        .skip(1)
        .map(|&s| {
            let mut end = s - 3;
            while end > 0 && stream[end - 1] == 0 {
                end -= 1;
            }
            end
        })
        .chain([stream.len()])
        .collect();
    starts.into_iter().zip(ends).map(move |(s, e)| &stream[s..e.max(s)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::frame::rgb_to_yuv;

    #[test]
    fn video_round_trips_through_h264_keeping_its_colour() {
        let colour = rgb_to_yuv(30, 200, 30);
        let frame = I420Frame::filled(320, 240, colour);
        let mut encoder = VideoEncoder::new(320, 240, 15.0, 300_000).unwrap();
        let mut decoder = VideoDecoder::new().unwrap();
        let first = encoder.encode(&frame, true).unwrap();
        assert!(is_keyframe(&first), "first frame is a keyframe");
        let mut decoded = None;
        for i in 0..5 {
            let au = if i == 0 { first.clone() } else { encoder.encode(&frame, false).unwrap() };
            assert!(!au.is_empty(), "no skipped frames");
            decoded = decoder.decode(&au).unwrap().or(decoded);
        }
        let decoded = decoded.expect("decodes");
        assert_eq!((decoded.width, decoded.height), (320, 240));
        let (y, u, v) = decoded.mean_yuv();
        assert!(y.abs_diff(colour.0) < 6 && u.abs_diff(colour.1) < 6 && v.abs_diff(colour.2) < 6, "{:?} vs {colour:?}", (y, u, v));
    }

    #[test]
    fn the_encoder_follows_a_lower_bit_rate_without_a_keyframe() {
        let mut pattern = crate::media::synthetic::TestPattern::textured(320, 240, (40, 200, 40));
        let mut encoder = VideoEncoder::new(320, 240, 15.0, 800_000).unwrap();
        // bit/s over 30 frames (two seconds) after the first 15.
        let mut rate = |encoder: &mut VideoEncoder| {
            let mut bytes = 0;
            for i in 0..45 {
                let au = encoder.encode(&pattern.next_frame(), false).unwrap();
                if i >= 15 {
                    bytes += au.len();
                }
            }
            bytes as f64 * 8.0 / 2.0
        };
        let high = rate(&mut encoder);
        let mut other = crate::media::synthetic::TestPattern::textured(320, 240, (40, 200, 40));
        let keyframe = encoder.encode(&other.next_frame(), true).unwrap().len();
        encoder.set_bitrate(150_000).unwrap();
        let next = encoder.encode(&other.next_frame(), false).unwrap();
        assert!(!is_keyframe(&next), "a new bit rate is not a new keyframe");
        let low = rate(&mut encoder);
        let small_keyframe = encoder.encode(&other.next_frame(), true).unwrap().len();
        println!(
            "textured 320x240 at 15 fps: {high:.0} bit/s asked 800 kbit/s, {low:.0} bit/s asked 150 kbit/s; \
             keyframes {keyframe} and {small_keyframe} bytes"
        );
        assert!(high > 500_000.0, "the grain needs the bit rate it is given: {high:.0}");
        assert!(low < 150_000.0 * 1.3, "keeps to the lower rate: {low:.0}");
    }

    #[test]
    fn a_440_hz_tone_round_trips_through_opus() {
        let mut encoder = AudioEncoder::new().unwrap();
        let mut decoder = AudioDecoder::new().unwrap();
        let mut out = Vec::new();
        for frame in 0..50 {
            let samples: Vec<i16> = (0..AUDIO_FRAME_SAMPLES)
                .map(|i| {
                    let t = (frame * AUDIO_FRAME_SAMPLES + i) as f32 / AUDIO_SAMPLE_RATE as f32;
                    (f32::sin(2.0 * std::f32::consts::PI * 440.0 * t) * 8000.0) as i16
                })
                .collect();
            out.extend(decoder.decode(&encoder.encode(&samples).unwrap()).unwrap());
        }
        let freq = crate::media::analysis::dominant_frequency(&out[AUDIO_FRAME_SAMPLES * 10..], AUDIO_SAMPLE_RATE);
        assert!((freq - 440.0).abs() < 10.0, "{freq}");
    }

    #[test]
    fn nal_units_are_split_on_start_codes() {
        let stream = [0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 1, 0x65, 9];
        let units: Vec<&[u8]> = nal_units(&stream).collect();
        assert_eq!(units, [&[0x67, 1, 2][..], &[0x68, 3][..], &[0x65, 9][..]]);
        assert!(is_keyframe(&stream));
        assert!(!is_keyframe(&[0, 0, 1, 0x41, 1]));
    }
}
