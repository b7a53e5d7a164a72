//! PDF pages as pictures and the 圈注 export for the case file, over HTTP,
//! with marks drawn through the room as a judge draws them.

use cloudtrial_protocol::evidence::Evidence;
use cloudtrial_protocol::signalling::ServerMessage;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::evidence::{Court, WITNESS, phone_photo, sha256_hex};
use crate::harness::*;
use crate::room::RawClient;

#[path = "../../../tests/testkit/src/documents.rs"]
mod documents;
use documents::two_page_pdf;

struct Fetched {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    bytes: Vec<u8>,
}

impl Fetched {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    fn picture(&self) -> image::RgbImage {
        assert_eq!(self.status, StatusCode::OK, "{}", String::from_utf8_lossy(&self.bytes));
        assert_eq!(self.header("content-type"), "image/png");
        image::load_from_memory_with_format(&self.bytes, image::ImageFormat::Png).unwrap().into_rgb8()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap()
    }
}

async fn fetch(court: &Court, path: &str, token: &str) -> Fetched {
    let response = court.server.http.get(court.server.url(path)).bearer_auth(token).send().await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    Fetched { status, headers, bytes: response.bytes().await.unwrap().to_vec() }
}

async fn submit(court: &Court, token: &str, bytes: &[u8], file_name: &str, title: &str) -> Evidence {
    let (status, body) = court.upload(token, bytes, file_name, json!({"title": title})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body["evidence"].clone()).unwrap()
}

/// Draws a finished mark through the room and returns its id.
async fn draw(client: &mut RawClient, request_id: u64, draft: Value) -> i64 {
    client.send(json!({"type": "draw_mark", "request_id": request_id, "draft": draft})).await;
    loop {
        match client.next().await {
            Some(ServerMessage::AnnotationResult { request_id: id, mark_id, error }) if id == request_id => {
                assert!(error.is_none(), "the mark was refused: {error:?}");
                return mark_id.expect("a committed mark has an id");
            }
            Some(_) => continue,
            None => panic!("the room closed while waiting for the mark"),
        }
    }
}

fn near(pixel: &image::Rgb<u8>, rgb: [u8; 3], tolerance: u8) -> bool {
    (0..3).all(|c| pixel[c].abs_diff(rgb[c]) <= tolerance)
}

#[tokio::test]
async fn a_pdf_s_pages_are_pictures_for_every_participant_and_an_outsider_cannot_tell_it_exists() {
    let court = Court::new().await;
    let plaintiff = court.session(&court.hearing, PLAINTIFF).await;
    let pdf = two_page_pdf();
    let evidence = submit(&court, &plaintiff.token, &pdf, "合同.pdf", "借款合同").await;
    let page = |n: u32| format!("/api/evidence/{}/pages/{n}", evidence.id);

    // The other side, a witness and the court read it as they read the PDF itself.
    let defendant = court.session(&court.hearing, DEFENDANT).await.token;
    let witness = court.session(&court.hearing, WITNESS).await.token;
    for token in [&defendant, &witness, &court.clerk] {
        assert_eq!(fetch(&court, &page(1), token).await.status, StatusCode::OK);
    }

    let first = fetch(&court, &page(1), &defendant).await;
    assert_eq!(first.header("x-evidence-pages"), "2");
    assert_eq!(first.header("x-evidence-sha256"), sha256_hex(&pdf));
    assert_eq!(first.header("x-content-type-options"), "nosniff");
    let one = first.picture();
    assert_eq!((one.width(), one.height()), (1067, 1600), "portrait page, long side 1600 px");
    assert!(near(one.get_pixel(200, 1200), [0, 0, 0], 30), "the black box bottom left: {:?}", one.get_pixel(200, 1200));
    assert!(near(one.get_pixel(800, 400), [255, 255, 255], 5), "white elsewhere");

    let second = fetch(&court, &page(2), &defendant).await;
    assert_eq!(second.header("x-evidence-pages"), "2");
    let two = second.picture();
    assert_eq!((two.width(), two.height()), (1600, 1067), "landscape page");
    assert!(near(two.get_pixel(1200, 250), [255, 0, 0], 30), "the red box top right: {:?}", two.get_pixel(1200, 250));
    assert!(near(two.get_pixel(200, 800), [255, 255, 255], 5));

    // Made once, then read from the derived files under the PDF's hash.
    let kept = court.server.config.data_dir.join(format!("evidence/derived/{}.page-1.png", evidence.sha256));
    assert_eq!(std::fs::read(&kept).unwrap(), first.bytes, "kept on disk as served");
    assert_eq!(fetch(&court, &page(1), &witness).await.bytes, first.bytes);

    for missing in [3, 0] {
        let past = fetch(&court, &page(missing), &defendant).await;
        assert_eq!(past.status, StatusCode::NOT_FOUND, "page {missing}");
        assert!(past.json()["message"].as_str().unwrap().contains("该页不存在"), "{}", past.json());
    }

    // A photo has no pages.
    let photo = submit(&court, &plaintiff.token, &phone_photo(), "IMG_1.JPG", "现场照片").await;
    let not_pdf = fetch(&court, &format!("/api/evidence/{}/pages/1", photo.id), &defendant).await;
    assert_eq!(not_pdf.status, StatusCode::BAD_REQUEST);
    assert!(not_pdf.json()["message"].as_str().unwrap().contains("不是PDF"));

    // A party of another hearing, or a forged token, cannot tell the item exists.
    let outsider = court.session(&court.other, PLAINTIFF).await.token;
    let unknown = "/api/evidence/000000000000000000000000/pages/1";
    for token in [outsider.as_str(), "forged-token"] {
        let theirs = fetch(&court, &page(1), token).await;
        let nothing = fetch(&court, unknown, token).await;
        assert_ne!(theirs.status, StatusCode::OK);
        assert_eq!((theirs.status, theirs.json()), (nothing.status, nothing.json()), "as if it did not exist");
    }
}

