//! The court record (笔录): versions, live notices, signing in the app and
//! through the QR page, the signed PDF (checked with poppler's tools), and
//! verification.

use std::io::Cursor;
use std::process::Command;

use base64::Engine;
use cloudtrial_protocol::StaffRole;
use cloudtrial_protocol::api::{Hearing, ParticipantSession, SmsKind};
use cloudtrial_protocol::record::{
    QrSigning, QrSigningPage, RecordContent, RecordHeader, RecordParagraph, RecordPublicKey, RecordVerification,
    RecordVersion, RecordVersionSummary, RecordView, SealedSignature, SignaturePayload, SignatureInfo, SigningChannel,
    SigningRound, VerifiedKind,
};
use cloudtrial_protocol::signalling::{JudgeCommand, RoomNotice, ServerMessage, BLOCKED_MESSAGE};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::harness::*;
use crate::room::RawClient;

const OTHER_CLERK: (&str, &str) = ("clerk2", "陈书记");

struct Court {
    server: TestServer,
    clerk: Staff,
    hearing: Hearing,
}

impl Court {
    /// A hearing whose judge and clerk are linked to staff accounts.
    async fn new() -> Self {
        let server = TestServer::start().await;
        let judge = server.staff(StaffRole::Judge, "judge").await;
        let clerk = server.staff(StaffRole::Clerk, "clerk").await;
        let mut booking = server.booking("（2026）津0101民初8号", &[JUDGE, CLERK, PLAINTIFF, DEFENDANT]);
        booking["participants"][0]["staff_id"] = json!(judge.account.id);
        booking["participants"][1]["staff_id"] = json!(clerk.account.id);
        let (status, body) = server.post("/api/hearings", Some(&clerk.token), &booking).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        Self { hearing: serde_json::from_value(body).unwrap(), server, clerk }
    }

    fn path(&self, rest: &str) -> String {
        format!("/api/hearings/{}/record{rest}", self.hearing.id)
    }

    fn id(&self, party: Party) -> i64 {
        self.hearing.participants.iter().find(|p| p.mobile == party.2).unwrap().id
    }

    async fn session(&self, party: Party) -> ParticipantSession {
        self.server.login(&self.clerk.token, &self.hearing, party.2).await
    }

    async fn put(&self, token: &str, base: Option<u32>, content: &RecordContent) -> (StatusCode, Value) {
        let body = json!({"base_version": base, "content": content});
        self.server.request(reqwest::Method::PUT, &self.path(""), Some(token), Some(&body)).await
    }

    async fn save(&self, base: Option<u32>, content: &RecordContent) -> RecordVersion {
        let (status, body) = self.put(&self.clerk.token, base, content).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).unwrap()
    }

    async fn view(&self, token: &str) -> RecordView {
        let (status, body) = self.server.get(&self.path(""), Some(token)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).unwrap()
    }

    /// The judge opens and then closes the hearing from the room.
    async fn hold_and_close(&self) {
        let judge = self.session(JUDGE).await;
        let (mut room, _) = RawClient::join(&self.server, &judge.token).await;
        assert_eq!(room.command(JudgeCommand::Start).await, None);
        assert_eq!(room.command(JudgeCommand::Close).await, None);
    }

    async fn start_signing(&self, version: u32) -> (StatusCode, Value) {
        self.server.post(&self.path("/signing"), Some(&self.clerk.token), &json!({"version": version})).await
    }

    /// The record saved as version 1, the hearing held and closed, and signing started on it.
    async fn signing(&self, content: &RecordContent) -> (RecordVersion, SigningRound) {
        let version = self.save(None, content).await;
        self.hold_and_close().await;
        let (status, body) = self.start_signing(version.version).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        (version, serde_json::from_value(body).unwrap())
    }

    /// A party signs the round with a drawn signature.
    async fn sign(&self, token: &str, round: &SigningRound, version: &RecordVersion, seed: u32) {
        let body = json!({"round_id": round.id, "version_sha256": version.sha256, "image_png": b64(&drawn_signature(seed))});
        let (status, body) = self.server.post(&self.path("/signatures"), Some(token), &body).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    async fn events(&self) -> Vec<String> {
        let log = self.server.hearing_log(&self.clerk.token, self.hearing.id).await;
        log.entries.into_iter().map(|e| e.action).collect()
    }
}

fn record(paragraphs: &[(&str, &str)]) -> RecordContent {
    RecordContent {
        header: RecordHeader {
            case_number: "（2026）津0101民初8号".into(),
            case_title: "张三诉李四民间借贷纠纷".into(),
            time: "2026-11-25 09:30".into(),
            place: "第一法庭（网上开庭）".into(),
            judges: vec!["审判长 王法官".into()],
            clerk: "李书记".into(),
            present: vec!["原告 张三".into(), "被告 李四".into()],
        },
        paragraphs: paragraphs.iter().map(|(s, t)| RecordParagraph { speaker: (*s).into(), text: (*t).into() }).collect(),
    }
}

/// A long record: enough text for several pages.
fn long_record() -> RecordContent {
    let mut paragraphs = vec![
        ("审判长", "现在开庭。核对当事人身份。".to_owned()),
        ("原告", "请求判令被告偿还借款五万元及利息。".to_owned()),
        ("被告", "借款属实，但已经归还两万元。".to_owned()),
    ];
    for i in 1..=40 {
        paragraphs.push(("书记员", format!("第{i}项：双方就还款时间、还款方式和利息计算进行了陈述，并对证据的真实性、合法性、关联性发表了意见。")));
    }
    let borrowed: Vec<(&str, &str)> = paragraphs.iter().map(|(s, t)| (*s, t.as_str())).collect();
    record(&borrowed)
}

