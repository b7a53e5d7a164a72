//! The court record through the core: following the clerk's saves, refreshing,
//! and signing in the app with drawn strokes.

use std::time::Duration;

use cloudtrial_core::protocol::api::{DeviceKind, HearingStatus};
use cloudtrial_core::protocol::record::{RecordContent, RecordParagraph, RecordVersion, SigningChannel};
use cloudtrial_core::record::{RecordService, RecordUpdate, StrokePoint, render_signature};
use cloudtrial_core::{Client, ClientError, ConnectionState, HearingSession, RoomState};
use cloudtrial_testkit::{CLERK, DEFENDANT, JUDGE, PLAINTIFF, Party, TcpRelay, TestCourt};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

async fn logged_in(court: &TestCourt, base_url: &str, party: &Party) -> Client {
    let client = Client::new(base_url, &court.client_dir(party.mobile)).unwrap();
    client.request_login_code(&court.meeting_number(), party.mobile).await.unwrap();
    let code = court.latest_code(party.mobile).await.unwrap();
    client.login(&court.meeting_number(), party.mobile, &code, DeviceKind::Android).await.unwrap();
    client
}

async fn until_room(session: &HearingSession, what: &str, check: impl Fn(&RoomState) -> bool) {
    let mut states = session.subscribe();
    let result = tokio::time::timeout(Duration::from_secs(10), states.wait_for(|s| check(s))).await;
    assert!(result.is_ok(), "timed out waiting for {what}: {:?}", session.state());
}

async fn connected(session: &HearingSession) {
    until_room(session, "connected", |s| s.connection == ConnectionState::Connected).await;
}

async fn next(updates: &mut mpsc::Receiver<cloudtrial_core::Result<RecordUpdate>>) -> RecordUpdate {
    match tokio::time::timeout(Duration::from_secs(10), updates.recv()).await {
        Ok(Some(Ok(update))) => update,
        other => panic!("no record update: {other:?}"),
    }
}

async fn next_version(updates: &mut mpsc::Receiver<cloudtrial_core::Result<RecordUpdate>>) -> RecordVersion {
    loop {
        if let RecordUpdate::Version(version) = next(updates).await {
            return version;
        }
    }
}

const SPOKEN: [(&str, &str); 3] = [
    ("审判长", "现在开庭。核对当事人身份。"),
    ("原告", "请求判令被告偿还借款五万元。"),
    ("被告", "借款属实，但已归还两万元。"),
];

fn with_paragraphs(view_header: &RecordContent, count: usize) -> RecordContent {
    RecordContent {
        header: view_header.header.clone(),
        paragraphs: SPOKEN[..count].iter().map(|(s, t)| RecordParagraph { speaker: (*s).into(), text: (*t).into() }).collect(),
    }
}

async fn header(clerk: &RecordService) -> RecordContent {
    RecordContent { header: clerk.fetch().await.unwrap().suggested_header, paragraphs: Vec::new() }
}

