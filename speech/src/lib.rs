//! Speech recognition for hearings: each speaker's audio is cut into
//! utterances (voice activity), and an engine turns them into text, live,
//! on threads of its own so that nothing waits for it.

pub mod audio;
pub mod engine;
pub mod recognizer;
pub mod score;
pub mod segmenter;
#[cfg(feature = "whisper")]
pub mod whisper;

pub use engine::{Context, Engine, EngineError, Transcript};
pub use recognizer::{Recognized, Recognizer, RecognizerConfig, Speaker};
