//! A PDF's pages as pictures, so every client (a phone's browser, the apps)
//! shows PDF evidence as images and draws 圈注 over them. Rendered by
//! poppler's `pdftoppm` (Debian: poppler-utils) in a process of its own: a
//! few at a time, killed when it runs too long, and given only the stored
//! original under its hash — never a name a party chose. Each page is made
//! once and kept with the other derived files (`<sha256>.page-<n>.png`), as
//! is the page count (`<sha256>.pages`, from `pdfinfo`), so asking again is a
//! file read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cloudtrial_protocol::ErrorCode;

use super::EvidenceFiles;
use crate::error::AppError;

/// The long side of a rendered page, in pixels.
pub const PAGE_SIZE: u32 = 1600;
/// How long one page may take before its process is killed.
pub const RENDER_TIMEOUT: Duration = Duration::from_secs(20);
/// Renders running at once; more wait their turn.
pub const CONCURRENT_RENDERS: usize = 2;
/// The most a tool may write (a 1600 px PNG is far less).
const MAX_OUTPUT: usize = 64 << 20;

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("{0} is not installed (Debian: apt-get install poppler-utils)")]
    ToolMissing(&'static str),
    #[error("{0} took longer than {1:?} and was killed")]
    TimedOut(&'static str, Duration),
    #[error("{tool} could not read the PDF: {detail}")]
    Unreadable { tool: &'static str, detail: String },
    #[error("page {page} asked of a PDF with {pages} pages")]
    NoSuchPage { page: u32, pages: u32 },
    #[error("evidence storage: {0}")]
    Storage(#[from] std::io::Error),
}

impl From<PdfError> for AppError {
    fn from(e: PdfError) -> Self {
        let (code, message) = match &e {
            PdfError::ToolMissing(_) => {
                (ErrorCode::Internal, "服务器未安装PDF转换工具（poppler-utils），暂时无法显示PDF页面，请联系法院".to_owned())
            }
            PdfError::TimedOut(..) => (ErrorCode::UnsupportedMedia, "该PDF页面过于复杂，未能及时转换为图片，请下载原件查看".to_owned()),
            PdfError::Unreadable { .. } => {
                (ErrorCode::UnsupportedMedia, "该PDF无法转换为图片（可能已加密或已损坏），请下载原件查看".to_owned())
            }
            PdfError::NoSuchPage { pages, .. } => (ErrorCode::NotFound, format!("该页不存在（共{pages}页）")),
            PdfError::Storage(_) => return AppError::internal(e),
        };
        if code != ErrorCode::NotFound {
            tracing::error!("PDF page: {e}");
        }
        AppError::with_message(code, message)
    }
}

/// A rendered page and how many the PDF has.
#[derive(Debug, Clone)]
pub struct Page {
    pub png: Vec<u8>,
    pub pages: u32,
}

/// The renderer: its turns and what it is making now.
pub struct PdfPages {
    turns: Arc<tokio::sync::Semaphore>,
    /// One maker per derived file at a time, so a page asked for twice at once is rendered once.
    making: Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>,
    timeout: Duration,
    pdftoppm: PathBuf,
    pdfinfo: PathBuf,
}

impl PdfPages {
    pub fn new(concurrent: usize, timeout: Duration) -> Self {
        Self::with_tools(concurrent, timeout, "pdftoppm".into(), "pdfinfo".into())
    }

    /// With the tools at other paths (tests: a missing tool, a slow one).
    pub fn with_tools(concurrent: usize, timeout: Duration, pdftoppm: PathBuf, pdfinfo: PathBuf) -> Self {
        Self {
            turns: Arc::new(tokio::sync::Semaphore::new(concurrent.max(1))),
            making: Mutex::default(),
            timeout,
            pdftoppm,
            pdfinfo,
        }
    }

    /// Page `page` (from 1) of the PDF stored under `sha256`. The caller has
    /// checked that the stored file still matches its hash.
    pub async fn page(&self, files: &EvidenceFiles, sha256: &str, page: u32) -> Result<Page, PdfError> {
        let source = std::path::absolute(files.object(sha256))?;
        let pages = self.page_count(files, sha256, &source).await?;
        if page == 0 || page > pages {
            return Err(PdfError::NoSuchPage { page, pages });
        }
        let path = files.pdf_page(sha256, page);
        let png = self
            .made_once(files, &path, || async {
                let page = page.to_string();
                let size = PAGE_SIZE.to_string();
                let args = ["-f", &page, "-l", &page, "-png", "-scale-to", &size, "-singlefile"];
                let png = self.run("pdftoppm", &self.pdftoppm, &args, &source).await?;
                if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
                    return Err(PdfError::Unreadable { tool: "pdftoppm", detail: "its output is not a PNG".into() });
                }
                Ok(png)
            })
            .await?;
        Ok(Page { png, pages })
    }

    /// How many pages the PDF stored under `sha256` has (counted once, then kept).
    pub async fn pages(&self, files: &EvidenceFiles, sha256: &str) -> Result<u32, PdfError> {
        let source = std::path::absolute(files.object(sha256))?;
        self.page_count(files, sha256, &source).await
    }

    async fn page_count(&self, files: &EvidenceFiles, sha256: &str, source: &Path) -> Result<u32, PdfError> {
        let path = files.pdf_page_count(sha256);
        let text = self
            .made_once(files, &path, || async {
                let info = self.run("pdfinfo", &self.pdfinfo, &[], source).await?;
                let pages = parse_page_count(&String::from_utf8_lossy(&info))
                    .ok_or_else(|| PdfError::Unreadable { tool: "pdfinfo", detail: "no page count".into() })?;
                Ok(pages.to_string().into_bytes())
            })
            .await?;
        std::str::from_utf8(&text)
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .ok_or_else(|| PdfError::Storage(std::io::Error::other(format!("{} is not a page count", path.display()))))
    }

    /// The derived file at `path`, made by `make` the first time and kept.
    async fn made_once<F, Fut>(&self, files: &EvidenceFiles, path: &Path, make: F) -> Result<Vec<u8>, PdfError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Vec<u8>, PdfError>>,
    {
        if let Some(bytes) = read_derived(files, path).await? {
            return Ok(bytes);
        }
        let lock = {
            let mut making = self.making.lock().unwrap_or_else(|p| p.into_inner());
            if making.len() > 256 {
                making.retain(|_, lock| Arc::strong_count(lock) > 1);
            }
            making.entry(path.to_owned()).or_default().clone()
        };
        let _making = lock.lock().await;
        // Someone else may have made it while this request waited.
        if let Some(bytes) = read_derived(files, path).await? {
            return Ok(bytes);
        }
        let bytes = make().await?;
        let (files, path, written) = (files.clone(), path.to_owned(), bytes.clone());
        tokio::task::spawn_blocking(move || files.write_derived(&path, &written))
            .await
            .map_err(std::io::Error::other)??;
        Ok(bytes)
    }

    /// Runs one of poppler's tools on `source` in its turn, with a time limit; returns what it wrote.
    async fn run(&self, name: &'static str, program: &Path, args: &[&str], source: &Path) -> Result<Vec<u8>, PdfError> {
        let _turn = self.turns.acquire().await.map_err(std::io::Error::other)?;
        let child = tokio::process::Command::new(program)
            .args(args)
            .arg(source)
            .env("LC_ALL", "C")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => PdfError::ToolMissing(name),
                _ => PdfError::Storage(e),
            })?;
        // Dropping the child on timeout kills it.
        let output = tokio::time::timeout(self.timeout, child.wait_with_output())
            .await
            .map_err(|_| PdfError::TimedOut(name, self.timeout))??;
        if !output.status.success() || output.stdout.len() > MAX_OUTPUT {
            let detail = String::from_utf8_lossy(&output.stderr).chars().take(300).collect::<String>();
            return Err(PdfError::Unreadable { tool: name, detail: format!("{}: {detail}", output.status) });
        }
        Ok(output.stdout)
    }
}

