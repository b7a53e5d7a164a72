//! The resumable upload protocol (after tus 1.0): create an upload with the
//! file's length and SHA-256, send chunks at the current offset each with
//! its own checksum, and the last chunk turns the upload into evidence.

use std::path::PathBuf;

use base64::Engine;
use bytes::Bytes;
use cloudtrial_protocol::ErrorCode;
use cloudtrial_protocol::evidence::{self, NewUpload, UNSUPPORTED_FILE_MESSAGE, UploadStatus};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::files::Derived;
use super::images;
use super::sniff;
use crate::auth::ParticipantCaller;
use crate::error::AppError;
use crate::access::{self, Action, HearingAccess};
use crate::auth::Caller;
use crate::secrets;
use crate::state::AppState;
use crate::store::evidence::{StoredFile, UploadRow};
use crate::store::{self, StoreError};
use crate::validate;

fn internal_io(e: std::io::Error) -> AppError {
    AppError::internal(format!("evidence storage: {e}"))
}

fn status(row: &UploadRow, max_chunk: u64, evidence: Option<cloudtrial_protocol::evidence::Evidence>) -> UploadStatus {
    UploadStatus { upload_id: row.id.clone(), offset: row.received, length: row.length, max_chunk, evidence }
}

/// A file name for display only: no directories, no control characters.
fn display_name(name: &str) -> Result<String, AppError> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    validate::text(base, "文件名", 255)
}

pub async fn create(
    state: &AppState,
    caller: &ParticipantCaller,
    hearing_id: i64,
    mut new: NewUpload,
) -> Result<UploadStatus, AppError> {
    HearingAccess::require(state, &Caller::Participant(caller.clone()), hearing_id, Action::SubmitEvidence).await?;
    let limits = &state.config.evidence;
    if new.length == 0 {
        return Err(AppError::invalid("文件为空"));
    }
    if new.length > limits.largest() {
        return Err(AppError::with_message(
            ErrorCode::PayloadTooLarge,
            format!("文件过大，证据文件最大为{}MB", limits.largest() >> 20),
        ));
    }
    new.sha256 = new.sha256.trim().to_ascii_lowercase();
    if new.sha256.len() != 64 || !new.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::invalid("文件校验值（SHA-256）格式不正确"));
    }
    new.file_name = display_name(&new.file_name)?;
    let texts = evidence::checked_texts(&new.title, &new.purpose, &new.description).map_err(AppError::invalid)?;
    (new.title, new.purpose, new.description) = (texts.title, texts.purpose, texts.description);
    if new.answers.is_some() && !new.counter {
        return Err(AppError::invalid("只有反证可以指向被反驳的证据"));
    }
    let id = hex::encode(secrets::random_bytes::<16>());
    let now = state.clock.now_ms();
    let participant_id = caller.participant_id;
    let quota = (limits.open_uploads_per_participant, limits.open_upload_bytes_per_participant);
    let row = state
        .store
        .call(move |conn| {
            let (standing, _) = access::participant_standing(conn, hearing_id, participant_id)?;
            access::decide(&standing, Action::SubmitEvidence)?;
            let (open, open_bytes) = store::evidence::open_uploads_of(conn, participant_id)?;
            if open >= quota.0 || open_bytes + new.length > quota.1 {
                return Err(AppError::with_message(ErrorCode::RateLimited, "未完成的上传过多，请等待正在上传的文件完成后再提交"));
            }
            if let Some(answers) = &new.answers {
                let answered = store::evidence::by_public_id(conn, answers)?;
                if answered.is_none_or(|(_, e)| e.hearing_id != hearing_id) {
                    return Err(AppError::invalid("被反驳的证据不存在"));
                }
            }
            store::evidence::insert_upload(conn, &id, hearing_id, participant_id, &new, now)?;
            store::evidence::upload(conn, &id)?.ok_or_else(|| AppError::internal("upload vanished"))
        })
        .await?;
    Ok(status(&row, limits.max_chunk, None))
}

