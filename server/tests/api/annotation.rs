//! 圈注 over the room's WebSocket: the server orders every mark and checks
//! each against the judge's permission, the block and the hearing's state,
//! whatever the client sends.

use cloudtrial_protocol::annotation::{Annotating, Mark};
use cloudtrial_protocol::api::ParticipantSession;
use cloudtrial_protocol::signalling::{JudgeCommand, RoomNotice, RoomView, ServerMessage};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::evidence::{Court, WITNESS, phone_photo};
use crate::harness::*;
use crate::room::RawClient;

fn rectangle(evidence_id: &str) -> Value {
    json!({"evidence_id": evidence_id, "page": 1, "colour": "red",
        "shape": {"kind": "rectangle", "from": {"x": 0.2, "y": 0.3}, "to": {"x": 0.6, "y": 0.5}}})
}

fn ink(evidence_id: &str, points: usize) -> Value {
    let points: Vec<Value> = (0..points).map(|i| json!({"x": 0.1 + (i % 80) as f64 * 0.01, "y": 0.4 + (i % 7) as f64 * 0.0123})).collect();
    json!({"evidence_id": evidence_id, "page": 1, "colour": "blue", "shape": {"kind": "ink", "points": points}})
}

fn draw(draft: Value) -> Value {
    json!({"type": "draw_mark", "draft": draft})
}

fn preview(stroke: u32, draft: Value) -> Value {
    json!({"type": "preview_mark", "stroke": stroke, "draft": draft})
}

fn request(evidence_id: Option<&str>) -> Value {
    json!({"type": "request_annotation", "evidence_id": evidence_id})
}

fn remove(mark_id: i64) -> Value {
    json!({"type": "remove_mark", "mark_id": mark_id})
}

fn standing(room: &RoomView, id: i64) -> Annotating {
    room.participants.iter().find(|p| p.id == id).map(|p| p.annotating).unwrap()
}

/// A running hearing with a photo submitted by the plaintiff, the judge, both
/// parties and the witness logged in.
struct Hearing {
    court: Court,
    photo: String,
    sha256: String,
    judge: ParticipantSession,
    plaintiff: ParticipantSession,
    defendant: ParticipantSession,
    witness: ParticipantSession,
}

