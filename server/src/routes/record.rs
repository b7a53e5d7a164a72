//! The court record (笔录): versions, signing, the signed PDF, verification.

use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use cloudtrial_protocol::record::{
    OpenQrSigning, QrSigning, QrSigningPage, QrSigningRenewed, RecordPublicKey, RecordVerification, RecordVersion, RecordVersionSummary,
    RecordView, SaveRecord, SealedSignature, SignRecord, SignatureInfo, SigningRound, StartSigning, SubmitQrSignature,
    TakeSpeech, VerifyHash,
};
use serde::Deserialize;

use cloudtrial_protocol::paths;
use crate::auth::Caller;
use crate::error::{ApiJson, ApiPath, ApiQuery, AppError};
use crate::record::{signed_pdf, signing, verify, writing};
use crate::state::AppState;

/// A long record, as JSON.
const RECORD_BODY_BYTES: usize = 8 << 20;
/// A signature image, base64 in JSON.
const SIGNATURE_BODY_BYTES: usize = 1 << 20;
/// A PDF to verify; it is hashed as it arrives, never held.
const VERIFY_PDF_BYTES: u64 = 32 << 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::RECORD, get(view).put(save).layer(DefaultBodyLimit::max(RECORD_BODY_BYTES)))
        .route(paths::RECORD_VERSIONS, get(versions_after))
        .route(paths::RECORD_VERSION, get(version))
        .route(paths::RECORD_SPEECH, post(take_speech))
        .route(paths::RECORD_HISTORY, get(history))
        .route(paths::RECORD_SIGNING, post(start_signing))
        .route(paths::RECORD_SIGNATURES,
            post(sign).layer(DefaultBodyLimit::max(SIGNATURE_BODY_BYTES)),
        )
        .route(paths::RECORD_SIGNATURE_IMAGE, get(signature_image))
        .route(paths::RECORD_ROUND_SIGNATURES, get(sealed))
        .route(paths::RECORD_QR, post(issue_qr))
        .route(paths::RECORD_PDF, get(pdf))
        .route(paths::SIGN_OPEN, post(open_qr))
        .route(paths::SIGN_RENEW, post(renew_qr))
        .route(paths::SIGN_SUBMIT, post(submit_qr).layer(DefaultBodyLimit::max(SIGNATURE_BODY_BYTES)))
        .route(paths::RECORDS_VERIFY, post(verify_record))
        .route(paths::RECORDS_PUBLIC_KEY, get(public_key))
}

async fn view(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<i64>) -> Result<Json<RecordView>, AppError> {
    writing::view(&state, &caller, id).await.map(Json)
}

async fn save(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<SaveRecord>,
) -> Result<Json<RecordVersion>, AppError> {
    writing::save(&state, &caller, id, request).await.map(Json)
}

async fn take_speech(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<TakeSpeech>,
) -> Result<Json<RecordVersion>, AppError> {
    writing::take_speech(&state, &caller, id, request).await.map(Json)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct After {
    #[serde(default)]
    after: u32,
}

async fn versions_after(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<After>,
) -> Result<Json<Vec<RecordVersion>>, AppError> {
    writing::versions_after(&state, &caller, id, query.after).await.map(Json)
}

async fn version(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, version)): ApiPath<(i64, u32)>,
) -> Result<Json<RecordVersion>, AppError> {
    writing::version(&state, &caller, id, version).await.map(Json)
}

async fn history(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<RecordVersionSummary>>, AppError> {
    writing::history(&state, &caller, id).await.map(Json)
}

async fn start_signing(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<StartSigning>,
) -> Result<Json<SigningRound>, AppError> {
    signing::start(&state, &caller, id, request).await.map(Json)
}

async fn sign(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<SignRecord>,
) -> Result<Json<SignatureInfo>, AppError> {
    signing::sign_in_app(&state, &caller, id, request).await.map(Json)
}

async fn signature_image(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, signature)): ApiPath<(i64, i64)>,
) -> Result<Response, AppError> {
    let png = signing::image(&state, &caller, id, signature).await?;
    let mut response = (StatusCode::OK, png).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}

async fn sealed(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, round)): ApiPath<(i64, i64)>,
) -> Result<Json<Vec<SealedSignature>>, AppError> {
    signing::sealed(&state, &caller, id, round).await.map(Json)
}

async fn issue_qr(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<i64>) -> Result<Json<QrSigning>, AppError> {
    signing::issue_qr(&state, &caller, id).await.map(Json)
}

async fn pdf(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<i64>) -> Result<Response, AppError> {
    let pdf = signed_pdf::signed_pdf(&state, &caller, id).await?;
    // Until everyone has signed, the file's name says so (as every page does).
    let state_suffix = if pdf.complete { "" } else { "-签名未完成" };
    let name: String = format!("庭审笔录-{}-第{}版{state_suffix}.pdf", pdf.case_number, pdf.version)
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let mut response = (StatusCode::OK, pdf.bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    let ascii = if pdf.complete { "record.pdf" } else { "record-incomplete.pdf" };
    let disposition = format!("inline; filename=\"{ascii}\"; filename*=UTF-8''{name}");
    headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("inline")));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    headers.insert(paths::headers::RECORD_SHA256, HeaderValue::from_str(&pdf.sha256).unwrap_or(HeaderValue::from_static("")));
    headers.insert(paths::headers::RECORD_COMPLETE, HeaderValue::from_static(if pdf.complete { "true" } else { "false" }));
    if let Some(newest) = pdf.superseded_by {
        headers.insert(paths::headers::RECORD_SUPERSEDED_BY, HeaderValue::from(newest));
    }
    Ok(response)
}

async fn open_qr(State(state): State<AppState>, ApiJson(request): ApiJson<OpenQrSigning>) -> Result<Json<QrSigningPage>, AppError> {
    signing::open_qr(&state, request).await.map(Json)
}

async fn renew_qr(State(state): State<AppState>, ApiJson(request): ApiJson<OpenQrSigning>) -> Result<Json<QrSigningRenewed>, AppError> {
    signing::renew_qr(&state, request).await.map(Json)
}

async fn submit_qr(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<SubmitQrSignature>,
) -> Result<Json<SignatureInfo>, AppError> {
    signing::submit_qr(&state, request).await.map(Json)
}

/// A PDF (`application/pdf`) or `{"sha256": …}`.
async fn verify_record(State(state): State<AppState>, request: Request) -> Result<Json<RecordVerification>, AppError> {
    let headers = request.headers();
    let is_json = headers.get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let length = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if is_json {
        let ApiJson(request) = ApiJson::<VerifyHash>::from_request(request, &state).await.map_err(|e| match e.code {
            cloudtrial_protocol::ErrorCode::PayloadTooLarge => e,
            _ => AppError::invalid("请提供笔录PDF文件或其SHA-256值"),
        })?;
        return verify::verify_hash(&state, &request.sha256).await.map(Json);
    }
    if length.is_some_and(|length| length > VERIFY_PDF_BYTES) {
        return Err(verify::too_large(VERIFY_PDF_BYTES));
    }
    let sha256 = verify::sha256_of(request.into_body().into_data_stream(), VERIFY_PDF_BYTES).await?;
    verify::verify_hash(&state, &sha256).await.map(Json)
}

async fn public_key(State(state): State<AppState>) -> Json<RecordPublicKey> {
    Json(RecordPublicKey {
        algorithm: "Ed25519".into(),
        public_key: base64::engine::general_purpose::STANDARD.encode(state.record.seal.public_key()),
    })
}
