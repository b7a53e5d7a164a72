//! Downloading an evidence file into the app's cache: written to disk as it
//! comes (a video never sits whole in a cheap phone's memory), given as long
//! as it takes while bytes keep coming, and, for an original, resumed from
//! where a cut-off download stopped and checked against its SHA-256 before
//! it is kept.

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::header::{CONTENT_RANGE, IF_RANGE, RANGE};
use reqwest::{Method, StatusCode};
use tokio::io::AsyncWriteExt;
use tokio::sync::watch;

use super::inspect::hash_file;
use crate::error::{Error, Result};
use crate::http::{ApiClient, api_error};

/// A download that brings no byte for this long is cut off (and resumed on the next try).
const STALL: Duration = Duration::from_secs(30);
/// However slow the network, a download that keeps moving is given this long.
const LONGEST: Duration = Duration::from_secs(6 * 3600);
/// The most of an error answer that is read.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// How much of a file has arrived, for a progress bar while it opens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DownloadProgress {
    /// Including what a cut-off try left on disk.
    pub bytes_received: u64,
    /// Unknown only when the server says nothing of the size.
    pub total: Option<u64>,
    pub percent: Option<u8>,
}

impl DownloadProgress {
    fn new(bytes_received: u64, total: Option<u64>) -> Self {
        // Nothing to receive is all of it.
        let percent = total.map(|t| (bytes_received.min(t) * 100).checked_div(t).map_or(100, |p| p as u8));
        Self { bytes_received, total, percent }
    }

    /// A file already on the device: all of it.
    pub(super) fn cached(path: &Path) -> Option<Self> {
        let size = std::fs::metadata(path).ok()?.len();
        Some(Self::new(size, Some(size)))
    }
}

/// One file's downloads: one at a time, and how far the current one got, for
/// every caller waiting on it.
pub struct Shared {
    pub turn: tokio::sync::Mutex<()>,
    pub progress: watch::Sender<DownloadProgress>,
}

impl Default for Shared {
    fn default() -> Self {
        Self { turn: Default::default(), progress: watch::Sender::new(DownloadProgress::default()) }
    }
}

impl Shared {
    /// Runs `work`, telling `progress` what this file's download reports meanwhile.
    pub async fn heard<T>(&self, progress: &watch::Sender<DownloadProgress>, work: impl Future<Output = T>) -> T {
        let mut heard = self.progress.subscribe();
        let mut work = std::pin::pin!(work);
        loop {
            tokio::select! {
                out = &mut work => {
                    // The last report may have come in the same step that finished the work.
                    if heard.has_changed().unwrap_or(false) {
                        progress.send_replace(*heard.borrow_and_update());
                    }
                    return out;
                }
                Ok(()) = heard.changed() => {
                    progress.send_replace(*heard.borrow_and_update());
                }
            }
        }
    }
}

/// What is fetched, and where it goes.
pub struct Download<'a> {
    pub api: &'a ApiClient,
    pub url: &'a str,
    pub token: &'a str,
    /// For an original: its hash, which it is checked against and which names
    /// it to the server when a download resumes. Anything else starts afresh.
    pub sha256: Option<&'a str>,
    pub destination: &'a Path,
    pub progress: &'a watch::Sender<DownloadProgress>,
}

/// Where a download in progress is kept.
pub fn partial_path(destination: &Path) -> PathBuf {
    let mut name = destination.file_name().unwrap_or_default().to_owned();
    name.push(".download");
    destination.with_file_name(name)
}