#[tokio::test]
async fn the_export_draws_the_judges_marks_over_the_upright_photo_and_says_who_drew_them() {
    let court = Court::new().await;
    let plaintiff = court.session(&court.hearing, PLAINTIFF).await;
    // Stored 400×300 sideways with EXIF orientation 6: upright it is 300×400.
    let photo = submit(&court, &plaintiff.token, &phone_photo(), "IMG_2041.JPG", "借条照片").await;
    let pdf = submit(&court, &plaintiff.token, &two_page_pdf(), "合同.pdf", "借款合同").await;
    let judge = court.session(&court.hearing, JUDGE).await;
    let (mut room, _) = RawClient::join(&court.server, &judge.token).await;
    let rectangle = json!({"kind": "rectangle", "from": {"x": 0.25, "y": 0.25}, "to": {"x": 0.75, "y": 0.75}});
    draw(&mut room, 1, json!({"evidence_id": photo.id, "page": 1, "colour": "red", "shape": rectangle})).await;
    let arrow = json!({"kind": "arrow", "from": {"x": 0.1, "y": 0.5}, "to": {"x": 0.9, "y": 0.5}});
    // No page of it was shown (the apps draw PDF pages themselves): the mark counts them.
    draw(&mut room, 2, json!({"evidence_id": pdf.id, "page": 2, "colour": "blue", "shape": arrow})).await;
    // The PDF has two pages: a mark on a third is refused.
    let third = json!({"evidence_id": pdf.id, "page": 3, "colour": "blue", "shape": arrow});
    room.send(json!({"type": "draw_mark", "request_id": 3, "draft": third})).await;
    let refused = room
        .until("the refusal", |m| match m {
            ServerMessage::AnnotationResult { request_id: 3, error, .. } => Some(error.map(|e| e.message)),
            _ => None,
        })
        .await;
    assert_eq!(refused.as_deref(), Some("该页不存在"));

    let defendant = court.session(&court.hearing, DEFENDANT).await.token;
    let export = fetch(&court, &format!("/api/evidence/{}/annotated", photo.id), &defendant).await;
    let disposition = export.header("content-disposition").to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    // 借条照片-圈注.png
    assert!(disposition.contains("UTF-8''%E5%80%9F%E6%9D%A1%E7%85%A7%E7%89%87-%E5%9C%88%E6%B3%A8.png"), "{disposition}");
    assert_eq!(export.header("cache-control"), "no-store");
    let picture = export.picture();
    assert_eq!(picture.width(), 300, "upright: the stored photo is 400 wide");
    assert!(picture.height() > 400, "the legend strip below the 400 px photo: {}", picture.height());
    let red = cloudtrial_protocol::annotation::MarkColour::Red.rgb();
    for (x, y) in [(75, 200), (225, 200), (150, 100), (150, 300)] {
        assert!(near(picture.get_pixel(x, y), red, 40), "({x},{y}) is on the rectangle: {:?}", picture.get_pixel(x, y));
    }
    let inside = picture.get_pixel(150, 200);
    assert!(inside[2] > 150 && inside[0] < 100, "the photo (blue) shows inside the rectangle: {inside:?}");
    let top_right = picture.get_pixel(290, 10);
    assert!(top_right[0] > 150 && top_right[2] < 100, "upright: the red corner is top right: {top_right:?}");
    let strip = (402..picture.height()).flat_map(|y| (0..300).map(move |x| (x, y)));
    let written = strip.clone().filter(|&(x, y)| picture.get_pixel(x, y).0.iter().any(|c| *c < 200)).count();
    assert!(written > 600, "the legend has writing: {written} pixels");
    let swatch = strip.filter(|&(x, y)| near(picture.get_pixel(x, y), red, 10)).count();
    assert!(swatch >= 100, "and the judge's red swatch: {swatch} pixels");

    // Without marks, and before any, a page still exports with its legend.
    let plain = fetch(&court, &format!("/api/evidence/{}/annotated?page=1", pdf.id), &defendant).await.picture();
    assert_eq!(plain.width(), 1067);
    assert!(plain.height() > 1600);
    let page_two = fetch(&court, &format!("/api/evidence/{}/annotated?page=2", pdf.id), &defendant).await;
    assert!(page_two.header("content-disposition").contains("%E7%AC%AC2%E9%A1%B5"), "第2页 in the name");
    let page_two = page_two.picture();
    assert_eq!(page_two.width(), 1600);
    let blue = cloudtrial_protocol::annotation::MarkColour::Blue.rgb();
    assert!(near(page_two.get_pixel(800, 533), blue, 40), "the arrow across page 2: {:?}", page_two.get_pixel(800, 533));
    assert!(!near(plain.get_pixel(533, 800), blue, 40), "page 1 has no arrow");

    let past = fetch(&court, &format!("/api/evidence/{}/annotated?page=2", photo.id), &defendant).await;
    assert_eq!(past.status, StatusCode::NOT_FOUND, "a photo has one page");
    assert!(past.json()["message"].as_str().unwrap().contains("该页不存在"));

    let outsider = court.session(&court.other, PLAINTIFF).await.token;
    let theirs = fetch(&court, &format!("/api/evidence/{}/annotated", photo.id), &outsider).await;
    let nothing = fetch(&court, "/api/evidence/000000000000000000000000/annotated", &outsider).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(theirs.json(), nothing.json(), "as if it did not exist");
}