#[tokio::test]
async fn a_follower_sees_each_save_and_a_party_without_auto_refresh_sees_it_on_refresh() {
    let court = TestCourt::start().await;
    let clerk = RecordService::new(&logged_in(&court, &court.base_url(), &CLERK).await).unwrap();
    let plaintiff = logged_in(&court, &court.base_url(), &PLAINTIFF).await;
    let defendant = RecordService::new(&logged_in(&court, &court.base_url(), &DEFENDANT).await).unwrap();
    let room = HearingSession::start(&plaintiff, DeviceKind::Android).unwrap();
    connected(&room).await;
    let following = RecordService::new(&plaintiff).unwrap();
    let mut updates = following.follow(&room);
    match next(&mut updates).await {
        RecordUpdate::View(view) => {
            assert_eq!(view.latest, None, "nothing written yet");
            assert!(!view.may_edit, "a party does not write the record");
        }
        other => panic!("the current view comes first: {other:?}"),
    }
    let empty = header(&clerk).await;
    assert!(empty.header.case_number.contains("民初88号"), "{:?}", empty.header);

    assert_eq!(defendant.fetch().await.unwrap().latest, None);
    let mut base = None;
    for count in 1..=3 {
        let saved = clerk.save(base, &with_paragraphs(&empty, count)).await.unwrap();
        assert_eq!(saved.version, count as u32);
        assert!(saved.saved_by.contains("李书记"), "{}", saved.saved_by);
        base = Some(saved.version);
        let seen = next_version(&mut updates).await;
        assert_eq!(seen, saved, "the follower sees save {count} as it happens");
    }
    let refreshed = defendant.fetch().await.unwrap().latest.unwrap();
    assert_eq!(refreshed.version, 3);
    assert_eq!(refreshed.content.paragraphs[2].text, SPOKEN[2].1, "刷新 brings the new text");
    assert_eq!(defendant.versions_after(1).await.unwrap().iter().map(|v| v.version).collect::<Vec<_>>(), vec![2, 3]);
    assert_eq!(defendant.history().await.unwrap().len(), 3);
    assert_eq!(defendant.version(1).await.unwrap().content.paragraphs.len(), 1, "old versions are kept");

    let stale = clerk.save(Some(1), &with_paragraphs(&empty, 1)).await.unwrap_err();
    match ClientError::from(stale) {
        ClientError::InvalidInput { message } => assert!(message.contains("已被更新"), "{message}"),
        other => panic!("a stale save is refused: {other:?}"),
    }
    let by_a_party = defendant.save(Some(3), &with_paragraphs(&empty, 1)).await.unwrap_err();
    assert!(matches!(ClientError::from(by_a_party), ClientError::Forbidden { .. }));
    assert_eq!(clerk.fetch().await.unwrap().latest.unwrap().version, 3, "neither refused save changed anything");
}

#[tokio::test]
async fn a_follower_catches_up_on_versions_saved_while_its_network_was_down() {
    let court = TestCourt::start().await;
    let clerk = RecordService::new(&logged_in(&court, &court.base_url(), &CLERK).await).unwrap();
    let relay = TcpRelay::start(court.server().addr).await;
    let plaintiff = logged_in(&court, &relay.base_url(), &PLAINTIFF).await;
    let room = HearingSession::start(&plaintiff, DeviceKind::Android).unwrap();
    connected(&room).await;
    let mut updates = RecordService::new(&plaintiff).unwrap().follow(&room);
    assert!(matches!(next(&mut updates).await, RecordUpdate::View(_)));
    let empty = header(&clerk).await;
    let first = clerk.save(None, &with_paragraphs(&empty, 1)).await.unwrap();
    assert_eq!(next_version(&mut updates).await.version, first.version);

    relay.cut_all();
    until_room(&room, "the cut noticed", |s| s.connection != ConnectionState::Connected).await;
    clerk.save(Some(1), &with_paragraphs(&empty, 2)).await.unwrap();
    clerk.save(Some(2), &with_paragraphs(&empty, 3)).await.unwrap();
    connected(&room).await;
    let versions = [next_version(&mut updates).await, next_version(&mut updates).await];
    assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), vec![2, 3], "every version, in order, once");
    assert_eq!(versions[1].content.paragraphs.len(), 3);
}

fn signature_strokes() -> Vec<Vec<StrokePoint>> {
    let wave = (0..40).map(|i| StrokePoint { x: 20.0 + i as f32 * 7.0, y: 80.0 + (i as f32 / 3.0).sin() * 30.0 }).collect();
    let bar = vec![StrokePoint { x: 60.0, y: 40.0 }, StrokePoint { x: 90.0, y: 140.0 }];
    vec![wave, bar]
}

