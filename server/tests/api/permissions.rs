//! Who may call what, as a matrix: every caller kind against every protected endpoint.

use cloudtrial_protocol::StaffRole;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::*;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    Nobody,
    Forged,
    Party,
    Judge,
    Clerk,
    Admin,
}

const OK: u16 = 200;
const NO: u16 = 403;
const ANON: u16 = 401;

#[tokio::test]
async fn every_endpoint_allows_exactly_the_roles_it_should() {
    let server = TestServer::start().await;
    let judge = server.staff(StaffRole::Judge, "judge").await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let admin = server.staff(StaffRole::Admin, "admin").await;
    let other = server.staff(StaffRole::Clerk, "other").await;
    let mut booking = server.booking("案1", &[JUDGE, CLERK, PLAINTIFF]);
    booking["participants"][0]["staff_id"] = json!(judge.account.id);
    booking["participants"][1]["staff_id"] = json!(clerk.account.id);
    let (_, body) = server.post("/api/hearings", Some(&clerk.token), &booking).await;
    let hearing: cloudtrial_protocol::api::Hearing = serde_json::from_value(body).unwrap();
    let party = server.login(&clerk.token, &hearing, PLAINTIFF.2).await;
    let id = hearing.id;
    let plaintiff_id = hearing.participants[2].id;

    let token = |who: Who| -> Option<String> {
        match who {
            Who::Nobody => None,
            Who::Forged => Some("forged-token-forged-token-forged-token-1234".to_owned()),
            Who::Party => Some(party.token.clone()),
            Who::Judge => Some(judge.token.clone()),
            Who::Clerk => Some(clerk.token.clone()),
            Who::Admin => Some(admin.token.clone()),
        }
    };
    let new_staff = |n: usize| {
        json!({"username": format!("new{n}"), "name": "新用户", "role": "clerk", "password": "long enough pw"})
    };
    // (endpoint, expected status for [party, judge, clerk, admin]); nobody and forged always get 401.
    type Case = (Method, String, Option<Value>, [u16; 4]);
    let cases: Vec<Case> = vec![
        (Method::GET, "/api/hearings".into(), None, [NO, OK, OK, OK]),
        (Method::GET, format!("/api/hearings/{id}"), None, [NO, OK, OK, OK]),
        (Method::POST, "/api/hearings".into(), Some(server.booking("案2", &[JUDGE])), [NO, 201, 201, NO]),
        (Method::PATCH, format!("/api/hearings/{id}"), Some(json!({"courtroom": "第二法庭"})), [NO, OK, OK, NO]),
        (Method::POST, format!("/api/hearings/{id}/participants/{plaintiff_id}/notice"), Some(json!({})), [NO, 204, 204, NO]),
        (Method::GET, format!("/api/hearings/{id}/events"), None, [NO, OK, OK, OK]),
        (Method::GET, "/api/sms".into(), None, [NO, OK, OK, OK]),
        (Method::POST, format!("/api/hearings/{id}/enter"), Some(json!({})), [NO, OK, OK, NO]),
        (Method::GET, format!("/api/hearings/{id}/details"), None, [OK, NO, NO, NO]),
        (Method::GET, "/api/staff".into(), None, [NO, NO, NO, OK]),
        (Method::POST, "/api/staff".into(), Some(new_staff(0)), [NO, NO, NO, 201]),
        (Method::GET, "/api/staff/me".into(), None, [NO, OK, OK, OK]),
        (Method::PATCH, format!("/api/staff/{}", other.account.id), Some(json!({"disabled": false})), [NO, NO, NO, OK]),
    ];

    let mut failures = Vec::new();
    for (n, (method, path, body, expected)) in cases.iter().enumerate() {
        for who in [Who::Nobody, Who::Forged, Who::Party, Who::Judge, Who::Clerk, Who::Admin] {
            let want = match who {
                Who::Nobody | Who::Forged => ANON,
                Who::Party => expected[0],
                Who::Judge => expected[1],
                Who::Clerk => expected[2],
                Who::Admin => expected[3],
            };
            let body = if path == "/api/staff" && *method == Method::POST { Some(new_staff(n * 10 + who as usize)) } else { body.clone() };
            if path.ends_with("/notice") {
                // A notice is resent to one participant at most once a minute.
                server.clock.advance(std::time::Duration::from_secs(61));
            }
            let (status, answer) = server.request(method.clone(), path, token(who).as_deref(), body.as_ref()).await;
            if status.as_u16() != want {
                failures.push(format!("{who:?} {method} {path}: got {status}, want {want}: {answer}"));
            }
            if status == StatusCode::FORBIDDEN {
                assert_eq!(answer["code"], "forbidden");
            }
        }
    }
    assert!(failures.is_empty(), "permission matrix mismatches:\n{}", failures.join("\n"));

    // The cancel action last, since it ends the hearing.
    for who in [Who::Party, Who::Admin] {
        let (status, _) = server.post(&format!("/api/hearings/{id}/cancel"), token(who).as_deref(), &json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who:?}");
    }
    let (status, _) = server.post(&format!("/api/hearings/{id}/cancel"), Some(&judge.token), &json!({})).await;
    assert_eq!(status, StatusCode::OK);
}

