//! Whisper models in CTranslate2's format (e.g. Whisper base, int8). The
//! audio becomes an 80-band log-mel spectrogram of 30 s; the decoder is
//! prompted with the hearing's hot words as "previous text", which is how
//! Whisper is biased towards names and terms.

use std::path::Path;

use ct2rs::sys::{ComputeType, Config, StorageView, Whisper};
use ct2rs::tokenizers::hf;
use ct2rs::{Tokenizer, WhisperOptions};
use mel_spec::mel::{log_mel_spectrogram, mel};
use mel_spec::stft::Spectrogram;

use crate::engine::{Context, Engine, EngineError, Transcript};

const SAMPLE_RATE: f64 = 16_000.0;
const N_FFT: usize = 400;
const HOP: usize = 160;
/// 30 s: the model's window.
const FRAMES: usize = 3000;
/// The log power of silence: the floor `log_mel_spectrogram` puts under every band.
const SILENCE: f32 = -10.0;
/// The prompt may hold at most half the decoder's context.
const MAX_PROMPT_TOKENS: usize = 200;

pub struct WhisperEngine {
    model: Whisper,
    tokenizer: hf::Tokenizer,
    /// The mel filters, a row per band (as many as the model takes).
    filters: ndarray::Array2<f64>,
    beam_size: usize,
}

impl WhisperEngine {
    /// Loads a model directory (`model.bin`, `config.json`, `tokenizer.json`,
    /// `vocabulary.*`). `workers` replicas may decode at once, each on `threads` threads.
    pub fn load(dir: &Path, workers: usize, threads: usize) -> Result<Self, EngineError> {
        let load = |reason: String| EngineError::Load { path: dir.display().to_string(), reason };
        let config = Config {
            compute_type: ComputeType::INT8,
            device_indices: vec![0; workers.max(1)],
            num_threads_per_replica: threads.max(1),
            ..Default::default()
        };
        let model = Whisper::new(dir, config).map_err(|e| load(e.to_string()))?;
        let mut tokenizer = hf::Tokenizer::new(dir).map_err(|e| load(e.to_string()))?;
        // Hot words are plain text in the prompt, without the tokenizer's own start and end markers.
        tokenizer.disable_spacial_token();
        let filters = mel(SAMPLE_RATE, N_FFT, model.n_mels(), None, None, false, true);
        Ok(Self { model, tokenizer, filters, beam_size: 5 })
    }

    fn prompt(&self, context: &Context) -> Vec<String> {
        let mut prompt = Vec::new();
        let words: Vec<&str> = context.hot_words.iter().map(String::as_str).filter(|w| !w.trim().is_empty()).collect();
        if !words.is_empty()
            && let Ok(tokens) = self.tokenizer.encode(&words.join("，"))
        {
            let start = tokens.len().saturating_sub(MAX_PROMPT_TOKENS);
            prompt.push("<|startofprev|>".to_owned());
            prompt.extend(tokens[start..].iter().cloned());
        }
        let language = if context.language.is_empty() { "zh" } else { context.language.as_str() };
        prompt.extend(["<|startoftranscript|>".to_owned(), format!("<|{language}|>"), "<|transcribe|>".to_owned(), "<|notimestamps|>".to_owned()]);
        prompt
    }
}

/// Whisper's input: each band's log power, floored 8 below the loudest of
/// the whole window and scaled, as the model was trained; band after band,
/// [`FRAMES`] each, as many bands as `filters` has.
fn log_mel(samples: &[f32], filters: &ndarray::Array2<f64>) -> Vec<f32> {
    let n_mels = filters.nrows();
    let mut features = vec![SILENCE; n_mels * FRAMES];
    let mut stft = Spectrogram::new(N_FFT, HOP);
    let mut frame = 0;
    let usable = &samples[..samples.len().min(FRAMES * HOP)];
    // Whisper's frame t is centred on sample t × HOP, with the start mirrored
    // before sample 0. `Spectrogram` gives its first frame once it holds
    // N_FFT + HOP / 2 samples, from the last N_FFT of them: so the leading
    // HOP / 2 are a placeholder, then the mirror, then the audio.
    let mirror = (1..=N_FFT / 2).rev().map(|i| usable.get(i).copied().unwrap_or(0.0));
    let padded: Vec<f32> = std::iter::repeat_n(0.0, HOP / 2)
        .chain(mirror)
        .chain(usable.iter().copied())
        .chain(std::iter::repeat_n(0.0, N_FFT))
        .collect();
    for hop in padded.chunks(HOP) {
        if frame >= FRAMES {
            break;
        }
        if let Some(fft) = stft.add(hop) {
            let bands = log_mel_spectrogram(&fft, filters);
            for band in 0..n_mels {
                features[band * FRAMES + frame] = bands[[band, 0]] as f32;
            }
            frame += 1;
        }
    }
    let loudest = features.iter().fold(f32::MIN, |a, &b| a.max(b));
    for value in &mut features {
        *value = (value.max(loudest - 8.0) + 4.0) / 4.0;
    }
    features
}