#[tokio::test]
async fn a_party_signs_the_frozen_version_in_the_app_and_sees_their_signature() {
    let court = TestCourt::start().await;
    let clerk = RecordService::new(&logged_in(&court, &court.base_url(), &CLERK).await).unwrap();
    let judge = HearingSession::start(&logged_in(&court, &court.base_url(), &JUDGE).await, DeviceKind::PcBrowser).unwrap();
    let plaintiff_client = logged_in(&court, &court.base_url(), &PLAINTIFF).await;
    let plaintiff = RecordService::new(&plaintiff_client).unwrap();
    let room = HearingSession::start(&plaintiff_client, DeviceKind::Android).unwrap();
    connected(&room).await;
    connected(&judge).await;
    let empty = header(&clerk).await;
    let first = clerk.save(None, &with_paragraphs(&empty, 3)).await.unwrap();

    let early = clerk.start_signing(1).await.unwrap_err();
    assert!(matches!(ClientError::from(early), ClientError::InvalidInput { .. }), "no signing during the hearing");
    judge.start_hearing().await.unwrap();
    judge.close_hearing().await.unwrap();
    until_room(&room, "closed", |s| s.room.as_ref().is_some_and(|r| r.status == HearingStatus::Closed)).await;

    let mut updates = plaintiff.follow(&room);
    assert!(matches!(next(&mut updates).await, RecordUpdate::View(v) if v.signing.is_none() && !v.must_sign));
    let round = clerk.start_signing(first.version).await.unwrap();
    assert_eq!(round.version_sha256, first.sha256);
    let request = loop {
        if let RecordUpdate::View(view) = next(&mut updates).await {
            break view;
        }
    };
    assert!(request.must_sign, "the signing request reaches the follower");
    let read = request.latest.unwrap();

    let mut altered = read.clone();
    altered.content.paragraphs[2].text = "借款属实，已归还三万元。".into();
    let refused = plaintiff.sign_png(&altered, &render_signature(&signature_strokes(), 300.0, 160.0).unwrap()).await;
    assert!(matches!(ClientError::from(refused.unwrap_err()), ClientError::InvalidInput { .. }), "an altered text is never signed");

    let signature = plaintiff.sign_strokes(&read, &signature_strokes(), 300.0, 160.0).await.unwrap();
    assert_eq!(signature.version_sha256, first.sha256);
    assert_eq!(signature.via, SigningChannel::App);
    assert_eq!(signature.signer.name, PLAINTIFF.name);
    let (mine, png) = plaintiff.my_signature().await.unwrap().expect("查看签名");
    assert_eq!(mine.id, signature.id);
    assert_eq!(hex::encode(Sha256::digest(&png)), signature.image_sha256, "the image the server sealed");
    assert!(image::load_from_memory(&png).unwrap().width() > 100);
    let again = plaintiff.sign_strokes(&read, &signature_strokes(), 300.0, 160.0).await.unwrap_err();
    assert!(matches!(ClientError::from(again), ClientError::InvalidInput { .. }), "signed once");

    // An edit after signing started: the signature stays with version 1, and
    // the old text can no longer be signed for the new round.
    let second = clerk.save(Some(1), &with_paragraphs(&empty, 2)).await.unwrap();
    clerk.start_signing(second.version).await.unwrap();
    let stale = plaintiff.sign_strokes(&read, &signature_strokes(), 300.0, 160.0).await.unwrap_err();
    match ClientError::from(stale) {
        ClientError::InvalidInput { message } => assert!(message.contains("第2版"), "{message}"),
        other => panic!("{other:?}"),
    }
    let view = plaintiff.fetch().await.unwrap();
    assert!(view.must_sign);
    assert_eq!(view.my_signature.unwrap().version, 1, "the earlier signature stays bound to version 1");
    let renewed = plaintiff.sign_strokes(&view.latest.unwrap(), &signature_strokes(), 300.0, 160.0).await.unwrap();
    assert_eq!(renewed.version_sha256, second.sha256);
}

/// A signature as the mobile signing page would send it: a PNG of a few strokes.
fn phone_signature() -> String {
    let png = render_signature(&[vec![StrokePoint { x: 10.0, y: 10.0 }, StrokePoint { x: 190.0, y: 90.0 }]], 200.0, 100.0).unwrap();
    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, png)
}

/// The JSON answer of a request that must succeed.
async fn answer<T: serde::de::DeserializeOwned>(request: reqwest::RequestBuilder) -> T {
    let response = request.send().await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap()
}

