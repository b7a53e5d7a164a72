//! The Whisper engine and the live recognizer on a real Mandarin recording
//! (../shared/speech), with the model `scripts/install-speech-model` installs.

#![cfg(feature = "whisper")]

mod common;

use std::sync::Arc;
use std::time::Duration;

use cloudtrial_speech::audio::{to_i16, upsample_16k_to_48k};
use cloudtrial_speech::score::character_error_rate;
use cloudtrial_speech::whisper::WhisperEngine;
use cloudtrial_speech::{Context, Engine, Recognized, Recognizer, RecognizerConfig, Speaker};
use common::{TRANSCRIPT, model_dir, recording};

fn context() -> Context {
    Context { language: "zh".into(), hot_words: vec!["张三".into(), "李四".into()] }
}

#[test]
fn the_recording_is_recognised_within_15_percent_character_error() {
    let engine = WhisperEngine::load(&model_dir(), 1, 2).unwrap();
    let transcript = engine.transcribe(&recording(), &context()).unwrap();
    let cer = character_error_rate(TRANSCRIPT, &transcript.text);
    assert!(cer <= 0.15, "CER {cer:.3}: {:?}", transcript.text);
    assert!(transcript.confidence > 0.2 && transcript.confidence <= 1.0, "{}", transcript.confidence);
    // Silence is not words.
    let silence = engine.transcribe(&vec![0.0; 32_000], &context()).unwrap();
    assert!(silence.text.is_empty(), "heard words in silence: {:?}", silence.text);
}

