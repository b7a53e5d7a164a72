//! Abuse from one machine: floods of stalled connections, oversized bodies and
//! pictures, and names that pretend to be someone else's. The court stays
//! reachable for everyone else, within its memory, and every refusal is the
//! one JSON error shape.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::harness::*;

/// Another machine, as far as the server can tell (all of 127/8 is loopback).
const NEIGHBOUR: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

fn addr(server: &TestServer) -> SocketAddr {
    server.server.as_ref().unwrap().addr
}

/// A client that opens a new connection for every request, from `from`.
fn client_at(from: IpAddr) -> reqwest::Client {
    reqwest::Client::builder().local_address(from).pool_max_idle_per_host(0).build().unwrap()
}

async fn info_from(server: &TestServer, from: IpAddr) -> Result<StatusCode, reqwest::Error> {
    client_at(from).get(server.url("/api/info")).send().await.map(|r| r.status())
}

/// Reads until the server closes the connection; what it sent, if anything.
async fn until_closed(mut stream: TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let _ = stream.read_to_end(&mut received).await;
    received
}

#[tokio::test]
async fn a_thousand_stalled_connections_from_one_address_leave_the_court_reachable_for_others() {
    let server = TestServer::start_with(|c| c.limits.request_header_timeout = Duration::from_secs(600)).await;
    let cap = server.config.limits.connections_per_client;
    let closed = Arc::new(AtomicUsize::new(0));
    let mut stalled = tokio::task::JoinSet::new();
    for _ in 0..1000 {
        let mut stream = TcpStream::connect(addr(&server)).await.unwrap();
        // Refused connections may already be closed: writing to them can fail.
        let _ = stream.write_all(b"GET /api/info HT").await;
        let closed = closed.clone();
        stalled.spawn(async move {
            until_closed(stream).await;
            closed.fetch_add(1, Ordering::SeqCst);
        });
    }
    eventually("every connection past the cap is closed", || async { closed.load(Ordering::SeqCst) == 1000 - cap }).await;

    assert_eq!(info_from(&server, NEIGHBOUR).await.unwrap(), StatusCode::OK, "another client is served");
    assert!(info_from(&server, Ipv4Addr::LOCALHOST.into()).await.is_err(), "the flooding client gets no more connections");
    assert_eq!(closed.load(Ordering::SeqCst), 1000 - cap, "the stalled ones are held, not dropped for others");

    stalled.shutdown().await;
    eventually("the flooding client is served once its connections close", || async {
        info_from(&server, Ipv4Addr::LOCALHOST.into()).await.is_ok_and(|status| status == StatusCode::OK)
    })
    .await;
}

#[tokio::test]
async fn a_client_that_never_finishes_its_request_head_is_disconnected() {
    let server = TestServer::start_with(|c| c.limits.request_header_timeout = Duration::from_millis(300)).await;
    let mut partial = TcpStream::connect(addr(&server)).await.unwrap();
    partial.write_all(b"GET /api/info HTTP/1.1\r\nHost: court\r\nX-Slow: ").await.unwrap();
    let silent = TcpStream::connect(addr(&server)).await.unwrap();
    let (partial, silent) = tokio::time::timeout(Duration::from_secs(60), async {
        tokio::join!(until_closed(partial), until_closed(silent))
    })
    .await
    .expect("the server closes both connections");
    assert_eq!((partial.len(), silent.len()), (0, 0), "closed without an answer");

    let mut whole = TcpStream::connect(addr(&server)).await.unwrap();
    whole.write_all(b"GET /api/info HTTP/1.1\r\nHost: court\r\nConnection: close\r\n\r\n").await.unwrap();
    let answer = String::from_utf8(until_closed(whole).await).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
}

#[tokio::test]
async fn the_room_address_refuses_a_plain_request_with_the_json_error() {
    let server = TestServer::start().await;
    let (status, body) = server.get("/api/room", None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")), "{body}");
    assert_eq!(body["message"], "此地址只接受庭审室的 WebSocket 连接");
    let response = server
        .http
        .get(server.url("/api/room"))
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "8")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "invalid_request", "an unsupported WebSocket version too");
}

async fn hearings_booked(server: &TestServer) -> i64 {
    server
        .state()
        .store
        .call(|c| {
            c.query_row("SELECT count(*) FROM hearings", [], |r| r.get::<_, i64>(0))
                .map_err(cloudtrial_server::store::StoreError::from)
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn a_party_cannot_be_booked_under_a_name_that_passes_for_another_ones() {
    let server = TestServer::start().await;
    let clerk = server.staff(cloudtrial_protocol::StaffRole::Clerk, "clerk").await;
    let disguises = [
        "张\u{200B}三", "张三\u{200D}", "\u{200F}张三", "\u{202E}三张", "张\u{2066}三\u{2069}", "张\u{061C}三", "\u{FEFF}张三",
        "张\u{2060}三", "张\u{2063}三", "张\u{00AD}三", "\u{115F}张三", "张三\u{1160}", "张三\u{3164}", "张\u{FFA0}三",
        "张\u{034F}三", "张三\u{FE0F}", "张三\u{E0100}", "张三\u{E0041}\u{E007F}",
    ];
    for name in disguises {
        let mut booking = server.booking("案1", &[JUDGE, PLAINTIFF, DEFENDANT]);
        booking["participants"][2]["name"] = serde_json::json!(name);
        let (status, body) = server.post("/api/hearings", Some(&clerk.token), &booking).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")), "{name:?}: {body}");
        assert_eq!(body["message"], "参与人姓名含有不可见字符或改变文字方向的字符，请删除后重新填写", "{name:?}");
    }
    assert_eq!(hearings_booked(&server).await, 0, "nothing was booked");
    server.book(&clerk.token, "案1", &[JUDGE, PLAINTIFF, DEFENDANT]).await;
}

#[tokio::test]
async fn huge_names_and_mobile_numbers_are_refused_without_being_repeated_back() {
    let server = TestServer::start().await;
    let clerk = server.staff(cloudtrial_protocol::StaffRole::Clerk, "clerk").await;
    let huge = "8".repeat(30_000);
    let cases = [
        ("mobile", huge.clone(), "手机号格式不正确，应为11位手机号码"),
        ("name", "张".repeat(10_000), "参与人姓名不能超过50个字"),
    ];
    for (field, value, message) in cases {
        let mut booking = server.booking("案1", &[JUDGE, PLAINTIFF]);
        booking["participants"][1][field] = serde_json::json!(value);
        let (status, body) = server.post("/api/hearings", Some(&clerk.token), &booking).await;
        assert_eq!((status, body["message"].as_str()), (StatusCode::BAD_REQUEST, Some(message)), "{field}");
    }
    let mut booking = server.booking("案1", &[JUDGE, PLAINTIFF]);
    booking["participants"][1]["role"] = serde_json::json!(huge);
    let (status, body) = server.post("/api/hearings", Some(&clerk.token), &booking).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = body["message"].as_str().unwrap();
    assert!(message.chars().count() < 200 && !message.contains(&"8".repeat(200)), "{message}");

    let (status, body) = server.request_code("12345678", &huge).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::BAD_REQUEST, Some("手机号格式不正确，应为11位手机号码")));
    assert_eq!(hearings_booked(&server).await, 0);
}
