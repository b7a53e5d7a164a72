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
                // A failing provider that quotes the message back, as some do.
                if shared.fail { (AxumStatus::SERVICE_UNAVAILABLE, format!("quota exceeded: {body}")) } else { (AxumStatus::OK, "ok".to_owned()) }
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

/// With a real provider, the code reaches the party's phone and nowhere
/// else: the outbox keeps it masked, and so does a provider's error that quotes it.
#[tokio::test]
async fn with_a_provider_login_codes_are_delivered_but_never_kept() {
    for fail in [false, true] {
        let (url, provider) = start_provider(fail).await;
        let server = TestServer::start_with(|c| {
            c.sms = SmsConfig::Http { url, bearer_token: None, template: None };
            c.trial_show_login_codes = true;
        })
        .await;
        let clerk = server.staff(StaffRole::Clerk, "clerk").await;
        let hearing = server.book(&clerk.token, "案1", &[JUDGE, PLAINTIFF]).await;
        server.request_code(&hearing.meeting_number.to_string(), PLAINTIFF.2).await;
        eventually("the code handed to the provider", || async {
            provider.received.lock().unwrap().iter().any(|(_, body)| body["content"].as_str().unwrap_or("").contains("验证码"))
        })
        .await;
        let sent = provider.received.lock().unwrap().iter().find_map(|(_, b)| b["content"].as_str().filter(|t| t.contains("验证码")).map(str::to_owned)).unwrap();
        let code = code_in(&sent);
        assert_eq!(code.len(), 6, "the phone gets the code: {sent}");
        eventually("the delivery recorded", || async {
            server.outbox(&clerk.token, "").await.iter().any(|m| m.kind == cloudtrial_protocol::api::SmsKind::LoginCode && m.status != SmsStatus::Queued)
        })
        .await;
        let kept = server.outbox(&clerk.token, "").await;
        let login = kept.iter().find(|m| m.kind == cloudtrial_protocol::api::SmsKind::LoginCode).unwrap();
        assert!(!login.text.contains(&code) && login.text.contains("******"), "fail={fail}: {}", login.text);
        assert!(!login.error.as_deref().unwrap_or("").contains(&code), "fail={fail}: {:?}", login.error);
        if fail {
            assert!(login.error.as_deref().unwrap().contains("******"), "the quoted message is there, masked: {:?}", login.error);
        }
    }
}