impl Download<'_> {
    /// Fetches the file to its destination. A partial original left by a cut
    /// is kept for the next try; one that turns out not to be the file's
    /// beginning (its hash does not match) is fetched again whole, once.
    pub async fn run(&self) -> Result<()> {
        let partial = partial_path(self.destination);
        for whole in [false, true] {
            if whole || self.sha256.is_none() {
                let _ = std::fs::remove_file(&partial);
            }
            let resumed = self.fetch(&partial).await?;
            if let Some(expected) = self.sha256 {
                let path = partial.clone();
                let actual = tokio::task::spawn_blocking(move || hash_file(&path))
                    .await
                    .map_err(|e| Error::Io(std::io::Error::other(e)))??;
                if actual != expected {
                    let _ = std::fs::remove_file(&partial);
                    if resumed && !whole {
                        tracing::warn!("a resumed download did not match its hash; fetching it whole");
                        continue;
                    }
                    return Err(Error::UnexpectedResponse("下载的证据与登记的校验值不一致".into()));
                }
            }
            std::fs::rename(&partial, self.destination)?;
            return Ok(());
        }
        unreachable!("the second round fetches the file whole")
    }

    /// Appends what the server sends to `partial`; whether it went on from a part already there.
    async fn fetch(&self, partial: &Path) -> Result<bool> {
        let have = std::fs::metadata(partial).map(|m| m.len()).unwrap_or(0);
        let mut request = self.api.request(Method::GET, self.url, Some(self.token)).timeout(LONGEST);
        if let (Some(sha256), true) = (self.sha256, have > 0) {
            request = request.header(RANGE, format!("bytes={have}-")).header(IF_RANGE, format!("\"{sha256}\""));
        }
        let mut response = request.send().await.map_err(Error::Network)?;
        let status = response.status();
        if status == StatusCode::RANGE_NOT_SATISFIABLE {
            // What is here is at least the whole file: the hash decides whether it is.
            return Ok(true);
        }
        if !status.is_success() {
            let mut body = Vec::new();
            while body.len() < MAX_ERROR_BODY {
                match tokio::time::timeout(STALL, response.chunk()).await {
                    Ok(Ok(Some(chunk))) => body.extend_from_slice(&chunk),
                    _ => break,
                }
            }
            return Err(api_error(status, &body));
        }
        let resumed = status == StatusCode::PARTIAL_CONTENT;
        if resumed && !continues_at(response.headers().get(CONTENT_RANGE), have) {
            return Err(Error::UnexpectedResponse("服务器返回的下载位置不正确".into()));
        }
        let mut received = if resumed { have } else { 0 };
        let total = response.content_length().map(|rest| received + rest);
        self.progress.send_replace(DownloadProgress::new(received, total));
        let mut file = tokio::fs::OpenOptions::new().create(true).append(resumed).write(true).truncate(!resumed).open(partial).await?;
        loop {
            // A cut must not return before the last chunk is on disk: the next try
            // appends from the file's length, and a write landing after that corrupts it.
            let chunk = match tokio::time::timeout(STALL, response.chunk()).await {
                Ok(Ok(chunk)) => chunk,
                Ok(Err(e)) => {
                    file.flush().await?;
                    return Err(Error::Network(e));
                }
                Err(_) => {
                    file.flush().await?;
                    return Err(Error::Stalled);
                }
            };
            let Some(chunk) = chunk else { break };
            // Written as it comes, so that a cut keeps everything that arrived.
            if let Err(e) = file.write_all(&chunk).await {
                return Err(e.into());
            }
            received += chunk.len() as u64;
            self.progress.send_replace(DownloadProgress::new(received, total));
        }
        file.flush().await?;
        file.sync_all().await?;
        Ok(resumed)
    }
}

/// Whether a `Content-Range` answer starts where the part on disk ends.
fn continues_at(content_range: Option<&reqwest::header::HeaderValue>, have: u64) -> bool {
    content_range
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("bytes "))
        .and_then(|v| v.split_once('-'))
        .and_then(|(first, _)| first.parse::<u64>().ok())
        == Some(have)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn a_part_is_appended_only_where_the_file_on_disk_ends() {
        let range = |s: &str| Some(HeaderValue::from_str(s).unwrap());
        assert!(continues_at(range("bytes 100-999/1000").as_ref(), 100));
        assert!(!continues_at(range("bytes 0-999/1000").as_ref(), 100));
        assert!(!continues_at(range("items 100-999/1000").as_ref(), 100));
        assert!(!continues_at(None, 100));
        assert_eq!(partial_path(Path::new("/c/abc.preview.jpg")), Path::new("/c/abc.preview.jpg.download"));
        assert_eq!(partial_path(Path::new("/c/abc")), Path::new("/c/abc.download"));
    }

    #[test]
    fn progress_is_a_whole_percent_of_a_known_size() {
        assert_eq!(DownloadProgress::new(0, Some(4000)).percent, Some(0));
        assert_eq!(DownloadProgress::new(1999, Some(4000)).percent, Some(49));
        assert_eq!(DownloadProgress::new(4000, Some(4000)).percent, Some(100));
        assert_eq!(DownloadProgress::new(0, Some(0)).percent, Some(100));
        assert_eq!(DownloadProgress::new(10, None).percent, None);
    }
}
