//! The server killed (SIGKILL) in the middle of several concurrent uploads:
//! after a restart every upload completes exactly once, byte for byte.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use cloudtrial_core::Client;
use cloudtrial_core::evidence::{EvidenceDetails, EvidenceOptions, EvidenceService, UploadState, hash_file};
use cloudtrial_core::protocol::api::DeviceKind;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_cloudtrial-server");

pub(crate) fn start(data: &Path, listen: &str) -> (Child, String, String) {
    start_crashing_at(data, listen, None)
}

/// Starts the server; with a fault point, it aborts (as `kill -9` would) when it gets there.
#[expect(clippy::zombie_processes, reason = "the test kills and waits for the server it started")]
fn start_crashing_at(data: &Path, listen: &str, point: Option<&str>) -> (Child, String, String) {
    let mut command = Command::new(BIN);
    if let Some(point) = point {
        command.env(cloudtrial_server::fault::CRASH_AT, point);
    }
    let mut child = command
        .args(["--demo", "--listen", listen, "--data-dir", data.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut meeting = String::new();
    loop {
        let line = lines.next().expect("the server prints its address").unwrap();
        if let Some(number) = line.split("Meeting number (会议号): ").nth(1) {
            meeting = number[..8].to_owned();
        }
        if let Some(url) = line.strip_prefix("Cloud Trial server listening on ") {
            return (child, url.to_owned(), meeting);
        }
    }
}

/// A login code from the demo court's outbox, and the challenge its request was answered.
pub(crate) async fn code(http: &reqwest::Client, url: &str, meeting: &str, mobile: &str) -> (String, String) {
    let clerk = demo_clerk_token(http, url).await;
    let sent = answer(http.post(format!("{url}/api/login/code")).json(&json!({"meeting_number": meeting, "mobile": mobile}))).await;
    let outbox = answer(http.get(format!("{url}/api/sms?mobile={mobile}")).bearer_auth(&clerk)).await;
    let text = outbox[0]["text"].as_str().unwrap();
    (text.split('：').nth(1).unwrap().chars().take(6).collect(), sent["challenge"].as_str().unwrap().to_owned())
}

fn noise_pdf(path: &Path, seed: u64, megabytes: usize) {
    let mut bytes = b"%PDF-1.4\n".to_vec();
    let mut s = seed | 1;
    bytes.extend((0..megabytes << 20).map(|_| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s as u8
    }));
    std::fs::write(path, bytes).unwrap();
}

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_owned()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() { dirs.push(path) } else { found.push(path) }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_upload_completes_exactly_once_after_the_server_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    let (mut server, url, meeting) = start(&data, "127.0.0.1:0");
    let http = cloudtrial_core::ApiClient::new(&url).unwrap().http().clone();

    let mut services = Vec::new();
    let mut expected = Vec::new();
    for (who, mobile) in [("plaintiff", "13800000001"), ("defendant", "13800000002")] {
        let client = Client::new(&url, &dir.path().join(who)).unwrap();
        let (code, challenge) = code(&http, &url, &meeting, mobile).await;
        client.login_with_challenge(&meeting, mobile, &code, &challenge, DeviceKind::Android).await.unwrap();
        let service = EvidenceService::start(&client, EvidenceOptions { chunk_size: 16 * 1024 }).unwrap();
        for n in 0..2 {
            let file = dir.path().join(format!("{who}-{n}.pdf"));
            noise_pdf(&file, (mobile.parse::<u64>().unwrap() << 4) + n, 2);
            expected.push(hash_file(&file).unwrap());
            let details = EvidenceDetails {
                title: format!("{who}的证据{n}"),
                description: String::new(),
                purpose: "证明案件事实".into(),
                counter: false,
                answers: None,
            };
            service.upload_evidence(&file, details).await.unwrap();
        }
        services.push(service);
    }

    // Both parties' first files are partly sent: kill the server without warning.
    for service in &services {
        let mut progress = service.subscribe_uploads();
        tokio::time::timeout(Duration::from_secs(30), progress.wait_for(|p| p[0].percent >= 20)).await.unwrap().unwrap();
    }
    let partials = files_under(&data.join("evidence/partial"));
    assert!(!partials.is_empty(), "uploads were in flight");
    let address = url.trim_start_matches("http://").to_owned();
    Command::new("kill").args(["-KILL", &server.id().to_string()]).status().unwrap();
    server.wait().unwrap();

    let (mut server, _, _) = start(&data, &address);
    for service in &services {
        let mut progress = service.subscribe_uploads();
        let done = tokio::time::timeout(
            Duration::from_secs(60),
            progress.wait_for(|p| p.iter().all(|u| u.state == UploadState::Submitted)),
        )
        .await;
        assert!(done.is_ok(), "not all uploads completed: {:?}", service.uploads());
    }

    let list = services[0].refresh().await.unwrap();
    assert_eq!(list.len(), 4, "nothing duplicated, nothing lost");
    let mut stored: Vec<String> = list.iter().map(|e| e.sha256.clone()).collect();
    stored.sort();
    expected.sort();
    assert_eq!(stored, expected, "every stored hash matches the file sent");
    for evidence in &list {
        let object = data.join("evidence/objects").join(&evidence.sha256[..2]).join(&evidence.sha256);
        assert_eq!(hash_file(&object).unwrap(), evidence.sha256, "the stored bytes are the file");
    }
    let leftovers: Vec<_> = files_under(&data.join("evidence"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "tmp" || e == "part"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files remain: {leftovers:?}");
    let _ = server.kill();
    let _ = server.wait();
}

/// The server dies at each step of taking in an upload (a chunk written but
/// not counted, counted but not finished, previews made, the original moved
/// into the store but not yet in the database): after a restart the client
/// finishes every upload with the right hash, and nothing is orphaned,
/// duplicated or lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_at_any_step_of_completing_an_upload_loses_and_duplicates_nothing() {
    for point in ["upload.chunk_written", "upload.offset_saved", "upload.previews_written", "upload.object_stored"] {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("server");
        let (mut server, url, meeting) = start_crashing_at(&data, "127.0.0.1:0", Some(point));
        let http = cloudtrial_core::ApiClient::new(&url).unwrap().http().clone();
        let client = Client::new(&url, &dir.path().join("plaintiff")).unwrap();
        let (code, challenge) = code(&http, &url, &meeting, "13800000001").await;
        client.login_with_challenge(&meeting, "13800000001", &code, &challenge, DeviceKind::Android).await.unwrap();
        let service = EvidenceService::start(&client, EvidenceOptions { chunk_size: 16 * 1024 }).unwrap();
        let photo = dir.path().join("IMG_0001.JPG");
        std::fs::write(&photo, crate::evidence::photo_of_size(1200, 900)).unwrap();
        let pdf = dir.path().join("合同.pdf");
        noise_pdf(&pdf, 7, 1);
        let mut expected = vec![hash_file(&photo).unwrap(), hash_file(&pdf).unwrap()];
        for (file, title) in [(&photo, "借条照片"), (&pdf, "合同")] {
            let details = EvidenceDetails {
                title: title.into(),
                description: String::new(),
                purpose: "证明借款事实".into(),
                counter: false,
                answers: None,
            };
            service.upload_evidence(file, details).await.unwrap();
        }
        let died = tokio::task::spawn_blocking(move || server.wait().unwrap()).await.unwrap();
        assert!(!died.success(), "{point}: the server died there");

        let address = url.trim_start_matches("http://").to_owned();
        let (mut server, _, _) = start(&data, &address);
        let mut progress = service.subscribe_uploads();
        let done = tokio::time::timeout(
            Duration::from_secs(60),
            progress.wait_for(|p| p.len() == 2 && p.iter().all(|u| u.state == UploadState::Submitted)),
        )
        .await;
        assert!(done.is_ok(), "{point}: not all uploads completed: {:?}", service.uploads());
        let list = service.refresh().await.unwrap();
        let mut stored: Vec<String> = list.iter().map(|e| e.sha256.clone()).collect();
        stored.sort();
        expected.sort();
        assert_eq!(stored, expected, "{point}: each file once, with the hash sent");
        let objects = files_under(&data.join("evidence/objects"));
        assert_eq!(objects.len(), 2, "{point}: one original per file, nothing orphaned: {objects:?}");
        for object in &objects {
            let name = object.file_name().unwrap().to_str().unwrap();
            assert_eq!(hash_file(object).unwrap(), name, "{point}: stored bytes match their name");
        }
        let leftovers: Vec<_> = files_under(&data.join("evidence"))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "tmp" || e == "part"))
            .collect();
        assert!(leftovers.is_empty(), "{point}: no partial or temporary files remain: {leftovers:?}");
        let _ = server.kill();
        let _ = server.wait();
    }
}

/// The demo court clerk's console token.
pub(crate) async fn demo_clerk_token(http: &reqwest::Client, url: &str) -> String {
    let staff = answer(http.post(format!("{url}/api/staff/login")).json(&json!({"username": "clerk", "password": "demo1234"}))).await;
    staff["token"].as_str().unwrap().to_owned()
}

/// The JSON a request is answered with.
pub(crate) async fn answer(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}