/// Two speakers talking over each other, as Opus packets stamped with the
/// time they arrived: each sentence is attributed to whoever said it.
#[test]
fn overlapping_speakers_are_recognised_apart_from_opus_packets() {
    let engine: Arc<dyn Engine> = Arc::new(WhisperEngine::load(&model_dir(), 2, 1).unwrap());
    let (recognizer, results) = Recognizer::start(engine, 2, RecognizerConfig::default());
    let plaintiff = Speaker { hearing_id: 1, participant_id: 10 };
    let defendant = Speaker { hearing_id: 1, participant_id: 11 };
    recognizer.set_context(1, context());
    let speech = recording();
    let silence = vec![0.0f32; 16_000];
    // The defendant starts 1.5 s after the plaintiff: their speech overlaps for most of the sentence.
    let plaintiff_audio = [silence.clone(), speech.clone(), silence.clone(), silence.clone()].concat();
    let defendant_audio = [vec![0.0f32; 40_000], speech, silence].concat();
    let mut encoders: Vec<opus::Encoder> = (0..2).map(|_| opus::Encoder::new(48_000, opus::Channels::Mono, opus::Application::Voip).unwrap()).collect();
    let streams = [(plaintiff, upsample_16k_to_48k(&plaintiff_audio)), (defendant, upsample_16k_to_48k(&defendant_audio))];
    let frames = streams.iter().map(|(_, s)| s.len() / 960).min().unwrap();
    for n in 0..frames {
        for (i, (speaker, samples)) in streams.iter().enumerate() {
            let pcm = to_i16(&samples[n * 960..(n + 1) * 960]);
            let packet = encoders[i].encode_vec(&pcm, 4000).unwrap();
            assert!(recognizer.push_opus(*speaker, packet, 1_000_000 + n as i64 * 20));
        }
        if n % 50 == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    let mut finals = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while finals.len() < 2 {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match results.recv_timeout(left) {
            Ok(Recognized::Final { speaker, text, start_ms, end_ms, .. }) => finals.push((speaker, text, start_ms, end_ms)),
            Ok(Recognized::Partial { .. }) => {}
            Err(e) => panic!("waiting for two finals: {e}; got {finals:?}"),
        }
    }
    finals.sort_by_key(|f| f.0.participant_id);
    assert_eq!(finals.iter().map(|f| f.0).collect::<Vec<_>>(), [plaintiff, defendant], "one sentence each: {finals:?}");
    for (speaker, text, start_ms, end_ms) in &finals {
        let cer = character_error_rate(TRANSCRIPT, text);
        assert!(cer <= 0.15, "{speaker:?}: CER {cer:.3}: {text:?}");
        assert!(end_ms > start_ms);
    }
    // Times are where each spoke: the plaintiff from about 1 s, the defendant from about 2.5 s.
    assert!((700..1_500).contains(&(finals[0].2 - 1_000_000)), "{}", finals[0].2 - 1_000_000);
    assert!((2_200..3_000).contains(&(finals[1].2 - 1_000_000)), "{}", finals[1].2 - 1_000_000);
    assert_eq!(recognizer.counters().packets_dropped.load(std::sync::atomic::Ordering::Relaxed), 0);
}

/// While someone is still speaking, the words so far come out (partials),
/// then the whole sentence (the final) with the same segment. The audio
/// arrives as a microphone sends it, 20 ms at a time.
#[test]
fn the_words_so_far_come_before_the_finished_sentence() {
    let engine: Arc<dyn Engine> = Arc::new(WhisperEngine::load(&model_dir(), 1, 2).unwrap());
    let (recognizer, results) = Recognizer::start(engine, 1, RecognizerConfig::default());
    let recognizer = Arc::new(recognizer);
    let speaker = Speaker { hearing_id: 1, participant_id: 10 };
    let audio = [vec![0.0f32; 8_000], recording(), vec![0.0f32; 16_000]].concat();
    let microphone = recognizer.clone();
    let feeder = std::thread::spawn(move || {
        let started = std::time::Instant::now();
        for (n, block) in audio.chunks(320).enumerate() {
            microphone.push_pcm(speaker, block.to_vec(), n as i64 * 20);
            let due = started + Duration::from_millis(n as u64 * 20);
            std::thread::sleep(due.saturating_duration_since(std::time::Instant::now()));
        }
    });
    let mut partials = Vec::new();
    let last = loop {
        match results.recv_timeout(Duration::from_secs(60)).expect("recognition within a minute") {
            Recognized::Partial { segment, text, .. } => partials.push((segment, text)),
            Recognized::Final { segment, text, .. } => break (segment, text),
        }
    };
    feeder.join().unwrap();
    assert!(!partials.is_empty(), "the words so far came before the end of the sentence");
    assert!(partials.iter().all(|(segment, _)| *segment == last.0), "partials and final are one sentence: {partials:?} {last:?}");
    assert!(character_error_rate(TRANSCRIPT, &last.1) <= 0.15, "{}", last.1);
    assert!(last.1.chars().count() >= partials[0].1.chars().count(), "more words in the end: {partials:?} then {:?}", last.1);
}

/// A microphone with no one speaking but beeps (a test signal, a phone's
/// notification): Whisper says back the names its prompt carries ("张三，张三，",
/// "王法官Ｇ李四" from these two), and they are not taken for anyone's words.
#[test]
fn beeps_are_not_heard_as_the_participants_names() {
    let engine = WhisperEngine::load(&model_dir(), 1, 2).unwrap();
    let context = Context { language: "zh".into(), hot_words: vec!["王法官".into(), "李书记".into(), "张三".into(), "李四".into()] };
    for seconds in [1, 2] {
        // A 400 Hz square wave for 20 ms every half second.
        let beeps: Vec<f32> = (0..16_000 * seconds)
            .map(|i| {
                let wave = (2.0 * std::f32::consts::PI * 400.0 * i as f32 / 16_000.0).sin().signum();
                if i % 8_000 < 320 { 0.3 * wave } else { 0.0 }
            })
            .collect();
        let heard = engine.transcribe(&beeps, &context).unwrap();
        assert!(heard.text.is_empty(), "{seconds} s of beeps heard as {:?} at {:.2}", heard.text, heard.confidence);
    }
}
