//! The HTTP SMS gateway against a provider the test runs on a loopback port.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::routing::post;
use cloudtrial_protocol::StaffRole;
use cloudtrial_protocol::api::SmsStatus;
use cloudtrial_server::SmsConfig;
use serde_json::Value;

use crate::harness::*;

#[derive(Default)]
struct Provider {
    received: Mutex<Vec<(Option<String>, Value)>>,
    fail: bool,
}

async fn start_provider(fail: bool) -> (String, Arc<Provider>) {
    let provider = Arc::new(Provider { fail, ..Default::default() });
    let shared = provider.clone();
    let app = axum::Router::new().route(
        "/send",
        post(move |headers: HeaderMap, body: String| {
            let shared = shared.clone();
            async move {
                let auth = headers.get("authorization").map(|v| v.to_str().unwrap().to_owned());
                shared.received.lock().unwrap().push((auth, serde_json::from_str(&body).unwrap()));
                if shared.fail { (AxumStatus::SERVICE_UNAVAILABLE, "quota exceeded") } else { (AxumStatus::OK, "ok") }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/send", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, provider)
}

#[tokio::test]
async fn notices_are_posted_to_the_provider_with_credentials_and_template() {
    let (url, provider) = start_provider(false).await;
    let server = TestServer::start_with(|c| {
        c.sms = SmsConfig::Http {
            url,
            bearer_token: Some("provider-secret".into()),
            template: Some(r#"{"to": {mobile}, "sign": "天津法院", "message": {text}}"#.into()),
        }
    })
    .await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let hearing = server.book(&clerk.token, "案1", &[JUDGE, PLAINTIFF]).await;

    eventually("both notices marked sent", || async {
        let outbox = server.outbox(&clerk.token, "").await;
        outbox.len() == 2 && outbox.iter().all(|m| m.status == SmsStatus::Sent)
    })
    .await;
    let outbox = server.outbox(&clerk.token, "").await;
    let received = provider.received.lock().unwrap().clone();
    assert_eq!(received.len(), 2);
    for (auth, body) in &received {
        assert_eq!(auth.as_deref(), Some("Bearer provider-secret"));
        assert_eq!(body["sign"], "天津法院");
        let sent = outbox.iter().find(|m| m.mobile == body["to"].as_str().unwrap()).expect("matches a stored SMS");
        assert_eq!(body["message"].as_str().unwrap(), sent.text);
        assert_eq!(sent.gateway, "http");
        assert!(sent.text.contains(&hearing.meeting_number.to_string()));
    }
}

#[tokio::test]
async fn a_failing_provider_is_retried_and_the_failure_recorded() {
    let (url, provider) = start_provider(true).await;
    let server =
        TestServer::start_with(|c| c.sms = SmsConfig::Http { url, bearer_token: None, template: None }).await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    server.book(&clerk.token, "案1", &[JUDGE]).await;

    eventually("the notice marked failed", || async {
        server.outbox(&clerk.token, "").await.first().is_some_and(|m| m.status == SmsStatus::Failed)
    })
    .await;
    let sms = &server.outbox(&clerk.token, "").await[0];
    assert!(sms.error.as_deref().unwrap().contains("503"), "{:?}", sms.error);
    let received = provider.received.lock().unwrap();
    assert_eq!(received.len(), 3, "three attempts");
    assert_eq!(received[0].1["mobile"], JUDGE.2, "default template");
    assert!(received[0].1["content"].as_str().unwrap().contains("会议号为"));
}
