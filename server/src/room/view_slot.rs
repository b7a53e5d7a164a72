//! The latest room view for one connection. A slow connection (a phone on a
//! bad network) gets the newest view when it can take one, instead of a
//! queue of stale ones that would fill up and get it dropped.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use cloudtrial_protocol::signalling::RoomView;

#[derive(Default)]
pub struct ViewSlot {
    latest: Mutex<Option<RoomView>>,
    /// A `Room` message is in the connection's queue, marking where the
    /// latest view goes out.
    queued: AtomicBool,
}

impl ViewSlot {
    /// Keeps `view` as the latest; true when a marker must be queued for it
    /// (none is waiting already).
    pub fn put(&self, view: RoomView) -> bool {
        *self.latest.lock().unwrap_or_else(|p| p.into_inner()) = Some(view);
        !self.queued.swap(true, Ordering::AcqRel)
    }

    /// Called when the queued marker comes out: the view to send in its place.
    pub fn take(&self) -> Option<RoomView> {
        // Cleared first, so a view put from now on queues a new marker.
        self.queued.store(false, Ordering::Release);
        self.latest.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudtrial_protocol::api::HearingStatus;

    fn view(revision: u64) -> RoomView {
        let json = serde_json::json!({
            "hearing_id": 1, "revision": revision, "status": HearingStatus::Scheduled,
            "recognition": {"status": "not_started", "message": "语音识别暂未开始"},
            "participants": [], "me": {"id": 1, "name": "张三", "role": "plaintiff", "online": true, "device": null,
                "blocked": false, "muted": false, "camera_on": false, "microphone_on": false, "network": null},
            "blocked_message": null,
        });
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn views_put_while_one_waits_are_sent_as_the_newest_only() {
        let slot = ViewSlot::default();
        assert!(slot.put(view(1)), "the first view queues a marker");
        assert!(!slot.put(view(2)), "later ones replace it without queueing");
        assert!(!slot.put(view(3)));
        assert_eq!(slot.take().map(|v| v.revision), Some(3));
        assert_eq!(slot.take(), None, "a stale marker sends nothing");
        assert!(slot.put(view(4)), "after the marker went out, a new view queues again");
        assert_eq!(slot.take().map(|v| v.revision), Some(4));
    }
}
