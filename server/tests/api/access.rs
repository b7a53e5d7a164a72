//! The one access decision, tried over real HTTP as a matrix: each caller,
//! in each standing (in the hearing, blocked by the judge, summoned, after
//! 闭庭), against every hearing resource.

use cloudtrial_protocol::record::RecordContent;
use cloudtrial_protocol::signalling::JudgeCommand;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::evidence::{AGENT, Court, WITNESS, phone_photo};
use crate::harness::*;
use crate::room::RawClient;

const OK: u16 = 200;
const CREATED: u16 = 201;
const NO: u16 = 403;
const GONE: u16 = 404;

/// One request against the hearing's resources.
struct Request {
    name: &'static str,
    method: Method,
    path: String,
    body: Option<Value>,
}

fn requests(hearing_id: i64, photo: &str, pdf: &str, record_version: u32) -> Vec<Request> {
    let opinion = json!({"authenticity": {"stance": "accept"}, "legality": {"stance": "accept"}, "relevance": {"stance": "accept"}});
    let upload = json!({"length": 10, "sha256": "a".repeat(64), "file_name": "x.jpg", "title": "收据", "purpose": "证明付款"});
    let record = serde_json::to_value(RecordContent::default()).unwrap();
    let r = |name, method, path: String, body: Option<Value>| Request { name, method, path, body };
    vec![
        r("details", Method::GET, format!("/api/hearings/{hearing_id}/details"), None),
        r("evidence list", Method::GET, format!("/api/hearings/{hearing_id}/evidence"), None),
        r("one item", Method::GET, format!("/api/evidence/{photo}"), None),
        r("thumbnail", Method::GET, format!("/api/evidence/{photo}/thumbnail"), None),
        r("photo copy", Method::GET, format!("/api/evidence/{photo}/copy"), None),
        r("photo original", Method::GET, format!("/api/evidence/{photo}/original"), None),
        r("pdf original", Method::GET, format!("/api/evidence/{pdf}/original"), None),
        r("start upload", Method::POST, format!("/api/hearings/{hearing_id}/uploads"), Some(upload)),
        r("opinion on the photo", Method::PUT, format!("/api/evidence/{photo}/opinion"), Some(opinion)),
        r("record", Method::GET, format!("/api/hearings/{hearing_id}/record"), None),
        r("record versions", Method::GET, format!("/api/hearings/{hearing_id}/record/versions?after=0"), None),
        r(
            "save record",
            Method::PUT,
            format!("/api/hearings/{hearing_id}/record"),
            Some(json!({"base_version": (record_version > 0).then_some(record_version), "content": record})),
        ),
    ]
}

async fn answers(court: &Court, token: &str, requests: &[Request]) -> Vec<(u16, Value)> {
    let mut got = Vec::new();
    for request in requests {
        let (status, body) = court.server.request(request.method.clone(), &request.path, Some(token), request.body.as_ref()).await;
        got.push((status.as_u16(), body));
    }
    got
}

fn compare(who: &str, requests: &[Request], got: &[(u16, Value)], want: &[u16], failures: &mut Vec<String>) {
    for ((request, (status, body)), want) in requests.iter().zip(got).zip(want) {
        if status != want {
            failures.push(format!("{who} {}: got {status}, want {want}: {body}", request.name));
        }
    }
}