/// The uploader's own upload, while they may still submit evidence; anyone
/// else's looks like none at all.
async fn own_upload(state: &AppState, caller: &ParticipantCaller, upload_id: &str) -> Result<UploadRow, AppError> {
    let (id, participant_id) = (upload_id.to_owned(), caller.participant_id);
    state
        .store
        .call(move |conn| {
            let row = store::evidence::upload(conn, &id)?
                .filter(|r| r.participant_id == participant_id)
                .ok_or_else(AppError::not_found)?;
            let (standing, _) = access::participant_standing(conn, row.hearing_id, participant_id)?;
            // A finished upload can always be asked about: its answer may have been lost on the way.
            access::decide(&standing, if row.evidence_id.is_some() { Action::ReadEvidence } else { Action::SubmitEvidence })?;
            Ok(row)
        })
        .await
}

async fn completed_evidence(state: &AppState, row: &UploadRow) -> Result<Option<cloudtrial_protocol::evidence::Evidence>, AppError> {
    let Some(id) = row.evidence_id else { return Ok(None) };
    state.store.call(move |conn| store::evidence::by_row_id(conn, id).map_err(AppError::from)).await
}

pub async fn get(state: &AppState, caller: &ParticipantCaller, upload_id: &str) -> Result<UploadStatus, AppError> {
    let row = own_upload(state, caller, upload_id).await?;
    let evidence = completed_evidence(state, &row).await?;
    Ok(status(&row, state.config.evidence.max_chunk, evidence))
}

/// Parses `Upload-Checksum: sha256 <base64 digest>`.
pub fn parse_checksum(header: &str) -> Result<Vec<u8>, AppError> {
    let (algorithm, digest) = header.trim().split_once(' ').ok_or_else(|| AppError::invalid("Upload-Checksum 格式应为“sha256 <base64>”"))?;
    if !algorithm.eq_ignore_ascii_case("sha256") {
        return Err(AppError::invalid("Upload-Checksum 只支持 sha256"));
    }
    base64::engine::general_purpose::STANDARD
        .decode(digest.trim())
        .map_err(|_| AppError::invalid("Upload-Checksum 不是有效的 base64"))
}

/// Writes one chunk at `offset`. A wrong offset changes nothing (409); a
/// checksum that does not match the chunk changes nothing (460); the chunk
/// that completes the file turns it into evidence.
pub async fn write_chunk(
    state: &AppState,
    caller: &ParticipantCaller,
    upload_id: &str,
    offset: u64,
    checksum: Vec<u8>,
    chunk: Bytes,
) -> Result<UploadStatus, AppError> {
    let row = own_upload(state, caller, upload_id).await?;
    let _writing = state
        .evidence
        .try_write(upload_id)
        .ok_or_else(|| AppError::with_message(ErrorCode::Conflict, "该文件正在另一处上传，请稍后再试"))?;
    // Read again under the lock: another writer may have just finished.
    let row = own_upload(state, caller, &row.id).await?;
    let max_chunk = state.config.evidence.max_chunk;
    if row.evidence_id.is_some() {
        return Ok(status(&row, max_chunk, completed_evidence(state, &row).await?));
    }
    if offset != row.received {
        return Err(AppError::with_message(ErrorCode::Conflict, format!("上传位置不一致：服务器已收到{}字节", row.received)));
    }
    if chunk.len() as u64 > max_chunk {
        return Err(AppError::with_message(ErrorCode::PayloadTooLarge, format!("每次最多上传{}KB", max_chunk >> 10)));
    }
    if offset + chunk.len() as u64 > row.length {
        return Err(AppError::with_message(ErrorCode::PayloadTooLarge, "上传的数据超过了声明的文件大小"));
    }
    if chunk.is_empty() && row.received < row.length {
        return Err(AppError::invalid("上传的数据为空"));
    }
    if Sha256::digest(&chunk).as_slice() != checksum.as_slice() {
        return Err(AppError::new(ErrorCode::ChecksumMismatch));
    }
    // Every byte may be in already (an earlier completion was cut short): then only finishing remains.
    let row = if row.received < row.length { append(state, row, offset, chunk).await? } else { row };
    if row.received < row.length {
        return Ok(status(&row, max_chunk, None));
    }
    let evidence = finish(state, row.clone(), true).await?;
    Ok(status(&row, max_chunk, Some(evidence)))
}

