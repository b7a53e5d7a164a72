//! PDF page counts for 圈注, each counted once on a task of its own. A browser
//! has the pages counted when it first shows one, but the apps draw PDF pages
//! themselves, so a mark may be the first to need the count. The room waits a
//! moment for a count it starts and never for a tool that hangs or waits its
//! turn behind other renders: the whole hearing would wait with it.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use tokio::task::JoinHandle;

/// How long the room waits for a count it starts; `pdfinfo` takes milliseconds on a sound PDF.
pub const FIRST_WAIT: Duration = Duration::from_secs(1);

#[derive(Debug, PartialEq)]
pub enum PageCount {
    Counted(u32),
    /// The PDF cannot be read, or its count was lost.
    Failed(String),
    /// Still being counted: ask again later.
    Counting,
}

#[derive(Default)]
pub struct PageCounts {
    counting: HashMap<String, JoinHandle<Result<u32, String>>>,
}

impl PageCounts {
    /// The count of the PDF under `sha256`: started with `count` unless it already is,
    /// waited for [`FIRST_WAIT`] when started now, and only looked at otherwise.
    pub async fn get<F>(&mut self, sha256: &str, count: impl FnOnce() -> F) -> PageCount
    where
        F: Future<Output = Result<u32, String>> + Send + 'static,
    {
        let wait = if self.counting.contains_key(sha256) {
            Duration::ZERO
        } else {
            self.counting.insert(sha256.to_owned(), tokio::spawn(count()));
            FIRST_WAIT
        };
        let counting = self.counting.get_mut(sha256).expect("inserted above");
        // A timeout polls the task before it looks at the time: with no wait, this only looks.
        let Ok(done) = tokio::time::timeout(wait, counting).await else { return PageCount::Counting };
        self.counting.remove(sha256);
        match done {
            Ok(Ok(pages)) => PageCount::Counted(pages),
            Ok(Err(e)) => PageCount::Failed(e),
            Err(e) => PageCount::Failed(format!("the count was lost: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::time::Instant;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_quick_count_is_waited_for_and_a_slow_one_holds_the_room_once_and_only_briefly() {
        let mut counts = PageCounts::default();
        assert_eq!(counts.get("quick", || async { Ok(3) }).await, PageCount::Counted(3));

        let started = AtomicUsize::new(0);
        let slow = || {
            started.fetch_add(1, Ordering::SeqCst);
            async {
                tokio::time::sleep(Duration::from_secs(20)).await;
                Ok(12)
            }
        };
        let before = Instant::now();
        assert_eq!(counts.get("slow", slow).await, PageCount::Counting);
        assert_eq!(before.elapsed(), FIRST_WAIT, "the room waited a moment, not the 20 s");
        let again = Instant::now();
        assert_eq!(counts.get("slow", slow).await, PageCount::Counting);
        assert_eq!(again.elapsed(), Duration::ZERO, "asked again, the room does not wait");
        assert_eq!(started.load(Ordering::SeqCst), 1, "counted once");

        tokio::time::sleep(Duration::from_secs(20)).await;
        assert_eq!(counts.get("slow", slow).await, PageCount::Counted(12));
        assert_eq!(started.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn an_unreadable_pdf_fails_and_is_counted_again_when_asked_again() {
        let mut counts = PageCounts::default();
        let refused = counts.get("broken", || async { Err("pdfinfo could not read the PDF".to_owned()) }).await;
        assert_eq!(refused, PageCount::Failed("pdfinfo could not read the PDF".into()));
        assert_eq!(counts.get("broken", || async { Ok(1) }).await, PageCount::Counted(1), "nothing kept of a failure");
        let lost = counts.get("panics", || async { panic!("the count task failed") }).await;
        assert!(matches!(lost, PageCount::Failed(e) if e.starts_with("the count was lost")), "a lost count is a failure, not a hang");
    }
}