/// A hearing is changed, cancelled and re-notified only by whoever booked it
/// or sits in it for the court: another judge's or clerk's account cannot
/// edit itself into someone else's hearing, nor take a role not its own.
#[tokio::test]
async fn staff_manage_only_hearings_they_booked_or_sit_in() {
    let server = TestServer::start().await;
    let judge = server.staff(StaffRole::Judge, "judge").await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let other_judge = server.staff(StaffRole::Judge, "judge2").await;
    let other_clerk = server.staff(StaffRole::Clerk, "clerk2").await;
    let mut booking = server.booking("案1", &[JUDGE, CLERK, PLAINTIFF]);
    booking["participants"][0]["staff_id"] = json!(judge.account.id);
    let (status, body) = server.post("/api/hearings", Some(&clerk.token), &booking).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let hearing: cloudtrial_protocol::api::Hearing = serde_json::from_value(body).unwrap();
    let (id, plaintiff_id) = (hearing.id, hearing.participants[2].id);

    let take_over = |staff_id: i64| json!({"add_participants": [{"name": "赵法官", "role": "presiding_judge", "mobile": "13900000009", "staff_id": staff_id}]});
    for outsider in [&other_judge, &other_clerk] {
        let attempts = [
            (Method::PATCH, format!("/api/hearings/{id}"), json!({"courtroom": "第二法庭"})),
            (Method::PATCH, format!("/api/hearings/{id}"), take_over(outsider.account.id)),
            (Method::POST, format!("/api/hearings/{id}/participants/{plaintiff_id}/notice"), json!({})),
            (Method::POST, format!("/api/hearings/{id}/cancel"), json!({})),
        ];
        for (method, path, body) in attempts {
            let (status, answer) = server.request(method.clone(), &path, Some(&outsider.token), Some(&body)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{} {method} {path}: {answer}", outsider.account.username);
            assert_eq!(answer["code"], "forbidden");
        }
        let (status, answer) = server.post(&format!("/api/hearings/{id}/enter"), Some(&outsider.token), &json!({})).await;
        assert_ne!(status, StatusCode::OK, "{answer}");
    }
    let (_, after) = server.get(&format!("/api/hearings/{id}"), Some(&judge.token)).await;
    assert_eq!(after["courtroom"], "第一法庭");
    assert_eq!(after["participants"].as_array().unwrap().len(), 3);
    assert_eq!(after["status"], "scheduled");

    // The linked judge and the clerk who booked it (linked or not) manage it.
    for insider in [&judge, &clerk] {
        let (status, answer) = server.patch(&format!("/api/hearings/{id}"), Some(&insider.token), &json!({"courtroom": "第三法庭"})).await;
        assert_eq!(status, StatusCode::OK, "{}: {answer}", insider.account.username);
    }

    // An account sits only in a role of its own kind.
    let mismatched = [(&other_clerk, JUDGE), (&other_judge, CLERK)];
    for (account, party) in mismatched {
        let mut booking = server.booking("案2", &[JUDGE, CLERK]);
        let index = if party.0 == JUDGE.0 { 0 } else { 1 };
        booking["participants"][index]["staff_id"] = json!(account.account.id);
        let (status, answer) = server.post("/api/hearings", Some(&clerk.token), &booking).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{}: {answer}", account.account.username);
        assert!(answer["message"].as_str().unwrap().contains("与关联账号不符"), "{answer}");
    }
    let (status, answer) = server.patch(&format!("/api/hearings/{id}"), Some(&judge.token), &take_over(other_clerk.account.id)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
}

/// 停用 and 重设密码: an account stopped or given a new password loses every
/// session it had open, the room sessions entered from them too; a stopped
/// account cannot log in (and is told so only with the right password) and
/// is not offered for booking; an administrator does not stop their own.
#[tokio::test]
async fn an_account_stopped_or_given_a_new_password_keeps_no_session() {
    let server = TestServer::start().await;
    let admin = server.staff(StaffRole::Admin, "admin").await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let mut booking = server.booking("案1", &[JUDGE, CLERK, PLAINTIFF]);
    booking["participants"][1]["staff_id"] = json!(clerk.account.id);
    let (status, body) = server.post("/api/hearings", Some(&clerk.token), &booking).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let hearing: cloudtrial_protocol::api::Hearing = serde_json::from_value(body).unwrap();
    let (status, entered) = server.post(&format!("/api/hearings/{}/enter", hearing.id), Some(&clerk.token), &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{entered}");
    let room_token = entered["token"].as_str().unwrap().to_owned();
    let account = |id: i64| format!("/api/staff/{id}");
    let login = |password: &'static str| {
        let server = &server;
        async move { server.post("/api/staff/login", None, &json!({"username": "clerk", "password": password})).await }
    };

    let (status, body) = server.patch(&account(clerk.account.id), Some(&admin.token), &json!({"disabled": true})).await;
    assert_eq!((status, body["disabled"].as_bool()), (StatusCode::OK, Some(true)), "{body}");
    let (status, body) = server.get("/api/staff/me", Some(&clerk.token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, body) = server.get(&format!("/api/hearings/{}/details", hearing.id), Some(&room_token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the room session entered from the console ends with it: {body}");
    let (status, body) = login("correct horse battery").await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::UNAUTHORIZED, Some("该账号已停用，请联系管理员")));
    let (_, wrong) = login("not the password").await;
    assert_eq!(wrong["message"], "用户名或密码不正确", "a guesser learns nothing");
    let judge = server.staff(StaffRole::Judge, "judge").await;
    let (status, directory) = server.get("/api/staff/directory", Some(&judge.token)).await;
    assert_eq!(status, StatusCode::OK, "{directory}");
    let listed: Vec<&str> = directory.as_array().unwrap().iter().filter_map(|a| a["username"].as_str()).collect();
    assert!(listed.contains(&"judge") && !listed.contains(&"clerk"), "not offered for booking: {directory}");

    let (status, body) = server.patch(&account(clerk.account.id), Some(&admin.token), &json!({"disabled": false})).await;
    assert_eq!((status, body["disabled"].as_bool()), (StatusCode::OK, Some(false)), "{body}");
    let (status, session) = login("correct horse battery").await;
    assert_eq!(status, StatusCode::OK, "{session}");
    let token = session["token"].as_str().unwrap().to_owned();

    let (status, body) = server.patch(&account(clerk.account.id), Some(&admin.token), &json!({"password": "        "})).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::BAD_REQUEST, Some("密码至少8位（不计首尾空格）")));
    let (status, _) = server.patch(&account(clerk.account.id), Some(&admin.token), &json!({"password": "a new long password"})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = server.get("/api/staff/me", Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the session opened with the old password is over");
    assert_eq!(login("correct horse battery").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(login("a new long password").await.0, StatusCode::OK);

    let (status, body) = server.patch(&account(admin.account.id), Some(&admin.token), &json!({"disabled": true})).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::BAD_REQUEST, Some("不能停用自己的账号")));
    let (status, _) = server.patch(&account(999_999), Some(&admin.token), &json!({"disabled": true})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A username differing only in case is taken.
    let twin = json!({"username": "CLERK", "name": "另一位书记员", "role": "clerk", "password": "long enough pw"});
    let (status, body) = server.post("/api/staff", Some(&admin.token), &twin).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::CONFLICT, Some("用户名CLERK已被使用")));
}
