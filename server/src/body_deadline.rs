//! Request bodies arrive at a useful pace or not at all. After a grace, a
//! body must have kept up a minimum rate on average, slower than any phone
//! network a party joins from; one that falls behind is cut off. A client
//! trickling a body (or announcing one it never sends) cannot hold a
//! connection, and a place among the server's file descriptors, for ever.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use tokio::time::{Instant, Sleep};

#[derive(Debug, Clone, Copy)]
pub struct BodyPace {
    /// Every body may take this long, whatever its size.
    pub grace: Duration,
    /// And must keep up this rate on average on top.
    pub min_bytes_per_second: u64,
}

impl BodyPace {
    /// When a body that started at `start` and has brought `received` bytes falls behind.
    fn deadline(&self, start: Instant, received: u64) -> Instant {
        start + self.grace + Duration::from_secs_f64(received as f64 / self.min_bytes_per_second.max(1) as f64)
    }
}

/// What a client whose body came too slowly is told.
pub const TOO_SLOW: &str = "请求内容传输过慢，已中断，请检查网络后重试";

pub async fn pace_bodies(State(pace): State<BodyPace>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let start = Instant::now();
    let paced = PacedBody { inner: body, pace, start, received: 0, deadline: Box::pin(tokio::time::sleep_until(pace.deadline(start, 0))) };
    next.run(Request::from_parts(parts, Body::new(paced))).await
}

/// Whether `error` (or what caused it) is a body cut off for falling behind.
pub fn arrived_too_slowly(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut) {
            return true;
        }
        cause = e.source();
    }
    false
}

/// A body that fails once it falls behind its pace.
struct PacedBody {
    inner: Body,
    pace: BodyPace,
    start: Instant,
    received: u64,
    deadline: Pin<Box<Sleep>>,
}

impl http_body::Body for PacedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.received += data.len() as u64;
                    this.deadline.as_mut().reset(this.pace.deadline(this.start, this.received));
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Pending if this.deadline.as_mut().poll(cx).is_ready() => {
                let late = std::io::Error::new(std::io::ErrorKind::TimedOut, "the request body arrived too slowly");
                Poll::Ready(Some(Err(axum::Error::new(late))))
            }
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
