//! Live speech recognition (语音识别) in hearings. The SFU hands every audio
//! packet it may forward for recognition (the hearing is 庭审中, the speaker
//! is neither muted nor blocked) to the recognizer, which runs on its own
//! threads; what it recognises comes back here: finished sentences are stored
//! with the hearing and entered in its log, and every line goes to the room.
//! The speaker is the participant whose microphone the audio came from.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use cloudtrial_protocol::api::ParticipantSummary;
use cloudtrial_protocol::signalling::Utterance;
use cloudtrial_speech::{Context, Engine, Recognized, Recognizer, RecognizerConfig, Speaker};
use serde_json::json;

use crate::clock::Clock;
use crate::room::RoomRegistry;
use crate::store::{self, Store, StoreError, events::EventActor};

/// Which engine recognises speech, and with how many threads.
#[derive(Debug, Clone)]
pub struct SpeechConfig {
    pub engine: SpeechEngine,
    /// Utterances recognised at once.
    pub workers: usize,
    /// Threads each of them uses.
    pub threads: usize,
}

#[derive(Debug, Clone)]
pub enum SpeechEngine {
    /// A Whisper model in CTranslate2's format (a directory).
    Whisper { model: PathBuf },
}

/// The running recognizer, shared by the SFU (audio in) and the rooms (hot words).
pub struct SpeechService {
    recognizer: Recognizer,
    engine: String,
    clock: Arc<dyn Clock>,
    /// Audio packets taken in, by hearing and speaker.
    heard: std::sync::Mutex<HashMap<(i64, i64), u64>>,
}

impl SpeechService {
    /// Loads the engine and starts the recognizer's threads.
    #[cfg_attr(not(feature = "whisper"), allow(unreachable_code, unused_variables, reason = "no engine without the feature"))]
    pub fn start(config: &SpeechConfig, clock: Arc<dyn Clock>) -> anyhow::Result<(Arc<Self>, std::sync::mpsc::Receiver<Recognized>)> {
        let engine: Arc<dyn Engine> = match &config.engine {
            #[cfg(feature = "whisper")]
            SpeechEngine::Whisper { model } => {
                Arc::new(cloudtrial_speech::whisper::WhisperEngine::load(model, config.workers, config.threads)?)
            }
            #[cfg(not(feature = "whisper"))]
            SpeechEngine::Whisper { .. } => anyhow::bail!("this server was built without the Whisper engine (feature \"whisper\")"),
        };
        let recognizer_config = RecognizerConfig {
            // Segment ids must not repeat across restarts: clients key lines by them.
            first_segment: clock.now_ms().max(0) as u64 * 1000,
            ..Default::default()
        };
        let name = engine.name().to_owned();
        let (recognizer, results) = Recognizer::start(engine, config.workers, recognizer_config);
        tracing::info!(engine = name, workers = config.workers, "speech recognition ready");
        Ok((Arc::new(Self { recognizer, engine: name, clock, heard: Default::default() }), results))
    }

    /// One Opus packet a participant's microphone sent. Never blocks.
    pub fn hear(&self, hearing_id: i64, participant_id: i64, opus: &[u8]) {
        if self.recognizer.push_opus(Speaker { hearing_id, participant_id }, opus.to_vec(), self.clock.now_ms()) {
            *self.heard.lock().unwrap_or_else(|p| p.into_inner()).entry((hearing_id, participant_id)).or_default() += 1;
        }
    }

    /// The participants' names of one hearing, to bias recognition towards
    /// them. Only the names: a longer list (the case title and number, court
    /// terms) made Whisper base worse at everyday sentences.
    pub fn set_context(&self, hearing_id: i64, names: Vec<String>) {
        self.recognizer.set_context(hearing_id, Context { language: "zh".into(), hot_words: names });
    }

    pub fn engine(&self) -> &str {
        &self.engine
    }

    /// Audio packets taken in so far from one participant (for tests and logs).
    pub fn packets_heard(&self, hearing_id: i64, participant_id: i64) -> u64 {
        self.heard.lock().unwrap_or_else(|p| p.into_inner()).get(&(hearing_id, participant_id)).copied().unwrap_or(0)
    }
}