impl Engine for WhisperEngine {
    fn name(&self) -> &str {
        "whisper"
    }

    fn transcribe(&self, samples: &[f32], context: &Context) -> Result<Transcript, EngineError> {
        if samples.is_empty() {
            return Ok(Transcript { text: String::new(), confidence: 0.0 });
        }
        let mut features = log_mel(samples, &self.filters);
        let shape = [1, self.filters.nrows(), FRAMES];
        let view = StorageView::new(&shape, &mut features, Default::default()).map_err(|e| EngineError::Failed(e.to_string()))?;
        let options = WhisperOptions {
            beam_size: self.beam_size,
            return_scores: true,
            return_no_speech_prob: true,
            ..Default::default()
        };
        let prompt = self.prompt(context);
        let result = self
            .model
            .generate(&view, &[prompt], &options)
            .map_err(|e| EngineError::Failed(e.to_string()))?
            .into_iter()
            .next()
            .ok_or_else(|| EngineError::Failed("no result".into()))?;
        let tokens = result.sequences.into_iter().next().unwrap_or_default();
        let text = self.tokenizer.decode(tokens).map_err(|e| EngineError::Failed(e.to_string()))?;
        // The score is the sequence's log-probability normalised by length.
        let mean_logprob = result.scores.first().copied().unwrap_or(0.0);
        let confidence = (mean_logprob.exp() * (1.0 - result.no_speech_prob)).clamp(0.0, 1.0);
        let text = text.trim().to_owned();
        // Whisper says something even about noise; a likely no-speech with a weak text is nothing,
        // and so is the prompt's names said back without conviction (noise, a cough, a beep).
        if (result.no_speech_prob > 0.6 && mean_logprob < -1.0)
            || (confidence < PROMPT_ECHO_CONFIDENCE && only_prompt_words(&text, &context.hot_words))
        {
            return Ok(Transcript { text: String::new(), confidence });
        }
        Ok(Transcript { text, confidence })
    }
}

/// Below this, a text made only of the prompt's words is taken for the prompt said back.
const PROMPT_ECHO_CONFIDENCE: f32 = 0.5;

/// Whether `text` is one or more of `hot_words` (the participants' names, which the prompt
/// carries) and nothing else but punctuation, spaces and at most one stray Latin letter.
fn only_prompt_words(text: &str, hot_words: &[String]) -> bool {
    let mut rest = text.to_owned();
    let mut names: Vec<&str> = hot_words.iter().map(|w| w.trim()).filter(|w| !w.is_empty()).collect();
    // Longer names first, so a name inside another is not taken out of it.
    names.sort_by_key(|name| std::cmp::Reverse(name.chars().count()));
    for name in names {
        rest = rest.replace(name, "");
    }
    // A stray Latin letter comes with them at times (王法官Ｇ李四); a Chinese character or a digit is words.
    let (latin, other) = rest
        .chars()
        .filter(|c| c.is_alphanumeric())
        .fold((0, 0), |(latin, other), c| if c.is_alphabetic() && !is_ideograph(c) { (latin + 1, other) } else { (latin, other + 1) });
    rest.len() < text.len() && other == 0 && latin <= 1
}

fn is_ideograph(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prompts_names_said_back_are_told_from_sentences_with_them() {
        let names: Vec<String> = ["张三", "李四", "王法官"].map(String::from).to_vec();
        for echo in ["张三，张三，", "张三，李四", "王法官，李四。", " 李四 ", "王法官Ｇ李四"] {
            assert!(only_prompt_words(echo, &names), "{echo}");
        }
        for said in ["张三，请陈述你的诉讼请求。", "原告张三", "李四到庭了吗？", "张三问", "", "，。"] {
            assert!(!only_prompt_words(said, &names), "{said}");
        }
    }

    #[test]
    fn each_frame_is_centred_on_its_hop_as_whispers_are() {
        let n_mels = 80;
        let filters = mel(SAMPLE_RATE, N_FFT, n_mels, None, None, false, true);
        let mut samples = vec![0.0f32; 2 * 16_000];
        // A click where frame 100 is centred.
        samples[100 * HOP] = 1.0;
        let features = log_mel(&samples, &filters);
        let energy = |frame: usize| (0..n_mels).map(|band| features[band * FRAMES + frame]).sum::<f32>();
        let loudest = (0..FRAMES).max_by(|&a, &b| energy(a).total_cmp(&energy(b))).unwrap();
        assert_eq!(loudest, 100);
    }
}