fn run(tool: &str, args: &[&std::ffi::OsStr]) -> String {
    let output = std::process::Command::new(tool).args(args).output().unwrap_or_else(|e| panic!("{tool} (poppler-utils): {e}"));
    assert!(output.status.success(), "{tool}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test]
async fn one_party_signs_through_the_core_the_other_through_the_qr_page_and_the_pdf_carries_both_on_every_page() {
    use cloudtrial_core::protocol::record::{QrSigning, QrSigningPage, SignatureInfo};

    let court = TestCourt::start().await;
    let clerk = RecordService::new(&logged_in(&court, &court.base_url(), &CLERK).await).unwrap();
    let judge = HearingSession::start(&logged_in(&court, &court.base_url(), &JUDGE).await, DeviceKind::PcBrowser).unwrap();
    let plaintiff = RecordService::new(&logged_in(&court, &court.base_url(), &PLAINTIFF).await).unwrap();
    let defendant = logged_in(&court, &court.base_url(), &DEFENDANT).await;
    let long: Vec<(&str, String)> = (0..60).map(|i| (SPOKEN[i % 3].0, format!("第{i}段：{}", SPOKEN[i % 3].1.repeat(3)))).collect();
    let mut content = header(&clerk).await;
    content.paragraphs = long.iter().map(|(s, t)| RecordParagraph { speaker: (*s).into(), text: t.clone() }).collect();
    let saved = clerk.save(None, &content).await.unwrap();
    connected(&judge).await;
    judge.start_hearing().await.unwrap();
    judge.close_hearing().await.unwrap();
    let round = clerk.start_signing(saved.version).await.unwrap();

    // The app: the core signs what it was shown.
    let read = plaintiff.fetch().await.unwrap().latest.unwrap();
    plaintiff.sign_strokes(&read, &signature_strokes(), 300.0, 160.0).await.unwrap();

    // The PC asks for a QR code; the phone opens the page it points to and signs.
    let http = reqwest::Client::new();
    let token = defendant.session().unwrap().token().to_owned();
    let qr: QrSigning = answer(http.post(format!("{}/api/hearings/{}/record/qr", court.base_url(), court.hearing.id)).bearer_auth(&token)).await;
    let qr_token = qr.url.split_once('#').unwrap().1.to_owned();
    let page: QrSigningPage = answer(http.post(format!("{}/api/sign/open", court.base_url())).json(&serde_json::json!({ "token": qr_token }))).await;
    assert_eq!(page.round_id, round.id);
    assert_eq!(page.signer.name, DEFENDANT.name);
    let body = serde_json::json!({
        "token": qr_token, "signer_id": page.signer.id, "version_sha256": page.record.sha256, "image_png": phone_signature(),
    });
    let signed: SignatureInfo = answer(http.post(format!("{}/api/sign/submit", court.base_url())).json(&body)).await;
    assert_eq!(signed.version_sha256, saved.sha256);

    // The signed PDF, through the core: both signatures on every page, and the record's text.
    let pdf = plaintiff.signed_pdf().await.unwrap();
    let pages: usize = run("pdfinfo", &[pdf.as_os_str()])
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap();
    assert!(pages >= 2, "a long record runs over pages ({pages})");
    let list = run("pdfimages", &["-list".as_ref(), pdf.as_os_str()]);
    let mut per_page = vec![0; pages];
    for line in list.lines().skip(2) {
        let columns: Vec<&str> = line.split_whitespace().collect();
        if columns.get(2) == Some(&"image") {
            per_page[columns[0].parse::<usize>().unwrap() - 1] += 1;
        }
    }
    assert_eq!(per_page, vec![2; pages], "two signatures on every page");
    let text: String = run("pdftotext", &["-enc".as_ref(), "UTF-8".as_ref(), pdf.as_os_str(), "-".as_ref()])
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for i in 0..long.len() {
        assert!(text.contains(&format!("第{i}段：")), "the PDF has paragraph {i}");
    }
    // Whole, except where a page break (with its signatures and footer) cuts one.
    let cut = long.iter().filter(|(_, paragraph)| !text.contains(paragraph.as_str())).count();
    assert!(cut < pages, "{cut} paragraphs not found whole on {pages} pages");
    assert!(text.contains(&saved.sha256), "the version's hash is printed");
}