/// Takes what the recognizer heard to the hearings: stores and logs
/// finals, and tells each room. Runs until the recognizer stops.
pub fn deliver(
    results: std::sync::mpsc::Receiver<Recognized>,
    store: Store,
    rooms: Arc<RoomRegistry>,
    engine: String,
    clock: Arc<dyn Clock>,
) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    std::thread::Builder::new()
        .name("speech-results".into())
        .spawn(move || {
            while let Ok(result) = results.recv() {
                if tx.send(result).is_err() {
                    break;
                }
            }
        })
        .expect("a thread can be started");
    tokio::spawn(async move {
        let mut hearings: HashMap<i64, HearingSpeech> = HashMap::new();
        while let Some(result) = rx.recv().await {
            let (speaker, segment) = match &result {
                Recognized::Partial { speaker, segment, .. } | Recognized::Final { speaker, segment, .. } => (*speaker, *segment),
            };
            let hearing = match hearings.get_mut(&speaker.hearing_id) {
                Some(h) => h,
                None => match HearingSpeech::load(&store, speaker.hearing_id).await {
                    Ok(h) => hearings.entry(speaker.hearing_id).or_insert(h),
                    Err(e) => {
                        tracing::error!(hearing_id = speaker.hearing_id, "speech recognised for a hearing that cannot be read: {e}");
                        continue;
                    }
                },
            };
            let Some(who) = hearing.speaker(&store, speaker.participant_id).await else { continue };
            match result {
                Recognized::Partial { text, start_ms, .. } => {
                    if hearing.finished.contains(&segment) {
                        continue;
                    }
                    let start = start_ms - hearing.started_at_ms;
                    let line = Utterance { segment, speaker: who, start_ms: start, end_ms: start, text, confidence: None, is_final: false };
                    rooms.speech(speaker.hearing_id, line).await;
                }
                Recognized::Final { text, confidence, start_ms, end_ms, .. } => {
                    if hearing.finished.len() > 10_000 {
                        hearing.finished.clear();
                    }
                    hearing.finished.insert(segment);
                    let line = Utterance {
                        segment,
                        speaker: who,
                        start_ms: start_ms - hearing.started_at_ms,
                        end_ms: end_ms - hearing.started_at_ms,
                        text,
                        confidence: Some(confidence),
                        is_final: true,
                    };
                    let (stored, engine, now) = (line.clone(), engine.clone(), clock.now_ms());
                    let saved = store
                        .call(move |conn| {
                            let tx = conn.transaction()?;
                            let id = store::speech::insert(&tx, speaker.hearing_id, &stored, &engine, now)?;
                            let actor = EventActor::Participant { id: stored.speaker.id, name: stored.speaker.name.clone() };
                            let detail = json!({
                                "utterance_id": id, "segment": stored.segment, "text": stored.text,
                                "start_ms": stored.start_ms, "end_ms": stored.end_ms,
                                "confidence": stored.confidence, "engine": engine,
                            });
                            store::events::append(&tx, speaker.hearing_id, &actor, "speech_recognized", &detail, now)?;
                            tx.commit()?;
                            Ok::<_, StoreError>(())
                        })
                        .await;
                    if let Err(e) = saved {
                        tracing::error!(hearing_id = speaker.hearing_id, "a recognised sentence could not be stored: {e}");
                        continue;
                    }
                    rooms.speech(speaker.hearing_id, line).await;
                }
            }
        }
    });
}

/// What the delivery task remembers of one hearing.
struct HearingSpeech {
    /// When the judge started the hearing: line times count from it.
    started_at_ms: i64,
    speakers: HashMap<i64, ParticipantSummary>,
    /// Segments already final: a partial that arrives late is dropped.
    finished: HashSet<u64>,
}

impl HearingSpeech {
    async fn load(store: &Store, hearing_id: i64) -> Result<Self, StoreError> {
        let started = store.call(move |conn| store::events::started_at(conn, hearing_id)).await?;
        Ok(Self { started_at_ms: started.unwrap_or(0), speakers: HashMap::new(), finished: HashSet::new() })
    }

    async fn speaker(&mut self, store: &Store, participant_id: i64) -> Option<ParticipantSummary> {
        if let Some(who) = self.speakers.get(&participant_id) {
            return Some(who.clone());
        }
        let who = store
            .call(move |conn| store::speech::speaker(conn, participant_id))
            .await
            .inspect_err(|e| tracing::error!(participant_id, "speaker unknown: {e}"))
            .ok()
            .flatten()?;
        self.speakers.insert(participant_id, who.clone());
        Some(who)
    }
}
