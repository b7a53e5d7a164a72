//! Evidence over HTTP: the upload protocol, storage, previews, refusals and permissions.

use base64::Engine;
use cloudtrial_protocol::StaffRole;
use cloudtrial_protocol::api::{Hearing, ParticipantSession};
use cloudtrial_protocol::evidence::{Evidence, UploadStatus};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::harness::*;

#[path = "../../../tests/testkit/src/photos.rs"]
#[allow(dead_code)]
mod photos;
pub use photos::{phone_photo, photo_of_size};

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// JPEG markers before the image data: no APP1 means no EXIF (and no XMP).
fn app_markers(jpeg: &[u8]) -> Vec<u8> {
    let mut markers = Vec::new();
    let mut i = 2;
    while i + 4 <= jpeg.len() && jpeg[i] == 0xff {
        let marker = jpeg[i + 1];
        if marker == 0xda {
            break;
        }
        markers.push(marker);
        i += 2 + usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
    }
    markers
}

pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A valid little PNG whose header claims 60000×60000 pixels.
fn png_bomb() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&60_000u32.to_be_bytes());
    ihdr.extend_from_slice(&60_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    let idat = b"IDAT\x78\x9c\x63\x00\x00\x00\x01\x00\x01";
    png.extend_from_slice(&9u32.to_be_bytes());
    png.extend_from_slice(idat);
    png.extend_from_slice(&crc32(idat).to_be_bytes());
    png.extend_from_slice(&0u32.to_be_bytes());
    png.extend_from_slice(b"IEND");
    png.extend_from_slice(&crc32(b"IEND").to_be_bytes());
    png
}

pub struct Court {
    pub server: TestServer,
    pub clerk: String,
    pub hearing: Hearing,
    pub other: Hearing,
}

pub const AGENT: Party = (cloudtrial_protocol::ParticipantRole::PlaintiffAgent, "王律师", "13600000001");
pub const WITNESS: Party = (cloudtrial_protocol::ParticipantRole::Witness, "赵证人", "13700000001");

impl Court {
    pub async fn new() -> Self {
        Self::with(|_| {}).await
    }

    pub async fn with(tweak: impl FnOnce(&mut cloudtrial_server::Config)) -> Self {
        let server = TestServer::start_with(tweak).await;
        let clerk = server.staff(StaffRole::Clerk, "clerk").await.token;
        let hearing = server.book(&clerk, "案1", &[JUDGE, PLAINTIFF, DEFENDANT, AGENT, WITNESS]).await;
        let other = server.book(&clerk, "案2", &[JUDGE, PLAINTIFF]).await;
        Self { server, clerk, hearing, other }
    }

    pub async fn session(&self, hearing: &Hearing, party: Party) -> ParticipantSession {
        self.server.login(&self.clerk, hearing, party.2).await
    }

    /// Starts an upload of `bytes`.
    pub async fn start(&self, token: &str, hearing_id: i64, bytes: &[u8], file_name: &str, extra: Value) -> (StatusCode, Value) {
        let mut body = json!({
            "length": bytes.len(), "sha256": sha256_hex(bytes), "file_name": file_name,
            "title": "借条照片", "description": "2025年3月的借条", "purpose": "证明被告向原告借款五万元",
        });
        body.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
        self.server.post(&format!("/api/hearings/{hearing_id}/uploads"), Some(token), &body).await
    }

    pub async fn chunk(&self, token: &str, upload: &str, offset: usize, chunk: &[u8], checksum_of: &[u8]) -> (StatusCode, Value) {
        let checksum = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(checksum_of));
        let response = self
            .server
            .http
            .patch(self.server.url(&format!("/api/uploads/{upload}")))
            .bearer_auth(token)
            .header("upload-offset", offset.to_string())
            .header("upload-checksum", format!("sha256 {checksum}"))
            .body(chunk.to_vec())
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Uploads `bytes` in chunks; returns the last answer.
    pub async fn upload(&self, token: &str, bytes: &[u8], file_name: &str, extra: Value) -> (StatusCode, Value) {
        let (status, started) = self.start(token, self.hearing.id, bytes, file_name, extra).await;
        if status != StatusCode::CREATED {
            return (status, started);
        }
        let id = started["upload_id"].as_str().unwrap().to_owned();
        let mut last = (status, started);
        for (i, chunk) in bytes.chunks(16 * 1024).enumerate() {
            last = self.chunk(token, &id, i * 16 * 1024, chunk, chunk).await;
            if last.0 != StatusCode::OK {
                break;
            }
        }
        last
    }

    pub async fn evidence(&self, token: &str) -> Vec<Evidence> {
        let (status, body) = self.server.get(&format!("/api/hearings/{}/evidence", self.hearing.id), Some(token)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).unwrap()
    }

    pub fn stored_files(&self) -> Vec<std::path::PathBuf> {
        let root = self.server.config.data_dir.join("evidence");
        let mut found = Vec::new();
        let mut dirs = vec![root];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() { dirs.push(path) } else { found.push(path) }
            }
        }
        found
    }
}

