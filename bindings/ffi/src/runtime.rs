use std::future::Future;
use std::sync::LazyLock;

/// The one tokio runtime behind every async call and subscription.
static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("cloudtrial-core")
        .enable_all()
        .build()
        .expect("the tokio runtime starts")
});

pub fn handle() -> tokio::runtime::Handle {
    RUNTIME.handle().clone()
}

/// Runs `future` on the bindings' runtime and waits for it from whatever
/// executor the foreign caller uses (Kotlin coroutines, Swift tasks).
pub async fn run<F>(future: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match RUNTIME.spawn(future).await {
        Ok(output) => output,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => panic!("core task cancelled: {e}"),
    }
}
