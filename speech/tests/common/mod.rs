//! The real Mandarin recording in `../shared/speech`, what is said in it, and
//! the model `scripts/install-speech-model` installs: shared by the tests and
//! the benches.

#![allow(dead_code)]

use std::path::PathBuf;

use cloudtrial_speech::audio::read_wav;

pub const TRANSCRIPT: &str = "甚至出现交易几乎停滞的情况";

pub fn model_dir() -> PathBuf {
    let dir = std::env::var_os("CLOUDTRIAL_WHISPER_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/cloudtrial-models/whisper-base"));
    assert!(dir.join("model.bin").exists(), "no Whisper model at {}: run scripts/install-speech-model", dir.display());
    dir
}

/// The recording's samples, 16 kHz mono.
pub fn recording() -> Vec<f32> {
    read_wav(&PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into())).join("../../shared/speech/aishell1-BAC009S0764W0121.wav")).unwrap().samples
}
