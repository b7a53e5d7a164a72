//! Live recognition for many speakers at once. Each speaker's Opus packets
//! are decoded, brought to 16 kHz and cut into utterances on one intake
//! thread; worker threads run the engine. Finished utterances (finals) are
//! always recognised, in order; while someone is still speaking, the words
//! so far (partials) are recognised only when a worker has nothing better to
//! do, and a newer partial replaces one still waiting. Nothing here ever
//! blocks the caller: a full intake drops the packet and counts it.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, SyncSender, TrySendError};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::audio::{Downsampler, from_i16};
use crate::engine::{Context, Engine};
use crate::segmenter::{SAMPLE_RATE, Segmenter, SegmenterConfig};

/// Who is speaking: one participant of one hearing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Speaker {
    pub hearing_id: i64,
    pub participant_id: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Recognized {
    /// The words so far of an utterance still being spoken.
    Partial { speaker: Speaker, segment: u64, text: String, start_ms: i64 },
    /// A finished utterance.
    Final { speaker: Speaker, segment: u64, text: String, confidence: f32, start_ms: i64, end_ms: i64 },
}

#[derive(Debug, Clone, Copy)]
pub struct RecognizerConfig {
    /// A partial is worth making after this much more speech.
    pub partial_every: Duration,
    /// A speaker silent on the wire (no packets: muted, left) this long has
    /// finished their utterance; long enough not to cut a sentence at a network hiccup.
    pub idle_after: Duration,
    pub intake_capacity: usize,
    pub segmenter: SegmenterConfig,
    /// The first utterance's id; later ones count up from it.
    pub first_segment: u64,
}

impl Default for RecognizerConfig {
    fn default() -> Self {
        Self {
            partial_every: Duration::from_millis(1500),
            idle_after: Duration::from_millis(1200),
            intake_capacity: 4096,
            segmenter: SegmenterConfig::default(),
            first_segment: 1,
        }
    }
}

/// How much work was done and dropped, for logs and the benchmark.
#[derive(Debug, Default)]
pub struct Counters {
    /// Packets (or blocks of samples) taken in, and dropped because the intake was full.
    pub packets: AtomicU64,
    pub packets_dropped: AtomicU64,
    pub partials_dropped: AtomicU64,
    pub finals: AtomicU64,
    pub partials: AtomicU64,
    /// Milliseconds of audio recognised as finals, and milliseconds spent on them.
    pub final_audio_ms: AtomicU64,
    pub final_busy_ms: AtomicU64,
}

enum Intake {
    Packet { speaker: Speaker, opus: Vec<u8>, at_ms: i64 },
    /// 16 kHz samples, already decoded (recordings, tests).
    Pcm { speaker: Speaker, samples: Vec<f32>, at_ms: i64 },
    /// The speaker stopped (muted, left, the hearing paused): close what they said.
    Finish { speaker: Speaker },
    Context { hearing_id: i64, context: Context },
    Stop,
}

struct Job {
    speaker: Speaker,
    segment: u64,
    samples: Vec<f32>,
    start_ms: i64,
    end_ms: i64,
    is_final: bool,
    context: Context,
}

#[derive(Default)]
struct Jobs {
    finals: VecDeque<Job>,
    /// The latest partial per speaker.
    partials: HashMap<Speaker, Job>,
    stopped: bool,
}

struct Shared {
    jobs: Mutex<Jobs>,
    ready: Condvar,
    counters: Counters,
}

pub struct Recognizer {
    intake: SyncSender<Intake>,
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl Recognizer {
    /// Starts the intake thread and `workers` engine threads; results arrive on the returned receiver.
    pub fn start(engine: Arc<dyn Engine>, workers: usize, config: RecognizerConfig) -> (Self, Receiver<Recognized>) {
        let (intake, intake_rx) = std::sync::mpsc::sync_channel(config.intake_capacity);
        let (results, results_rx) = std::sync::mpsc::channel();
        let shared = Arc::new(Shared { jobs: Mutex::default(), ready: Condvar::new(), counters: Counters::default() });
        let mut threads = Vec::new();
        let intake_shared = shared.clone();
        threads.push(
            std::thread::Builder::new()
                .name("speech-intake".into())
                .spawn(move || run_intake(intake_rx, intake_shared, config))
                .expect("a thread can be started"),
        );
        for n in 0..workers.max(1) {
            let (shared, engine, results) = (shared.clone(), engine.clone(), results.clone());
            threads.push(
                std::thread::Builder::new()
                    .name(format!("speech-{n}"))
                    .spawn(move || run_worker(&shared, engine.as_ref(), &results))
                    .expect("a thread can be started"),
            );
        }
        (Self { intake, shared, threads }, results_rx)
    }

    fn offer(&self, input: Intake) -> bool {
        match self.intake.try_send(input) {
            Ok(()) => true,
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.shared.counters.packets_dropped.fetch_add(1, Ordering::Relaxed);
                false
            }
        }
    }

