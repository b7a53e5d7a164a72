//! A stored original is served only while its bytes still match the hash it
//! is stored under: checked once per file per process, and again by a
//! periodic scrub. A mismatch is refused with a clear error and logged in
//! every hearing that holds the file.

use cloudtrial_protocol::ErrorCode;
use cloudtrial_protocol::evidence::Evidence;
use serde_json::json;

use super::files::Derived;
use super::{images, sniff};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{self, events::EventActor};

fn damaged() -> AppError {
    AppError::with_message(ErrorCode::Internal, "该证据的存储文件与登记的校验值不一致，已停止提供并记入庭审日志，请联系法院")
}

/// Where the original is stored, once it is checked against its hash
/// (unless this process already did).
pub async fn original(state: &AppState, evidence: &Evidence) -> Result<std::path::PathBuf, AppError> {
    check_stored(state, evidence).await?;
    Ok(state.evidence.files.object(&evidence.sha256))
}

/// Checks, as a stream and unless this process already did, that the stored
/// original still matches its hash: before a tool reads it from disk.
pub async fn check_stored(state: &AppState, evidence: &Evidence) -> Result<(), AppError> {
    if state.evidence.is_verified(&evidence.sha256) {
        return Ok(());
    }
    let path = state.evidence.files.object(&evidence.sha256);
    let actual = tokio::task::spawn_blocking(move || super::EvidenceFiles::hash_file(&path))
        .await
        .map_err(AppError::internal)?
        .map_err(|e| AppError::internal(format!("evidence file unreadable: {e}")))?;
    if actual != evidence.sha256 {
        report(state, &evidence.sha256, &actual).await;
        return Err(damaged());
    }
    state.evidence.mark_verified(&evidence.sha256);
    Ok(())
}

/// A derived file whose MAC holds, if there is one.
async fn read_derived(state: &AppState, path: &std::path::Path) -> Result<Option<Vec<u8>>, AppError> {
    let (files, path) = (state.evidence.files.clone(), path.to_owned());
    tokio::task::spawn_blocking(move || files.read_derived(&path))
        .await
        .map_err(AppError::internal)?
        .map_err(storage)
}

/// One picture made from an image's original: its format, its EXIF
/// orientation and the decoding limits, and where derived files go.
struct Source<'a> {
    original: &'a [u8],
    format: sniff::ImageFormat,
    orientation: Option<u32>,
    limits: images::ImageLimits,
    files: &'a super::EvidenceFiles,
}

fn storage(e: std::io::Error) -> AppError {
    AppError::internal(format!("evidence storage: {e}"))
}

fn unsupported(e: images::ImageError) -> AppError {
    AppError::with_message(ErrorCode::UnsupportedMedia, e.to_string())
}

/// The derived file at `path` if its MAC holds; otherwise `make` makes it
/// from the checked original, in turn with the other decodes (a full decode
/// is large), and keeps it.
async fn from_original(
    state: &AppState,
    evidence: &Evidence,
    path: std::path::PathBuf,
    make: impl FnOnce(Source<'_>) -> Result<Vec<u8>, AppError> + Send + 'static,
) -> Result<Vec<u8>, AppError> {
    if let Some(bytes) = read_derived(state, &path).await? {
        return Ok(bytes);
    }
    let turn = state.evidence.decode_turn().await?;
    if let Some(bytes) = read_derived(state, &path).await? {
        return Ok(bytes);
    }
    let path = original(state, evidence).await?;
    let (files, limits) = (state.evidence.files.clone(), state.config.evidence.images);
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        let original = std::fs::read(path).map_err(|e| AppError::internal(format!("evidence file unreadable: {e}")))?;
        let format = sniff::sniff_bytes(&original).ok().and_then(|s| s.image).ok_or_else(AppError::not_found)?;
        let orientation = images::photo_info(&original).orientation;
        make(Source { original: &original, format, orientation, limits, files: &files })
    })
    .await
    .map_err(AppError::internal)?
}

/// An image's preview or thumbnail (made at upload), or made again from the
/// checked original when it is missing or does not match its MAC.
pub async fn preview(state: &AppState, evidence: &Evidence, which: Derived) -> Result<Vec<u8>, AppError> {
    let sha256 = evidence.sha256.clone();
    from_original(state, evidence, state.evidence.files.derived(&sha256, which), move |source| {
        let derived = images::derive(source.original, source.format, source.orientation, source.limits).map_err(unsupported)?;
        let files = source.files;
        files.write_derived(&files.derived(&sha256, Derived::Preview), &derived.preview).map_err(storage)?;
        files.write_derived(&files.derived(&sha256, Derived::Thumbnail), &derived.thumbnail).map_err(storage)?;
        Ok(if which == Derived::Thumbnail { derived.thumbnail } else { derived.preview })
    })
    .await
}

/// An image's full-resolution copy without metadata, made from the checked
/// original the first time anyone asks.
pub async fn clean_copy(state: &AppState, evidence: &Evidence) -> Result<Vec<u8>, AppError> {
    let path = state.evidence.files.derived(&evidence.sha256, Derived::Copy);
    from_original(state, evidence, path.clone(), move |source| {
        let copy = images::clean_copy(source.original, source.format, source.orientation, source.limits).map_err(unsupported)?;
        source.files.write_derived(&path, &copy).map_err(storage)?;
        Ok(copy)
    })
    .await
}

/// Hashes every stored original again; returns how many no longer match.
pub async fn scrub(state: &AppState) -> Result<usize, AppError> {
    let hashes = state.store.call(|conn| store::evidence::stored_hashes(conn).map_err(AppError::from)).await?;
    let mut damaged = 0;
    for expected in hashes {
        let path = state.evidence.files.object(&expected);
        let actual = tokio::task::spawn_blocking(move || super::EvidenceFiles::hash_file(&path))
            .await
            .map_err(AppError::internal)?
            .unwrap_or_else(|e| format!("unreadable: {e}"));
        if actual == expected {
            state.evidence.mark_verified(&expected);
        } else {
            state.evidence.forget_verified(&expected);
            report(state, &expected, &actual).await;
            damaged += 1;
        }
    }
    Ok(damaged)
}

/// Logs the damage once per process in each hearing holding the file.
async fn report(state: &AppState, expected: &str, actual: &str) {
    if !state.evidence.first_report(expected) {
        return;
    }
    tracing::error!(sha256 = expected, actual, "a stored evidence file no longer matches its hash");
    let (expected, actual, now) = (expected.to_owned(), actual.to_owned(), state.clock.now_ms());
    let result = state
        .store
        .call(move |conn| {
            for (hearing_id, evidence_id) in store::evidence::holders_of(conn, &expected)? {
                store::events::append(
                    conn,
                    hearing_id,
                    &EventActor::System,
                    "evidence_file_damaged",
                    &json!({"evidence_id": evidence_id, "sha256": expected, "actual_sha256": actual}),
                    now,
                )?;
            }
            Ok::<_, store::StoreError>(())
        })
        .await;
    if let Err(e) = result {
        tracing::error!("could not log damaged evidence: {e}");
    }
}