/// What parties see of a piece of evidence besides its original (a photo's
/// preview, thumbnail and copy without metadata, a PDF's pages) is never
/// bytes changed on disk: each is checked against the MAC kept when it was
/// made, and made again from the checked original when it does not match or
/// has none.
#[tokio::test]
async fn pictures_made_from_evidence_that_were_changed_on_disk_are_made_again_not_served() {
    let court = Court::new().await;
    let plaintiff = court.session(&court.hearing, PLAINTIFF).await;
    let defendant = court.session(&court.hearing, DEFENDANT).await;
    let photo = submit(&court, &plaintiff.token, &phone_photo(), "借条.jpg", "借条").await;
    let pdf = submit(&court, &plaintiff.token, &two_page_pdf(), "合同.pdf", "借款合同").await;
    let views = [
        (format!("/api/evidence/{}/preview", photo.id), format!("{}.preview.jpg", photo.sha256)),
        (format!("/api/evidence/{}/thumbnail", photo.id), format!("{}.thumb.jpg", photo.sha256)),
        (format!("/api/evidence/{}/copy", photo.id), format!("{}.copy.jpg", photo.sha256)),
        (format!("/api/evidence/{}/pages/1", pdf.id), format!("{}.page-1.png", pdf.sha256)),
    ];
    let derived = court.server.config.data_dir.join("evidence/derived");
    for (path, file) in &views {
        let first = fetch(&court, path, &defendant.token).await;
        assert_eq!(first.status, StatusCode::OK, "{path}");
        // Changed on disk: a picture of something else, with no MAC to match.
        let mut changed = first.bytes.clone();
        let middle = changed.len() / 2;
        changed[middle] ^= 0xff;
        std::fs::write(derived.join(file), &changed).unwrap();
        let again = fetch(&court, path, &defendant.token).await;
        assert_eq!(again.status, StatusCode::OK, "{path}");
        assert_eq!(again.bytes, first.bytes, "{path}: made again from the original, not the changed file");
        assert_eq!(std::fs::read(derived.join(file)).unwrap(), first.bytes, "{path}: and put back on disk");
        // One left without its MAC (by a crash, or an older version) is made again too.
        std::fs::remove_file(derived.join(format!("{file}.mac"))).unwrap();
        std::fs::write(derived.join(file), &changed).unwrap();
        assert_eq!(fetch(&court, path, &defendant.token).await.bytes, first.bytes, "{path}: without a MAC");
    }
}