/// A signature as a finger draws it: dark strokes on transparency.
fn drawn_signature(seed: u32) -> Vec<u8> {
    let mut image = image::RgbaImage::new(400, 160);
    for x in 30..370u32 {
        let y = 80.0 + 40.0 * ((x as f32 + seed as f32 * 17.0) / 35.0).sin();
        for dy in 0..6 {
            image.put_pixel(x, (y as u32 + dy).min(159), image::Rgba([10, 10, 40, 255]));
        }
    }
    let mut png = Vec::new();
    image.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    png
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn only_the_parties_who_came_are_asked_to_sign() {
    let court = Court::new().await;
    let plaintiff = court.session(PLAINTIFF).await;
    let (_room, _) = RawClient::join(&court.server, &plaintiff.token).await;
    let version = court.save(None, &record(&[("审判长", "被告经传票传唤，无正当理由拒不到庭。")])).await;
    court.hold_and_close().await;
    let (status, body) = court.start_signing(version.version).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let round: SigningRound = serde_json::from_value(body).unwrap();
    let signers: Vec<i64> = round.signers.iter().map(|s| s.participant.id).collect();
    assert_eq!(signers, [court.id(PLAINTIFF)], "the defendant never came");
    let log = court.server.hearing_log(&court.clerk.token, court.hearing.id).await;
    let started = log.entries.iter().find(|e| e.action == "record_signing_started").unwrap();
    assert_eq!(started.detail["absent"], json!([court.id(DEFENDANT)]));
    // The defendant, who has nothing to sign, is not let in after 闭庭.
    let number = court.hearing.meeting_number.to_string();
    court.server.request_code(&number, DEFENDANT.2).await;
    let code = court.server.latest_code(&court.clerk.token, DEFENDANT.2).await.unwrap();
    let (status, body) = court.server.verify(&number, DEFENDANT.2, &code).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::CONFLICT, Some(OVER)));
}

#[tokio::test]
async fn the_suggested_time_is_when_the_hearing_was_held_once_it_was() {
    use cloudtrial_server::Clock;
    use cloudtrial_server::clock::local_date_time;

    let court = Court::new().await;
    let booked = court.view(&court.clerk.token).await.suggested_header.time;
    assert_eq!(booked, format!("{} {}", court.hearing.scheduled_at.date(), court.hearing.scheduled_at.time()));

    let judge = court.session(JUDGE).await;
    let (mut room, _) = RawClient::join(&court.server, &judge.token).await;
    let offset = court.server.config.utc_offset_minutes;
    let started = local_date_time(court.server.clock.now_ms(), offset);
    assert_eq!(room.command(JudgeCommand::Start).await, None);
    assert_eq!(court.view(&court.clerk.token).await.suggested_header.time, started, "while it runs: when it started");

    court.server.clock.advance(std::time::Duration::from_secs(93 * 60));
    let closed = local_date_time(court.server.clock.now_ms(), offset);
    assert_eq!(room.command(JudgeCommand::Close).await, None);
    let time = court.view(&court.clerk.token).await.suggested_header.time;
    assert!(time.starts_with(&format!("{started}至")) && time.ends_with(&closed[11..]), "{time}, held {started} to {closed}");
}

