use tokio::task::JoinHandle;

/// Keeps a subscription alive. Dropping it (or calling `cancel`) stops the updates.
#[derive(uniffi::Object)]
pub struct TaskHandle(JoinHandle<()>);

impl TaskHandle {
    pub(crate) fn new(handle: JoinHandle<()>) -> std::sync::Arc<Self> {
        std::sync::Arc::new(Self(handle))
    }
}

#[uniffi::export]
impl TaskHandle {
    pub fn cancel(&self) {
        self.0.abort();
    }

    pub fn is_finished(&self) -> bool {
        self.0.is_finished()
    }
}

impl Drop for TaskHandle {
    fn drop(&mut self) {
        self.0.abort();
    }
}
