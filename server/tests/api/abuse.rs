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

/// The media port's ICE-TCP listener keeps the HTTP listener's rules: as many
/// connections per client, and the first packet (an ICE check) within the
/// time a request head has.
#[tokio::test]
async fn the_media_ports_tcp_connections_are_capped_per_client_and_closed_at_the_header_deadline() {
    let server = TestServer::start_with(|c| c.limits.request_header_timeout = Duration::from_secs(600)).await;
    let media = server.state().media.tcp_addr.expect("ICE-TCP is on by default");
    let cap = server.config.limits.connections_per_client;
    let closed = Arc::new(AtomicUsize::new(0));
    let mut silent = tokio::task::JoinSet::new();
    for _ in 0..cap + 10 {
        let stream = TcpStream::connect(media).await.unwrap();
        let closed = closed.clone();
        silent.spawn(async move {
            until_closed(stream).await;
            closed.fetch_add(1, Ordering::SeqCst);
        });
    }
    eventually("every connection past the cap is closed", || async { closed.load(Ordering::SeqCst) == 10 }).await;
    let refused = TcpStream::connect(media).await.unwrap();
    let refused = tokio::time::timeout(Duration::from_secs(60), until_closed(refused)).await;
    assert_eq!(refused.expect("one more is closed at once"), b"");
    assert_eq!(closed.load(Ordering::SeqCst), 10, "those within the cap are held");
    silent.shutdown().await;

    let server = TestServer::start_with(|c| c.limits.request_header_timeout = Duration::from_millis(300)).await;
    let media = server.state().media.tcp_addr.unwrap();
    let quiet = TcpStream::connect(media).await.unwrap();
    let closed = tokio::time::timeout(Duration::from_secs(60), until_closed(quiet)).await;
    assert_eq!(closed.expect("closed at the deadline"), b"");
}

/// A body that falls behind the slowest rate a phone network has (after a
/// grace) is cut off, with an answer saying so: one that trickles in, and one
/// announced huge that never comes. One that keeps up gets its answer.
#[tokio::test]
async fn a_body_that_falls_behind_is_cut_off_with_an_answer() {
    let server = TestServer::start_with(|c| {
        c.limits.body_grace = Duration::from_millis(300);
        c.limits.body_min_bytes_per_second = 1 << 10;
    })
    .await;
    let head = |length: u64| {
        format!("POST /api/login/code HTTP/1.1\r\nHost: court\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n")
    };
    let trickle = TcpStream::connect(addr(&server)).await.unwrap();
    let trickling = tokio::spawn(async move {
        let (mut reading, mut writing) = trickle.into_split();
        writing.write_all(head(100_000).as_bytes()).await.unwrap();
        // A byte every 50 ms: 20 bytes a second, against the 1 KiB a second required.
        let mut answer = Vec::new();
        loop {
            tokio::select! {
                read = tokio::io::AsyncReadExt::read_to_end(&mut reading, &mut answer) => {
                    read.unwrap();
                    return answer;
                }
                _ = tokio::time::sleep(Duration::from_millis(50)) => {
                    let _ = writing.write_all(b" ").await;
                }
            }
        }
    });
    let mut huge = TcpStream::connect(addr(&server)).await.unwrap();
    huge.write_all(format!("{}{{", head(2_000_000_000)).as_bytes()).await.unwrap();
    let mut whole = TcpStream::connect(addr(&server)).await.unwrap();
    let body = r#"{"meeting_number": "12345678", "mobile": "13800000001"}"#;
    whole.write_all(format!("{}{body}", head(body.len() as u64)).as_bytes()).await.unwrap();
    let (trickle, huge, whole) = tokio::time::timeout(Duration::from_secs(60), async {
        tokio::join!(trickling, until_closed(huge), async {
            let mut answer = [0u8; 12];
            tokio::io::AsyncReadExt::read_exact(&mut whole, &mut answer).await.unwrap();
            answer
        })
    })
    .await
    .expect("the server answers all three");
    for answer in [String::from_utf8(trickle.unwrap()).unwrap(), String::from_utf8(huge).unwrap()] {
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("\"interrupted\""), "{answer}");
        assert!(answer.contains("请求内容传输过慢"), "{answer}");
    }
    assert_eq!(&whole, b"HTTP/1.1 200", "a body that keeps up is served");
}

