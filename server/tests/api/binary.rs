//! The `cloudtrial-server` binary itself: admin sub-commands, `--demo`, SIGTERM.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_cloudtrial-server");

#[test]
fn staff_accounts_are_added_and_listed_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(BIN)
        .args(["--data-dir", dir.path().to_str().unwrap()])
        .args(["staff", "add", "--role", "judge", "--name", "王法官", "--username", "wang"])
        .env("CLOUDTRIAL_STAFF_PASSWORD", "a good password")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("created judge wang (王法官)"));

    let again = Command::new(BIN)
        .args(["--data-dir", dir.path().to_str().unwrap()])
        .args(["staff", "add", "--role", "judge", "--name", "王法官", "--username", "wang", "--password", "another one"])
        .output()
        .unwrap();
    assert!(!again.status.success(), "a taken username is refused");
    assert!(String::from_utf8_lossy(&again.stderr).contains("已被使用"));

    // An offset no time zone has is refused, not quietly taken as UTC.
    let offset = Command::new(BIN).args(["--utc-offset-minutes", "100000", "--data-dir", dir.path().to_str().unwrap(), "staff", "list"]).output().unwrap();
    assert!(!offset.status.success());
    assert!(String::from_utf8_lossy(&offset.stderr).contains("utc-offset-minutes"), "{}", String::from_utf8_lossy(&offset.stderr));
    let list = Command::new(BIN).args(["--data-dir", dir.path().to_str().unwrap(), "staff", "list"]).output().unwrap();
    let listed = String::from_utf8_lossy(&list.stdout);
    assert_eq!(listed.lines().count(), 1, "{listed}");
    assert!(listed.contains("judge") && listed.contains("wang") && listed.contains("王法官"));
}

#[test]
fn demo_start_prints_logins_serves_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["--demo", "--listen", "127.0.0.1:0", "--data-dir", dir.path().to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    let addr = loop {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "server exited early: {printed}");
        printed.push_str(&line);
        if let Some(addr) = line.trim().strip_prefix("Cloud Trial server listening on http://") {
            break addr.to_owned();
        }
    };
    assert!(printed.contains("judge / demo1234"), "{printed}");
    assert!(printed.contains("原告") && printed.contains("13800000001"), "{printed}");
    let number = printed.split("Meeting number (会议号): ").nth(1).unwrap()[..8].to_owned();
    assert!(number.bytes().all(|b| b.is_ascii_digit()));

    // It serves: the landing page for the demo hearing.
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    std::io::Write::write_all(
        &mut stream,
        format!("GET /ots/download/{number} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .unwrap();
    let mut page = String::new();
    stream.read_to_string(&mut page).unwrap();
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains(&number));

    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit:?}");

    // A second demo start on the same directory reuses the seeded court.
    let rerun = Command::new(BIN)
        .args(["--data-dir", dir.path().to_str().unwrap(), "staff", "list"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&rerun.stdout).lines().count(), 3, "judge, clerk, admin");
}

type RoomSocket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// 张三 of the demo hearing, logged in and welcomed in its room: his session and socket.
async fn zhang_san_in_the_room(http: &reqwest::Client, url: &str, meeting: &str) -> (serde_json::Value, RoomSocket) {
    use futures_util::{SinkExt, StreamExt};
    let (code, challenge) = crate::evidence_crash::code(http, url, meeting, "13800000001").await;
    let verify = serde_json::json!({"meeting_number": meeting, "mobile": "13800000001", "code": code, "challenge": challenge, "device": "android"});
    let session = crate::evidence_crash::answer(http.post(format!("{url}/api/login/verify")).json(&verify)).await;
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("{}/api/room", url.replace("http://", "ws://"))).await.unwrap();
    let hello = serde_json::json!({"type": "hello", "token": session["token"], "protocol_version": 1, "device": "android"});
    ws.send(tokio_tungstenite::tungstenite::Message::Text(hello.to_string().into())).await.unwrap();
    let welcome = ws.next().await.unwrap().unwrap().into_text().unwrap();
    assert!(welcome.contains("\"welcome\""), "{welcome}");
    (session, ws)
}

fn http() -> reqwest::Client {
    cloudtrial_server::install_crypto_provider();
    reqwest::Client::new()
}

/// Sends SIGTERM and waits for the server to exit.
async fn stop(child: &mut std::process::Child) {
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The details of 张三's departures in the hearing log, oldest first, read from the database.
fn departures(data: &std::path::Path) -> Vec<String> {
    let db = rusqlite::Connection::open(data.join("cloudtrial.db")).unwrap();
    let mut stmt =
        db.prepare("SELECT detail FROM hearing_events WHERE action = 'participant_left' AND actor_name = '张三' ORDER BY id").unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap).collect()
}

/// A server stopped by SIGTERM while people are in a hearing room logs their
/// departure before it exits, so 庭审记录 does not leave them in the room.
#[tokio::test]
async fn a_server_stopped_with_people_in_the_room_logs_their_departure() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url, meeting) = crate::evidence_crash::start(dir.path(), "127.0.0.1:0");
    let (_session, ws) = zhang_san_in_the_room(&http(), &url, &meeting).await;
    stop(&mut child).await;
    assert_eq!(departures(dir.path()), [r#"{"server_stopping":true}"#]);
    drop(ws);
}

/// A server killed outright (`kill -9`, a power cut) has no time to log who was
/// in a hearing room. When it starts again it logs their departure, marked as
/// found at the restart, and the hearing log's chain goes on unbroken; a clean
/// restart after that adds nothing.
#[tokio::test]
async fn a_server_killed_with_people_in_the_room_logs_their_departure_when_it_starts_again() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url, meeting) = crate::evidence_crash::start(dir.path(), "127.0.0.1:0");
    let http = http();
    let (session, ws) = zhang_san_in_the_room(&http, &url, &meeting).await;
    child.kill().unwrap();
    child.wait().unwrap();
    drop(ws);
    assert_eq!(departures(dir.path()), Vec::<String>::new(), "killed: nothing was logged");

    let (mut child, url, _) = crate::evidence_crash::start(dir.path(), "127.0.0.1:0");
    assert_eq!(departures(dir.path()), [r#"{"server_restarted":true}"#]);
    let clerk = crate::evidence_crash::demo_clerk_token(&http, &url).await;
    let events = http.get(format!("{url}/api/hearings/{}/events", session["hearing_id"])).bearer_auth(clerk);
    let log: cloudtrial_protocol::hearing_log::HearingLog =
        serde_json::from_value(crate::evidence_crash::answer(events).await).unwrap();
    let last = log.entries.last().unwrap();
    assert_eq!((last.action.as_str(), last.actor_name.as_str()), ("participant_left", "张三"));
    cloudtrial_protocol::hearing_log::verify(&log, &log.public_key.0).expect("the chain goes on unbroken");

    stop(&mut child).await;
    let (mut child, _, _) = crate::evidence_crash::start(dir.path(), "127.0.0.1:0");
    assert_eq!(departures(dir.path()).len(), 1, "nobody was left in the room: nothing more to log");
    child.kill().unwrap();
    child.wait().unwrap();
}
