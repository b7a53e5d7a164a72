use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use cloudtrial_protocol::evidence::{Evidence, NewUpload, OpinionRequest, UploadStatus};

use cloudtrial_protocol::paths;
use crate::auth::{Caller, ParticipantCaller};
use crate::error::{ApiJson, ApiPath, AppError};
use crate::evidence::review::{self, Variant};
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
        .route(paths::EVIDENCE_RELEASE, post(release))
        .route(paths::EVIDENCE_PREVIEW, get(preview))
        .route(paths::EVIDENCE_THUMBNAIL, get(thumbnail))
        .route(paths::EVIDENCE_WITHDRAW, post(withdraw))
        .route(paths::EVIDENCE_OPINION, put(opinion))
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
        } else {
            AppError::invalid("无法读取上传的数据")
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

async fn serve(state: &AppState, caller: &Caller, id: &str, variant: Variant) -> Result<Response, AppError> {
    let (evidence, bytes, media_type) = review::file(state, caller, id, variant).await?;
    let (media_type, disposition) = match variant {
        // The original is always a download, typed by what it is: never rendered in the page.
        Variant::Original => (evidence.media_type.as_str(), disposition("attachment", &evidence.file_name)),
        Variant::Copy => (media_type, disposition("attachment", &format!("{}（副本）.jpg", evidence.title))),
        _ => (media_type, disposition("inline", &format!("{}.jpg", evidence.title))),
    };
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(media_type).unwrap_or(HeaderValue::from_static("application/octet-stream")));
    headers.insert(header::CONTENT_DISPOSITION, disposition);
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=3600"));
    headers.insert(header::ETAG, HeaderValue::from_str(&format!("\"{}\"", evidence.sha256)).unwrap_or(HeaderValue::from_static("\"\"")));
    // For a copy: the original's hash and when it was taken, which the copy itself no longer carries.
    headers.insert("x-evidence-sha256", HeaderValue::from_str(&evidence.sha256).unwrap_or(HeaderValue::from_static("")));
    if let Some(captured) = evidence.captured_at.as_deref().and_then(|c| HeaderValue::from_str(c).ok()) {
        headers.insert("x-evidence-captured-at", captured);
    }
    Ok(response)
}

async fn original(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<String>) -> Result<Response, AppError> {
    serve(&state, &caller, &id, Variant::Original).await
}

async fn copy(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<String>) -> Result<Response, AppError> {
    serve(&state, &caller, &id, Variant::Copy).await
}

async fn release(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<String>) -> Result<Json<Evidence>, AppError> {
    review::release_original(&state, &caller, &id).await.map(Json)
}

async fn preview(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<String>) -> Result<Response, AppError> {
    serve(&state, &caller, &id, Variant::Preview).await
}

async fn thumbnail(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<String>) -> Result<Response, AppError> {
    serve(&state, &caller, &id, Variant::Thumbnail).await
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