/// Writes a chunk durably, then records the new offset.
async fn append(state: &AppState, row: UploadRow, offset: u64, chunk: Bytes) -> Result<UploadRow, AppError> {
    let (files, id) = (state.evidence.files.clone(), row.id.clone());
    let written = tokio::task::spawn_blocking(move || files.append(&id, offset, &chunk).map(|()| chunk.len() as u64))
        .await
        .map_err(AppError::internal)?;
    let received = match written {
        Ok(n) => offset + n,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // The partial file is gone (the disk was restored, or cleaned by hand): start the file again.
            let id = row.id.clone();
            let now = state.clock.now_ms();
            state.store.call(move |conn| store::evidence::set_received(conn, &id, 0, now)).await?;
            return Err(AppError::with_message(ErrorCode::Conflict, "服务器上的部分数据已丢失，请从头重新上传"));
        }
        Err(e) => return Err(internal_io(e)),
    };
    crate::fault::point("upload.chunk_written");
    let (id, now) = (row.id.clone(), state.clock.now_ms());
    state.store.call(move |conn| store::evidence::set_received(conn, &id, received, now)).await?;
    crate::fault::point("upload.offset_saved");
    Ok(UploadRow { received, ..row })
}

/// What the finished file turned out to be, after checks.
struct Checked {
    sniffed: sniff::Sniffed,
    info: images::PhotoInfo,
    derived: Option<images::Derived>,
}

