//! The bindings' own glue: the runtime they own, and subscriptions whose
//! handles cancel on drop.

use std::sync::Mutex;
use std::time::Duration;

use cloudtrial_ffi::{CloudTrialClient, DeviceKind, SessionState, SessionStateListener};
use cloudtrial_testkit::{PLAINTIFF, TestCourt};
use tokio::sync::mpsc;

struct Recorder(Mutex<mpsc::UnboundedSender<SessionState>>);

impl SessionStateListener for Recorder {
    fn on_update(&self, state: SessionState) {
        let _ = self.0.lock().unwrap().send(state);
    }
}

async fn next(rx: &mut mpsc::UnboundedReceiver<SessionState>) -> Option<SessionState> {
    tokio::time::timeout(Duration::from_secs(10), rx.recv()).await.expect("a state within 10 s")
}

#[tokio::test]
async fn a_subscription_sends_the_current_state_then_changes_until_its_handle_is_dropped() {
    let court = TestCourt::start().await;
    let client = CloudTrialClient::new(court.base_url(), court.client_dir("p").display().to_string()).unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let handle = client.subscribe_session(Box::new(Recorder(Mutex::new(tx))));
    assert_eq!(next(&mut rx).await, Some(SessionState::LoggedOut));

    client.request_login_code(court.meeting_number(), PLAINTIFF.mobile.into()).await.unwrap();
    let code = court.latest_code(PLAINTIFF.mobile).await.unwrap();
    let session =
        client.login(court.meeting_number(), PLAINTIFF.mobile.into(), code, DeviceKind::Iphone).await.unwrap();
    assert_eq!(next(&mut rx).await, Some(SessionState::LoggedIn { session }));

    drop(handle);
    // The task ends and drops the listener, closing the channel: no more updates.
    assert_eq!(next(&mut rx).await, None);
    client.logout().await.unwrap();
    assert!(rx.try_recv().is_err());
}

#[tokio::test]
async fn errors_cross_as_the_one_public_enum_with_a_chinese_reason() {
    let client = CloudTrialClient::new("http://127.0.0.1:9".into(), tempfile_dir()).unwrap();
    match client.hearing_details().await {
        Err(cloudtrial_ffi::ClientError::NotLoggedIn { reason }) => assert_eq!(reason, "请先登录"),
        other => panic!("{other:?}"),
    }
    match client.request_login_code("12345678".into(), "13800000001".into()).await {
        Err(cloudtrial_ffi::ClientError::Network { reason }) => assert_eq!(reason, "网络连接失败，请检查网络后重试"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        CloudTrialClient::new("ftp://court".into(), tempfile_dir()),
        Err(cloudtrial_ffi::ClientError::InvalidInput { .. })
    ));
}

fn tempfile_dir() -> String {
    let dir = std::env::temp_dir().join(format!("cloudtrial-ffi-test-{}", std::process::id()));
    dir.display().to_string()
}
