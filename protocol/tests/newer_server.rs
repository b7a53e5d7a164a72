//! An app in the field meets a server newer than itself: values added to the
//! protocol since it was built are read as `Unknown`, not as an unreadable
//! hearing, room or evidence list.

use cloudtrial_protocol::annotation::{Annotating, Mark, MarkColour, Shape};
use cloudtrial_protocol::api::{HearingDetails, HearingStatus};
use cloudtrial_protocol::evidence::{Evidence, EvidenceKind, Stance};
use cloudtrial_protocol::record::{SignatureInfo, SigningChannel};
use cloudtrial_protocol::signalling::{NetworkQuality, RecognitionStatus, ServerMessage};
use cloudtrial_protocol::{ParticipantRole, Side};
use serde_json::json;

fn someone(role: &str) -> serde_json::Value {
    json!({"id": 7, "name": "王五", "role": role})
}

#[test]
fn a_hearing_with_a_new_role_and_status_is_read() {
    let hearing: HearingDetails = serde_json::from_value(json!({
        "hearing_id": 1, "meeting_number": "12345678", "case_number": "（2026）京0105民初1号",
        "case_title": "借款合同纠纷", "courtroom": "第一法庭", "scheduled_at": "2026-12-03 09:00",
        "status": "postponed", "me": someone("plaintiff"), "participants": [someone("plaintiff"), someone("interpreter")],
    }))
    .unwrap();
    assert_eq!(hearing.status, HearingStatus::Unknown);
    assert_eq!(hearing.status.judge_actions(), [], "nothing may be done in a state this app does not know");
    assert!(!hearing.status.allows_signing() && !hearing.status.is_over());
    let interpreter = hearing.participants[1].role;
    assert_eq!(interpreter, ParticipantRole::Unknown);
    assert_eq!((interpreter.label(), interpreter.side()), ("参与人", Side::Unknown));
    assert!(!interpreter.is_court() && !interpreter.submits_evidence());
    assert!(!ParticipantRole::ALL.contains(&interpreter) && ParticipantRole::parse("unknown").is_none());
}

#[test]
fn a_room_with_new_states_is_read() {
    let me = json!({"id": 7, "name": "王五", "role": "expert_witness", "online": true, "device": "smart_tv",
        "blocked": false, "muted": false, "camera_on": true, "microphone_on": true, "network": "excellent",
        "annotating": "frozen"});
    let message: ServerMessage = serde_json::from_value(json!({"type": "room", "room": {
        "hearing_id": 1, "revision": 3, "status": "in_session",
        "recognition": {"status": "translating", "message": "语音识别与翻译中"},
        "participants": [me], "me": me, "blocked_message": null,
    }}))
    .unwrap();
    let ServerMessage::Room { room } = message else { panic!("not a room: {message:?}") };
    assert_eq!(room.recognition.status, RecognitionStatus::Unknown);
    assert_eq!(room.recognition.message, "语音识别与翻译中", "the panel still says what the server said");
    assert_eq!(room.me.role, ParticipantRole::Unknown);
    assert_eq!(room.me.network, Some(NetworkQuality::Unknown));
    assert_eq!(room.me.annotating, Annotating::Unknown);
    assert!(!room.me.annotating.may_draw());
}

#[test]
fn evidence_of_a_new_kind_side_and_stance_is_read() {
    let position = |stance: &str| json!({"stance": stance, "reason": ""});
    let evidence: Evidence = serde_json::from_value(json!({
        "id": "ev1", "hearing_id": 1, "submitter": someone("expert"), "side": "expert", "title": "鉴定意见",
        "description": "", "purpose": "", "counter": false, "answers": null, "file_name": "model.glb",
        "media_type": "model/gltf-binary", "kind": "model", "size": 10, "sha256": "00", "captured_at": null,
        "width": null, "height": null, "has_preview": false, "original_released": false, "submitted_at_ms": 1,
        "withdrawn_at_ms": null,
        "opinions": [{"by": someone("defendant"), "side": "defendant", "authenticity": position("partly"),
            "legality": position("accept"), "relevance": position("dispute"), "updated_at_ms": 2}],
    }))
    .unwrap();
    assert_eq!((evidence.kind, evidence.side), (EvidenceKind::Unknown, Side::Unknown));
    assert_eq!(evidence.kind.label(), "文件");
    assert!(evidence.kind.may_carry_location(), "an unknown kind is kept as private as a photo");
    assert_eq!(evidence.opinions[0].authenticity.stance, Stance::Unknown);
    assert_eq!(evidence.opinions[0].relevance.stance, Stance::Dispute);
}

#[test]
fn a_mark_of_a_new_shape_and_a_signature_by_a_new_channel_are_read() {
    let mark: Mark = serde_json::from_value(json!({"id": 1, "evidence_id": "ev1", "evidence_sha256": "00", "page": 1,
        "colour": "purple", "shape": {"kind": "star", "centre": {"x": 0.5, "y": 0.5}}, "author": someone("judge"),
        "permission_id": null, "created_at_ms": 1}))
    .unwrap();
    assert_eq!((mark.colour, &mark.shape), (MarkColour::Unknown, &Shape::Unknown));
    assert!(mark.shape.points().is_empty(), "nothing to place");
    let signature: SignatureInfo = serde_json::from_value(json!({"id": 1, "round_id": 1, "signer": someone("plaintiff"),
        "version": 2, "version_sha256": "00", "image_sha256": "00", "signed_at_ms": 1, "via": "face_recognition"}))
    .unwrap();
    assert_eq!(signature.via, SigningChannel::Unknown);
}
