use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use cloudtrial_protocol::evidence::{Evidence, EvidenceStream, NewUpload, OpinionRequest, UploadStatus};

use cloudtrial_protocol::paths;
use serde::Deserialize;

use crate::auth::{Caller, ParticipantCaller};
use crate::error::{ApiJson, ApiPath, ApiQuery, AppError};
use super::stored_file;
use crate::evidence::review::{self, Content, Variant};
use crate::evidence::uploads;
use crate::state::AppState;

pub fn router(max_chunk: u64) -> Router<AppState> {
    Router::new()
        .route(paths::UPLOADS, post(create_upload))
        .route(paths::UPLOAD,
            get(upload_status).patch(write_chunk).layer(DefaultBodyLimit::max(max_chunk as usize + 1024)),
        )
        .route(paths::EVIDENCE_LIST, get(list))
        .route(paths::EVIDENCE, get(one))
        .route(paths::EVIDENCE_ORIGINAL, get(original))
        .route(paths::EVIDENCE_COPY, get(copy))
        .route(paths::EVIDENCE_STREAM, get(stream).post(stream_link))
        .route(paths::EVIDENCE_RELEASE, post(release))
        .route(paths::EVIDENCE_PREVIEW, get(preview))
        .route(paths::EVIDENCE_THUMBNAIL, get(thumbnail))
        .route(paths::EVIDENCE_WITHDRAW, post(withdraw))
        .route(paths::EVIDENCE_OPINION, put(opinion))
        .route(paths::EVIDENCE_PAGE, get(pdf_page))
        .route(paths::EVIDENCE_ANNOTATED, get(annotated))
}

async fn create_upload(
    State(state): State<AppState>,
    caller: ParticipantCaller,
    ApiPath(hearing_id): ApiPath<i64>,
    ApiJson(new): ApiJson<NewUpload>,
) -> Result<(StatusCode, Json<UploadStatus>), AppError> {
    uploads::create(&state, &caller, hearing_id, new).await.map(|s| (StatusCode::CREATED, Json(s)))
}

fn with_offset(status: UploadStatus) -> Response {
    let offset = status.offset;
    let mut response = Json(status).into_response();
    response.headers_mut().insert("upload-offset", HeaderValue::from(offset));
    response
}

async fn upload_status(
    State(state): State<AppState>,
    caller: ParticipantCaller,
    ApiPath(upload_id): ApiPath<String>,
) -> Result<Response, AppError> {
    uploads::get(&state, &caller, &upload_id).await.map(with_offset)
}

/// `PATCH /api/uploads/{id}` with `Upload-Offset` and `Upload-Checksum: sha256 <base64>`; the body is the chunk.
async fn write_chunk(
    State(state): State<AppState>,
    caller: ParticipantCaller,
    ApiPath(upload_id): ApiPath<String>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, AppError> {
    let chunk = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::new(cloudtrial_protocol::ErrorCode::PayloadTooLarge)
        } else if crate::body_deadline::arrived_too_slowly(&e) {
            AppError::with_message(cloudtrial_protocol::ErrorCode::Interrupted, crate::body_deadline::TOO_SLOW)
        } else {
            // Nothing of it was written: the app sends it again.
            AppError::with_message(cloudtrial_protocol::ErrorCode::Interrupted, "上传的数据未能完整送达，请检查网络后重试")
        }
    })?;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let offset = header("upload-offset")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .ok_or_else(|| AppError::invalid("缺少 Upload-Offset"))?;
    let checksum = uploads::parse_checksum(header("upload-checksum").ok_or_else(|| AppError::invalid("缺少 Upload-Checksum"))?)?;
    uploads::write_chunk(&state, &caller, &upload_id, offset, checksum, chunk).await.map(with_offset)
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(hearing_id): ApiPath<i64>,
) -> Result<Json<Vec<Evidence>>, AppError> {
    review::list(&state, &caller, hearing_id).await.map(Json)
}

async fn one(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<String>) -> Result<Json<Evidence>, AppError> {
    review::get(&state, &caller, &id).await.map(|(_, e, _)| Json(e))
}

/// `filename*` per RFC 6266/5987, so Chinese names survive.
fn disposition(kind: &str, name: &str) -> HeaderValue {
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    HeaderValue::from_str(&format!("{kind}; filename=\"evidence\"; filename*=UTF-8''{encoded}"))
        .unwrap_or(HeaderValue::from_static("attachment"))
}

async fn serve(state: &AppState, caller: &Caller, request: &HeaderMap, id: &str, variant: Variant) -> Result<Response, AppError> {
    let (evidence, content, media_type) = review::file(state, caller, id, variant).await?;
    let (media_type, disposition) = match variant {
        // The original is always a download, typed by what it is: never rendered in the page.
        Variant::Original => {
            let name = crate::evidence::sniff::download_name(&evidence.file_name, &evidence.media_type);
            (evidence.media_type.as_str(), disposition("attachment", &name))
        }
        Variant::Copy => (media_type, disposition("attachment", &format!("{}（副本）.jpg", evidence.title))),
        _ => (media_type, disposition("inline", &format!("{}.jpg", evidence.title))),
    };
    let etag = format!("\"{}\"", evidence.sha256);
    let mut response = match content {
        Content::Picture(bytes) => (StatusCode::OK, bytes).into_response(),
        Content::Stored(path) => stored_file::response(&path, request, &etag).await?,
    };
    describe(&mut response, &evidence, media_type, disposition, "private, max-age=3600");
    let headers = response.headers_mut();
    headers.insert(header::ETAG, HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"\"")));
    if let Some(captured) = evidence.captured_at.as_deref().and_then(|c| HeaderValue::from_str(c).ok()) {
        headers.insert(paths::headers::EVIDENCE_CAPTURED_AT, captured);
    }
    Ok(response)
}

