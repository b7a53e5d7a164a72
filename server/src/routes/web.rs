//! The browser client (`web/`), embedded in the binary: `cargo run` alone serves a working site.

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::Embed;

use crate::error::{ApiPath, AppError};
use crate::state::AppState;

#[derive(Embed)]
#[folder = "../web/"]
#[exclude = "*.d.ts"]
#[exclude = "tsconfig.json"]
#[exclude = "node_modules/*"]
struct WebFiles;

/// Pages may talk to this server only; media is our own streams.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
                   media-src 'self' blob:; frame-src 'self' blob:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; \
                   form-action 'self'";

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(index)).route("/{*path}", get(file))
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn serve(path: &str) -> Result<Response, AppError> {
    let file = WebFiles::get(path).ok_or_else(AppError::not_found)?;
    let mut response = (StatusCode::OK, file.data.into_owned()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(path)));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    Ok(response)
}

async fn index() -> Result<Response, AppError> {
    serve("index.html")
}

async fn file(ApiPath(path): ApiPath<String>) -> Result<Response, AppError> {
    if path.starts_with("api/") || path.split('/').any(|part| part == ".." || part.is_empty()) {
        return Err(AppError::not_found());
    }
    serve(&path)
}
