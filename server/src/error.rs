//! The server's one error type. Every failure leaves as the same JSON shape:
//! `{"code": "...", "message": "..."}`.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cloudtrial_protocol::{ErrorBody, ErrorCode};
use serde::de::DeserializeOwned;

use crate::store::StoreError;

#[derive(Debug)]
pub struct AppError {
    pub code: ErrorCode,
    pub message: Option<String>,
    /// Logged, never sent.
    pub internal: Option<String>,
}

impl AppError {
    pub fn new(code: ErrorCode) -> Self {
        Self { code, message: None, internal: None }
    }

    pub fn with_message(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: Some(message.into()), internal: None }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::with_message(ErrorCode::InvalidRequest, message)
    }

    pub fn internal(detail: impl std::fmt::Display) -> Self {
        Self { code: ErrorCode::Internal, message: None, internal: Some(detail.to_string()) }
    }

    pub fn forbidden() -> Self {
        Self::new(ErrorCode::Forbidden)
    }

    pub fn not_found() -> Self {
        Self::new(ErrorCode::NotFound)
    }

    pub fn body(&self) -> ErrorBody {
        match &self.message {
            Some(message) => ErrorBody::with_message(self.code, message.clone()),
            None => ErrorBody::new(self.code),
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.body().message)?;
        if let Some(internal) = &self.internal {
            write!(f, " ({internal})")?;
        }
        Ok(())
    }
}

impl std::error::Error for AppError {}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        Self::internal(e)
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        Self::internal(e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Some(internal) = &self.internal {
            tracing::error!(code = ?self.code, "{internal}");
        } else if self.code == ErrorCode::Internal {
            tracing::error!("internal error");
        }
        let status = StatusCode::from_u16(self.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(self.body())).into_response()
    }
}

/// Puts the JSON shape on an error response that left without it: a
/// rejection by one of axum's own extractors (a `Bytes` body over its limit,
/// say) or a refusal by a layer. Status and headers are kept.
pub async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let code = match status {
        StatusCode::UNAUTHORIZED => ErrorCode::Unauthorized,
        StatusCode::FORBIDDEN => ErrorCode::Forbidden,
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::CONFLICT => ErrorCode::Conflict,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMedia,
        StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimited,
        s if s.is_server_error() => ErrorCode::Internal,
        _ => ErrorCode::InvalidRequest,
    };
    if code == ErrorCode::Internal {
        tracing::error!(%status, "error response without details");
    }
    let (mut parts, _) = response.into_parts();
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    parts.headers.remove(header::CONTENT_LENGTH);
    let body = serde_json::to_vec(&ErrorBody::new(code)).unwrap_or_default();
    Response::from_parts(parts, axum::body::Body::from(body))
}

impl From<WebSocketUpgradeRejection> for AppError {
    fn from(_: WebSocketUpgradeRejection) -> Self {
        Self::invalid("此地址只接受庭审室的 WebSocket 连接")
    }
}

/// `Json<T>` whose rejections are `AppError`s with a Chinese explanation.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> AppError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return AppError::new(ErrorCode::PayloadTooLarge);
    }
    if crate::body_deadline::arrived_too_slowly(&rejection) {
        return AppError::with_message(ErrorCode::Interrupted, crate::body_deadline::TOO_SLOW);
    }
    let message = match &rejection {
        JsonRejection::MissingJsonContentType(_) => "请求须为 JSON 格式（Content-Type: application/json）".to_owned(),
        JsonRejection::JsonSyntaxError(_) => "JSON 格式错误".to_owned(),
        JsonRejection::JsonDataError(e) => format!("请求内容有误：{}", explain_data_error(&e.body_text())),
        _ => ErrorCode::InvalidRequest.default_message().to_owned(),
    };
    AppError { code: ErrorCode::InvalidRequest, message: Some(message), internal: None }
}

/// Turns serde's English into something a clerk can act on. The field path
/// (e.g. `participants[1].mobile`) is kept: it says where the problem is.
fn explain_data_error(text: &str) -> String {
    let text = text.strip_prefix("Failed to deserialize the JSON body into the target type: ").unwrap_or(text);
    let text = match text.rfind(" at line ") {
        Some(i) => &text[..i],
        None => text,
    };
    let (path, detail) = match text.split_once(": ") {
        Some((path, detail)) if !path.contains(' ') => (Some(path), detail),
        _ => (None, text),
    };
    let detail = if let Some(field) = detail.strip_prefix("missing field `").and_then(|f| f.strip_suffix('`')) {
        format!("缺少字段 {field}")
    } else if let Some(rest) = detail.strip_prefix("unknown field `") {
        format!("不认识的字段 {}", rest.split('`').next().unwrap_or(""))
    } else if detail.starts_with("invalid type") {
        format!("字段类型不正确（{detail}）")
    } else if detail.starts_with("unknown variant") {
        format!("取值不在允许范围内（{detail}）")
    } else {
        detail.to_owned()
    };
    // serde repeats the offending value; it may be as long as the body.
    let detail = match detail.char_indices().nth(120) {
        Some((cut, _)) => format!("{}…", &detail[..cut]),
        None => detail,
    };
    match path {
        Some(path) if path != "." => format!("{path}：{detail}"),
        _ => detail,
    }
}

/// `Query<T>` with `AppError` rejections.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Self(q.0))
            .map_err(|e: QueryRejection| AppError::invalid(format!("查询参数有误：{}", e.body_text())))
    }
}

/// `Path<T>` with `AppError` rejections. A path that does not parse is a resource that does not exist.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Self(p.0))
            .map_err(|_: PathRejection| AppError::not_found())
    }
}

#[cfg(test)]
mod tests {
    use axum::body::{Body, Bytes};
    use axum::extract::DefaultBodyLimit;
    use axum::http::{Request, StatusCode};
    use axum::routing::post;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_rejection_by_one_of_axums_own_extractors_leaves_as_the_json_error() {
        let app = axum::Router::new()
            .route("/echo", post(|body: Bytes| async move { body }))
            .layer(DefaultBodyLimit::max(16))
            .layer(axum::middleware::map_response(super::json_errors));
        let request = |body: &'static str| Request::post("/echo").body(Body::from(body)).unwrap();

        let response = app.clone().oneshot(request("more than sixteen bytes")).await.unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(response.headers()["content-type"], "application/json");
        let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
        let body: cloudtrial_protocol::ErrorBody = serde_json::from_slice(&body).unwrap();
        assert_eq!(body, cloudtrial_protocol::ErrorBody::new(cloudtrial_protocol::ErrorCode::PayloadTooLarge));

        let response = app.oneshot(request("short")).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(axum::body::to_bytes(response.into_body(), 1024).await.unwrap(), "short", "answers are untouched");
    }

    #[test]
    fn serde_errors_are_explained_in_chinese() {
        assert_eq!(
            super::explain_data_error(
                "Failed to deserialize the JSON body into the target type: meeting_number: 会议号应为8位数字 at line 1 column 27"
            ),
            "meeting_number：会议号应为8位数字"
        );
        assert_eq!(
            super::explain_data_error("Failed to deserialize the JSON body into the target type: missing field `code` at line 1 column 2"),
            "缺少字段 code"
        );
    }
}
