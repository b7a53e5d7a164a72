//! Named points where the server can be made to die on purpose, as `kill -9`
//! would, to prove that a crash at any of them loses nothing. Only tests set
//! `CLOUDTRIAL_TEST_CRASH_AT`; otherwise a point costs one comparison.

use std::sync::OnceLock;

pub const CRASH_AT: &str = "CLOUDTRIAL_TEST_CRASH_AT";

/// Aborts the process (no destructors, no flushing) if this is the chosen point.
pub fn point(name: &str) {
    static CHOSEN: OnceLock<Option<String>> = OnceLock::new();
    if CHOSEN.get_or_init(|| std::env::var(CRASH_AT).ok()).as_deref() == Some(name) {
        eprintln!("crashing on purpose at {name}");
        std::process::abort();
    }
}