    /// One Opus packet (48 kHz) a speaker sent at `at_ms`. Never blocks; `false` if it was dropped.
    pub fn push_opus(&self, speaker: Speaker, opus: Vec<u8>, at_ms: i64) -> bool {
        self.count(self.offer(Intake::Packet { speaker, opus, at_ms }))
    }

    fn count(&self, taken: bool) -> bool {
        if taken {
            self.shared.counters.packets.fetch_add(1, Ordering::Relaxed);
        }
        taken
    }

    /// 16 kHz samples of a speaker, starting at `at_ms`.
    pub fn push_pcm(&self, speaker: Speaker, samples: Vec<f32>, at_ms: i64) -> bool {
        self.count(self.offer(Intake::Pcm { speaker, samples, at_ms }))
    }

    pub fn finish(&self, speaker: Speaker) {
        self.offer(Intake::Finish { speaker });
    }

    /// The language and hot words of a hearing, for its utterances from now on.
    pub fn set_context(&self, hearing_id: i64, context: Context) {
        self.offer(Intake::Context { hearing_id, context });
    }

    pub fn counters(&self) -> &Counters {
        &self.shared.counters
    }
}

impl Drop for Recognizer {
    fn drop(&mut self) {
        let _ = self.intake.send(Intake::Stop);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

struct SpeakerState {
    decoder: Option<opus::Decoder>,
    downsampler: Downsampler,
    segmenter: Segmenter,
    /// The clock at the speaker's sample 0 (ms), and the samples since.
    origin_ms: i64,
    samples: u64,
    last_heard: Instant,
    /// The clock when the last packet arrived.
    last_at_ms: Option<i64>,
    /// The current utterance's id and how many samples it had at its last partial.
    segment: Option<(u64, usize)>,
}

fn run_intake(intake: Receiver<Intake>, shared: Arc<Shared>, config: RecognizerConfig) {
    let mut speakers: HashMap<Speaker, SpeakerState> = HashMap::new();
    let mut contexts: HashMap<i64, Context> = HashMap::new();
    let mut next_segment = config.first_segment;
    let partial_samples = (config.partial_every.as_secs_f32() * SAMPLE_RATE as f32) as usize;
    loop {
        let input = match intake.recv_timeout(Duration::from_millis(100)) {
            Ok(input) => Some(input),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => None,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        };
        match input {
            Some(Intake::Stop) => break,
            Some(Intake::Context { hearing_id, context }) => {
                contexts.insert(hearing_id, context);
            }
            Some(Intake::Finish { speaker }) => {
                if let Some(state) = speakers.get_mut(&speaker) {
                    state.segmenter.finish();
                }
            }
            Some(Intake::Packet { speaker, opus, at_ms }) => {
                let state = speakers.entry(speaker).or_insert_with(|| SpeakerState::new(config.segmenter, at_ms));
                if let Some(samples) = state.decode(&opus) {
                    state.feed(&samples, at_ms);
                }
            }
            Some(Intake::Pcm { speaker, samples, at_ms }) => {
                let state = speakers.entry(speaker).or_insert_with(|| SpeakerState::new(config.segmenter, at_ms));
                state.feed(&samples, at_ms);
            }
            None => {}
        }
        // Speakers who went quiet on the wire: their utterance is over.
        let now = Instant::now();
        for state in speakers.values_mut().filter(|s| now.duration_since(s.last_heard) >= config.idle_after) {
            state.segmenter.finish();
        }
        for (&speaker, state) in &mut speakers {
            let context = contexts.get(&speaker.hearing_id).cloned().unwrap_or_else(|| Context { language: "zh".into(), ..Default::default() });
            let mut jobs = Vec::new();
            for utterance in state.segmenter.take_finished() {
                let segment = state.segment.take().map_or_else(|| { next_segment += 1; next_segment - 1 }, |(id, _)| id);
                jobs.push(Job {
                    speaker,
                    segment,
                    start_ms: state.at(utterance.start),
                    end_ms: state.at(utterance.end),
                    samples: utterance.samples,
                    is_final: true,
                    context: context.clone(),
                });
            }
            if let Some(current) = state.segmenter.current_samples() {
                let (id, last) = *state.segment.get_or_insert_with(|| { next_segment += 1; (next_segment - 1, 0) });
                if current.len() >= last + partial_samples {
                    state.segment = Some((id, current.len()));
                    let start = state.samples.saturating_sub(current.len() as u64);
                    jobs.push(Job {
                        speaker,
                        segment: id,
                        start_ms: state.at(start),
                        end_ms: state.at(state.samples),
                        samples: current.to_vec(),
                        is_final: false,
                        context,
                    });
                }
            }
            if !jobs.is_empty() {
                let mut queue = shared.jobs.lock().unwrap_or_else(|p| p.into_inner());
                for job in jobs {
                    if job.is_final {
                        // The final supersedes any partial of the same speaker still waiting.
                        if queue.partials.get(&speaker).is_some_and(|p| p.segment == job.segment) {
                            queue.partials.remove(&speaker);
                        }
                        queue.finals.push_back(job);
                    } else if queue.partials.insert(speaker, job).is_some() {
                        shared.counters.partials_dropped.fetch_add(1, Ordering::Relaxed);
                    }
                }
                shared.ready.notify_all();
            }
        }
    }
    let mut queue = shared.jobs.lock().unwrap_or_else(|p| p.into_inner());
    queue.stopped = true;
    shared.ready.notify_all();
}

impl SpeakerState {
    fn new(segmenter: SegmenterConfig, at_ms: i64) -> Self {
        Self {
            decoder: None,
            downsampler: Downsampler::default(),
            segmenter: Segmenter::new(segmenter),
            origin_ms: at_ms,
            samples: 0,
            last_heard: Instant::now(),
            last_at_ms: None,
            segment: None,
        }
    }

    /// 48 kHz Opus to 16 kHz samples; a packet that does not decode is skipped.
    fn decode(&mut self, packet: &[u8]) -> Option<Vec<f32>> {
        if self.decoder.is_none() {
            self.decoder = opus::Decoder::new(48_000, opus::Channels::Mono).ok();
        }
        let decoder = self.decoder.as_mut()?;
        let mut pcm = vec![0i16; 5760];
        let n = decoder.decode(packet, &mut pcm, false).ok()?;
        Some(self.downsampler.process(&from_i16(&pcm[..n])))
    }

    fn feed(&mut self, samples: &[f32], at_ms: i64) {
        // After a gap on the wire (the speaker was muted, or the network
        // stalled) the sentence is over, and the timeline restarts from the
        // packet's own time. A sender that is merely a little slow (a busy
        // phone) drifts from the wall clock without any gap: that is not a pause.
        if self.last_at_ms.is_some_and(|last| at_ms - last > 1000) {
            self.segmenter.finish();
            self.origin_ms = at_ms - (self.samples as i64 * 1000 / SAMPLE_RATE as i64);
        }
        self.last_at_ms = Some(at_ms);
        self.last_heard = Instant::now();
        self.samples += samples.len() as u64;
        self.segmenter.push(samples);
    }

    fn at(&self, sample: u64) -> i64 {
        self.origin_ms + (sample as i64 * 1000) / SAMPLE_RATE as i64
    }
}

fn run_worker(shared: &Shared, engine: &dyn Engine, results: &Sender<Recognized>) {
    loop {
        let job = {
            let mut queue = shared.jobs.lock().unwrap_or_else(|p| p.into_inner());
            loop {
                if let Some(job) = queue.finals.pop_front() {
                    break job;
                }
                if let Some(key) = queue.partials.keys().next().copied() {
                    break queue.partials.remove(&key).expect("just found");
                }
                if queue.stopped {
                    return;
                }
                queue = shared.ready.wait(queue).unwrap_or_else(|p| p.into_inner());
            }
        };
        let started = Instant::now();
        let transcript = match engine.transcribe(&job.samples, &job.context) {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!(hearing_id = job.speaker.hearing_id, participant_id = job.speaker.participant_id, "recognition failed: {e}");
                continue;
            }
        };
        let counters = &shared.counters;
        let event = if job.is_final {
            counters.finals.fetch_add(1, Ordering::Relaxed);
            counters.final_audio_ms.fetch_add((job.samples.len() * 1000 / SAMPLE_RATE) as u64, Ordering::Relaxed);
            counters.final_busy_ms.fetch_add(started.elapsed().as_millis() as u64, Ordering::Relaxed);
            if transcript.text.is_empty() {
                continue;
            }
            Recognized::Final {
                speaker: job.speaker,
                segment: job.segment,
                text: transcript.text,
                confidence: transcript.confidence,
                start_ms: job.start_ms,
                end_ms: job.end_ms,
            }
        } else {
            counters.partials.fetch_add(1, Ordering::Relaxed);
            if transcript.text.is_empty() {
                continue;
            }
            Recognized::Partial { speaker: job.speaker, segment: job.segment, text: transcript.text, start_ms: job.start_ms }
        };
        if results.send(event).is_err() {
            return;
        }
    }
}