#[tokio::test]
async fn the_clerk_writes_versions_and_nothing_is_ever_overwritten() {
    let court = Court::new().await;
    let plaintiff = court.session(PLAINTIFF).await;

    let empty = court.view(&court.clerk.token).await;
    assert!(empty.latest.is_none() && empty.may_edit);
    assert_eq!(empty.suggested_header.case_number, "（2026）津0101民初8号");
    assert_eq!(empty.suggested_header.judges, vec!["审判长 王法官"]);
    assert_eq!(empty.suggested_header.clerk, "李书记");

    // Parties follow the record in the room: each save is announced.
    let (mut room, _) = RawClient::join(&court.server, &plaintiff.token).await;
    let first = court.save(None, &record(&[("审判长", "现在开庭。")])).await;
    assert_eq!((first.version, first.saved_by.as_str()), (1, "书记员 李书记"));
    assert!(first.is_intact());
    loop {
        match room.next().await {
            Some(ServerMessage::Notice { notice: RoomNotice::RecordSaved { version } }) => {
                assert_eq!(version, 1);
                break;
            }
            Some(_) => continue,
            None => panic!("the room closed"),
        }
    }
    let second = court.save(Some(1), &record(&[("审判长", "现在开庭。"), ("原告", "请求判令被告还款。")])).await;
    assert_eq!(second.version, 2);

    // A save from a stale version is refused; the newer text stays.
    let (status, body) = court.put(&court.clerk.token, Some(1), &record(&[("审判长", "覆盖")])).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"].as_str().unwrap().contains("第2版"), "{body}");
    // Saving the same text again adds nothing; nor does a save sent again because its answer was lost.
    let same = court.save(Some(2), &second.content).await;
    assert_eq!(same, second);
    let resent = court.save(Some(1), &second.content).await;
    assert_eq!(resent, second);

    let view = court.view(&plaintiff.token).await;
    assert_eq!(view.latest.as_ref(), Some(&second));
    assert!(!view.may_edit && !view.must_sign);
    let (_, history) = court.server.get(&court.path("/history"), Some(&plaintiff.token)).await;
    let history: Vec<RecordVersionSummary> = serde_json::from_value(history).unwrap();
    assert_eq!(history.iter().map(|v| v.version).collect::<Vec<_>>(), vec![1, 2]);
    let (_, after) = court.server.get(&court.path("/versions?after=1"), Some(&plaintiff.token)).await;
    let after: Vec<RecordVersion> = serde_json::from_value(after).unwrap();
    assert_eq!(after, vec![second.clone()]);
    let (_, old) = court.server.get(&court.path("/versions/1"), Some(&plaintiff.token)).await;
    assert_eq!(serde_json::from_value::<RecordVersion>(old).unwrap(), first, "version 1 is kept as it was");

    // Only the hearing's court writes it.
    let (status, _) = court.put(&plaintiff.token, Some(2), &record(&[("原告", "我来写")])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let other_clerk = court.server.staff(StaffRole::Clerk, OTHER_CLERK.0).await;
    let (status, _) = court.put(&other_clerk.token, Some(2), &record(&[("书记员", "不是本案书记员")])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!court.view(&other_clerk.token).await.may_edit, "staff of the court may read it");
    let (status, _) = court.server.get(&court.path(""), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A participant of another hearing sees nothing of this one.
    let other = court.server.book(&court.clerk.token, "（2026）津0101民初9号", &[JUDGE, (PLAINTIFF.0, "王五", "13800000005")]).await;
    let outsider = court.server.login(&court.clerk.token, &other, "13800000005").await;
    let (status, _) = court.server.get(&court.path(""), Some(&outsider.token)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A blocked party sees nothing of the hearing, the record included.
    let judge = court.session(JUDGE).await;
    let (mut bench, _) = RawClient::join(&court.server, &judge.token).await;
    assert_eq!(bench.command(JudgeCommand::Block { participant_id: court.id(PLAINTIFF) }).await, None);
    let (status, body) = court.server.get(&court.path(""), Some(&plaintiff.token)).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::FORBIDDEN, Some(BLOCKED_MESSAGE)));
    // Once the hearing is closed, they read the record they will be asked to sign.
    assert_eq!(bench.command(JudgeCommand::Start).await, None);
    assert_eq!(bench.command(JudgeCommand::Close).await, None);
    let (status, _) = court.server.get(&court.path(""), Some(&plaintiff.token)).await;
    assert_eq!(status, StatusCode::OK, "closed: the block no longer applies");
    let (_, room) = RawClient::join(&court.server, &plaintiff.token).await;
    assert_eq!(room.blocked_message, None, "the closed room does not keep them out either");
    assert_eq!(room.participants.len(), 4);

    // Bad input is refused with a reason, and changes nothing.
    let mut control = record(&[("原告", "ok")]);
    control.paragraphs[0].text = "bad\u{7}bell".into();
    let (status, body) = court.put(&court.clerk.token, Some(2), &control).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // What everyone signs reads the same on every screen and in the PDF: nothing hides or turns text around.
    let mut turned = record(&[("审判长", "现在开庭。"), ("原告", "ok")]);
    turned.paragraphs[1].text = "被告已还款\u{202E}元万五".into();
    let (status, body) = court.put(&court.clerk.token, Some(2), &turned).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::BAD_REQUEST, Some("第2段含有不可见字符或改变文字方向的字符，请删除后重新填写")));
    let mut hidden_speaker = record(&[("原\u{200B}告", "ok")]);
    hidden_speaker.paragraphs[0].text = "一\n\t二".into();
    let (status, body) = court.put(&court.clerk.token, Some(2), &hidden_speaker).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::BAD_REQUEST, Some("发言人含有不可见字符或改变文字方向的字符，请删除后重新填写")));
    let mut long_field = record(&[]);
    long_field.header.case_title = "长".repeat(501);
    let (status, _) = court.put(&court.clerk.token, Some(2), &long_field).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = court
        .server
        .request(reqwest::Method::PUT, &court.path(""), Some(&court.clerk.token), Some(&json!({"content": "nope"})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(court.view(&court.clerk.token).await.latest, Some(second));

    let saved = court.events().await.into_iter().filter(|a| a == "record_saved").count();
    assert_eq!(saved, 2, "one event per version");
}

#[tokio::test]
async fn two_parties_sign_in_the_app_and_through_the_qr_page_and_the_pdf_carries_both_on_every_page() {
    let court = Court::new().await;
    let plaintiff = court.session(PLAINTIFF).await;
    let defendant = court.session(DEFENDANT).await;
    let v1 = court.save(None, &long_record()).await;

    // Signing starts only after the hearing, on the latest version.
    assert!(!court.view(&court.clerk.token).await.may_start_signing, "not offered before 休庭");
    let (status, body) = court.start_signing(1).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    court.hold_and_close().await;
    assert!(court.view(&court.clerk.token).await.may_start_signing);
    assert!(!court.view(&plaintiff.token).await.may_start_signing, "only the court starts signing");
    let (status, _) = court.server.post(&court.path("/signing"), Some(&plaintiff.token), &json!({"version": 1})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "parties do not start signing");
    let (status, _) = court.start_signing(7).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, body) = court.start_signing(1).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let round: SigningRound = serde_json::from_value(body).unwrap();
    assert_eq!(round.version_sha256, v1.sha256);
    let mut signers: Vec<i64> = round.signers.iter().map(|s| s.participant.id).collect();
    signers.sort();
    assert_eq!(signers, vec![court.id(PLAINTIFF), court.id(DEFENDANT)], "the parties sign; the court does not");
    assert!(court.view(&plaintiff.token).await.must_sign);

    // 原告 signs through the app (the core), with the hash of what was read.
    let sign = |token: String, hash: String, png: Vec<u8>| {
        let court = &court;
        async move {
            let body = json!({"round_id": round.id, "version_sha256": hash, "image_png": b64(&png)});
            court.server.post(&court.path("/signatures"), Some(&token), &body).await
        }
    };
    let (status, body) = sign(plaintiff.token.clone(), "0".repeat(64), drawn_signature(1)).await;
    assert_eq!(status, StatusCode::CONFLICT, "a version that is not the frozen one: {body}");
    let (status, body) = sign(plaintiff.token.clone(), v1.sha256.clone(), b"not a png".to_vec()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let blank = {
        let mut png = Vec::new();
        image::RgbaImage::new(300, 100).write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
        png
    };
    let (status, body) = sign(plaintiff.token.clone(), v1.sha256.clone(), blank).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::BAD_REQUEST, Some("签名为空，请重新签名")));
    let (status, _) = sign(court.clerk.token.clone(), v1.sha256.clone(), drawn_signature(1)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "nobody signs for a party");
    let (status, body) = sign(plaintiff.token.clone(), v1.sha256.clone(), drawn_signature(1)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let app_signature: SignatureInfo = serde_json::from_value(body).unwrap();
    assert_eq!((app_signature.via, app_signature.version), (SigningChannel::App, 1));
    let (status, _) = sign(plaintiff.token.clone(), v1.sha256.clone(), drawn_signature(2)).await;
    assert_eq!(status, StatusCode::CONFLICT, "one signature per party");
    let (status, _) = court.server.post(&court.path("/qr"), Some(&plaintiff.token), &json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "no QR code for someone who has signed");

    // 被告 signs on a phone through the QR code on their PC.
    let qr = |token: String| {
        let court = &court;
        async move {
            let (status, body) = court.server.post(&court.path("/qr"), Some(&token), &json!({})).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let qr: QrSigning = serde_json::from_value(body).unwrap();
            assert!(qr.svg.contains("<svg"));
            let prefix = "https://yunshen.example.court/sign.html#";
            assert!(qr.url.starts_with(prefix), "{}", qr.url);
            qr.url[prefix.len()..].to_owned()
        }
    };
    let open = |token: String| {
        let court = &court;
        async move { court.server.post("/api/sign/open", None, &json!({"token": token})).await }
    };
    let submit = |token: String, signer: i64, hash: String| {
        let court = &court;
        async move {
            let body = json!({"token": token, "signer_id": signer, "version_sha256": hash, "image_png": b64(&drawn_signature(3))});
            court.server.post("/api/sign/submit", None, &body).await
        }
    };
    let refused = "签名二维码无效或已过期，请在电脑上重新获取二维码";

    // An expired link is refused.
    let expired = qr(defendant.token.clone()).await;
    court.server.clock.advance(std::time::Duration::from_secs(6 * 60));
    let (status, body) = open(expired.clone()).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::FORBIDDEN, Some(refused)));
    let (status, body) = submit(expired, court.id(DEFENDANT), v1.sha256.clone()).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::FORBIDDEN, Some(refused)));

    let link = qr(defendant.token.clone()).await;
    for _ in 0..2 {
        let (status, body) = open(link.clone()).await;
        assert_eq!(status, StatusCode::OK, "opening does not use the link up: {body}");
        let page: QrSigningPage = serde_json::from_value(body).unwrap();
        assert_eq!((page.signer.name.as_str(), &page.record), ("李四", &v1));
    }
    // A link is bound to its party and its version.
    let (status, body) = submit(link.clone(), court.id(PLAINTIFF), v1.sha256.clone()).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::FORBIDDEN, Some(refused)), "another party");
    let (status, _) = submit(link.clone(), court.id(DEFENDANT), "f".repeat(64)).await;
    assert_eq!(status, StatusCode::CONFLICT, "another version");
    let (status, body) = open(format!("{link}x")).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::FORBIDDEN, Some(refused)), "a forged link");

    let (status, body) = submit(link.clone(), court.id(DEFENDANT), v1.sha256.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let qr_signature: SignatureInfo = serde_json::from_value(body).unwrap();
    assert_eq!((qr_signature.via, qr_signature.signer.id), (SigningChannel::Qr, court.id(DEFENDANT)));
    // The same QR code scanned again: the party is told they have signed.
    let signed = "您已签名，无需再次签名";
    let (status, body) = submit(link.clone(), court.id(DEFENDANT), v1.sha256.clone()).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::CONFLICT, Some(signed)), "a link used twice");
    let (status, body) = open(link.clone()).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::CONFLICT, Some(signed)), "a link rescanned");
    let (status, body) = court.server.post("/api/sign/renew", None, &json!({"token": link})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // 查看签名: each party sees their own signature image.
    let view = court.view(&defendant.token).await;
    assert!(!view.must_sign);
    let mine = view.my_signature.expect("the defendant's signature");
    let image_path = court.path(&format!("/signatures/{}/image", mine.id));
    let response = court.server.http.get(court.server.url(&image_path)).bearer_auth(&defendant.token).send().await.unwrap();
    assert_eq!(response.headers()["content-type"], "image/png");
    let png = response.bytes().await.unwrap();
    assert_eq!(hex::encode(Sha256::digest(&png)), mine.image_sha256);
    let (status, _) = court.server.get(&image_path, Some(&plaintiff.token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not someone else's");
    let (status, _) = court.server.get(&image_path, Some(&court.clerk.token)).await;
    assert_eq!(status, StatusCode::OK, "the court sees all");

    // The signed PDF: every page carries both signatures, the hash and page numbers.
    let response = court.server.http.get(court.server.url(&court.path("/pdf"))).bearer_auth(&plaintiff.token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let pdf = response.bytes().await.unwrap().to_vec();
    // Kept with the browser tests' screenshots, for a person to look at.
    let artifacts = artifacts_dir();
    std::fs::create_dir_all(&artifacts).unwrap();
    let file = artifacts.join("signed-record.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let pages = pdf_pages(&file);
    assert!(pages >= 2, "a long record spans pages: {pages}");
    let images = images_per_page(&file);
    assert_eq!(images.len(), pages, "images on every page: {images:?}");
    assert!(images.iter().all(|&n| n == 2), "both signatures on every page: {images:?}");
    let text: String = pdf_text(&file).split_whitespace().collect();
    for expected in ["庭审笔录", "（2026）津0101民初8号", "审判长：现在开庭。核对当事人身份。", "被告：借款属实，但已经归还两万元。", "第40项：", "原告张三", "被告李四", &v1.sha256] {
        assert!(text.contains(expected), "the PDF's text has {expected}: {text}");
    }
    assert!(text.contains(&format!("第1页共{pages}页")) && text.contains(&format!("第{pages}页共{pages}页")));
    let again = court.server.http.get(court.server.url(&court.path("/pdf"))).bearer_auth(&court.clerk.token).send().await.unwrap();
    assert_eq!(again.bytes().await.unwrap().to_vec(), pdf, "the same record gives the same PDF");

    // Verification: the PDF, the version's hash, or nothing.
    let verify_pdf = court.server.http.post(court.server.url("/api/records/verify")).header("content-type", "application/pdf").body(pdf.clone()).send().await.unwrap();
    let verdict: RecordVerification = verify_pdf.json().await.unwrap();
    assert!(verdict.found && verdict.kind == Some(VerifiedKind::SignedPdf), "{verdict:?}");
    assert_eq!(verdict.case_number.as_deref(), Some("（2026）津0101民初8号"));
    let mut names: Vec<&str> = verdict.signatures.iter().filter(|s| s.valid).map(|s| s.signer.name.as_str()).collect();
    names.sort();
    assert_eq!(names, vec!["张三", "李四"]);
    let mut altered = pdf.clone();
    let middle = altered.len() / 2;
    altered[middle] ^= 1;
    let (_, body) = verify_body(&court.server, altered).await;
    assert!(!body.found && body.signatures.is_empty(), "one changed byte is not a signed record");
    let (_, unknown) = court.server.post("/api/records/verify", None, &json!({"sha256": "a".repeat(64)})).await;
    assert_eq!(serde_json::from_value::<RecordVerification>(unknown).unwrap(), RecordVerification::unknown());
    let (_, junk) = court.server.post("/api/records/verify", None, &json!({"sha256": "not a hash"})).await;
    assert_eq!(serde_json::from_value::<RecordVerification>(junk).unwrap(), RecordVerification::unknown());

    // Anyone with the court's public key can check each signature.
    let (_, key) = court.server.get("/api/records/public-key", None).await;
    let key: RecordPublicKey = serde_json::from_value(key).unwrap();
    let key: [u8; 32] = base64::engine::general_purpose::STANDARD.decode(&key.public_key).unwrap().try_into().unwrap();
    let (_, sealed) = court.server.get(&court.path(&format!("/rounds/{}/signatures", round.id)), Some(&plaintiff.token)).await;
    let sealed: Vec<SealedSignature> = serde_json::from_value(sealed).unwrap();
    assert_eq!(sealed.len(), 2);
    for s in &sealed {
        let signature = base64::engine::general_purpose::STANDARD.decode(&s.server_signature).unwrap();
        assert!(cloudtrial_server::record::seal::verify(&key, s.payload.as_bytes(), &signature));
        let payload: SignaturePayload = serde_json::from_str(&s.payload).unwrap();
        assert_eq!((payload.version_sha256.as_str(), payload.login.method.as_str()), (v1.sha256.as_str(), "sms_code"));
    }

    // One character changed after signing: a new version, the round superseded.
    let mut changed = v1.content.clone();
    changed.paragraphs[2].text = changed.paragraphs[2].text.replacen("两万元", "三万元", 1);
    let v2 = court.save(Some(1), &changed).await;
    assert_eq!(v2.version, 2);
    let view = court.view(&plaintiff.token).await;
    let superseded = view.signing.expect("the round is still shown");
    assert!(superseded.superseded_at_ms.is_some() && !view.must_sign);
    let (status, body) = sign(plaintiff.token.clone(), v1.sha256.clone(), drawn_signature(4)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = court.server.post(&court.path("/qr"), Some(&defendant.token), &json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "no signing until it is asked for again");
    for s in &sealed {
        let signature = base64::engine::general_purpose::STANDARD.decode(&s.server_signature).unwrap();
        let moved = s.payload.replace(&v1.sha256, &v2.sha256);
        assert!(!cloudtrial_server::record::seal::verify(&key, moved.as_bytes(), &signature), "not valid for the new version");
    }
    let (_, new_verdict) = court.server.post("/api/records/verify", None, &json!({"sha256": v2.sha256})).await;
    let new_verdict: RecordVerification = serde_json::from_value(new_verdict).unwrap();
    assert_eq!((new_verdict.kind, new_verdict.signatures.len()), (Some(VerifiedKind::RecordVersion), 0), "nobody signed the new version");
    let (_, old_verdict) = court.server.post("/api/records/verify", None, &json!({"sha256": v1.sha256.to_uppercase()})).await;
    let old_verdict: RecordVerification = serde_json::from_value(old_verdict).unwrap();
    assert_eq!(old_verdict.signatures.iter().filter(|s| s.valid).count(), 2, "the old version keeps its signatures");

    // The clerk asks again; the new round starts unsigned.
    let (status, body) = court.start_signing(2).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let again: SigningRound = serde_json::from_value(body).unwrap();
    assert!(again.is_open() && again.signers.iter().all(|s| s.signature.is_none()));
    assert!(court.view(&defendant.token).await.must_sign);

    let events = court.events().await;
    for action in ["record_signing_started", "record_signing_qr_issued", "record_pdf_generated", "record_signing_superseded"] {
        assert!(events.iter().any(|a| a == action), "{action} logged: {events:?}");
    }
    assert_eq!(events.iter().filter(|a| *a == "record_signed").count(), 2);
    assert_eq!(events.iter().filter(|a| *a == "record_pdf_generated").count(), 1, "the same PDF is logged once");
}

#[tokio::test]
async fn huge_and_malformed_signatures_are_refused() {
    let court = Court::new().await;
    let plaintiff = court.session(PLAINTIFF).await;
    let v1 = court.save(None, &record(&[("审判长", "现在开庭。")])).await;
    court.hold_and_close().await;
    let (_, body) = court.start_signing(1).await;
    let round: SigningRound = serde_json::from_value(body).unwrap();
    let post = |image: String| {
        let court = &court;
        let body = json!({"round_id": round.id, "version_sha256": v1.sha256, "image_png": image});
        let token = plaintiff.token.clone();
        async move { court.server.post(&court.path("/signatures"), Some(&token), &body).await }
    };
    let (status, _) = post(b64(&vec![7u8; 700 * 1024])).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, _) = post("%%% not base64".into()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let mut huge = Vec::new();
    image::RgbaImage::from_pixel(2500, 100, image::Rgba([0, 0, 0, 255]))
        .write_to(&mut Cursor::new(&mut huge), image::ImageFormat::Png)
        .unwrap();
    let (status, _) = post(b64(&huge)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "too many pixels");
    let (status, _) = court
        .server
        .post(&court.path("/signatures"), Some(&plaintiff.token), &json!({"round_id": 999, "version_sha256": v1.sha256, "image_png": b64(&drawn_signature(1))}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(court.view(&plaintiff.token).await.must_sign, "nothing was signed");
}

#[tokio::test]
async fn signing_requests_go_out_by_sms_and_a_party_who_left_can_come_back_to_sign() {
    let court = Court::new().await;
    let number = court.hearing.meeting_number.to_string();
    let plaintiff = court.session(PLAINTIFF).await;
    let v1 = court.save(None, &record(&[("审判长", "现在开庭。")])).await;
    court.hold_and_close().await;
    let (status, _) = court.server.post("/api/session/logout", Some(&plaintiff.token), &json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    court.server.clock.advance(std::time::Duration::from_secs(61));
    let (status, body) = court.server.request_code(&number, PLAINTIFF.2).await;
    assert_eq!(status, StatusCode::OK, "the same answer as ever: {body}");
    // Closed, and nothing to sign: the code proves who asks, and then they are told.
    let code = court.server.latest_code(&court.clerk.token, PLAINTIFF.2).await.unwrap();
    let (status, body) = court.server.verify(&number, PLAINTIFF.2, &code).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::CONFLICT, Some(OVER)), "{body}");
    let (status, _) = court.server.verify(&number, PLAINTIFF.2, &code).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the code is used up");

    let (status, body) = court.start_signing(v1.version).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for party in [PLAINTIFF, DEFENDANT] {
        let sent = court.server.outbox(&court.clerk.token, &format!("?mobile={}", party.2)).await;
        let request = sent.iter().find(|m| m.kind == SmsKind::SigningRequest).expect("a signing request SMS");
        assert!(request.text.contains("庭审笔录已发起签名") && request.text.contains(&number), "{}", request.text);
    }
    let judge_sms = court.server.outbox(&court.clerk.token, &format!("?mobile={}", JUDGE.2)).await;
    assert!(judge_sms.iter().all(|m| m.kind != SmsKind::SigningRequest), "the court does not sign");

    // Back in with the meeting number, only to sign.
    court.server.clock.advance(std::time::Duration::from_secs(61));
    let again = court.session(PLAINTIFF).await;
    let view = court.view(&again.token).await;
    assert!(view.must_sign);
    let body = json!({"round_id": view.signing.unwrap().id, "version_sha256": v1.sha256, "image_png": b64(&drawn_signature(3))});
    let (status, body) = court.server.post(&court.path("/signatures"), Some(&again.token), &body).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Signed: logging in again says the hearing is over and nothing is outstanding.
    court.server.clock.advance(std::time::Duration::from_secs(61));
    let (status, _) = court.server.request_code(&number, PLAINTIFF.2).await;
    assert_eq!(status, StatusCode::OK);
    let code = court.server.latest_code(&court.clerk.token, PLAINTIFF.2).await.unwrap();
    let (status, body) = court.server.verify(&number, PLAINTIFF.2, &code).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::CONFLICT, Some(OVER)), "{body}");
    // A wrong code still gets the answer every guesser gets.
    court.server.clock.advance(std::time::Duration::from_secs(61));
    court.server.request_code(&number, PLAINTIFF.2).await;
    let (status, body) = court.server.verify(&number, PLAINTIFF.2, "000000").await;
    let (guess_status, guess) = court.server.verify("99999999", PLAINTIFF.2, "000000").await;
    assert_eq!((status, &body), (guess_status, &guess));
}

const OVER: &str = "本次庭审已闭庭，您没有待签名的笔录，无需再登录";

/// After 闭庭 a party who has used up their login codes still has to sign:
/// 重发通知 sends them the 签名通知 again and lets them ask for codes afresh.
/// Nobody else gets one: not before signing starts, not the court, not a party
/// who has signed.
#[tokio::test]
async fn after_closing_the_clerk_resends_the_signing_request_to_a_party_who_has_not_signed() {
    let court = &Court::new().await;
    let number = court.hearing.meeting_number.to_string();
    let resend = |party: Party| {
        let path = format!("/api/hearings/{}/participants/{}/notice", court.hearing.id, court.id(party));
        async move { court.server.post(&path, Some(&court.clerk.token), &json!({})).await }
    };
    let sent = |kind: SmsKind| async move {
        let outbox = court.server.outbox(&court.clerk.token, &format!("?mobile={}", PLAINTIFF.2)).await;
        outbox.iter().filter(|m| m.kind == kind).count()
    };
    let v1 = court.save(None, &record(&[("审判长", "现在开庭。")])).await;
    court.hold_and_close().await;
    let nothing_to_sign = (StatusCode::CONFLICT, Some("庭审已闭庭，该参与人没有待签名的笔录"));
    let (status, body) = resend(PLAINTIFF).await;
    assert_eq!((status, body["message"].as_str()), nothing_to_sign, "signing has not started");

    let (status, body) = court.start_signing(v1.version).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The plaintiff asks for code after code until the hour's allowance is gone.
    let mut codes = sent(SmsKind::LoginCode).await;
    loop {
        court.server.clock.advance(std::time::Duration::from_secs(61));
        court.server.request_code(&number, PLAINTIFF.2).await;
        let now = sent(SmsKind::LoginCode).await;
        if now == codes {
            break;
        }
        codes = now;
        assert!(codes <= 20, "the allowance never ran out");
    }

    let (status, body) = resend(PLAINTIFF).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(sent(SmsKind::SigningRequest).await, 2, "the 签名通知 again, not the 庭审通知");
    assert_eq!(sent(SmsKind::HearingNotice).await, 1, "only the booking's");
    court.server.clock.advance(std::time::Duration::from_secs(61));
    let signer = court.session(PLAINTIFF).await;
    assert_eq!(sent(SmsKind::LoginCode).await, codes + 1, "codes again");
    let round = court.view(&signer.token).await.signing.unwrap();
    court.sign(&signer.token, &round, &v1, 5).await;

    for party in [PLAINTIFF, JUDGE] {
        let (status, body) = resend(party).await;
        assert_eq!((status, body["message"].as_str()), nothing_to_sign, "{}: signed, or of the court", party.1);
    }
    let log = court.server.hearing_log(&court.clerk.token, court.hearing.id).await;
    let resent: Vec<_> = log.entries.iter().filter(|e| e.action == "notice_resent").map(|e| e.detail["kind"].clone()).collect();
    assert_eq!(resent, [json!("signing_request")]);

    let cancelled = court.server.book(&court.clerk.token, "（2026）津0101民初9号", &[JUDGE, PLAINTIFF]).await;
    let (status, _) = court.server.post(&format!("/api/hearings/{}/cancel", cancelled.id), Some(&court.clerk.token), &json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let plaintiff = cancelled.participants.iter().find(|p| p.mobile == PLAINTIFF.2).unwrap();
    let path = format!("/api/hearings/{}/participants/{}/notice", cancelled.id, plaintiff.id);
    let (status, body) = court.server.post(&path, Some(&court.clerk.token), &json!({})).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::CONFLICT, Some("庭审已取消")));
}

#[tokio::test]
async fn a_pdf_before_everyone_signed_says_who_has_not_and_verification_says_it_is_incomplete() {
    let court = Court::new().await;
    let plaintiff = court.session(PLAINTIFF).await;
    let v1 = court.save(None, &long_record()).await;
    court.hold_and_close().await;
    let (_, body) = court.start_signing(1).await;
    let round: SigningRound = serde_json::from_value(body).unwrap();
    let body = json!({"round_id": round.id, "version_sha256": v1.sha256, "image_png": b64(&drawn_signature(1))});
    let (status, body) = court.server.post(&court.path("/signatures"), Some(&plaintiff.token), &body).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let response = court.server.http.get(court.server.url(&court.path("/pdf"))).bearer_auth(&court.clerk.token).send().await.unwrap();
    assert_eq!(response.headers()["x-record-complete"], "false");
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.contains("record-incomplete.pdf"), "{disposition}");
    let name = "签名未完成".bytes().map(|b| format!("%{b:02X}")).collect::<String>();
    assert!(disposition.contains(&name), "the file name says so: {disposition}");
    let pdf = response.bytes().await.unwrap().to_vec();
    let artifacts = artifacts_dir();
    std::fs::create_dir_all(&artifacts).unwrap();
    let file = artifacts.join("record-incomplete.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let pages = pdf_pages(&file);
    assert!(pages >= 2);
    for page in 1..=pages {
        let number = page.to_string();
        let text: String = run("pdftotext", &["-f".as_ref(), number.as_ref(), "-l".as_ref(), number.as_ref(), "-enc".as_ref(), "UTF-8".as_ref(), file.as_os_str(), "-".as_ref()])
            .split_whitespace()
            .collect();
        assert!(text.contains("签名未完成"), "page {page} says signing is incomplete: {text}");
        assert!(text.contains("被告李四未签名"), "page {page} names who has not signed: {text}");
        assert!(text.contains("原告张三"), "page {page} carries the signature given");
    }
    let (_, verdict) = verify_body(&court.server, pdf).await;
    assert_eq!(verdict.complete, Some(false));
    assert_eq!(verdict.unsigned.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), vec!["李四"]);
    let (_, by_version) = court.server.post("/api/records/verify", None, &json!({"sha256": v1.sha256})).await;
    let by_version: RecordVerification = serde_json::from_value(by_version).unwrap();
    assert_eq!((by_version.complete, by_version.unsigned.len()), (Some(false), 1));

    // Once the defendant signs, a new PDF is complete, and so is the version; the old PDF stays incomplete.
    let defendant = court.session(DEFENDANT).await;
    let body = json!({"round_id": round.id, "version_sha256": v1.sha256, "image_png": b64(&drawn_signature(2))});
    let (status, _) = court.server.post(&court.path("/signatures"), Some(&defendant.token), &body).await;
    assert_eq!(status, StatusCode::OK);
    let response = court.server.http.get(court.server.url(&court.path("/pdf"))).bearer_auth(&court.clerk.token).send().await.unwrap();
    assert_eq!(response.headers()["x-record-complete"], "true");
    assert!(!response.headers()["content-disposition"].to_str().unwrap().contains("incomplete"));
    let complete = response.bytes().await.unwrap().to_vec();
    let (_, verdict) = verify_body(&court.server, complete).await;
    assert_eq!((verdict.complete, verdict.unsigned.len()), (Some(true), 0));
    let (_, old) = verify_body(&court.server, std::fs::read(&file).unwrap()).await;
    assert_eq!(old.complete, Some(false), "the early PDF was not a complete record");
    let (_, by_version) = court.server.post("/api/records/verify", None, &json!({"sha256": v1.sha256})).await;
    let by_version: RecordVerification = serde_json::from_value(by_version).unwrap();
    assert_eq!(by_version.complete, Some(true));
}

/// Signing started at 休庭 covers the record up to then: when the judge
/// continues the hearing, that round is void, and nobody signs it any more.
#[tokio::test]
async fn signing_started_at_an_adjournment_ends_when_the_hearing_continues() {
    let court = Court::new().await;
    let plaintiff = court.session(PLAINTIFF).await;
    let defendant = court.session(DEFENDANT).await;
    let v1 = court.save(None, &record(&[("审判长", "现在开庭。")])).await;
    let judge = court.session(JUDGE).await;
    let (mut room, _) = RawClient::join(&court.server, &judge.token).await;
    assert_eq!(room.command(JudgeCommand::Start).await, None);
    assert_eq!(room.command(JudgeCommand::Adjourn).await, None);
    let (status, body) = court.start_signing(1).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let round: SigningRound = serde_json::from_value(body).unwrap();
    court.sign(&plaintiff.token, &round, &v1, 1).await;

    assert_eq!(room.command(JudgeCommand::Resume).await, None);
    let body = json!({"round_id": round.id, "version_sha256": v1.sha256, "image_png": b64(&drawn_signature(2))});
    let (status, answer) = court.server.post(&court.path("/signatures"), Some(&defendant.token), &body).await;
    assert!(status.is_client_error(), "no signing while the hearing goes on: {answer}");
    let log = court.server.hearing_log(&court.clerk.token, court.hearing.id).await;
    let void = log.entries.iter().find(|e| e.action == "record_signing_superseded").expect("the round is void");
    assert_eq!(void.detail["because"], "hearing_resumed");
    assert_eq!(void.detail["rounds"], json!([round.id]));
}

/// A signature row the server did not seal (written into the database by
/// someone with access to it) counts nobody as signed: the version stays
/// incomplete, and the signed PDF neither prints it nor calls itself complete.
#[tokio::test]
async fn a_signature_the_court_did_not_seal_signs_nobody() {
    let court = Court::new().await;
    let plaintiff = court.session(PLAINTIFF).await;
    let (v1, round) = court.signing(&record(&[("审判长", "现在开庭。")])).await;
    court.sign(&plaintiff.token, &round, &v1, 1).await;

    // The plaintiff's signature, copied as the defendant's with an unsealed payload.
    let defendant = court.id(DEFENDANT);
    court
        .server
        .state()
        .store
        .call(move |conn| {
            let (image, payload): (Vec<u8>, String) =
                conn.query_row("SELECT image_png, payload FROM signatures", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let mut payload: Value = serde_json::from_str(&payload).unwrap();
            payload["signer"]["id"] = json!(defendant);
            payload["signer"]["name"] = json!("李四");
            payload["signer"]["role"] = json!("defendant");
            conn.execute(
                "INSERT INTO signatures (round_id, participant_id, image_png, payload, server_signature) VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![round.id, defendant, image, payload.to_string(), vec![0u8; 64]],
            )?;
            Ok::<_, cloudtrial_server::store::StoreError>(())
        })
        .await
        .unwrap();

    let (_, by_version) = court.server.post("/api/records/verify", None, &json!({"sha256": v1.sha256})).await;
    let by_version: RecordVerification = serde_json::from_value(by_version).unwrap();
    assert_eq!(by_version.complete, Some(false), "{by_version:?}");
    assert_eq!(by_version.unsigned.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), vec!["李四"]);
    assert!(by_version.signatures.iter().any(|s| s.signer.name == "李四" && !s.valid), "the forgery is shown as invalid");

    let response = court.server.http.get(court.server.url(&court.path("/pdf"))).bearer_auth(&court.clerk.token).send().await.unwrap();
    assert_eq!(response.headers()["x-record-complete"], "false");
    let pdf = response.bytes().await.unwrap().to_vec();
    let (_, verdict) = verify_body(&court.server, pdf).await;
    assert_eq!(verdict.complete, Some(false));
    assert_eq!(verdict.signatures.iter().map(|s| s.signer.name.as_str()).collect::<Vec<_>>(), vec!["张三"], "only the sealed signature is in the PDF");
}

/// A record changed after everyone signed it: its signed PDF says on every
/// page that a newer version exists, and so do the download and verification.
#[tokio::test]
async fn a_signed_record_changed_afterwards_says_it_was_superseded() {
    let court = Court::new().await;
    let (v1, round) = court.signing(&record(&[("审判长", "原告请求被告偿还借款两万元。")])).await;
    for (party, seed) in [(PLAINTIFF, 1), (DEFENDANT, 2)] {
        court.sign(&court.session(party).await.token, &round, &v1, seed).await;
    }
    let response = court.server.http.get(court.server.url(&court.path("/pdf"))).bearer_auth(&court.clerk.token).send().await.unwrap();
    assert_eq!(response.headers()["x-record-complete"], "true");
    assert!(response.headers().get("x-record-superseded-by").is_none());
    // A version everyone signed is not set aside by starting again on it: the signed record stays the record.
    let (status, body) = court.start_signing(1).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["message"], "第1版笔录已全部签名，无需重新发起签名");
    assert_eq!(court.view(&court.clerk.token).await.signing.unwrap().id, round.id, "the signed round is still the round");

    court.save(Some(1), &record(&[("审判长", "原告请求被告偿还借款三万元。")])).await;
    let response = court.server.http.get(court.server.url(&court.path("/pdf"))).bearer_auth(&court.clerk.token).send().await.unwrap();
    assert_eq!(response.headers()["x-record-superseded-by"], "2");
    let pdf = response.bytes().await.unwrap().to_vec();
    let artifacts = artifacts_dir();
    std::fs::create_dir_all(&artifacts).unwrap();
    let file = artifacts.join("record-superseded.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let text: String = pdf_text(&file).split_whitespace().collect();
    assert!(text.contains("本笔录其后已修改为第2版，此为第1版"), "{text}");
    let (_, verdict) = verify_body(&court.server, pdf).await;
    assert_eq!((verdict.complete, verdict.superseded_by), (Some(true), Some(2)));
    let (_, by_version) = court.server.post("/api/records/verify", None, &json!({"sha256": v1.sha256})).await;
    let by_version: RecordVerification = serde_json::from_value(by_version).unwrap();
    assert_eq!((by_version.complete, by_version.superseded_by), (Some(true), Some(2)));
}

#[tokio::test]
async fn a_signing_link_in_use_is_renewed_and_a_forgotten_one_expires() {
    let court = Court::new().await;
    let defendant = court.session(DEFENDANT).await;
    court.save(None, &record(&[("审判长", "现在开庭。")])).await;
    court.hold_and_close().await;
    court.start_signing(1).await;
    let (_, body) = court.server.post(&court.path("/qr"), Some(&defendant.token), &json!({})).await;
    let qr: QrSigning = serde_json::from_value(body).unwrap();
    let token = qr.url.split('#').nth(1).unwrap().to_owned();
    let renew = |token: String| {
        let court = &court;
        async move { court.server.post("/api/sign/renew", None, &json!({"token": token})).await }
    };
    // Reading for twenty minutes, the page renewing every four: still valid.
    for _ in 0..5 {
        court.server.clock.advance(std::time::Duration::from_secs(4 * 60));
        let (status, body) = renew(token.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let now = cloudtrial_server::Clock::now_ms(&court.server.clock);
        assert_eq!(body["expires_at_ms"].as_i64().unwrap(), now + 5 * 60_000);
    }
    let (status, body) = court.server.post("/api/sign/open", None, &json!({"token": token})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Never past an hour from the QR code, however busy.
    for _ in 0..12 {
        court.server.clock.advance(std::time::Duration::from_secs(4 * 60));
        renew(token.clone()).await;
    }
    let (status, _) = court.server.post("/api/sign/open", None, &json!({"token": token})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an hour is the most a link lives");
    // A page left alone expires as before; renewing it then is too late.
    let (_, body) = court.server.post(&court.path("/qr"), Some(&defendant.token), &json!({})).await;
    let qr: QrSigning = serde_json::from_value(body).unwrap();
    let token = qr.url.split('#').nth(1).unwrap().to_owned();
    court.server.clock.advance(std::time::Duration::from_secs(6 * 60));
    let (status, body) = renew(token.clone()).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::FORBIDDEN, Some("签名二维码无效或已过期，请在电脑上重新获取二维码")));
    let (status, _) = renew("forged".into()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn verify_body(server: &TestServer, body: Vec<u8>) -> (StatusCode, RecordVerification) {
    let response = server.http.post(server.url("/api/records/verify")).header("content-type", "application/pdf").body(body).send().await.unwrap();
    (response.status(), response.json().await.unwrap())
}

fn run(program: &str, args: &[&std::ffi::OsStr]) -> String {
    let output = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program} (poppler-utils): {e}"));
    assert!(output.status.success(), "{program}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

fn pdf_pages(file: &std::path::Path) -> usize {
    let info = run("pdfinfo", &[file.as_os_str()]);
    info.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap()
}

fn pdf_text(file: &std::path::Path) -> String {
    run("pdftotext", &["-enc".as_ref(), "UTF-8".as_ref(), file.as_os_str(), "-".as_ref()])
}

/// How many images (not their transparency masks) `pdfimages -list` finds on each page.
fn images_per_page(file: &std::path::Path) -> Vec<usize> {
    let list = run("pdfimages", &["-list".as_ref(), file.as_os_str()]);
    let mut per_page: Vec<usize> = Vec::new();
    for line in list.lines().skip(2) {
        let columns: Vec<&str> = line.split_whitespace().collect();
        let (Some(page), Some(kind)) = (columns.first().and_then(|p| p.parse::<usize>().ok()), columns.get(2)) else { continue };
        if per_page.len() < page {
            per_page.resize(page, 0);
        }
        if *kind == "image" {
            per_page[page - 1] += 1;
        }
    }
    per_page
}

/// Where tests leave what a person may want to look at. Cargo's variable at run
/// time: a test binary built in another checkout may be reused.
fn artifacts_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()))
        .join("../tests/artifacts")
}
