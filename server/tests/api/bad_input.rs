//! Every endpoint that takes a body, fed garbage: the JSON error, and nothing stored.

use cloudtrial_protocol::StaffRole;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::harness::*;

async fn counts(server: &TestServer) -> (i64, i64, i64, i64, i64) {
    server
        .state()
        .store
        .call(|c| {
            let count = |table: &str| c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get::<_, i64>(0));
            Ok::<_, cloudtrial_server::store::StoreError>((
                count("hearings")?,
                count("participants")?,
                count("sms_messages")?,
                count("staff")?,
                count("sessions")?,
            ))
        })
        .await
        .unwrap()
}

async fn send_raw(
    server: &TestServer,
    method: Method,
    path: &str,
    token: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut request = server.http.request(method, server.url(path)).bearer_auth(token).body(body);
    if let Some(ct) = content_type {
        request = request.header("content-type", ct);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    let value: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text:?}"));
    (status, value)
}

#[tokio::test]
async fn malformed_missing_mistyped_and_huge_bodies_get_the_json_error_and_store_nothing() {
    let server = TestServer::start().await;
    let admin = server.staff(StaffRole::Admin, "admin").await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let hearing = server.book(&clerk.token, "案1", &[JUDGE, PLAINTIFF]).await;
    let before = counts(&server).await;

    let huge = format!(r#"{{"case_number": "{}"}}"#, "案".repeat(400_000)).into_bytes();
    let endpoints: Vec<(Method, String, &str, Vec<Vec<u8>>)> = vec![
        (
            Method::POST,
            "/api/hearings".into(),
            &clerk.token,
            vec![
                br#"{"case_number": "a2", "case_title": "x", "courtroom": "y", "scheduled_at": "2030-01-01 09:00"}"#.to_vec(),
                br#"{"case_number": 5, "case_title": "x", "courtroom": "y", "scheduled_at": "2030-01-01 09:00", "participants": []}"#.to_vec(),
                br#"{"case_number": "a", "case_title": "x", "courtroom": "y", "scheduled_at": "2030-01-01 09:00",
                    "participants": [{"name": "n", "role": "emperor", "mobile": "13800000009"}]}"#.to_vec(),
            ],
        ),
        (
            Method::PATCH,
            format!("/api/hearings/{}", hearing.id),
            &clerk.token,
            vec![
                br#"{"scheduled_at": 20300101}"#.to_vec(),
                br#"{"remove_participants": "all"}"#.to_vec(),
                br#"{"nonsense": 1}"#.to_vec(),
                br#"{"add_participants": [{"name": "n", "role": "emperor", "mobile": "13800000009"}]}"#.to_vec(),
            ],
        ),
        (
            Method::POST,
            "/api/login/code".into(),
            "",
            vec![br#"{"meeting_number": 12345678, "mobile": "13800000001"}"#.to_vec(), br#"{"mobile": "13800000001"}"#.to_vec()],
        ),
        (
            Method::POST,
            "/api/login/verify".into(),
            "",
            vec![br#"{"meeting_number": "12345678", "mobile": "13800000001"}"#.to_vec(), br#"[]"#.to_vec()],
        ),
        (Method::POST, "/api/staff/login".into(), "", vec![br#"{"username": "a"}"#.to_vec(), br#"{"username": ["a"], "password": "b"}"#.to_vec()]),
        (
            Method::POST,
            "/api/staff".into(),
            &admin.token,
            vec![br#"{"username": "x", "name": "y", "role": "king", "password": "12345678"}"#.to_vec(), br#"{"username": "x"}"#.to_vec()],
        ),
    ];

    for (method, path, token, bodies) in &endpoints {
        // Broken JSON.
        for broken in [&b"{"[..], b"{\"a\": }", b"null", b"\xff\xfe", b""] {
            let (status, body) =
                send_raw(&server, method.clone(), path, token, Some("application/json"), broken.to_vec()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{method} {path} {broken:?}: {body}");
            assert_eq!(body["code"], "invalid_request");
            assert!(!body["message"].as_str().unwrap().is_empty());
        }
        // Missing and mistyped fields.
        for body in bodies {
            let (status, answer) = send_raw(&server, method.clone(), path, token, Some("application/json"), body.clone()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{method} {path} {}: {answer}", String::from_utf8_lossy(body));
            assert_eq!(answer["code"], "invalid_request");
        }
        // Not JSON at all.
        let (status, answer) = send_raw(&server, method.clone(), path, token, Some("text/plain"), b"hello".to_vec()).await;
        assert_eq!((status, answer["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")));
        // Huge.
        let (status, answer) = send_raw(&server, method.clone(), path, token, Some("application/json"), huge.clone()).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{method} {path}");
        assert_eq!(answer["code"], "payload_too_large");
    }

    assert_eq!(counts(&server).await, before, "nothing was stored");
}

#[tokio::test]
async fn unknown_paths_and_methods_get_the_json_error() {
    let server = TestServer::start().await;
    let (status, body) = server.get("/api/nothing-here", None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let (status, body) = server.request(Method::DELETE, "/api/login/code", None, None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed")));
    let (status, body) = server.get("/api/hearings/not-a-number", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "authentication comes first: {body}");
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let (status, body) = server.get("/api/hearings/not-a-number", Some(&clerk.token)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let (status, body) = server.get("/api/hearings?filter=yesterday", Some(&clerk.token)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")));
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let server = TestServer::start().await;
    let response = server.http.get(server.url("/api/info")).send().await.unwrap();
    let id = response.headers().get("x-request-id").expect("request id").to_str().unwrap().to_owned();
    assert_eq!(id.len(), 36);
    let response = server.http.get(server.url("/api/info")).header("x-request-id", "trace-me-42").send().await.unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-me-42");
}
