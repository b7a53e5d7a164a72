//! A stored file as a response body, read from disk as it is sent, whole or
//! from where an earlier download stopped (`Range`, RFC 9110 §14), so a
//! large original costs the server no memory and a phone that lost its
//! network goes on where it was cut off.

use std::io::SeekFrom;
use std::path::Path;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cloudtrial_protocol::ErrorCode;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::error::AppError;

/// How much of the file is read at a time.
const PIECE: usize = 64 * 1024;

/// A byte range of the file, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Part {
    first: u64,
    last: u64,
}

#[derive(Debug, PartialEq, Eq)]
enum Wanted {
    Whole,
    Part(Part),
    /// A range that starts beyond the end of the file.
    Unsatisfiable,
}

/// What the request asks for. A range is honoured only as one range in
/// bytes, and only while `If-Range` (if sent) still names this file; anything
/// else gets the whole file, as RFC 9110 allows.
fn wanted(headers: &HeaderMap, length: u64, etag: &str) -> Wanted {
    let Some(range) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) else { return Wanted::Whole };
    if headers.get(header::IF_RANGE).is_some_and(|v| v.as_bytes() != etag.as_bytes()) {
        return Wanted::Whole;
    }
    let Some(spec) = range.trim().strip_prefix("bytes=") else { return Wanted::Whole };
    if spec.contains(',') {
        return Wanted::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else { return Wanted::Whole };
    let number = |s: &str| if s.is_empty() { Ok(None) } else { s.parse::<u64>().map(Some) };
    let (Ok(first), Ok(last)) = (number(first.trim()), number(last.trim())) else { return Wanted::Whole };
    let part = match (first, last) {
        (Some(first), last) => {
            if first >= length {
                return Wanted::Unsatisfiable;
            }
            let last = last.unwrap_or(u64::MAX).min(length - 1);
            if last < first {
                return Wanted::Whole;
            }
            Part { first, last }
        }
        // The last `n` bytes.
        (None, Some(n)) if n > 0 && length > 0 => Part { first: length.saturating_sub(n), last: length - 1 },
        (None, _) if length == 0 => return Wanted::Unsatisfiable,
        _ => return Wanted::Whole,
    };
    Wanted::Part(part)
}

/// The file at `path`, or the part of it the request asks for. `etag` names
/// its content (a stored file never changes under its name).
pub async fn response(path: &Path, request: &HeaderMap, etag: &str) -> Result<Response, AppError> {
    let unreadable = |e: std::io::Error| AppError::internal(format!("stored file unreadable: {e}"));
    let mut file = tokio::fs::File::open(path).await.map_err(unreadable)?;
    let length = file.metadata().await.map_err(unreadable)?.len();
    let (status, part) = match wanted(request, length, etag) {
        Wanted::Whole => (StatusCode::OK, None),
        Wanted::Part(part) => (StatusCode::PARTIAL_CONTENT, Some(part)),
        Wanted::Unsatisfiable => {
            let mut response = AppError::with_message(ErrorCode::InvalidRequest, "请求的下载位置超出了文件大小").into_response();
            *response.status_mut() = StatusCode::RANGE_NOT_SATISFIABLE;
            response.headers_mut().insert(header::CONTENT_RANGE, header_value(&format!("bytes */{length}")));
            return Ok(response);
        }
    };
    let (first, count) = part.map_or((0, length), |p| (p.first, p.last - p.first + 1));
    if first > 0 {
        file.seek(SeekFrom::Start(first)).await.map_err(unreadable)?;
    }
    let pieces = futures_util::stream::unfold((file.take(count), vec![0u8; PIECE]), |(mut file, mut buf)| async move {
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => Some((Ok::<_, std::io::Error>(Bytes::copy_from_slice(&buf[..n])), (file, buf))),
            Err(e) => {
                tracing::error!("stored file unreadable while it was sent: {e}");
                Some((Err(e), (file, buf)))
            }
        }
    });
    let mut response = (status, Body::from_stream(pieces)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(count));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Some(part) = part {
        headers.insert(header::CONTENT_RANGE, header_value(&format!("bytes {}-{}/{length}", part.first, part.last)));
    }
    Ok(response)
}

fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).expect("digits, a dash, a slash and a space")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asking(range: &str, if_range: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::RANGE, HeaderValue::from_str(range).unwrap());
        if let Some(tag) = if_range {
            headers.insert(header::IF_RANGE, HeaderValue::from_str(tag).unwrap());
        }
        headers
    }

    #[test]
    fn one_range_in_bytes_is_honoured_and_anything_else_gets_the_whole_file() {
        let part = |first, last| Wanted::Part(Part { first, last });
        assert_eq!(wanted(&HeaderMap::new(), 100, "\"a\""), Wanted::Whole);
        assert_eq!(wanted(&asking("bytes=40-", None), 100, "\"a\""), part(40, 99));
        assert_eq!(wanted(&asking("bytes=0-9", None), 100, "\"a\""), part(0, 9));
        assert_eq!(wanted(&asking("bytes=90-500", None), 100, "\"a\""), part(90, 99));
        assert_eq!(wanted(&asking("bytes=-10", None), 100, "\"a\""), part(90, 99));
        assert_eq!(wanted(&asking("bytes=-500", None), 100, "\"a\""), part(0, 99));
        assert_eq!(wanted(&asking("bytes=100-", None), 100, "\"a\""), Wanted::Unsatisfiable);
        assert_eq!(wanted(&asking("bytes=0-", None), 0, "\"a\""), Wanted::Unsatisfiable);
        for ignored in ["bytes=0-9,20-29", "items=0-9", "bytes=9-0", "bytes=x-", "bytes=-0", "bytes=-"] {
            assert_eq!(wanted(&asking(ignored, None), 100, "\"a\""), Wanted::Whole, "{ignored}");
        }
        // The part of a file that is no longer the one the client has is no use to it.
        assert_eq!(wanted(&asking("bytes=40-", Some("\"a\"")), 100, "\"a\""), part(40, 99));
        assert_eq!(wanted(&asking("bytes=40-", Some("\"b\"")), 100, "\"a\""), Wanted::Whole);
    }
}
