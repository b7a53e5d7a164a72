//! What a recognition engine does: one utterance of 16 kHz speech in, its text out.

/// What the engine may be told about the hearing to recognise it better.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// ISO 639-1, e.g. "zh".
    pub language: String,
    /// Words likely to be said that the engine may not know, such as the participants' names.
    pub hot_words: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Transcript {
    pub text: String,
    /// 0..=1, how sure the engine is.
    pub confidence: f32,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("the speech model could not be loaded from {path}: {reason}")]
    Load { path: String, reason: String },
    #[error("recognition failed: {0}")]
    Failed(String),
}

/// A speech recogniser. Implementations are shared by the worker threads.
pub trait Engine: Send + Sync {
    /// Short name for logs and the hearing log ("whisper").
    fn name(&self) -> &str;

    /// Recognises one utterance (16 kHz mono samples in [-1, 1]). Empty text when it heard no words.
    fn transcribe(&self, samples: &[f32], context: &Context) -> Result<Transcript, EngineError>;
}