impl Hearing {
    async fn new() -> Self {
        let court = Court::new().await;
        let judge = court.session(&court.hearing, JUDGE).await;
        let plaintiff = court.session(&court.hearing, PLAINTIFF).await;
        let defendant = court.session(&court.hearing, DEFENDANT).await;
        let witness = court.session(&court.hearing, WITNESS).await;
        let (status, body) = court.upload(&plaintiff.token, &phone_photo(), "借条.jpg", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let photo = body["evidence"]["id"].as_str().unwrap().to_owned();
        let sha256 = body["evidence"]["sha256"].as_str().unwrap().to_owned();
        Self { court, photo, sha256, judge, plaintiff, defendant, witness }
    }

    async fn join(&self, session: &ParticipantSession) -> RawClient {
        RawClient::join(&self.court.server, &session.token).await.0
    }

    /// The judge, the plaintiff and the defendant in the room, the hearing started.
    async fn running(&self) -> (RawClient, RawClient, RawClient) {
        let mut judge = self.join(&self.judge).await;
        let plaintiff = self.join(&self.plaintiff).await;
        let defendant = self.join(&self.defendant).await;
        assert_eq!(judge.command(JudgeCommand::Start).await, None);
        (judge, plaintiff, defendant)
    }

    /// 申请圈注 and the judge's 通过.
    async fn allow(&self, judge: &mut RawClient, party: &mut RawClient, id: i64) {
        assert_eq!(party.annotate(request(Some(&self.photo))).await, Ok(None));
        assert_eq!(judge.command(JudgeCommand::AllowAnnotation { participant_id: id }).await, None);
        party.until("the permission", |m| match m {
            ServerMessage::Room { room } if room.me.annotating == Annotating::Allowed => Some(()),
            _ => None,
        })
        .await;
    }

    async fn actions(&self) -> Vec<String> {
        let log = self.court.server.hearing_log(&self.court.clerk, self.court.hearing.id).await;
        log.entries.into_iter().map(|e| e.action).collect()
    }
}

fn added(message: ServerMessage) -> Option<Mark> {
    match message {
        ServerMessage::MarkAdded { mark } => Some(mark),
        _ => None,
    }
}

#[tokio::test]
async fn a_party_draws_once_the_judge_approves_and_everyone_sees_the_mark_as_it_is_drawn() {
    let h = Hearing::new().await;
    let (mut judge, mut plaintiff, mut defendant) = h.running().await;
    let defendant_id = h.defendant.participant_id;

    // Without asking, nothing the defendant sends is drawn or shown.
    assert_eq!(defendant.annotate(draw(rectangle(&h.photo))).await, Err("forbidden".into()));
    defendant.send(preview(1, rectangle(&h.photo))).await;
    defendant
        .until("the refusal of the preview", |m| {
            matches!(m, ServerMessage::PreviewCleared { participant_id } if participant_id == defendant_id).then_some(())
        })
        .await;

    // 申请圈注, naming the photo: the judge sees the request.
    assert_eq!(defendant.annotate(request(Some(&h.photo))).await, Ok(None));
    assert_eq!(defendant.annotate(request(None)).await, Err("conflict".into()), "asked twice");
    let asked = judge
        .until("the request", |m| match m {
            ServerMessage::Room { room } if standing(&room, defendant_id) == Annotating::Requested => Some(room),
            _ => None,
        })
        .await;
    let request_of = asked.participants.iter().find(|p| p.id == defendant_id).unwrap();
    assert_eq!(request_of.annotation_request.as_deref(), Some(h.photo.as_str()));
    // The plaintiff saw no preview of the refused stroke before the request.
    plaintiff
        .until("the request", |m| match m {
            ServerMessage::MarkPreview { .. } => panic!("a refused preview was relayed"),
            ServerMessage::Notice { notice: RoomNotice::AnnotationRequested { participant_id, evidence_id } } => {
                assert_eq!(evidence_id.as_deref(), Some(h.photo.as_str()));
                (participant_id == defendant_id).then_some(())
            }
            _ => None,
        })
        .await;

    // Only the judge approves.
    assert_eq!(plaintiff.command(JudgeCommand::AllowAnnotation { participant_id: defendant_id }).await, Some("forbidden".into()));
    assert_eq!(judge.command(JudgeCommand::AllowAnnotation { participant_id: defendant_id }).await, None);
    defendant
        .until("the permission", |m| match m {
            ServerMessage::Room { room } if room.me.annotating == Annotating::Allowed => Some(()),
            _ => None,
        })
        .await;

    // The stroke appears for the others while it is drawn, then as a mark.
    defendant.send(preview(1, ink(&h.photo, 3))).await;
    let seen = plaintiff
        .until("the preview", |m| match m {
            ServerMessage::MarkPreview { author, stroke, draft } => Some((author, stroke, draft)),
            _ => None,
        })
        .await;
    assert_eq!((seen.0.id, seen.0.name.as_str(), seen.1), (defendant_id, "李四", 1));
    let mark_id = defendant.annotate(draw(ink(&h.photo, 5))).await.unwrap().unwrap();
    let mark = plaintiff.until("the mark", added).await;
    assert_eq!(mark.id, mark_id);
    assert_eq!((mark.author.id, mark.evidence_sha256.as_str()), (defendant_id, h.sha256.as_str()));
    assert!(mark.permission_id.is_some(), "the mark names the permission it was drawn under");
    plaintiff
        .until("the preview to go", |m| {
            matches!(m, ServerMessage::PreviewCleared { participant_id } if participant_id == defendant_id).then_some(())
        })
        .await;

    // The judge draws without asking; a late joiner gets every mark.
    let judges = judge.annotate(draw(rectangle(&h.photo))).await.unwrap().unwrap();
    assert!(judges > mark_id, "the server's order");
    let mut witness = h.join(&h.witness).await;
    let marks = witness
        .until("the marks", |m| match m {
            ServerMessage::Marks { marks } => Some(marks),
            _ => None,
        })
        .await;
    assert_eq!(marks.iter().map(|m| m.id).collect::<Vec<_>>(), vec![mark_id, judges]);
    assert_eq!(marks[1].permission_id, None);

    // 撤销 takes away one's own mark only; the judge clears anyone's.
    assert_eq!(defendant.annotate(remove(judges)).await, Err("forbidden".into()));
    assert_eq!(witness.annotate(remove(mark_id)).await, Err("forbidden".into()));
    assert_eq!(defendant.annotate(remove(mark_id)).await, Ok(None));
    assert_eq!(defendant.annotate(remove(mark_id)).await, Err("not_found".into()), "gone once");
    let removed = witness
        .until("the removal", |m| match m {
            ServerMessage::MarkRemoved { mark_id, by, .. } => Some((mark_id, by.id)),
            _ => None,
        })
        .await;
    assert_eq!(removed, (mark_id, defendant_id));
    let again = defendant.annotate(draw(rectangle(&h.photo))).await.unwrap().unwrap();
    assert_eq!(judge.annotate(remove(again)).await, Ok(None), "the judge clears a party's mark");

    // Each step is in the hash-chained hearing log, the removal as its own entry.
    let actions = h.actions().await;
    for action in ["annotation_requested", "annotation_allowed", "mark_added", "mark_removed"] {
        assert!(actions.iter().any(|a| a == action), "{action} in {actions:?}");
    }
    assert_eq!(actions.iter().filter(|a| *a == "mark_added").count(), 3);
    assert_eq!(actions.iter().filter(|a| *a == "mark_removed").count(), 2);
    let log = h.court.server.hearing_log(&h.court.clerk, h.court.hearing.id).await;
    let first = log.entries.iter().find(|e| e.action == "mark_added").unwrap();
    assert_eq!(first.detail["mark"]["shape"]["kind"], "ink");
    assert_eq!(first.detail["mark"]["evidence_sha256"], h.sha256.as_str());
}

#[tokio::test]
async fn the_judge_refuses_or_withdraws_mid_stroke_and_the_rest_of_the_stroke_is_refused() {
    let h = Hearing::new().await;
    let (mut judge, mut plaintiff, mut defendant) = h.running().await;
    let defendant_id = h.defendant.participant_id;

    assert_eq!(defendant.annotate(request(None)).await, Ok(None));
    assert_eq!(judge.command(JudgeCommand::RefuseAnnotation { participant_id: defendant_id }).await, None);
    let refused = defendant
        .until("the refusal", |m| match m {
            ServerMessage::Notice { notice: RoomNotice::AnnotationRefused { participant_id, .. } } => Some(participant_id),
            _ => None,
        })
        .await;
    assert_eq!(refused, defendant_id);
    assert_eq!(defendant.annotate(draw(rectangle(&h.photo))).await, Err("forbidden".into()));
    assert_eq!(
        judge.command(JudgeCommand::AllowAnnotation { participant_id: defendant_id }).await,
        Some("conflict".into()),
        "nothing left to approve"
    );

    h.allow(&mut judge, &mut defendant, defendant_id).await;
    defendant.send(preview(7, ink(&h.photo, 4))).await;
    plaintiff.until("the preview", |m| matches!(m, ServerMessage::MarkPreview { .. }).then_some(())).await;
    assert_eq!(judge.command(JudgeCommand::WithdrawAnnotation { participant_id: defendant_id }).await, None);
    for client in [&mut plaintiff, &mut defendant] {
        client
            .until("the preview to be cleared", |m| {
                matches!(m, ServerMessage::PreviewCleared { participant_id } if participant_id == defendant_id).then_some(())
            })
            .await;
    }
    // The rest of the stroke and its end are refused.
    defendant.send(preview(7, ink(&h.photo, 8))).await;
    assert_eq!(defendant.annotate(draw(ink(&h.photo, 9))).await, Err("forbidden".into()));
    // Nobody saw that preview: the next annotation message the plaintiff gets is the judge's mark.
    let judges = judge.annotate(draw(rectangle(&h.photo))).await.unwrap().unwrap();
    plaintiff
        .until("the judge's mark", |m| match m {
            ServerMessage::MarkPreview { .. } => panic!("a preview after the withdrawal was relayed"),
            ServerMessage::MarkAdded { mark } if mark.id == judges => Some(()),
            _ => None,
        })
        .await;
    assert_eq!(
        judge.command(JudgeCommand::WithdrawAnnotation { participant_id: defendant_id }).await,
        Some("conflict".into())
    );
    assert!(h.actions().await.iter().any(|a| a == "annotation_withdrawn"));
}

#[tokio::test]
async fn a_block_an_adjournment_and_closing_end_the_permission_and_nothing_is_drawn_after_closing() {
    let h = Hearing::new().await;
    let (mut judge, _plaintiff, mut defendant) = h.running().await;
    let defendant_id = h.defendant.participant_id;

    h.allow(&mut judge, &mut defendant, defendant_id).await;
    assert_eq!(judge.command(JudgeCommand::Block { participant_id: defendant_id }).await, None);
    assert_eq!(defendant.annotate(draw(rectangle(&h.photo))).await, Err("blocked".into()));
    assert_eq!(judge.command(JudgeCommand::Summon { participant_id: defendant_id }).await, None);
    let back = defendant
        .until("the summons", |m| match m {
            ServerMessage::Room { room } if room.blocked_message.is_none() => Some(room),
            _ => None,
        })
        .await;
    assert_eq!(back.me.annotating, Annotating::No, "the block ended the permission");
    assert_eq!(defendant.annotate(draw(rectangle(&h.photo))).await, Err("forbidden".into()));

    // 休庭 ends it; it is asked for again after 继续.
    h.allow(&mut judge, &mut defendant, defendant_id).await;
    assert_eq!(judge.command(JudgeCommand::Adjourn).await, None);
    assert_eq!(defendant.annotate(draw(rectangle(&h.photo))).await, Err("forbidden".into()));
    assert_eq!(defendant.annotate(request(None)).await, Err("conflict".into()), "not while adjourned");
    assert_eq!(judge.command(JudgeCommand::Resume).await, None);
    h.allow(&mut judge, &mut defendant, defendant_id).await;
    assert!(defendant.annotate(draw(rectangle(&h.photo))).await.unwrap().is_some());

    // After 闭庭 nobody draws or takes a mark away, the court included.
    let judges = judge.annotate(draw(rectangle(&h.photo))).await.unwrap().unwrap();
    assert_eq!(judge.command(JudgeCommand::Close).await, None);
    assert_eq!(defendant.annotate(draw(rectangle(&h.photo))).await, Err("conflict".into()));
    assert_eq!(judge.annotate(draw(rectangle(&h.photo))).await, Err("conflict".into()));
    assert_eq!(judge.annotate(remove(judges)).await, Err("conflict".into()));
    let ended = h.actions().await.iter().filter(|a| *a == "annotation_ended").count();
    assert_eq!(ended, 3, "the block, the adjournment and the closing each ended one");
}

#[tokio::test]
async fn marks_are_refused_on_another_hearings_evidence_off_the_page_or_on_a_withdrawn_item() {
    let h = Hearing::new().await;
    let (mut judge, _plaintiff, _defendant) = h.running().await;

    // The other hearing's judge (who draws without asking) cannot reach this hearing's photo.
    let other_judge = h.court.session(&h.court.other, JUDGE).await;
    let mut other = h.join(&other_judge).await;
    assert_eq!(other.command(JudgeCommand::Start).await, None);
    assert_eq!(other.annotate(draw(rectangle(&h.photo))).await, Err("invalid_request".into()));
    assert_eq!(other.annotate(draw(rectangle("no-such-item"))).await, Err("invalid_request".into()));

    let mut off_page = rectangle(&h.photo);
    off_page["shape"]["to"]["x"] = json!(1.5);
    let mut second_page = rectangle(&h.photo);
    second_page["page"] = json!(2);
    let mut empty_text = rectangle(&h.photo);
    empty_text["shape"] = json!({"kind": "text", "at": {"x": 0.5, "y": 0.5}, "text": "  "});
    let mut star = rectangle(&h.photo);
    star["shape"] = json!({"kind": "star", "centre": {"x": 0.5, "y": 0.5}});
    let mut purple = rectangle(&h.photo);
    purple["colour"] = json!("purple");
    for bad in [off_page, second_page, empty_text, ink(&h.photo, 2001), star, purple] {
        assert_eq!(judge.annotate(draw(bad.clone())).await, Err("invalid_request".into()), "{bad}");
    }
    judge.send(json!({"type": "draw_mark", "request_id": 99, "draft": {"evidence_id": h.photo, "page": 1}})).await;
    assert_eq!(judge.next_error().await, "invalid_request", "a draft without a shape");

    // A withdrawn item takes no more marks.
    let (status, body) =
        h.court.server.post(&format!("/api/evidence/{}/withdraw", h.photo), Some(&h.plaintiff.token), &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(judge.annotate(draw(rectangle(&h.photo))).await, Err("invalid_request".into()));
    assert!(!h.actions().await.iter().any(|a| a == "mark_added"), "nothing was committed");
}

#[tokio::test]
async fn marks_and_permissions_survive_a_server_restart_and_a_reconnect_replays_them() {
    let mut h = Hearing::new().await;
    let mark_id = {
        let (mut judge, _plaintiff, mut defendant) = h.running().await;
        h.allow(&mut judge, &mut defendant, h.defendant.participant_id).await;
        defendant.annotate(draw(rectangle(&h.photo))).await.unwrap().unwrap()
    };
    h.court.server.restart().await;
    let (mut defendant, room) = RawClient::join(&h.court.server, &h.defendant.token).await;
    assert_eq!(room.me.annotating, Annotating::Allowed);
    let marks = defendant
        .until("the marks", |m| match m {
            ServerMessage::Marks { marks } => Some(marks),
            _ => None,
        })
        .await;
    assert_eq!(marks.iter().map(|m| m.id).collect::<Vec<_>>(), vec![mark_id]);
    assert_eq!(defendant.annotate(remove(mark_id)).await, Ok(None), "undo after the restart");
}

#[tokio::test]
async fn a_client_too_slow_for_the_marks_loses_none_of_them() {
    let h = Hearing::new().await;
    let (mut judge, mut plaintiff, _defendant) = h.running().await;
    // The plaintiff stops reading while the judge draws long strokes.
    let mut ids = Vec::new();
    for _ in 0..120 {
        ids.push(judge.annotate(draw(ink(&h.photo, 2000))).await.unwrap().unwrap());
    }
    // Either every mark arrived in order, or the connection was dropped and a
    // new one gets them all at once.
    let mut seen = Vec::new();
    let replayed = loop {
        match plaintiff.next().await {
            Some(ServerMessage::MarkAdded { mark }) => {
                seen.push(mark.id);
                if seen.len() == ids.len() {
                    break None;
                }
            }
            Some(_) => continue,
            None => {
                let (mut again, _) = RawClient::join(&h.court.server, &h.plaintiff.token).await;
                break Some(
                    again
                        .until("the marks", |m| match m {
                            ServerMessage::Marks { marks } => Some(marks.into_iter().map(|m| m.id).collect::<Vec<_>>()),
                            _ => None,
                        })
                        .await,
                );
            }
        }
    };
    match replayed {
        None => assert_eq!(seen, ids, "every mark, in the server's order"),
        Some(all) => assert_eq!(all, ids, "every mark after the reconnect"),
    }
}

/// A client that stops reading altogether is let go: once the room has
/// dropped it, the server closes its end within its send timeout, instead of
/// waiting on the connection for as long as the client keeps it open; the
/// stroke it was drawing vanishes for the others.
#[tokio::test]
async fn a_client_that_stops_reading_is_disconnected_not_waited_on() {
    let h = Hearing::new().await;
    let (mut judge, mut plaintiff, mut defendant) = h.running().await;
    let defendant_id = h.defendant.participant_id;
    h.allow(&mut judge, &mut defendant, defendant_id).await;
    let (mut stalled, port) = RawClient::join_with_small_buffer(&h.court.server, &h.defendant.token).await;
    stalled.send(preview(1, ink(&h.photo, 3))).await;
    // The plaintiff reads on while the judge draws.
    let watching = tokio::spawn(async move {
        plaintiff.until("the stalled client's stroke", |m| matches!(m, ServerMessage::MarkPreview { author, .. } if author.id == defendant_id).then_some(())).await;
        plaintiff.until("the stroke to go with the dropped client", cleared(defendant_id)).await;
    });
    // The judge draws long strokes until the room drops the defendant, who reads nothing.
    let mut dropped = false;
    for _ in 0..60 {
        for _ in 0..10 {
            judge.annotate(draw(ink(&h.photo, 2000))).await.unwrap();
        }
        let log = h.court.server.hearing_log(&h.court.clerk, h.court.hearing.id).await;
        dropped = log.entries.iter().any(|e| e.action == "participant_left" && e.actor_name == "李四" && e.detail["dropped"] == "too_slow");
        if dropped {
            break;
        }
    }
    assert!(dropped, "the room dropped the connection that stopped reading");
    watching.await.unwrap();
    // The server's end of that connection, as the kernel lists it (state 01: established).
    let established = || {
        let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
        let remote = format!(":{port:04X} ");
        table.lines().skip(1).any(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            format!("{} ", fields[2]).ends_with(&remote) && fields[3] == "01"
        })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while established() {
        assert!(std::time::Instant::now() < deadline, "the server still holds the connection open");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

fn cleared(of: i64) -> impl FnMut(ServerMessage) -> Option<()> {
    move |m| matches!(m, ServerMessage::PreviewCleared { participant_id } if participant_id == of).then_some(())
}

#[tokio::test]
async fn a_stroke_given_up_or_left_behind_by_its_drawer_vanishes_for_everyone() {
    let h = Hearing::new().await;
    let (mut judge, mut plaintiff, mut defendant) = h.running().await;
    let defendant_id = h.defendant.participant_id;
    h.allow(&mut judge, &mut defendant, defendant_id).await;
    let watch = |stroke: u32| {
        move |m| match m {
            ServerMessage::MarkPreview { author, stroke: s, .. } if author.id == defendant_id && s == stroke => Some(()),
            _ => None,
        }
    };

    // Given up (too small to keep, or cancelled): the drawer says so.
    defendant.send(preview(1, rectangle(&h.photo))).await;
    plaintiff.until("the first stroke", watch(1)).await;
    defendant.send(json!({"type": "clear_preview"})).await;
    plaintiff.until("the first stroke to go", cleared(defendant_id)).await;

    // The tab closed or the connection dropped mid-stroke.
    defendant.send(preview(2, ink(&h.photo, 3))).await;
    plaintiff.until("the second stroke", watch(2)).await;
    drop(defendant);
    plaintiff.until("the second stroke to go with its drawer", cleared(defendant_id)).await;

    // The page reloaded mid-stroke: the new connection replaces the old before the old one is seen to close.
    let mut first = h.join(&h.defendant).await;
    first.send(preview(3, ink(&h.photo, 3))).await;
    plaintiff.until("the third stroke", watch(3)).await;
    let _second = h.join(&h.defendant).await;
    plaintiff.until("the third stroke to go", cleared(defendant_id)).await;

    // Giving up when nothing was shown tells nobody anything.
    plaintiff.send(json!({"type": "clear_preview"})).await;
    let judges = judge.annotate(draw(rectangle(&h.photo))).await.unwrap().unwrap();
    plaintiff
        .until("the judge's mark", |m| match m {
            ServerMessage::PreviewCleared { participant_id } if participant_id != h.judge.participant_id => {
                panic!("a preview nobody was shown was cleared")
            }
            ServerMessage::MarkAdded { mark } if mark.id == judges => Some(()),
            _ => None,
        })
        .await;
}

#[tokio::test]
async fn one_participant_has_at_most_so_many_marks_on_one_item() {
    use cloudtrial_protocol::annotation::MAX_MARKS_PER_ITEM;
    let h = Hearing::new().await;
    let (mut judge, _plaintiff, mut defendant) = h.running().await;
    let defendant_id = h.defendant.participant_id;
    let (status, body) = h.court.upload(&h.defendant.token, &phone_photo(), "对方照片.jpg", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let other_item = body["evidence"]["id"].as_str().unwrap().to_owned();
    h.allow(&mut judge, &mut defendant, defendant_id).await;

    let mut last = 0;
    for n in 0..MAX_MARKS_PER_ITEM {
        last = match defendant.annotate_refusal(draw(rectangle(&h.photo))).await {
            Ok(Some(id)) => id,
            other => panic!("mark {n} of {MAX_MARKS_PER_ITEM}: {other:?}"),
        };
    }
    let refusal = defendant.annotate_refusal(draw(rectangle(&h.photo))).await.expect_err("one mark too many is refused");
    assert_eq!(refusal.code, cloudtrial_protocol::ErrorCode::Conflict);
    assert_eq!(refusal.message, "您在该证据上的圈注已达500处上限，请先撤销不需要的圈注");

    // The limit is this participant's on this item: another item, another author, and a mark taken away each leave room.
    assert!(defendant.annotate(draw(rectangle(&other_item))).await.unwrap().is_some());
    assert!(judge.annotate(draw(rectangle(&h.photo))).await.unwrap().is_some());
    assert_eq!(defendant.annotate(remove(last)).await, Ok(None));
    assert!(defendant.annotate(draw(rectangle(&h.photo))).await.unwrap().is_some());
    let added = h.actions().await.iter().filter(|a| *a == "mark_added").count();
    assert_eq!(added, MAX_MARKS_PER_ITEM + 3, "the refused mark is not in the log");
}
