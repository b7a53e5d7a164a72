//! Evidence (举证) and cross-examination (质证): resumable uploads, durable
//! content-addressed storage, previews, and who may see and say what.

pub mod annotated;
pub mod files;
pub mod images;
pub mod integrity;
pub mod pdf_pages;
pub mod review;
pub mod sniff;
pub mod uploads;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

pub use files::EvidenceFiles;

/// The evidence store and the uploads being written to it.
pub struct EvidenceStore {
    pub files: EvidenceFiles,
    /// One writer per upload at a time.
    writers: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Originals whose bytes this process has checked against their hash.
    verified: Mutex<HashSet<String>>,
    /// Damaged originals already written to the hearing log.
    reported: Mutex<HashSet<String>>,
    /// Turns at decoding a picture (`ImageLimits::concurrent_decodes`).
    decodes: Arc<tokio::sync::Semaphore>,
    /// PDF pages as pictures, made by poppler's tools a few at a time.
    pub pdf_pages: pdf_pages::PdfPages,
}

impl EvidenceStore {
    pub fn new(files: EvidenceFiles, concurrent_decodes: usize) -> Self {
        let decodes = Arc::new(tokio::sync::Semaphore::new(concurrent_decodes.max(1)));
        let pdf_pages = pdf_pages::PdfPages::new(pdf_pages::CONCURRENT_RENDERS, pdf_pages::RENDER_TIMEOUT);
        Self {
            files,
            writers: Mutex::new(HashMap::new()),
            verified: Mutex::default(),
            reported: Mutex::default(),
            decodes,
            pdf_pages,
        }
    }

    /// Waits for a turn at decoding a picture; the turn ends when the permit is dropped.
    async fn decode_turn(&self) -> Result<tokio::sync::OwnedSemaphorePermit, crate::error::AppError> {
        self.decodes.clone().acquire_owned().await.map_err(crate::error::AppError::internal)
    }

    fn is_verified(&self, sha256: &str) -> bool {
        self.verified.lock().unwrap_or_else(|p| p.into_inner()).contains(sha256)
    }

    fn mark_verified(&self, sha256: &str) {
        self.verified.lock().unwrap_or_else(|p| p.into_inner()).insert(sha256.to_owned());
    }

    fn forget_verified(&self, sha256: &str) {
        self.verified.lock().unwrap_or_else(|p| p.into_inner()).remove(sha256);
    }

    /// A damaged file was replaced by checked bytes: it is good, and new damage is reported again.
    fn restored(&self, sha256: &str) {
        self.reported.lock().unwrap_or_else(|p| p.into_inner()).remove(sha256);
        self.mark_verified(sha256);
    }

    /// `true` the first time a damaged file is reported.
    fn first_report(&self, sha256: &str) -> bool {
        self.reported.lock().unwrap_or_else(|p| p.into_inner()).insert(sha256.to_owned())
    }

    /// The upload's write lock, or `None` if someone is writing to it now.
    fn try_write(&self, upload_id: &str) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        let lock = {
            let mut writers = self.writers.lock().unwrap_or_else(|p| p.into_inner());
            if writers.len() > 1024 {
                writers.retain(|_, lock| Arc::strong_count(lock) > 1);
            }
            writers.entry(upload_id.to_owned()).or_default().clone()
        };
        lock.try_lock_owned().ok()
    }
}
