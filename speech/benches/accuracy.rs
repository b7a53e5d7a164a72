//! Recognition accuracy on the real recording as the live path sees it: the
//! sentence sent through Opus and the recognizer, starting a little later in
//! the audio each time (where a sentence falls among the 20 ms packets and
//! the segmenter's frames changes what the engine hears). Prints each text
//! with how often it came out, and how many starts got none, one, two or more
//! of its characters wrong (the live tests accept two).
//!
//! `cargo bench -p cloudtrial-speech --profile dev --bench accuracy -- [HOT WORD ...]`
//! (the hot words default to the test court's participants' names); needs the
//! model from `scripts/install-speech-model`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use cloudtrial_speech::audio::{to_i16, upsample_16k_to_48k};
use cloudtrial_speech::score::character_error_rate;
use cloudtrial_speech::whisper::WhisperEngine;
use cloudtrial_speech::{Context, Engine, Recognized, Recognizer, RecognizerConfig, Speaker};
use common::{TRANSCRIPT, model_dir, recording};

const STARTS: usize = 80;
/// Samples at 16 kHz between one start and the next: 80 starts span 115 ms.
const STEP: usize = 23;

fn main() {
    let recording = recording();
    let mut hot_words: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    if hot_words.is_empty() {
        hot_words = ["王法官", "李书记", "张三", "李四"].map(String::from).to_vec();
    }
    println!("hot words: {}", hot_words.join("，"));
    let engine: Arc<dyn Engine> = Arc::new(WhisperEngine::load(&model_dir(), 1, 2).unwrap());
    let (recognizer, results) = Recognizer::start(engine, 1, RecognizerConfig::default());
    recognizer.set_context(1, Context { language: "zh".into(), hot_words });
    let mut texts: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_errors = [0usize; 4];
    let mut sum = 0.0;
    for start in 0..STARTS {
        let speaker = Speaker { hearing_id: 1, participant_id: start as i64 };
        let audio = [vec![0.0f32; 8_000 + start * STEP], recording.clone(), vec![0.0f32; 24_000]].concat();
        let mut encoder = opus::Encoder::new(48_000, opus::Channels::Mono, opus::Application::Voip).unwrap();
        for (n, frame) in upsample_16k_to_48k(&audio).chunks_exact(960).enumerate() {
            let packet = encoder.encode_vec(&to_i16(frame), 4000).unwrap();
            assert!(recognizer.push_opus(speaker, packet, n as i64 * 20), "the intake keeps up");
        }
        let text = loop {
            match results.recv_timeout(Duration::from_secs(120)).expect("a final within two minutes") {
                Recognized::Final { text, .. } => break text,
                Recognized::Partial { .. } => {}
            }
        };
        let cer = character_error_rate(TRANSCRIPT, &text);
        sum += cer;
        let errors = (cer * TRANSCRIPT.chars().count() as f32).round() as usize;
        by_errors[errors.min(3)] += 1;
        *texts.entry(format!("{cer:.3} {text}")).or_default() += 1;
    }
    for (text, count) in &texts {
        println!("{count:3} × CER {text}");
    }
    let [right, one, two, more] = by_errors;
    println!("of {STARTS} starts: {right} right, {one} one character wrong, {two} two wrong, {more} more; mean CER {:.3}", sum / STARTS as f32);
}