#[tokio::test]
async fn a_file_named_as_something_else_is_taken_for_what_it_is_and_saved_under_a_name_that_opens() {
    let court = Court::new().await;
    let plaintiff = court.session(&court.hearing, PLAINTIFF).await;
    let pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n".to_vec();
    let (status, body) = court.upload(&plaintiff.token, &pdf, "shoutiao.jpg", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let evidence: Evidence = serde_json::from_value(body["evidence"].clone()).unwrap();
    assert_eq!((evidence.kind, evidence.media_type.as_str()), (cloudtrial_protocol::evidence::EvidenceKind::Pdf, "application/pdf"));
    assert_eq!(evidence.file_name, "shoutiao.jpg", "the name as submitted stays on record");
    let original = court.server.http.get(court.server.url(&format!("/api/evidence/{}/original", evidence.id)));
    let original = original.bearer_auth(&plaintiff.token).send().await.unwrap();
    assert_eq!(original.headers()["content-type"], "application/pdf");
    let disposition = original.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.ends_with("''shoutiao.pdf"), "{disposition}");
    assert_eq!(original.bytes().await.unwrap().as_ref(), pdf.as_slice());
}

#[tokio::test]
async fn a_phone_photo_is_kept_byte_for_byte_and_the_other_side_gets_it_without_its_location_until_the_judge_releases_it() {
    let court = Court::new().await;
    let plaintiff = court.session(&court.hearing, PLAINTIFF).await;
    let photo = phone_photo();
    let (status, body) = court.upload(&plaintiff.token, &photo, "IMG_2041.JPG", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let done: UploadStatus = serde_json::from_value(body).unwrap();
    let evidence = done.evidence.expect("the last chunk makes evidence");
    assert_eq!(done.offset, photo.len() as u64);
    assert_eq!(evidence.sha256, sha256_hex(&photo), "the court keeps what the party sent");
    assert_eq!(evidence.media_type, "image/jpeg");
    assert_eq!((evidence.width, evidence.height), (Some(300), Some(400)), "upright size");
    assert_eq!(evidence.captured_at.as_deref(), Some("2026:05:17 14:03:22"));
    assert_eq!(evidence.submitter.name, "张三");
    assert!(!evidence.counter);

    let defendant = court.session(&court.hearing, DEFENDANT).await;
    let get = |path: String, token: String| {
        let request = court.server.http.get(court.server.url(&path)).bearer_auth(token);
        async move { request.send().await.unwrap() }
    };
    // The submitter gets the original back exactly; the other side may not have it (it says where it was taken).
    let original = get(format!("/api/evidence/{}/original", evidence.id), plaintiff.token.clone()).await;
    assert_eq!(original.status(), StatusCode::OK);
    let headers = original.headers().clone();
    assert_eq!(headers["content-type"], "image/jpeg");
    assert!(headers["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    assert!(headers["content-disposition"].to_str().unwrap().contains("IMG_2041.JPG"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-security-policy"].to_str().unwrap().contains("sandbox"));
    assert_eq!(original.bytes().await.unwrap().as_ref(), photo.as_slice(), "byte for byte");
    let refused = get(format!("/api/evidence/{}/original", evidence.id), defendant.token.clone()).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let refused: Value = refused.json().await.unwrap();
    assert_eq!(refused["code"], "forbidden");
    assert!(refused["message"].as_str().unwrap().contains("副本"), "{refused}");

    // The other side gets the whole picture at full resolution, upright, with nothing of where it was taken,
    // and the original's hash and capture time beside it.
    let copy = get(format!("/api/evidence/{}/copy", evidence.id), defendant.token.clone()).await;
    assert_eq!(copy.status(), StatusCode::OK);
    assert_eq!(copy.headers()["x-evidence-sha256"], sha256_hex(&photo).as_str());
    assert_eq!(copy.headers()["x-evidence-captured-at"], "2026:05:17 14:03:22");
    let jpeg = copy.bytes().await.unwrap().to_vec();
    assert!(!app_markers(&jpeg).contains(&0xe1), "the copy carries no EXIF/XMP: {:x?}", app_markers(&jpeg));
    assert!(!jpeg.windows(4).any(|w| w == b"Exif"), "no EXIF anywhere in the copy");
    let picture = image::load_from_memory(&jpeg).unwrap().into_rgb8();
    assert_eq!((picture.width(), picture.height()), (300, 400), "full resolution, upright");
    let top_right = picture.get_pixel(290, 10);
    assert!(top_right[0] > 150 && top_right[2] < 100, "red ends up top right: {top_right:?}");

    // The presiding judge releases the original: now the other side gets it too, and the log says so.
    let judge = court.session(&court.hearing, JUDGE).await;
    let (status, _) = court.server.post(&format!("/api/evidence/{}/release", evidence.id), Some(&defendant.token), &json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only the judge releases an original");
    let (status, released) = court.server.post(&format!("/api/evidence/{}/release", evidence.id), Some(&judge.token), &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{released}");
    assert_eq!(released["original_released"], true);
    let original = get(format!("/api/evidence/{}/original", evidence.id), defendant.token.clone()).await;
    assert_eq!(original.status(), StatusCode::OK);
    assert_eq!(original.bytes().await.unwrap().as_ref(), photo.as_slice());

    for (variant, longest) in [("preview", 400), ("thumbnail", 256)] {
        let response = court
            .server
            .http
            .get(court.server.url(&format!("/api/evidence/{}/{variant}", evidence.id)))
            .bearer_auth(&defendant.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["content-type"], "image/jpeg");
        let jpeg = response.bytes().await.unwrap().to_vec();
        assert!(!app_markers(&jpeg).contains(&0xe1), "{variant} carries no EXIF/XMP: {:x?}", app_markers(&jpeg));
        assert!(!jpeg.windows(4).any(|w| w == b"Exif"), "no EXIF anywhere in the {variant}");
        let picture = image::load_from_memory(&jpeg).unwrap().into_rgb8();
        assert!(picture.height() > picture.width(), "{variant} is upright (portrait)");
        assert_eq!(picture.height(), longest);
        let (w, h) = (picture.width(), picture.height());
        let top_right = picture.get_pixel(w - w / 8, h / 16);
        let top_left = picture.get_pixel(w / 8, h / 16);
        assert!(top_right[0] > 150 && top_right[2] < 100, "{variant}: red ends up top right: {top_right:?}");
        assert!(top_left[2] > 150 && top_left[0] < 100, "{variant}: blue top left: {top_left:?}");
    }

    let events = court.server.hearing_log(&court.clerk, court.hearing.id).await.entries;
    let submitted = events.iter().find(|e| e.action == "evidence_submitted").expect("logged");
    assert_eq!(submitted.detail["sha256"], sha256_hex(&photo));
    assert_eq!(submitted.actor_name, "张三");
    let release = events.iter().find(|e| e.action == "evidence_original_released").expect("the release is logged");
    assert_eq!((release.actor_name.as_str(), &release.detail["evidence_id"]), ("王法官", &json!(evidence.id)));
}

#[tokio::test]
async fn wrong_offsets_and_corrupted_chunks_change_nothing_and_the_upload_still_completes() {
    let court = Court::new().await;
    let plaintiff = court.session(&court.hearing, PLAINTIFF).await;
    let photo = phone_photo();
    let (_, started) = court.start(&plaintiff.token, court.hearing.id, &photo, "a.jpg", json!({})).await;
    let id = started["upload_id"].as_str().unwrap();
    let half = photo.len() / 2;

    let mut corrupted = photo[..half].to_vec();
    corrupted[100] ^= 0xff;
    let (status, body) = court.chunk(&plaintiff.token, id, 0, &corrupted, &photo[..half]).await;
    assert_eq!(status.as_u16(), 460, "{body}");
    assert_eq!(body["code"], "checksum_mismatch");
    let (_, now) = court.server.get(&format!("/api/uploads/{id}"), Some(&plaintiff.token)).await;
    assert_eq!(now["offset"], 0, "offset unchanged");

    let (status, body) = court.chunk(&plaintiff.token, id, 10, &photo[10..half], &photo[10..half]).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")));
    let (status, body) = court.chunk(&plaintiff.token, id, 0, &photo[..half], &photo[..half]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["offset"], half);
    let (status, _) = court.chunk(&plaintiff.token, id, 0, &photo[..half], &photo[..half]).await;
    assert_eq!(status, StatusCode::CONFLICT, "a repeated chunk is refused, not appended twice");
    let too_long = [&photo[half..], b"extra".as_slice()].concat();
    let (status, _) = court.chunk(&plaintiff.token, id, half, &too_long, &too_long).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "the declared length is enforced");
    let (status, body) = court.chunk(&plaintiff.token, id, half, &photo[half..], &photo[half..]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["evidence"]["sha256"], sha256_hex(&photo));
    // Asking again after completion answers with the evidence (a client that lost the answer).
    let (_, again) = court.server.get(&format!("/api/uploads/{id}"), Some(&plaintiff.token)).await;
    assert_eq!(again["evidence"]["id"], body["evidence"]["id"]);
    assert_eq!(court.evidence(&plaintiff.token).await.len(), 1);
}

#[tokio::test]
async fn a_file_whose_hash_differs_from_the_claim_is_refused_and_not_kept() {
    let court = Court::new().await;
    let plaintiff = court.session(&court.hearing, PLAINTIFF).await;
    let photo = phone_photo();
    let mut body = json!({"length": photo.len(), "sha256": sha256_hex(b"something else"), "file_name": "a.jpg",
        "title": "t", "purpose": "p"});
    let (_, started) = court.server.post(&format!("/api/hearings/{}/uploads", court.hearing.id), Some(&plaintiff.token), &body).await;
    let id = started["upload_id"].as_str().unwrap();
    let (status, answer) = court.chunk(&plaintiff.token, id, 0, &photo, &photo).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(answer["message"].as_str().unwrap().contains("校验值不一致"));
    assert!(court.evidence(&plaintiff.token).await.is_empty());
    assert!(court.stored_files().is_empty(), "{:?}", court.stored_files());
    body["sha256"] = json!("not-hex");
    let (status, _) = court.server.post(&format!("/api/hearings/{}/uploads", court.hearing.id), Some(&plaintiff.token), &body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn bombs_disguises_and_broken_files_are_refused_and_nothing_is_stored() {
    let court = Court::new().await;
    let plaintiff = court.session(&court.hearing, PLAINTIFF).await;
    let photo = phone_photo();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("bomb.png", png_bomb(), "尺寸过大"),
        ("photo.jpg", b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>".to_vec(), "不支持的文件类型"),
        ("image.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec(), "不支持的文件类型"),
        ("truncated.jpg", photo[..photo.len() / 2].to_vec(), "已损坏"),
    ];
    for (name, bytes, reason) in cases {
        let (status, body) = court.upload(&plaintiff.token, &bytes, name, json!({})).await;
        assert!(matches!(status.as_u16(), 413 | 415), "{name}: {status} {body}");
        assert!(body["message"].as_str().unwrap().contains(reason), "{name}: {body}");
        let words = body["message"].as_str().unwrap().replace("PDF", "").replace("Office", "");
        assert!(!words.chars().any(|c| c.is_ascii_alphabetic()), "{name}: the decoder's words stay in the log: {body}");
    }
    assert!(court.evidence(&plaintiff.token).await.is_empty());
    assert!(court.stored_files().is_empty(), "{:?}", court.stored_files());
    let (status, _) = court.server.get("/api/info", None).await;
    assert_eq!(status, StatusCode::OK, "the server is unaffected");

    let (status, body) = court.start(&plaintiff.token, court.hearing.id, &vec![0u8; 2 << 30], "huge.mp4", json!({})).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
}

#[tokio::test]
async fn what_a_party_says_about_a_file_can_run_over_lines_but_hides_nothing() {
    let court = Court::new().await;
    let plaintiff = court.session(&court.hearing, PLAINTIFF).await;
    let photo = phone_photo();
    let (status, body) = court.start(&plaintiff.token, court.hearing.id, &photo, "a.jpg", json!({"description": "借条\u{2066}原件\u{2069}照片"})).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::BAD_REQUEST, Some("证据说明含有不可见字符或改变文字方向的字符，请删除后重新填写")));
    let lines = json!({"purpose": "证明被告借款五万元\n及约定的还款日期", "description": "第一页：借条\n第二页：转账记录"});
    let (status, body) = court.upload(&plaintiff.token, &photo, "a.jpg", lines).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["evidence"]["purpose"], "证明被告借款五万元\n及约定的还款日期");
    assert_eq!(body["evidence"]["description"], "第一页：借条\n第二页：转账记录");
}

#[tokio::test]
async fn two_writers_on_one_upload_cannot_both_write() {
    let court = Court::new().await;
    let plaintiff = court.session(&court.hearing, PLAINTIFF).await;
    let photo = phone_photo();
    let (_, started) = court.start(&plaintiff.token, court.hearing.id, &photo, "a.jpg", json!({})).await;
    let id = started["upload_id"].as_str().unwrap().to_owned();
    let half = &photo[..photo.len() / 2];
    let (a, b) = tokio::join!(
        court.chunk(&plaintiff.token, &id, 0, half, half),
        court.chunk(&plaintiff.token, &id, 0, half, half)
    );
    let codes = [a.0.as_u16(), b.0.as_u16()];
    assert!(codes.contains(&200) && codes.contains(&409), "{codes:?}");
    let rest = &photo[photo.len() / 2..];
    let (status, body) = court.chunk(&plaintiff.token, &id, half.len(), rest, rest).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["evidence"]["sha256"], sha256_hex(&photo), "the file is exactly right");
}

#[tokio::test]
async fn counter_evidence_opinions_and_withdrawal() {
    let court = Court::new().await;
    let plaintiff = court.session(&court.hearing, PLAINTIFF).await;
    let defendant = court.session(&court.hearing, DEFENDANT).await;
    let agent = court.session(&court.hearing, AGENT).await;
    let (_, first) = court.upload(&plaintiff.token, &phone_photo(), "a.jpg", json!({})).await;
    let claim = first["evidence"]["id"].as_str().unwrap().to_owned();

    let receipt = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n".to_vec();
    let (status, body) =
        court.upload(&defendant.token, &receipt, "还款凭证.pdf", json!({"counter": true, "answers": claim, "title": "还款凭证"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let counter: Evidence = serde_json::from_value(body["evidence"].clone()).unwrap();
    assert!(counter.counter, "shown with 反");
    assert_eq!(counter.answers.as_deref(), Some(claim.as_str()));
    assert_eq!(counter.kind, cloudtrial_protocol::evidence::EvidenceKind::Pdf);
    assert!(!counter.has_preview);

    let opinion = json!({
        "authenticity": {"stance": "accept"},
        "legality": {"stance": "accept"},
        "relevance": {"stance": "dispute", "reason": "借条与本案借款无关"},
    });
    let path = format!("/api/evidence/{claim}/opinion");
    let (status, body) = court.server.request(reqwest::Method::PUT, &path, Some(&defendant.token), Some(&opinion)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["opinions"][0]["relevance"]["reason"], "借条与本案借款无关");
    assert_eq!(body["opinions"][0]["by"]["name"], "李四");
    let no_reason = json!({"authenticity": {"stance": "dispute"}, "legality": {"stance": "accept"}, "relevance": {"stance": "accept"}});
    let (status, _) = court.server.request(reqwest::Method::PUT, &path, Some(&defendant.token), Some(&no_reason)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "disputing needs a reason");
    let turned = json!({"authenticity": {"stance": "dispute", "reason": "签名非\u{202E}本人所签"}, "legality": {"stance": "accept"}, "relevance": {"stance": "accept"}});
    let (status, body) = court.server.request(reqwest::Method::PUT, &path, Some(&defendant.token), Some(&turned)).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::BAD_REQUEST, Some("真实性的理由含有不可见字符或改变文字方向的字符，请删除后重新填写")));
    let partly = json!({"authenticity": {"stance": "partly"}, "legality": {"stance": "accept"}, "relevance": {"stance": "accept"}});
    let (status, body) = court.server.request(reqwest::Method::PUT, &path, Some(&defendant.token), Some(&partly)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a stance this server does not know: {body}");
    assert_eq!(body["message"], "对真实性的意见只能是认可或有异议");
    let kept = court.evidence(&defendant.token).await;
    let kept = kept.iter().find(|e| e.id == claim).unwrap();
    assert_eq!(kept.opinions[0].authenticity.stance, cloudtrial_protocol::evidence::Stance::Accept, "the earlier opinion stands");
    let (status, _) = court.server.request(reqwest::Method::PUT, &path, Some(&agent.token), Some(&opinion)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not on one's own side's evidence");

    let listed = court.evidence(&agent.token).await;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].opinions.len(), 1, "everyone sees the opinions");

    let (status, _) = court.server.post(&format!("/api/evidence/{claim}/withdraw"), Some(&defendant.token), &json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only one's own");
    let (status, body) = court.server.post(&format!("/api/evidence/{claim}/withdraw"), Some(&plaintiff.token), &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["withdrawn_at_ms"].is_i64());
    let events = court.server.hearing_log(&court.clerk, court.hearing.id).await.entries;
    let actions: Vec<_> = events.iter().filter(|e| e.action.starts_with("evidence")).map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["evidence_submitted", "evidence_submitted", "evidence_opinion", "evidence_withdrawn"]);
    assert!(events.iter().filter(|e| e.action.starts_with("evidence")).all(|e| e.detail["sha256"].is_string()));
}

#[tokio::test]
async fn who_may_list_fetch_upload_and_give_opinions() {
    let court = Court::new().await;
    let plaintiff = court.session(&court.hearing, PLAINTIFF).await;
    let (_, done) = court.upload(&plaintiff.token, &phone_photo(), "a.jpg", json!({})).await;
    let id = done["evidence"]["id"].as_str().unwrap().to_owned();
    let judge = court.session(&court.hearing, JUDGE).await.token;
    let defendant = court.session(&court.hearing, DEFENDANT).await.token;
    let agent = court.session(&court.hearing, AGENT).await.token;
    let witness = court.session(&court.hearing, WITNESS).await.token;
    let outsider = court.session(&court.other, PLAINTIFF).await.token;
    let admin = court.server.staff(StaffRole::Admin, "admin").await.token;
    let opinion = json!({"authenticity": {"stance": "accept"}, "legality": {"stance": "accept"}, "relevance": {"stance": "accept"}});
    let photo = phone_photo();

    // (who, list, fetch, start upload, opinion)
    let matrix: [(&str, &str, u16, u16, u16, u16); 8] = [
        ("plaintiff (submitter)", &plaintiff.token, 200, 200, 201, 403),
        ("plaintiff's agent", &agent, 200, 200, 201, 403),
        ("defendant", &defendant, 200, 200, 201, 200),
        ("witness", &witness, 200, 200, 403, 403),
        ("judge", &judge, 200, 200, 403, 403),
        ("clerk (staff)", &court.clerk, 200, 200, 403, 403),
        ("administrator", &admin, 200, 200, 403, 403),
        ("party of another hearing", &outsider, 403, 404, 403, 404),
    ];
    let mut failures = Vec::new();
    for (who, token, list, fetch, upload, opine) in matrix {
        let got = [
            court.server.get(&format!("/api/hearings/{}/evidence", court.hearing.id), Some(token)).await.0.as_u16(),
            court.server.get(&format!("/api/evidence/{id}/thumbnail"), Some(token)).await.0.as_u16(),
            court.start(token, court.hearing.id, &photo, "b.jpg", json!({})).await.0.as_u16(),
            court.server.request(reqwest::Method::PUT, &format!("/api/evidence/{id}/opinion"), Some(token), Some(&opinion)).await.0.as_u16(),
        ];
        if got != [list, fetch, upload, opine] {
            failures.push(format!("{who}: got {got:?}, want {:?}", [list, fetch, upload, opine]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Another hearing's evidence id answers exactly like one that does not exist.
    let other = court.server.get(&format!("/api/evidence/{id}/original"), Some(&outsider)).await;
    let missing = court.server.get("/api/evidence/000000000000000000000000/original", Some(&outsider)).await;
    assert_eq!(other, missing);
    // Nobody but the uploader sees an upload.
    let (_, started) = court.start(&plaintiff.token, court.hearing.id, &photo, "c.jpg", json!({})).await;
    let upload = started["upload_id"].as_str().unwrap();
    let (status, _) = court.server.get(&format!("/api/uploads/{upload}"), Some(&defendant)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = court.chunk(&defendant, upload, 0, &photo, &photo).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn expired_uploads_and_stray_files_are_cleaned_at_start_up() {
    let mut court = Court::new().await;
    let plaintiff = court.session(&court.hearing, PLAINTIFF).await;
    let photo = phone_photo();
    let (_, started) = court.start(&plaintiff.token, court.hearing.id, &photo, "a.jpg", json!({})).await;
    let id = started["upload_id"].as_str().unwrap().to_owned();
    court.chunk(&plaintiff.token, &id, 0, &photo[..1000], &photo[..1000]).await;
    let root = court.server.config.data_dir.join("evidence");
    std::fs::write(root.join("derived").join(".x.preview.jpg.tmp"), b"half-written").unwrap();
    std::fs::write(root.join("partial").join("nobody.part"), b"orphan").unwrap();
    assert_eq!(court.stored_files().len(), 3);

    court.server.restart().await;
    assert_eq!(court.stored_files().len(), 1, "a live upload survives a restart: {:?}", court.stored_files());
    let (status, body) = court.server.get(&format!("/api/uploads/{id}"), Some(&plaintiff.token)).await;
    assert_eq!((status, body["offset"].as_u64()), (StatusCode::OK, Some(1000)));

    court.server.clock.advance(std::time::Duration::from_secs(8 * 24 * 3600));
    court.server.restart().await;
    assert!(court.stored_files().is_empty(), "{:?}", court.stored_files());
}

/// Expiry lists stale uploads, then forgets them one by one: an upload that a
/// chunk reached in between is kept, with what it received.
#[tokio::test]
async fn an_upload_touched_after_it_was_listed_as_stale_is_kept() {
    use cloudtrial_server::Clock;
    let court = Court::new().await;
    let plaintiff = court.session(&court.hearing, PLAINTIFF).await;
    let photo = phone_photo();
    let (_, started) = court.start(&plaintiff.token, court.hearing.id, &photo, "a.jpg", json!({})).await;
    let id = started["upload_id"].as_str().unwrap().to_owned();
    court.chunk(&plaintiff.token, &id, 0, &photo[..1000], &photo[..1000]).await;
    let listed_before = court.server.clock.now_ms() + 1;
    let stale = court.server.state().store.call(move |conn| cloudtrial_server::store::evidence::stale_uploads(conn, listed_before)).await.unwrap();
    assert_eq!(stale, vec![id.clone()]);

    court.server.clock.advance(std::time::Duration::from_secs(2));
    let (status, body) = court.chunk(&plaintiff.token, &id, 1000, &photo[1000..2000], &photo[1000..2000]).await;
    assert!(status.is_success(), "{body}");
    let row = id.clone();
    let forgotten = court
        .server
        .state()
        .store
        .call(move |conn| cloudtrial_server::store::evidence::expire_upload(conn, &row, listed_before))
        .await
        .unwrap();
    assert!(!forgotten, "the chunk that came after the listing keeps the upload");
    let (status, body) = court.server.get(&format!("/api/uploads/{id}"), Some(&plaintiff.token)).await;
    assert_eq!((status, body["offset"].as_u64()), (StatusCode::OK, Some(2000)));
}

#[tokio::test]
async fn a_stored_original_whose_bytes_changed_is_never_served_under_its_hash() {
    let court = Court::new().await;
    let plaintiff = court.session(&court.hearing, PLAINTIFF).await;
    let photo = phone_photo();
    let (_, done) = court.upload(&plaintiff.token, &photo, "a.jpg", json!({})).await;
    let photo_id = done["evidence"]["id"].as_str().unwrap().to_owned();
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let (_, done) = court.upload(&plaintiff.token, &pdf, "b.pdf", json!({})).await;
    let pdf_id = done["evidence"]["id"].as_str().unwrap().to_owned();
    let object = |bytes: &[u8]| {
        let sha = sha256_hex(bytes);
        court.server.config.data_dir.join("evidence/objects").join(&sha[..2]).join(sha)
    };
    let events = || async { court.server.hearing_log(&court.clerk, court.hearing.id).await.entries };

    // Changed on disk before anyone read it: refused on the first read, and logged.
    let mut changed = photo.clone();
    changed[photo.len() / 2] ^= 0x55;
    std::fs::write(object(&photo), &changed).unwrap();
    let (status, body) = court.server.get(&format!("/api/evidence/{photo_id}/original"), Some(&plaintiff.token)).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(body["message"].as_str().unwrap().contains("校验值不一致"), "{body}");
    let damaged: Vec<_> = events().await.into_iter().filter(|e| e.action == "evidence_file_damaged").collect();
    assert_eq!(damaged.len(), 1);
    assert_eq!(damaged[0].detail["evidence_id"], json!(photo_id));
    assert_eq!(damaged[0].detail["actual_sha256"], json!(sha256_hex(&changed)));

    // Changed after it was read and checked: the scrub finds it, and it is refused from then on.
    let (status, _) = court.server.get(&format!("/api/evidence/{pdf_id}/original"), Some(&plaintiff.token)).await;
    assert_eq!(status, StatusCode::OK);
    std::fs::write(object(&pdf), b"%PDF-1.4 something else").unwrap();
    let found = cloudtrial_server::evidence::integrity::scrub(court.server.state()).await.unwrap();
    assert_eq!(found, 2, "both damaged files");
    let (status, _) = court.server.get(&format!("/api/evidence/{pdf_id}/original"), Some(&plaintiff.token)).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let logged: Vec<_> = events().await.into_iter().filter(|e| e.action == "evidence_file_damaged").collect();
    assert_eq!(logged.len(), 2, "each damage logged once: {logged:?}");
}

/// The same file submitted again over a stored copy that was damaged
/// restores it: the new bytes, checked against the hash, replace the damaged
/// ones, both items serve the original, and the log says so.
#[tokio::test]
async fn submitting_the_same_file_again_restores_a_damaged_stored_copy() {
    let court = Court::new().await;
    let plaintiff = court.session(&court.hearing, PLAINTIFF).await;
    let photo = phone_photo();
    let (_, done) = court.upload(&plaintiff.token, &photo, "a.jpg", json!({})).await;
    let first = done["evidence"]["id"].as_str().unwrap().to_owned();
    let sha = sha256_hex(&photo);
    let object = court.server.config.data_dir.join("evidence/objects").join(&sha[..2]).join(&sha);
    let mut damaged = photo.clone();
    damaged[photo.len() / 2] ^= 0x55;
    std::fs::write(&object, &damaged).unwrap();
    let (status, _) = court.server.get(&format!("/api/evidence/{first}/original"), Some(&plaintiff.token)).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "the damage is found");

    let (status, done) = court.upload(&plaintiff.token, &photo, "a-again.jpg", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let second = done["evidence"]["id"].as_str().unwrap().to_owned();
    assert_eq!(std::fs::read(&object).unwrap(), photo, "the stored copy is whole again");
    for id in [&first, &second] {
        let response = court.server.http.get(court.server.url(&format!("/api/evidence/{id}/original"))).bearer_auth(&plaintiff.token).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{id}");
        assert_eq!(response.bytes().await.unwrap().to_vec(), photo);
    }
    let log = court.server.hearing_log(&court.clerk, court.hearing.id).await.entries;
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"evidence_file_damaged") && actions.contains(&"evidence_file_restored"), "{actions:?}");
}

#[tokio::test]
async fn a_party_cannot_hold_open_more_uploads_than_the_quota() {
    let court = Court::with(|c| {
        c.evidence.open_uploads_per_participant = 2;
        c.evidence.open_upload_bytes_per_participant = 1 << 20;
    })
    .await;
    let plaintiff = court.session(&court.hearing, PLAINTIFF).await;
    let photo = phone_photo();
    let big = vec![0u8; 900 << 10];
    let (status, _) = court.start(&plaintiff.token, court.hearing.id, &big, "a.pdf", json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = court.start(&plaintiff.token, court.hearing.id, &big, "b.pdf", json!({})).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "declared bytes over the quota: {body}");
    assert!(body["message"].as_str().unwrap().contains("未完成的上传过多"), "{body}");
    let (status, started) = court.start(&plaintiff.token, court.hearing.id, &photo, "c.jpg", json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = court.start(&plaintiff.token, court.hearing.id, &photo, "d.jpg", json!({})).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "two open uploads at most");
    // Finishing one frees its place; other parties have their own quota.
    let id = started["upload_id"].as_str().unwrap();
    let (status, _) = court.chunk(&plaintiff.token, id, 0, &photo, &photo).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = court.start(&plaintiff.token, court.hearing.id, &photo, "d.jpg", json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
    let defendant = court.session(&court.hearing, DEFENDANT).await;
    let (status, _) = court.start(&defendant.token, court.hearing.id, &photo, "e.jpg", json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
}

/// A PDF of about `size` bytes (a comment pads it).
fn padded_pdf(size: usize) -> Vec<u8> {
    let mut pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\n".to_vec();
    while pdf.len() < size {
        pdf.extend_from_slice(format!("% padding line {}\n", pdf.len()).as_bytes());
    }
    pdf.extend_from_slice(b"trailer<<>>\n%%EOF\n");
    pdf
}

/// A download of an original cut off on a weak network goes on where it
/// stopped: one range in bytes is sent as asked, a range that no longer
/// names the same file gets the whole file, and one past the end says how
/// long the file is. A changed stored file is refused for a part as for the whole.
#[tokio::test]
async fn an_original_is_sent_from_where_a_cut_off_download_stopped() {
    let court = Court::new().await;
    let plaintiff = court.session(&court.hearing, PLAINTIFF).await;
    let defendant = court.session(&court.hearing, DEFENDANT).await;
    let pdf = padded_pdf(300 * 1024);
    let (_, done) = court.upload(&plaintiff.token, &pdf, "contract.pdf", json!({})).await;
    let id = done["evidence"]["id"].as_str().unwrap().to_owned();
    let etag = format!("\"{}\"", sha256_hex(&pdf));
    let fetch = |range: Option<&str>, if_range: Option<&str>| {
        let mut request = court.server.http.get(court.server.url(&format!("/api/evidence/{id}/original"))).bearer_auth(&defendant.token);
        if let Some(range) = range {
            request = request.header("range", range);
        }
        if let Some(tag) = if_range {
            request = request.header("if-range", tag);
        }
        async move {
            let response = request.send().await.unwrap();
            let headers = response.headers().clone();
            (response.status(), headers, response.bytes().await.unwrap())
        }
    };
    let header = |headers: &reqwest::header::HeaderMap, name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_owned());

    let (status, headers, whole) = fetch(None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(whole.as_ref(), pdf.as_slice());
    assert_eq!(header(&headers, "content-length"), Some(pdf.len().to_string()));
    assert_eq!(header(&headers, "accept-ranges").as_deref(), Some("bytes"));
    assert_eq!(header(&headers, "etag"), Some(etag.clone()));

    let (status, headers, rest) = fetch(Some("bytes=100000-"), Some(&etag)).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(rest.as_ref(), &pdf[100_000..], "the rest, byte for byte");
    assert_eq!(header(&headers, "content-range"), Some(format!("bytes 100000-{}/{}", pdf.len() - 1, pdf.len())));
    assert_eq!(header(&headers, "content-length"), Some((pdf.len() - 100_000).to_string()));
    assert_eq!(header(&headers, "content-type").as_deref(), Some("application/pdf"));

    let (status, _, piece) = fetch(Some("bytes=10-19"), None).await;
    assert_eq!((status, piece.as_ref()), (StatusCode::PARTIAL_CONTENT, &pdf[10..20]));
    let (status, _, whole) = fetch(Some("bytes=100000-"), Some("\"another file\"")).await;
    assert_eq!((status, whole.len()), (StatusCode::OK, pdf.len()), "a part of another file is no use: the whole file");
    let (status, headers, body) = fetch(Some(&format!("bytes={}-", pdf.len())), None).await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(header(&headers, "content-range"), Some(format!("bytes */{}", pdf.len())));
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap()["code"], "invalid_request");

    // Another file, changed on disk before anyone read it: a part of it is refused too.
    let other = padded_pdf(200 * 1024);
    let (_, done) = court.upload(&plaintiff.token, &other, "other.pdf", json!({})).await;
    let other_id = done["evidence"]["id"].as_str().unwrap().to_owned();
    let sha = sha256_hex(&other);
    let mut changed = other.clone();
    changed[150_000] ^= 0x20;
    std::fs::write(court.server.config.data_dir.join("evidence/objects").join(&sha[..2]).join(&sha), &changed).unwrap();
    let response = court
        .server
        .http
        .get(court.server.url(&format!("/api/evidence/{other_id}/original")))
        .bearer_auth(&defendant.token)
        .header("range", "bytes=140000-")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(response.text().await.unwrap().contains("校验值不一致"));
}

/// One second of a 440 Hz tone as a WAV file: a recording submitted as evidence.
fn recording() -> Vec<u8> {
    let rate = 8000u32;
    let samples: Vec<i16> = (0..rate).map(|i| ((i as f32 * 440.0 * std::f32::consts::TAU / rate as f32).sin() * 8000.0) as i16).collect();
    let data_len = samples.len() as u32 * 2;
    let mut wav = Vec::new();
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    for v in [16u32.to_le_bytes(), [1, 0, 1, 0], rate.to_le_bytes(), (rate * 2).to_le_bytes(), [2, 0, 16, 0]] {
        wav.extend_from_slice(&v);
    }
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    samples.iter().for_each(|s| wav.extend_from_slice(&s.to_le_bytes()));
    wav
}

/// The page's own audio or video player cannot send the Authorization
/// header: a stream link lets it play an original as it loads (in ranges).
/// Only who may read the original gets one; it opens that item only, for
/// that session only, while the session lasts and until it expires, and a
/// forged or altered ticket fails like an unknown token.
#[tokio::test]
async fn a_stream_link_plays_one_original_for_one_session_while_it_lasts() {
    let court = Court::new().await;
    let plaintiff = court.session(&court.hearing, PLAINTIFF).await;
    let defendant = court.session(&court.hearing, DEFENDANT).await;
    let outsider = court.session(&court.other, PLAINTIFF).await;
    let audio = recording();
    let (_, done) = court.upload(&plaintiff.token, &audio, "录音.wav", json!({"title": "通话录音"})).await;
    let id = done["evidence"]["id"].as_str().unwrap().to_owned();
    assert_eq!(done["evidence"]["kind"], "audio", "{done}");
    let (_, done) = court.upload(&plaintiff.token, &padded_pdf(10_000), "c.pdf", json!({})).await;
    let pdf_id = done["evidence"]["id"].as_str().unwrap().to_owned();
    let server = &court.server;
    let link = |token: String, item: String| async move {
        server.post(&format!("/api/evidence/{item}/stream"), Some(&token), &json!({})).await
    };
    let play = |url: String, range: Option<&'static str>| async move {
        let mut request = server.http.get(server.url(&url));
        if let Some(range) = range {
            request = request.header("range", range);
        }
        let response = request.send().await.unwrap();
        (response.status(), response.bytes().await.unwrap())
    };

    // A recording may say where it was made: the other side gets no link, as it gets no original;
    // another hearing's party is told the item does not exist.
    let (status, _) = link(defendant.token.clone(), id.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = link(outsider.token.clone(), id.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, body) = link(plaintiff.token.clone(), id.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let url = body["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&format!("/api/evidence/{id}/stream?ticket=")), "{url}");
    let (status, bytes) = play(url.clone(), None).await;
    assert_eq!((status, bytes.as_ref()), (StatusCode::OK, audio.as_slice()));
    let (status, bytes) = play(url.clone(), Some("bytes=44-")).await;
    assert_eq!((status, bytes.as_ref()), (StatusCode::PARTIAL_CONTENT, &audio[44..]), "a player seeks in ranges");

    // Its ticket opens nothing else, and an altered one opens nothing.
    let ticket = url.split_once("ticket=").unwrap().1.to_owned();
    let (unknown, refusal) = play(format!("/api/evidence/{id}/stream?ticket=1.ab.cd"), None).await;
    assert_eq!(unknown, StatusCode::UNAUTHORIZED);
    let (status, body) = play(format!("/api/evidence/{pdf_id}/stream?ticket={ticket}"), None).await;
    assert_eq!((status, &body), (unknown, &refusal), "another item");
    let later = format!("9{ticket}");
    let (status, body) = play(format!("/api/evidence/{id}/stream?ticket={later}"), None).await;
    assert_eq!((status, &body), (unknown, &refusal), "an altered expiry");
    let (status, _) = play(format!("/api/evidence/{id}/stream"), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no ticket");

    // It expires, and it ends with the session.
    court.server.clock.advance(std::time::Duration::from_secs(4 * 3600 + 1));
    let (status, body) = play(url.clone(), None).await;
    assert_eq!((status, &body), (unknown, &refusal), "expired");
    let (_, fresh) = link(plaintiff.token.clone(), id.clone()).await;
    let fresh = fresh["url"].as_str().unwrap().to_owned();
    assert_eq!(play(fresh.clone(), None).await.0, StatusCode::OK);
    let (status, _) = court.server.post("/api/session/logout", Some(&plaintiff.token), &json!({})).await;
    assert!(status.is_success());
    assert_eq!(play(fresh, None).await.0, StatusCode::UNAUTHORIZED, "the session ended");
}