/// Verifies the whole file, stores it durably, and records it as evidence.
/// `live`: finishing a chunk's request (not a start-up's recovery of one a crash cut short).
async fn finish(state: &AppState, row: UploadRow, live: bool) -> Result<cloudtrial_protocol::evidence::Evidence, AppError> {
    let files = state.evidence.files.clone();
    let limits = state.config.evidence.clone();
    let (partial, declared, length) = (files.partial(&row.id), row.sha256.clone(), row.length);
    let checked = tokio::task::spawn_blocking(move || -> Result<Result<(sniff::Sniffed, PathBuf), AppError>, std::io::Error> {
        // After a crash the partial file may already have moved into place: then the stored object is it.
        let whole = |path: &std::path::Path| std::fs::metadata(path).is_ok_and(|m| m.len() == length);
        let path = if whole(&partial) { partial } else { files.object(&declared) };
        if !path.exists() {
            return Ok(Err(AppError::with_message(ErrorCode::Conflict, "服务器上的上传数据已丢失，请重新上传该文件")));
        }
        let actual = super::EvidenceFiles::hash_file(&path)?;
        if actual != declared {
            return Ok(Err(AppError::invalid("文件内容与声明的校验值不一致，证据未保存")));
        }
        let sniffed = match sniff::sniff_file(&path)? {
            Ok(sniffed) => sniffed,
            Err(format) => {
                tracing::info!(format, "file of an unsupported type refused");
                return Ok(Err(AppError::with_message(ErrorCode::UnsupportedMedia, UNSUPPORTED_FILE_MESSAGE)));
            }
        };
        let size = std::fs::metadata(&path)?.len();
        if size > limits.for_kind(sniffed.kind) {
            return Ok(Err(AppError::with_message(
                ErrorCode::PayloadTooLarge,
                format!("{}文件最大为{}MB", sniffed.kind.label(), limits.for_kind(sniffed.kind) >> 20),
            )));
        }
        Ok(Ok((sniffed, path)))
    })
    .await
    .map_err(AppError::internal)?
    .map_err(internal_io)?;
    let checked = match checked {
        Ok((sniffed, path)) if sniffed.image.is_some() => photo(state, sniffed, path, &row.sha256).await?,
        Ok((sniffed, _)) => Ok(Checked { sniffed, info: images::PhotoInfo::default(), derived: None }),
        Err(refusal) => Err(refusal),
    };
    let checked = match checked {
        Ok(checked) => checked,
        Err(refusal) => {
            // Nothing of a refused file is kept.
            let _ = state.evidence.files.remove_partial(&row.id);
            let id = row.id.clone();
            state.store.call(move |conn| store::evidence::delete_upload(conn, &id)).await?;
            return Err(refusal);
        }
    };
    // The original is durable under its hash before the row that points at it.
    let (files, id, sha) = (state.evidence.files.clone(), row.id.clone(), row.sha256.clone());
    crate::fault::point("upload.previews_written");
    let restored = tokio::task::spawn_blocking(move || {
        if files.partial(&id).exists() { files.commit_object(&id, &sha) } else { Ok(false) }
    })
    .await
    .map_err(AppError::internal)?
    .map_err(internal_io)?;
    crate::fault::point("upload.object_stored");
    if restored {
        tracing::warn!(sha256 = %row.sha256, "a damaged stored file was replaced by the same content submitted again");
        state.evidence.restored(&row.sha256);
    }

    let public_id = hex::encode(secrets::random_bytes::<12>());
    let now = state.clock.now_ms();
    let hearing_id = row.hearing_id;
    let actor = crate::store::events::EventActor::Participant { id: row.participant_id, name: String::new() };
    let (upload_id, participant_id) = (row.id.clone(), row.participant_id);
    let registered = state
        .store
        .call(move |conn| {
            let tx = conn.transaction().map_err(StoreError::from)?;
            // The decision made when the last chunk came in must still hold as the item is
            // registered: the hearing may have been closed, or the party blocked, meanwhile.
            // (An upload a crash left complete was allowed when its bytes came: it is kept.)
            if live {
                let (facts, _) = access::participant_standing(&tx, hearing_id, participant_id)?;
                access::decide(&facts, Action::SubmitEvidence)?;
            }
            let file = StoredFile {
                file_name: &row.metadata.file_name,
                media_type: checked.sniffed.media_type,
                kind: checked.sniffed.kind,
                size: row.length,
                sha256: &row.sha256,
                captured_at: checked.info.captured_at.as_deref(),
                width: checked.derived.as_ref().map(|d| d.width),
                height: checked.derived.as_ref().map(|d| d.height),
                has_preview: checked.derived.is_some(),
            };
            let evidence_id = store::evidence::insert_evidence(&tx, &public_id, &row, &file, now)?;
            store::evidence::complete_upload(&tx, &row.id, evidence_id)?;
            let evidence = store::evidence::by_row_id(&tx, evidence_id)?.ok_or_else(|| AppError::internal("evidence vanished"))?;
            let actor = match actor {
                crate::store::events::EventActor::Participant { id, .. } => {
                    crate::store::events::EventActor::Participant { id, name: evidence.submitter.name.clone() }
                }
                other => other,
            };
            store::events::append(
                &tx,
                hearing_id,
                &actor,
                "evidence_submitted",
                &json!({
                    "evidence_id": evidence.id, "title": evidence.title, "sha256": evidence.sha256,
                    "size": evidence.size, "media_type": evidence.media_type, "counter": evidence.counter,
                    "answers": evidence.answers,
                }),
                now,
            )?;
            if restored {
                let detail = json!({"sha256": evidence.sha256, "by_evidence_id": evidence.id});
                store::events::append(&tx, hearing_id, &crate::store::events::EventActor::System, "evidence_file_restored", &detail, now)?;
            }
            tx.commit().map_err(StoreError::from)?;
            Ok::<_, AppError>(evidence)
        })
        .await;
    let evidence = match registered {
        Ok(evidence) => evidence,
        Err(refusal) => {
            // Refused by the rules, not lost: the party is told, and the stored bytes (held by no
            // evidence) go at the next start-up's cleaning.
            if matches!(refusal.code, ErrorCode::Conflict | ErrorCode::Forbidden | ErrorCode::Blocked) {
                state.store.call(move |conn| store::evidence::delete_upload(conn, &upload_id)).await?;
            }
            return Err(refusal);
        }
    };
    tracing::info!(hearing_id, evidence = %evidence.id, sha256 = %evidence.sha256, "evidence submitted");
    state.rooms.evidence_changed(hearing_id, evidence.id.clone()).await;
    Ok(evidence)
}