/// A file made from evidence, never rendered as a page of the site, with the
/// original's hash beside it (which a copy or a picture no longer carries).
fn file_response(evidence: &Evidence, bytes: Vec<u8>, media_type: &str, disposition: HeaderValue, cache: &'static str) -> Response {
    let mut response = (StatusCode::OK, bytes).into_response();
    describe(&mut response, evidence, media_type, disposition, cache);
    response
}

fn describe(response: &mut Response, evidence: &Evidence, media_type: &str, disposition: HeaderValue, cache: &'static str) {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(media_type).unwrap_or(HeaderValue::from_static("application/octet-stream")));
    headers.insert(header::CONTENT_DISPOSITION, disposition);
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(paths::headers::EVIDENCE_SHA256, HeaderValue::from_str(&evidence.sha256).unwrap_or(HeaderValue::from_static("")));
}

/// `GET /api/evidence/{id}/pages/{page}`: a PDF's page as a PNG, with the page count.
async fn pdf_page(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, page)): ApiPath<(String, u32)>,
) -> Result<Response, AppError> {
    let (evidence, rendered) = review::pdf_page(&state, &caller, &id, page).await?;
    let name = format!("{}-第{page}页.png", evidence.title);
    let mut response = file_response(&evidence, rendered.png, "image/png", disposition("inline", &name), "private, max-age=3600");
    let headers = response.headers_mut();
    headers.insert(paths::headers::EVIDENCE_PAGES, HeaderValue::from(rendered.pages));
    let etag = format!("\"{}-{page}\"", evidence.sha256);
    headers.insert(header::ETAG, HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"\"")));
    Ok(response)
}

#[derive(Debug, Deserialize)]
struct PageQuery {
    page: Option<u32>,
}

/// `GET /api/evidence/{id}/annotated?page=N`: the page with its 圈注, a download for the case file.
async fn annotated(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Response, AppError> {
    let page = query.page.unwrap_or(1);
    let (evidence, png) = review::annotated(&state, &caller, &id, page).await?;
    let name = match evidence.kind {
        cloudtrial_protocol::evidence::EvidenceKind::Pdf => format!("{}-第{page}页-圈注.png", evidence.title),
        _ => format!("{}-圈注.png", evidence.title),
    };
    // The marks change while the hearing runs: never kept.
    Ok(file_response(&evidence, png, "image/png", disposition("attachment", &name), "no-store"))
}

async fn original(State(state): State<AppState>, caller: Caller, request: HeaderMap, ApiPath(id): ApiPath<String>) -> Result<Response, AppError> {
    serve(&state, &caller, &request, &id, Variant::Original).await
}

#[derive(Debug, Deserialize)]
struct StreamQuery {
    ticket: String,
}

/// `GET /api/evidence/{id}/stream?ticket=…`: the original, for the session the ticket names.
async fn stream(
    State(state): State<AppState>,
    request: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<StreamQuery>,
) -> Result<Response, AppError> {
    let caller = review::stream_caller(&state, &id, &query.ticket).await?;
    serve(&state, &caller, &request, &id, Variant::Original).await
}

async fn stream_link(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<String>) -> Result<Json<EvidenceStream>, AppError> {
    review::stream_link(&state, &caller, &id).await.map(Json)
}

async fn copy(State(state): State<AppState>, caller: Caller, request: HeaderMap, ApiPath(id): ApiPath<String>) -> Result<Response, AppError> {
    serve(&state, &caller, &request, &id, Variant::Copy).await
}

async fn release(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<String>) -> Result<Json<Evidence>, AppError> {
    review::release_original(&state, &caller, &id).await.map(Json)
}

async fn preview(State(state): State<AppState>, caller: Caller, request: HeaderMap, ApiPath(id): ApiPath<String>) -> Result<Response, AppError> {
    serve(&state, &caller, &request, &id, Variant::Preview).await
}

async fn thumbnail(State(state): State<AppState>, caller: Caller, request: HeaderMap, ApiPath(id): ApiPath<String>) -> Result<Response, AppError> {
    serve(&state, &caller, &request, &id, Variant::Thumbnail).await
}

async fn withdraw(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<String>) -> Result<Json<Evidence>, AppError> {
    review::withdraw(&state, &caller, &id).await.map(Json)
}

async fn opinion(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(opinion): ApiJson<OpinionRequest>,
) -> Result<Json<Evidence>, AppError> {
    review::give_opinion(&state, &caller, &id, opinion).await.map(Json)
}
