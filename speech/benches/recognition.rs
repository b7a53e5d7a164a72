//! Recognition speed on this machine's cores: the real-time factor of one
//! stream (time to recognise ÷ length of the speech) with the Whisper test
//! engine on one thread, and how many people speaking at once one core
//! keeps up with. `cargo bench -p cloudtrial-speech`; needs the model from
//! `scripts/install-speech-model`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use cloudtrial_speech::whisper::WhisperEngine;
use cloudtrial_speech::{Context, Engine, Recognized, Recognizer, RecognizerConfig, Speaker};
use common::{model_dir, recording};
use criterion::{Criterion, criterion_group, criterion_main};

fn one_stream(c: &mut Criterion) {
    let engine = WhisperEngine::load(&model_dir(), 1, 1).unwrap();
    let samples = recording();
    let context = Context { language: "zh".into(), hot_words: vec!["张三".into(), "李四".into()] };
    let seconds = samples.len() as f64 / 16_000.0;
    let mut group = c.benchmark_group("whisper-base-int8");
    group.sample_size(10).measurement_time(Duration::from_secs(30));
    group.bench_function(format!("one {seconds:.1} s sentence, one thread"), |b| {
        b.iter(|| engine.transcribe(&samples, &context).unwrap())
    });
    group.finish();
    let started = Instant::now();
    let rounds = 5;
    for _ in 0..rounds {
        engine.transcribe(&samples, &context).unwrap();
    }
    let rtf = started.elapsed().as_secs_f64() / rounds as f64 / seconds;
    println!("real-time factor, one stream on one thread: {rtf:.3} (one core keeps up with about {:.1} people speaking at once)", 1.0 / rtf);
}

/// K people talk at once for a while, recognised by one worker on one
/// thread: the worker's busy time per second of speech says whether it keeps up.
fn concurrent_speakers(_: &mut Criterion) {
    let samples = recording();
    for speakers in [1usize, 2, 4] {
        let engine: Arc<dyn Engine> = Arc::new(WhisperEngine::load(&model_dir(), 1, 1).unwrap());
        let config = RecognizerConfig { partial_every: Duration::from_secs(3600), ..Default::default() };
        let (recognizer, results) = Recognizer::start(engine, 1, config);
        let started = Instant::now();
        for round in 0..3 {
            for s in 0..speakers {
                let speaker = Speaker { hearing_id: 1, participant_id: s as i64 };
                let audio = [vec![0.0; 8_000], samples.clone(), vec![0.0; 16_000]].concat();
                for block in audio.chunks(320) {
                    recognizer.push_pcm(speaker, block.to_vec(), round * 10_000);
                }
            }
        }
        let mut finals = 0;
        while finals < speakers * 3 {
            if let Ok(Recognized::Final { .. }) = results.recv_timeout(Duration::from_secs(600)) {
                finals += 1;
            }
        }
        let counters = recognizer.counters();
        let busy = counters.final_busy_ms.load(Ordering::Relaxed) as f64;
        let audio = counters.final_audio_ms.load(Ordering::Relaxed) as f64;
        // Each second of wall time brings `speakers` seconds of speech to recognise.
        let load = speakers as f64 * busy / audio;
        println!(
            "{speakers} speaking at once: one core busy {:.0}% of the time ({}); {:.1} s in all",
            load * 100.0,
            if load <= 1.0 { "keeps up" } else { "falls behind" },
            started.elapsed().as_secs_f64()
        );
    }
}

criterion_group!(benches, one_stream, concurrent_speakers);
criterion_main!(benches);