/// A picture's EXIF, and its preview and thumbnail stored durably; decoded
/// in turn with the other pictures, since decoding is where an upload's memory goes.
async fn photo(state: &AppState, sniffed: sniff::Sniffed, path: PathBuf, sha256: &str) -> Result<Result<Checked, AppError>, AppError> {
    let (files, limits, sha256) = (state.evidence.files.clone(), state.config.evidence.images, sha256.to_owned());
    // A picture too large to decode is refused from its header, without waiting for a turn.
    if let Some(format) = sniffed.image {
        let header = path.clone();
        let fits = tokio::task::spawn_blocking(move || {
            std::fs::File::open(header).map(|file| images::check_header(std::io::BufReader::new(file), format, limits))
        })
        .await
        .map_err(AppError::internal)?
        .map_err(internal_io)?;
        if let Err(e) = fits {
            return Ok(Err(AppError::with_message(ErrorCode::UnsupportedMedia, e.to_string())));
        }
    }
    let turn = state.evidence.decode_turn().await?;
    tokio::task::spawn_blocking(move || {
        // Given back when the decode is done, even if the request was abandoned meanwhile.
        let _turn = turn;
        let bytes = std::fs::read(&path)?;
        let info = images::photo_info(&bytes);
        let Some(format) = sniffed.image.filter(|f| *f != sniff::ImageFormat::Heic) else {
            return Ok(Ok(Checked { sniffed, info, derived: None }));
        };
        let derived = match images::derive(&bytes, format, info.orientation, limits) {
            Ok(derived) => derived,
            Err(e) => {
                tracing::info!(sha256, "picture refused: {e:?}");
                return Ok(Err(AppError::with_message(ErrorCode::UnsupportedMedia, e.to_string())));
            }
        };
        files.write_derived(&files.derived(&sha256, Derived::Preview), &derived.preview)?;
        files.write_derived(&files.derived(&sha256, Derived::Thumbnail), &derived.thumbnail)?;
        Ok(Ok(Checked { sniffed, info, derived: Some(derived) }))
    })
    .await
    .map_err(AppError::internal)?
    .map_err(internal_io)
}

/// Start-up reconciliation of the store with the database: uploads whose
/// every byte arrived but whose completion a crash cut short are finished;
/// uploads untouched past their expiry are forgotten; files nothing points
/// at (partial files of forgotten uploads, temporaries, originals of no
/// evidence) are removed. Returns how many uploads were finished and how
/// many files or uploads removed.
pub async fn reconcile(state: &AppState) -> Result<(usize, usize), AppError> {
    let complete = state.store.call(|conn| store::evidence::complete_unfinished_uploads(conn).map_err(AppError::from)).await?;
    let mut finished = 0;
    for row in complete {
        let id = row.id.clone();
        match finish(state, row, false).await {
            Ok(_) => finished += 1,
            Err(e) => tracing::warn!(upload = %id, "an upload left complete by a crash was refused: {e}"),
        }
    }
    let expired = expire(state).await?;
    let (open, kept) = state
        .store
        .call(|conn| {
            let open = store::evidence::open_uploads(conn)?;
            let kept = store::evidence::stored_hashes(conn)?;
            Ok::<_, AppError>((open, kept))
        })
        .await?;
    let files = state.evidence.files.clone();
    let removed = tokio::task::spawn_blocking(move || files.clean(&open.into_iter().collect(), &kept.into_iter().collect()))
        .await
        .map_err(AppError::internal)?
        .map_err(internal_io)?;
    Ok((finished, removed + expired))
}

/// Forgets uploads untouched past their expiry and removes their partial
/// files; one being written to right now is left for the next round.
pub async fn expire(state: &AppState) -> Result<usize, AppError> {
    let before = state.clock.now_ms() - state.config.evidence.upload_expiry.as_millis() as i64;
    let stale = state.store.call(move |conn| store::evidence::stale_uploads(conn, before).map_err(AppError::from)).await?;
    let mut expired = 0;
    for id in stale {
        let Some(_writing) = state.evidence.try_write(&id) else { continue };
        let row_id = id.clone();
        if state.store.call(move |conn| store::evidence::expire_upload(conn, &row_id, before)).await? {
            state.evidence.files.remove_partial(&id).map_err(internal_io)?;
            expired += 1;
        }
    }
    Ok(expired)
}