#[tokio::test]
async fn every_hearing_resource_answers_each_caller_by_their_standing() {
    let court = Court::new().await;
    let server = &court.server;
    let hearing_id = court.hearing.id;
    let plaintiff = court.session(&court.hearing, PLAINTIFF).await.token;
    let defendant = court.session(&court.hearing, DEFENDANT).await.token;
    let agent = court.session(&court.hearing, AGENT).await.token;
    let witness = court.session(&court.hearing, WITNESS).await.token;
    let judge = court.session(&court.hearing, JUDGE).await.token;
    let outsider = court.session(&court.other, PLAINTIFF).await.token;
    let admin = server.staff(cloudtrial_protocol::StaffRole::Admin, "admin").await.token;

    let (_, photo) = court.upload(&plaintiff, &phone_photo(), "借条.jpg", json!({})).await;
    let photo = photo["evidence"]["id"].as_str().unwrap().to_owned();
    let pdf_bytes = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let (status, pdf) = court.upload(&defendant, &pdf_bytes, "收据.pdf", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{pdf}");
    let pdf = pdf["evidence"]["id"].as_str().unwrap().to_owned();
    let (mut bench, _) = RawClient::join(server, &judge).await;
    assert_eq!(bench.command(JudgeCommand::Start).await, None);

    // The record's version moves as the judge saves; each row saves on top of the latest.
    let version = |n: u32| requests(hearing_id, &photo, &pdf, n);
    let latest_version = || async {
        let (_, view) = server.get(&format!("/api/hearings/{hearing_id}/record"), Some(&judge)).await;
        view["latest"]["version"].as_u64().unwrap_or(0) as u32
    };

    // While the hearing runs (庭审中). Columns as in `requests`.
    let running: Vec<(&str, &str, [u16; 12])> = vec![
        ("plaintiff (submitted the photo)", &plaintiff, [OK, OK, OK, OK, OK, OK, OK, CREATED, NO, OK, OK, NO]),
        ("plaintiff's agent", &agent, [OK, OK, OK, OK, OK, OK, OK, CREATED, NO, OK, OK, NO]),
        ("defendant", &defendant, [OK, OK, OK, OK, OK, NO, OK, CREATED, OK, OK, OK, NO]),
        ("witness", &witness, [OK, OK, OK, OK, OK, NO, OK, NO, NO, OK, OK, NO]),
        ("judge in the room", &judge, [OK, OK, OK, OK, OK, OK, OK, NO, NO, OK, OK, OK]),
        ("clerk on the console", &court.clerk, [NO, OK, OK, OK, OK, OK, OK, NO, NO, OK, OK, NO]),
        ("administrator", &admin, [NO, OK, OK, OK, OK, OK, OK, NO, NO, OK, OK, NO]),
        ("party of another hearing", &outsider, [NO, NO, GONE, GONE, GONE, GONE, GONE, NO, GONE, NO, NO, NO]),
    ];
    let mut failures = Vec::new();
    for (who, token, want) in &running {
        let requests = version(latest_version().await);
        let got = answers(&court, token, &requests).await;
        compare(who, &requests, &got, want, &mut failures);
    }

    // 屏蔽: the blocked defendant gets nothing of the hearing, and every refusal says why.
    let defendant_id = court.hearing.participants.iter().find(|p| p.name == DEFENDANT.1).unwrap().id;
    assert_eq!(bench.command(JudgeCommand::Block { participant_id: defendant_id }).await, None);
    let requests = version(latest_version().await);
    let got = answers(&court, &defendant, &requests).await;
    compare("blocked defendant", &requests, &got, &[NO; 12], &mut failures);
    for ((status, body), request) in got.iter().zip(&requests) {
        if *status == NO && body["code"] != "blocked" {
            failures.push(format!("blocked defendant {}: the refusal does not say blocked: {body}", request.name));
        }
        if *status == NO && body["message"] != "您已被屏蔽，请等待法官传唤" {
            failures.push(format!("blocked defendant {}: {body}", request.name));
        }
    }
    // The room still lets them in, to learn they are blocked, and shows no one else.
    let (_, room) = RawClient::join(server, &defendant).await;
    assert_eq!(room.participants.len(), 1);
    assert_eq!(room.blocked_message.as_deref(), Some("您已被屏蔽，请等待法官传唤"));
    // Others are unaffected by the block.
    let got = answers(&court, &plaintiff, &requests[..2]).await;
    compare("plaintiff while the defendant is blocked", &requests[..2], &got, &[OK, OK], &mut failures);

    // 传唤: everything is back at once.
    assert_eq!(bench.command(JudgeCommand::Summon { participant_id: defendant_id }).await, None);
    let requests = version(latest_version().await);
    let got = answers(&court, &defendant, &requests).await;
    compare("summoned defendant", &requests, &got, &running[2].2, &mut failures);

    // Blocked again, then 闭庭: the block ends with the hearing; nothing more can be submitted or disputed.
    assert_eq!(bench.command(JudgeCommand::Block { participant_id: defendant_id }).await, None);
    assert_eq!(bench.command(JudgeCommand::Close).await, None);
    let requests = version(latest_version().await);
    let closed: Vec<(&str, &str, [u16; 12])> = vec![
        ("defendant blocked before 闭庭", &defendant, [OK, OK, OK, OK, OK, NO, OK, 409, 409, OK, OK, NO]),
        ("plaintiff after 闭庭", &plaintiff, [OK, OK, OK, OK, OK, OK, OK, 409, NO, OK, OK, NO]),
        ("judge after 闭庭", &judge, [OK, OK, OK, OK, OK, OK, OK, NO, NO, OK, OK, OK]),
    ];
    for (who, token, want) in &closed {
        let requests = version(latest_version().await);
        let got = answers(&court, token, &requests).await;
        compare(who, &requests, &got, want, &mut failures);
    }
    drop(requests);
    assert!(failures.is_empty(), "access matrix mismatches:\n{}", failures.join("\n"));
}