/// Stopping the server does not wait on a client that never finishes its request.
#[tokio::test]
async fn a_shutdown_does_not_wait_on_a_request_that_never_finishes() {
    let mut server = TestServer::start_with(|c| {
        c.limits.body_grace = Duration::from_secs(3600);
        c.limits.shutdown_grace = Duration::from_millis(300);
    })
    .await;
    let mut stuck = TcpStream::connect(addr(&server)).await.unwrap();
    let head = "POST /api/login/code HTTP/1.1\r\nHost: court\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{";
    stuck.write_all(head.as_bytes()).await.unwrap();
    // The request is in the handler once another one on a later connection has been answered.
    assert_eq!(info_from(&server, NEIGHBOUR).await.unwrap(), StatusCode::OK);
    tokio::time::timeout(Duration::from_secs(60), server.stop()).await.expect("the server stops");
    drop(stuck);
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

/// A picture of one colour: small as a PNG, as large as it says once decoded.
fn plain_png(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_pixel(width, height, image::Rgb([200, 190, 170]));
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(picture).write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    png
}

/// Uploads a file in one chunk; the answer to the chunk.
async fn upload_whole(court: &crate::evidence::Court, token: &str, file: &[u8], name: &str) -> (StatusCode, serde_json::Value) {
    let (status, started) = court.start(token, court.hearing.id, file, name, serde_json::json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    court.chunk(token, started["upload_id"].as_str().unwrap(), 0, file, file).await
}

/// The same picture as another file: a text chunk before the end.
fn tagged(png: &[u8], tag: usize) -> Vec<u8> {
    let (body, end) = png.split_at(png.len() - 12);
    let chunk = [b"tEXt".as_slice(), format!("Comment\0copy {tag}").as_bytes()].concat();
    let length = (chunk.len() as u32 - 4).to_be_bytes();
    [body, &length, &chunk, &crate::evidence::crc32(&chunk).to_be_bytes(), end].concat()
}

fn memory_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Asks for a check of a file of `length` bytes, sent as it is produced.
async fn verify_streamed(server: &TestServer, length: usize) -> (StatusCode, serde_json::Value) {
    static PIECE: [u8; 64 * 1024] = [b'%'; 64 * 1024];
    let pieces = futures_util::stream::iter((0..length / PIECE.len()).map(|_| Ok::<_, std::io::Error>(bytes::Bytes::from_static(&PIECE))));
    let response = server
        .http
        .post(server.url("/api/records/verify"))
        .header("content-type", "application/pdf")
        .body(reqwest::Body::wrap_stream(pieces))
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

/// Announces a file of `length` bytes to check, and sends none of it.
async fn verify_announced(server: &TestServer, length: u64) -> (StatusCode, serde_json::Value) {
    let mut stream = TcpStream::connect(addr(server)).await.unwrap();
    let head = format!("POST /api/records/verify HTTP/1.1\r\nHost: court\r\nContent-Type: application/pdf\r\nContent-Length: {length}\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let answer = String::from_utf8(until_closed(stream).await).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse::<u16>().unwrap();
    (StatusCode::from_u16(status).unwrap(), serde_json::from_str(body).unwrap())
}

fn assert_json_error(status: StatusCode, body: &serde_json::Value, code: &str) {
    assert!(status.is_client_error(), "{status} {body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}

#[test]
fn pictures_and_record_checks_sent_all_at_once_keep_the_server_within_its_memory() {
    // In a process of its own: the memory of tests running alongside would count too.
    let run = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "abuse::a_flood_of_pictures_and_record_checks", "--ignored", "--nocapture"])
        .output()
        .unwrap();
    let output = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success() && output.contains("1 passed"), "{output}");
}

#[tokio::test]
#[ignore = "run alone by pictures_and_record_checks_sent_all_at_once_keep_the_server_within_its_memory"]
async fn a_flood_of_pictures_and_record_checks() {
    let court = crate::evidence::Court::new().await;
    let plaintiff = court.session(&court.hearing, PLAINTIFF).await;
    // 100 MP is more than one decode may hold (300 MB); 48 MP (144 MB) is decoded, one picture at a time.
    let huge = plain_png(10_000, 10_000);
    let large = plain_png(8_000, 6_000);
    assert!(huge.len() < 2 << 20 && large.len() < 2 << 20, "{} and {} bytes", huge.len(), large.len());

    // From here on VmHWM is the peak of what the process holds (Linux: "5" resets it to now).
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = memory_kb("VmRSS:");
    let uploads = futures_util::future::join_all((0..3).flat_map(|i| {
        let (token, court) = (&plaintiff.token, &court);
        [(tagged(&huge, i), true), (tagged(&large, i), false)].map(move |(png, too_large)| async move {
            (too_large, upload_whole(court, token, &png, &format!("scan-{i}.png")).await)
        })
    }));
    let checks = futures_util::future::join_all((0..4).map(|_| verify_streamed(&court.server, 30 << 20)));
    let announced = futures_util::future::join_all((0..2).map(|_| verify_announced(&court.server, 1 << 30)));
    let (uploads, checks, announced) = tokio::join!(uploads, checks, announced);
    let peak = memory_kb("VmHWM:");

    for (too_large, (status, body)) in &uploads {
        if *too_large {
            assert_json_error(*status, body, "unsupported_media");
            assert!(body["message"].as_str().unwrap().contains("图片尺寸过大（10000×10000）"), "{body}");
        } else {
            assert_eq!(*status, StatusCode::OK, "{body}");
            assert_eq!((body["evidence"]["width"].as_u64(), body["evidence"]["height"].as_u64()), (Some(8000), Some(6000)));
        }
    }
    for (status, body) in &checks {
        assert_eq!((*status, body["found"].as_bool()), (StatusCode::OK, Some(false)), "{body}");
    }
    for (status, body) in &announced {
        assert_json_error(*status, body, "payload_too_large");
        assert_eq!(body["message"], "文件过大：可核验的笔录PDF最大为32MB");
    }
    assert!(peak < 512 * 1024, "the process peaked at {} MB (from {} MB)", peak / 1024, before / 1024);
}