/// Poppler's tools that cannot be run here (for a warning at start-up).
pub fn missing_tools() -> Vec<&'static str> {
    ["pdftoppm", "pdfinfo"]
        .into_iter()
        .filter(|tool| {
            let status = std::process::Command::new(tool).arg("-v").stdout(Stdio::null()).stderr(Stdio::null()).status();
            matches!(status, Err(e) if e.kind() == std::io::ErrorKind::NotFound)
        })
        .collect()
}

async fn read_derived(files: &EvidenceFiles, path: &Path) -> Result<Option<Vec<u8>>, PdfError> {
    let (files, path) = (files.clone(), path.to_owned());
    Ok(tokio::task::spawn_blocking(move || files.read_derived(&path)).await.map_err(std::io::Error::other)??)
}

/// `Pages:          12` in `pdfinfo`'s output.
fn parse_page_count(info: &str) -> Option<u32> {
    info.lines().find_map(|line| line.strip_prefix("Pages:")).and_then(|n| n.trim().parse().ok()).filter(|n| *n > 0)
}

#[cfg(test)]
#[path = "../../../tests/testkit/src/documents.rs"]
mod test_documents;

#[cfg(test)]
mod tests {
    use super::*;

    use super::test_documents::two_page_pdf;

    fn stored(pdf: &[u8]) -> (tempfile::TempDir, EvidenceFiles, String) {
        let dir = tempfile::tempdir().unwrap();
        let files = EvidenceFiles::open(dir.path(), [7; 32]).unwrap();
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(pdf));
        std::fs::create_dir_all(files.object(&sha).parent().unwrap()).unwrap();
        std::fs::write(files.object(&sha), pdf).unwrap();
        (dir, files, sha)
    }

    #[test]
    fn the_page_count_is_read_from_pdfinfo() {
        assert!(missing_tools().is_empty(), "poppler-utils is installed for the tests");
        assert_eq!(parse_page_count("Producer: x\nPages:           12\nEncrypted: no\n"), Some(12));
        assert_eq!(parse_page_count("Pages: 0\n"), None);
        assert_eq!(parse_page_count("nothing"), None);
    }

    #[tokio::test]
    async fn pages_are_rendered_once_and_kept_and_a_page_past_the_end_is_refused() {
        let (_dir, files, sha) = stored(&two_page_pdf());
        let pdf = PdfPages::new(CONCURRENT_RENDERS, RENDER_TIMEOUT);
        let first = pdf.page(&files, &sha, 1).await.unwrap();
        assert_eq!(first.pages, 2);
        let picture = image::load_from_memory(&first.png).unwrap();
        assert_eq!((picture.width(), picture.height()), (1067, 1600), "portrait, long side {PAGE_SIZE}");
        assert!(files.pdf_page(&sha, 1).exists() && files.pdf_page_count(&sha).exists(), "kept on disk");

        // Kept: with the tools gone, the page and the count still come from disk.
        let without = PdfPages::with_tools(1, RENDER_TIMEOUT, "/nonexistent/pdftoppm".into(), "/nonexistent/pdfinfo".into());
        assert_eq!(without.page(&files, &sha, 1).await.unwrap().png, first.png);
        let missing = without.page(&files, &sha, 2).await.unwrap_err();
        assert!(matches!(missing, PdfError::ToolMissing("pdftoppm")), "{missing}");
        let said = AppError::from(missing);
        assert!(said.message.unwrap().contains("poppler-utils"), "the refusal names what is missing");
        assert!(matches!(pdf.page(&files, &sha, 3).await, Err(PdfError::NoSuchPage { page: 3, pages: 2 })));
        let refused = AppError::from(PdfError::NoSuchPage { page: 3, pages: 2 });
        assert_eq!((refused.code, refused.message.as_deref()), (ErrorCode::NotFound, Some("该页不存在（共2页）")));
    }

    #[tokio::test]
    async fn a_tool_that_hangs_is_killed_and_a_broken_pdf_is_refused() {
        let (_dir, files, sha) = stored(b"%PDF-1.4\nnot really a PDF\n%%EOF\n");
        let pdf = PdfPages::new(1, RENDER_TIMEOUT);
        assert!(matches!(pdf.page(&files, &sha, 1).await, Err(PdfError::Unreadable { tool: "pdfinfo", .. })));

        // `sleep FILE` fails at once; a shell script that sleeps stands in for a stuck renderer.
        let dir = tempfile::tempdir().unwrap();
        let stuck = dir.path().join("stuck");
        std::fs::write(&stuck, "#!/bin/sh\nexec sleep 30\n").unwrap();
        let mut permissions = std::fs::metadata(&stuck).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
        std::fs::set_permissions(&stuck, permissions).unwrap();
        let slow = PdfPages::with_tools(1, Duration::from_millis(300), stuck.clone(), stuck);
        let started = std::time::Instant::now();
        assert!(matches!(slow.page(&files, &sha, 1).await, Err(PdfError::TimedOut("pdfinfo", _))));
        assert!(started.elapsed() < Duration::from_secs(5), "killed, not waited for");
        assert!(!files.pdf_page_count(&sha).exists(), "nothing kept from a failure");
    }
}
