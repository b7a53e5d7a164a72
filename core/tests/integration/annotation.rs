//! 圈注 through the core: the presiding judge draws over the plaintiff's
//! photo while the plaintiff watches, as the apps do with `HearingSession::annotation`.

use std::time::Duration;

use cloudtrial_core::annotation::{AnnotationSession, EvidenceMarks};
use cloudtrial_core::evidence::{EvidenceDetails, EvidenceOptions, EvidenceService, UploadState};
use cloudtrial_core::protocol::annotation::{MarkColour, Point, Shape};
use cloudtrial_core::protocol::api::DeviceKind;
use cloudtrial_core::{Client, ConnectionState, HearingSession};
use cloudtrial_testkit::photos::phone_photo;
use cloudtrial_testkit::{JUDGE, PLAINTIFF, Party, TestCourt};

async fn logged_in(court: &TestCourt, party: &Party) -> Client {
    let client = Client::new(&court.base_url(), &court.client_dir(party.mobile)).unwrap();
    client.request_login_code(&court.meeting_number(), party.mobile).await.unwrap();
    let code = court.latest_code(party.mobile).await.unwrap();
    client.login(&court.meeting_number(), party.mobile, &code, DeviceKind::Android).await.unwrap();
    client
}

/// Waits (event-driven, up to 10 s) until this item's marks satisfy `check`.
async fn until(annotation: &AnnotationSession, what: &str, check: impl Fn(&EvidenceMarks) -> bool) -> EvidenceMarks {
    let mut states = annotation.subscribe();
    let result = tokio::time::timeout(Duration::from_secs(10), states.wait_for(|s| check(&annotation.marks_in(s)))).await;
    match result {
        Ok(Ok(state)) => annotation.marks_in(&state),
        _ => panic!("timed out waiting for: {what}; last {:?}", annotation.marks()),
    }
}

fn rectangle(to: (f32, f32)) -> Shape {
    Shape::Rectangle { from: Point { x: 0.2, y: 0.3 }, to: Point { x: to.0, y: to.1 } }
}

/// The judge starts a rectangle around the signature, thinks better of it and
/// drags it back to where it began (too small to keep): the plaintiff, who
/// watched it grow, no longer sees it. A tap, never shown to anyone, sends
/// nothing. The judge's next rectangle shows at once and is committed.
#[tokio::test]
async fn a_stroke_the_judge_gives_up_vanishes_from_the_partys_screen() {
    let court = TestCourt::start().await;
    let plaintiff = logged_in(&court, &PLAINTIFF).await;
    let uploads = EvidenceService::start(&plaintiff, EvidenceOptions::default()).unwrap();
    let photo = court.client_dir("album").join("借条.jpg");
    std::fs::write(&photo, phone_photo()).unwrap();
    let details = EvidenceDetails {
        title: "借条".into(),
        description: "手机拍摄".into(),
        purpose: "证明借款事实".into(),
        counter: false,
        answers: None,
    };
    uploads.upload_evidence(&photo, details).await.unwrap();
    let mut progress = uploads.subscribe_uploads();
    let submitted = progress.wait_for(|p| p.first().is_some_and(|p| p.state == UploadState::Submitted));
    tokio::time::timeout(Duration::from_secs(30), submitted).await.expect("the photo submitted").unwrap();
    let evidence_id = uploads.refresh().await.unwrap()[0].id.clone();

    let judge = logged_in(&court, &JUDGE).await;
    let judge_room = HearingSession::start(&judge, DeviceKind::Android).unwrap();
    let plaintiff_room = HearingSession::start(&plaintiff, DeviceKind::Android).unwrap();
    let drawing = judge_room.annotation(evidence_id.as_str());
    let watching = plaintiff_room.annotation(evidence_id.as_str());
    // Judges annotate without asking; the plaintiff is in the room to watch.
    until(&drawing, "the judge in the room", |m| m.may_draw()).await;
    let mut plaintiff_states = plaintiff_room.subscribe();
    let in_room = plaintiff_states.wait_for(|s| s.connection == ConnectionState::Connected && s.room.is_some());
    tokio::time::timeout(Duration::from_secs(10), in_room).await.expect("the plaintiff in the room").unwrap();

    // The rectangle grows on the plaintiff's screen, with the judge's name.
    assert!(drawing.preview(1, MarkColour::Red, rectangle((0.5, 0.45))).unwrap(), "the first preview of a stroke goes out");
    let seen = until(&watching, "the judge's stroke", |m| !m.previews.is_empty()).await;
    assert_eq!(seen.previews[0].author.name, JUDGE.name);
    assert_eq!(seen.previews[0].draft.shape, rectangle((0.5, 0.45)));
    assert_eq!(drawing.marks().previews.len(), 1, "the judge's own state holds the stroke too");

    // Dragged back to its start: given up. Gone from the judge's own state at
    // once, and from the plaintiff's when the server's word arrives.
    assert!(drawing.abandon().unwrap(), "a stroke others were shown is cleared");
    assert!(drawing.marks().previews.is_empty(), "the judge's state drops the stroke without waiting");
    let cleared = until(&watching, "the stroke cleared", |m| m.previews.is_empty()).await;
    assert!(cleared.marks.is_empty(), "nothing was committed");

    // A tap (no preview of it went out): nothing to clear, nothing sent.
    assert!(!drawing.abandon().unwrap(), "a stroke nobody was shown sends nothing");

    // The next stroke is a new one, shown at once (not held back as if it
    // were the same stroke's next preview), and the clearing does not take it away.
    assert!(drawing.preview(1, MarkColour::Blue, rectangle((0.6, 0.5))).unwrap(), "a new stroke's first preview goes out at once");
    let again = until(&watching, "the judge's new stroke", |m| m.previews.iter().any(|p| p.draft.colour == MarkColour::Blue)).await;
    assert_eq!(again.previews.len(), 1, "only the new stroke: {:?}", again.previews);
    assert_ne!(again.previews[0].stroke, seen.previews[0].stroke, "told apart from the stroke given up");
    let id = drawing.draw(1, MarkColour::Blue, rectangle((0.6, 0.5))).await.unwrap();
    let committed = |m: &EvidenceMarks| m.marks.iter().any(|mark| mark.id == id) && m.previews.is_empty();
    let done = until(&watching, "the judge's mark, its stroke gone", committed).await;
    assert_eq!(done.marks.len(), 1);
    assert_eq!(done.marks[0].shape, rectangle((0.6, 0.5)));

    // After a commit there is nothing left to give up.
    assert!(!drawing.abandon().unwrap(), "a committed stroke is not cleared again");
}
