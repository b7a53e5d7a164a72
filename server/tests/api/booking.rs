use cloudtrial_protocol::StaffRole;
use cloudtrial_protocol::api::{Hearing, HearingStatus, SmsKind};
use reqwest::StatusCode;
use serde_json::json;

use crate::harness::*;

fn expected_notice(name: &str, hearing: &Hearing) -> String {
    format!(
        "【天津法院】[云审]{name}，您好，您参与的{case}，张三诉李四民间借贷纠纷会议，已决定于{date} 09:30进行互联网庭审。\
         请提前访问https://yunshen.example.court/ots/download/{number}下载庭审客户端（电脑端可直接使用浏览器）、\
         安装并使用会议号登录，会议号为：{number}",
        case = hearing.case_number,
        date = hearing.scheduled_at.date(),
        number = hearing.meeting_number,
    )
}

#[tokio::test]
async fn booking_sends_each_participant_the_notice_in_the_manuals_words() {
    let server = TestServer::start().await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let hearing = server.book(&clerk.token, "（2026）津0101民初1号", &[JUDGE, CLERK, PLAINTIFF, DEFENDANT]).await;

    assert_eq!(hearing.status, HearingStatus::Scheduled);
    assert_eq!(hearing.participants.len(), 4);
    let outbox = server.outbox(&clerk.token, &format!("?hearing_id={}", hearing.id)).await;
    assert_eq!(outbox.len(), 4, "one SMS per participant");
    for p in &hearing.participants {
        let sms: Vec<_> = outbox.iter().filter(|m| m.participant_id == Some(p.id)).collect();
        assert_eq!(sms.len(), 1);
        assert_eq!(sms[0].mobile, p.mobile);
        assert_eq!(sms[0].kind, SmsKind::HearingNotice);
        assert_eq!(sms[0].text, expected_notice(&p.name, &hearing));
    }
}

#[tokio::test]
async fn the_landing_page_shows_the_meeting_number_and_how_to_join() {
    let server = TestServer::start().await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let hearing = server.book(&clerk.token, "（2026）津0101民初2号", &[JUDGE, PLAINTIFF]).await;

    let response = server.http.get(server.url(&format!("/ots/download/{}", hearing.meeting_number))).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/html; charset=utf-8");
    let page = response.text().await.unwrap();
    assert!(page.contains(&format!(r#"<div class="number" id="meeting-number">{}</div>"#, hearing.meeting_number)));
    assert!(page.contains(&format!("https://yunshen.example.court/?meeting={}", hearing.meeting_number)));
    assert!(page.contains("电脑（浏览器）"));
    assert!(page.contains("<li>需准备带摄像头和麦克的台式机或者笔记本，摄像头像素清晰，麦克能够正常使用；建议最好准备耳机。</li>"), "{page}");
    assert!(page.contains("<li>请保持周围环境安静。</li>"), "{page}");
    assert!(!page.contains("下载安卓客户端") && !page.contains("App Store"), "no app this court has not configured: {page}");
    assert!(!page.contains("/download/"), "no link that answers 404");

    // On a phone: the phone's way in, not the PC's.
    let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
    let phone = server.http.get(server.url(&format!("/ots/download/{}", hearing.meeting_number))).header("user-agent", iphone).send().await.unwrap();
    let phone = phone.text().await.unwrap();
    assert!(phone.contains("手机浏览器") && phone.contains(&format!("https://yunshen.example.court/?meeting={}", hearing.meeting_number)));
    assert!(!phone.contains("电脑") && !phone.contains("台式机"), "no hint to use a PC on a phone: {phone}");
    assert!(phone.contains("<li>网上庭审过程中请保持网络畅通。</li>"), "{phone}");

    // With the apps configured, both are offered.
    let configured = TestServer::start_with(|c| {
        c.android_apk_url = Some("https://court.example/app/yunshen.apk".into());
        c.ios_app_name = Some("天津云审".into());
    })
    .await;
    let page = configured.http.get(configured.url("/ots/download/12345678")).header("user-agent", iphone).send().await.unwrap();
    let page = page.text().await.unwrap();
    assert!(page.contains(r#"href="https://court.example/app/yunshen.apk""#) && page.contains("天津云审"), "{page}");

    let bad = server.http.get(server.url("/ots/download/12ab")).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn staff_list_view_and_search_hearings() {
    let server = TestServer::start().await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let first = server.book(&clerk.token, "（2026）津0101民初100号", &[JUDGE, PLAINTIFF]).await;
    let second = server.book(&clerk.token, "（2026）津0101民初200号", &[JUDGE, DEFENDANT]).await;
    assert_ne!(first.meeting_number, second.meeting_number);

    let (status, body) = server.get("/api/hearings?filter=upcoming", Some(&clerk.token)).await;
    assert_eq!(status, StatusCode::OK);
    let upcoming: Vec<Hearing> = serde_json::from_value(body).unwrap();
    assert_eq!(upcoming.iter().map(|h| h.id).collect::<Vec<_>>(), [first.id, second.id]);

    let (_, body) = server.get("/api/hearings?case_number=200", Some(&clerk.token)).await;
    let found: Vec<Hearing> = serde_json::from_value(body).unwrap();
    assert_eq!(found.iter().map(|h| h.id).collect::<Vec<_>>(), [second.id]);

    let (_, body) = server.get("/api/hearings?filter=today", Some(&clerk.token)).await;
    assert_eq!(body, json!([]), "both are tomorrow");

    let (status, body) = server.get(&format!("/api/hearings/{}", first.id), Some(&clerk.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["case_number"], "（2026）津0101民初100号");
    assert_eq!(body["participants"][1]["mobile"], PLAINTIFF.2);

    let (status, _) = server.get("/api/hearings/999999", Some(&clerk.token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_hearing_not_over_stays_in_view_after_its_day_and_a_case_number_is_found_with_either_brackets() {
    use crate::room::RawClient;
    use cloudtrial_protocol::signalling::JudgeCommand;

    let server = TestServer::start().await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let adjourned = server.book(&clerk.token, "(2026)津0101民初300号", &[JUDGE, PLAINTIFF]).await;
    let never_held = server.book(&clerk.token, "（2026）津0101民初400号", &[JUDGE, DEFENDANT]).await;
    let closed = server.book(&clerk.token, "（2026）津0101民初500号", &[JUDGE, DEFENDANT]).await;
    for (hearing, commands) in [(&adjourned, &[JudgeCommand::Start, JudgeCommand::Adjourn]), (&closed, &[JudgeCommand::Start, JudgeCommand::Close])] {
        let judge = server.login(&clerk.token, hearing, JUDGE.2).await;
        let (mut room, _) = RawClient::join(&server, &judge.token).await;
        for command in commands {
            assert_eq!(room.command(*command).await, None);
        }
    }
    // Three days on, all three were booked for two days ago.
    server.clock.advance(std::time::Duration::from_secs(3 * 86_400));
    let clerk = server.staff(StaffRole::Clerk, "clerk2").await;
    let list = |query: &'static str| {
        let server = &server;
        let token = clerk.token.clone();
        async move {
            let (status, body) = server.get(&format!("/api/hearings?{query}"), Some(&token)).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            serde_json::from_value::<Vec<Hearing>>(body).unwrap().into_iter().map(|h| h.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(list("filter=today").await, [adjourned.id], "under way (休庭), whatever its day");
    assert_eq!(list("filter=upcoming").await, [adjourned.id, never_held.id], "not over, whatever its day");
    assert_eq!(list("filter=closed").await, [closed.id]);
    assert_eq!(list("filter=all").await, [closed.id, never_held.id, adjourned.id], "latest first");
    assert_eq!(list("case_number=%EF%BC%882026%EF%BC%89%E6%B4%A50101%E6%B0%91%E5%88%9D300").await, [adjourned.id], "（2026） finds (2026)");
    assert_eq!(list("case_number=(2026)%E6%B4%A50101%E6%B0%91%E5%88%9D400").await, [never_held.id], "(2026) finds （2026）");
}

#[tokio::test]
async fn rescheduling_and_changing_participants_notifies_exactly_those_affected() {
    let server = TestServer::start().await;
    let judge = server.staff(StaffRole::Judge, "judge").await;
    let hearing = server.book(&judge.token, "（2026）津0101民初3号", &[JUDGE, PLAINTIFF, DEFENDANT]).await;
    let defendant = hearing.participants.iter().find(|p| p.mobile == DEFENDANT.2).unwrap().clone();
    let defendant_session = server.login(&judge.token, &hearing, DEFENDANT.2).await;

    // Reschedule: everyone gets a change notice with the new time.
    let new_time = server.tomorrow().replace("09:30", "14:00");
    let (status, body) =
        server.patch(&format!("/api/hearings/{}", hearing.id), Some(&judge.token), &json!({"scheduled_at": new_time})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let changed: Vec<_> = server
        .outbox(&judge.token, &format!("?hearing_id={}", hearing.id))
        .await
        .into_iter()
        .filter(|m| m.kind == SmsKind::HearingChanged)
        .collect();
    assert_eq!(changed.len(), 3);
    assert!(changed.iter().all(|m| m.text.contains(&new_time)), "{changed:?}");

    // Add a witness and remove the defendant: only they are told.
    let (status, body) = server
        .patch(
            &format!("/api/hearings/{}", hearing.id),
            Some(&judge.token),
            &json!({
                "add_participants": [{"name": "赵证人", "role": "witness", "mobile": "13700000001"}],
                "remove_participants": [defendant.id],
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let updated: Hearing = serde_json::from_value(body).unwrap();
    assert!(updated.participants.iter().any(|p| p.name == "赵证人"));
    assert!(!updated.participants.iter().any(|p| p.id == defendant.id));

    let witness_sms = server.outbox(&judge.token, "?mobile=13700000001").await;
    assert_eq!(witness_sms.len(), 1);
    assert_eq!(witness_sms[0].kind, SmsKind::HearingNotice);
    assert!(witness_sms[0].text.contains("赵证人，您好") && witness_sms[0].text.contains("14:00"));
    let defendant_sms = server.outbox(&judge.token, &format!("?mobile={}", DEFENDANT.2)).await;
    assert_eq!(defendant_sms[0].kind, SmsKind::ParticipantRemoved);
    let plaintiff_sms = server.outbox(&judge.token, &format!("?mobile={}", PLAINTIFF.2)).await;
    assert_eq!(plaintiff_sms.len(), 2, "notice and reschedule only: {plaintiff_sms:?}");

    // The removed defendant's session ends and they can no longer log in.
    let (status, body) =
        server.get(&format!("/api/hearings/{}/details", hearing.id), Some(&defendant_session.token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "session_expired");
    let sent_before = server.outbox(&judge.token, &format!("?mobile={}", DEFENDANT.2)).await.len();
    server.clock.advance(std::time::Duration::from_secs(61));
    let (status, _) = server.request_code(&hearing.meeting_number.to_string(), DEFENDANT.2).await;
    assert_eq!(status, StatusCode::OK);
    let sent_after = server.outbox(&judge.token, &format!("?mobile={}", DEFENDANT.2)).await.len();
    assert_eq!(sent_before, sent_after, "no code is sent to a removed participant");

    let events = server.hearing_log(&judge.token, hearing.id).await.entries;
    let actions: Vec<_> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["hearing_booked", "participant_logged_in", "hearing_updated", "hearing_updated"]);
    assert_eq!(events[2].actor_name, judge.account.name);
    assert_eq!(events[3].detail["removed"][0]["id"], defendant.id);
}

#[tokio::test]
async fn cancelling_notifies_everyone_and_frees_the_meeting_number() {
    let server = TestServer::start().await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let hearing = server.book(&clerk.token, "（2026）津0101民初4号", &[JUDGE, PLAINTIFF]).await;
    let session = server.login(&clerk.token, &hearing, PLAINTIFF.2).await;

    let (status, body) = server.post(&format!("/api/hearings/{}/cancel", hearing.id), Some(&clerk.token), &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "cancelled");
    let cancelled: Vec<_> = server
        .outbox(&clerk.token, &format!("?hearing_id={}", hearing.id))
        .await
        .into_iter()
        .filter(|m| m.kind == SmsKind::HearingCancelled)
        .collect();
    assert_eq!(cancelled.len(), 2);
    assert!(cancelled.iter().all(|m| m.text.contains("已取消")));

    let (status, _) = server.get(&format!("/api/hearings/{}/details", hearing.id), Some(&session.token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) =
        server.patch(&format!("/api/hearings/{}", hearing.id), Some(&clerk.token), &json!({"courtroom": "第二法庭"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = server.post(&format!("/api/hearings/{}/cancel", hearing.id), Some(&clerk.token), &json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);

    let (_, body) = server.get("/api/hearings?filter=closed", Some(&clerk.token)).await;
    assert_eq!(body.as_array().unwrap().len(), 1);
    let number = hearing.meeting_number;
    let in_use = server
        .state()
        .store
        .call(move |c| cloudtrial_server::store::hearings::meeting_number_in_use(c, number))
        .await
        .unwrap();
    assert!(!in_use, "a cancelled hearing's number may be reused");

    // A party who logs in afterwards is told it was cancelled, once the code is proven; a guess is not.
    let meeting = number.to_string();
    let (status, body) = server.request_code(&meeting, PLAINTIFF.2).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (guess_status, guess) = server.verify(&meeting, PLAINTIFF.2, "000000").await;
    assert_eq!(guess_status, StatusCode::UNAUTHORIZED, "{guess}");
    let code = server.latest_code(&clerk.token, PLAINTIFF.2).await.expect("a code was sent");
    let (status, body) = server.verify(&meeting, PLAINTIFF.2, &code).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::CONFLICT, Some("本次庭审已取消，无需再登录")));
}

#[tokio::test]
async fn staff_can_resend_a_notice() {
    let server = TestServer::start().await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let hearing = server.book(&clerk.token, "（2026）津0101民初5号", &[JUDGE, PLAINTIFF]).await;
    let plaintiff = hearing.participants.iter().find(|p| p.mobile == PLAINTIFF.2).unwrap();

    let (status, _) = server
        .post(&format!("/api/hearings/{}/participants/{}/notice", hearing.id, plaintiff.id), Some(&clerk.token), &json!({}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let sms = server.outbox(&clerk.token, &format!("?mobile={}", PLAINTIFF.2)).await;
    assert_eq!(sms.len(), 2);
    assert_eq!(sms[0].text, sms[1].text);

    // Clicked again at once: not texted again until a minute has passed.
    let path = format!("/api/hearings/{}/participants/{}/notice", hearing.id, plaintiff.id);
    let body = json!({});
    let resend = || server.post(&path, Some(&clerk.token), &body);
    let (status, body) = resend().await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("刚刚已向该参与人重发通知，请1分钟后再试")));
    assert_eq!(server.outbox(&clerk.token, &format!("?mobile={}", PLAINTIFF.2)).await.len(), 2);
    server.clock.advance(std::time::Duration::from_secs(61));
    assert_eq!(resend().await.0, StatusCode::NO_CONTENT);

    let (status, _) = server
        .post(&format!("/api/hearings/{}/participants/999/notice", hearing.id), Some(&clerk.token), &json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bookings_that_could_not_be_held_are_refused_with_reasons() {
    let server = TestServer::start().await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let judge = server.staff(StaffRole::Judge, "judge").await;
    const SECOND_PRESIDING: Party = (cloudtrial_protocol::ParticipantRole::PresidingJudge, "赵法官", "13900000009");
    const PANEL_JUDGE: Party = (cloudtrial_protocol::ParticipantRole::Judge, "赵法官", "13900000009");
    let cases = [
        (server.booking("案8", &[JUDGE, SECOND_PRESIDING, PLAINTIFF]), "一次庭审只能有一位审判长"),
        (
            {
                let mut b = server.booking("案9", &[JUDGE, PANEL_JUDGE, PLAINTIFF]);
                b["participants"][0]["staff_id"] = json!(judge.account.id);
                b["participants"][1]["staff_id"] = json!(judge.account.id);
                b
            },
            "王法官和赵法官关联了同一个工作人员账号",
        ),
        (server.booking("案1", &[PLAINTIFF, DEFENDANT]), "审判长或审判员"),
        (server.booking("案2", &[JUDGE, (PLAINTIFF.0, "张三", JUDGE.2)]), "重复"),
        (server.booking("案3", &[JUDGE, (PLAINTIFF.0, "张三", "12345")]), "手机号“12345”格式不正确"),
        (server.booking("", &[JUDGE]), "请填写案号"),
        (server.booking("案4", &[]), "参与人"),
        (
            {
                let mut b = server.booking("案7", &[JUDGE, PLAINTIFF]);
                b["participants"][1]["role"] = json!("interpreter");
                b
            },
            "张三的庭审角色不是本系统的角色",
        ),
        (
            {
                let mut b = server.booking("案5", &[JUDGE]);
                b["scheduled_at"] = json!("2020-01-01 09:00");
                b
            },
            "不能早于当前时间",
        ),
        (
            {
                let mut b = server.booking("案6", &[JUDGE]);
                b["scheduled_at"] = json!("2026-02-30 09:00");
                b
            },
            "开庭时间格式",
        ),
    ];
    for (body, reason) in cases {
        let (status, answer) = server.post("/api/hearings", Some(&clerk.token), &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer["code"], "invalid_request");
        assert!(answer["message"].as_str().unwrap().contains(reason), "{answer} should mention {reason}");
    }
    let (_, all) = server.get("/api/hearings", Some(&clerk.token)).await;
    assert_eq!(all, json!([]), "nothing was stored");
    assert!(server.outbox(&clerk.token, "").await.is_empty(), "nobody was notified");
}

/// An edit is held to the same bench rules as a booking, and changes nothing when refused.
#[tokio::test]
async fn an_edit_cannot_add_a_second_presiding_judge() {
    let server = TestServer::start().await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let hearing = server.book(&clerk.token, "案1", &[JUDGE, PLAINTIFF]).await;
    let edit = json!({"add_participants": [{"name": "赵法官", "role": "presiding_judge", "mobile": "13900000009"}]});
    let (status, body) = server.patch(&format!("/api/hearings/{}", hearing.id), Some(&clerk.token), &edit).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::BAD_REQUEST, Some("一次庭审只能有一位审判长")));
    let (_, after) = server.get(&format!("/api/hearings/{}", hearing.id), Some(&clerk.token)).await;
    assert_eq!(after["participants"].as_array().unwrap().len(), 2, "nobody was added");
}

#[tokio::test]
async fn the_sms_link_opens_the_installed_android_app_through_app_links() {
    // Without an app configured there is no statement: Android keeps the link in the browser.
    let plain = TestServer::start().await;
    let none = plain.http.get(plain.url("/.well-known/assetlinks.json")).send().await.unwrap();
    assert_eq!(none.status(), StatusCode::NOT_FOUND);

    let fingerprint = "14:6D:E9:83:C5:73:06:50:D8:EE:B9:95:2F:34:FC:64:16:A0:83:42:E6:1D:BE:A8:8A:04:96:B2:3F:CF:44:E5";
    let server = TestServer::start_with(|c| {
        c.android_apk_url = Some("https://court.example/app/yunshen.apk?v=1&abi=arm64".into());
        c.android_app = Some(cloudtrial_server::config::AndroidApp {
            package: "court.cloudtrial.app".into(),
            cert_sha256: vec![fingerprint.into()],
        });
    })
    .await;
    let response = server.http.get(server.url("/.well-known/assetlinks.json")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    let statement: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        statement,
        json!([{
            "relation": ["delegate_permission/common.handle_all_urls"],
            "target": {"namespace": "android_app", "package_name": "court.cloudtrial.app", "sha256_cert_fingerprints": [fingerprint]}
        }])
    );

    // The page an Android phone sees when the app did not open the link: open it, or download it.
    let android = "Mozilla/5.0 (Linux; Android 13; Redmi 12C) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36";
    let page = server.http.get(server.url("/ots/download/12345678")).header("user-agent", android).send().await.unwrap();
    let page = page.text().await.unwrap();
    let host = server.config.public_url.split_once("://").unwrap().1.trim_end_matches('/').to_owned();
    let scheme = server.config.public_url.split_once("://").unwrap().0.to_owned();
    assert!(
        page.contains(&format!(
            r#"href="intent://{host}/ots/download/12345678#Intent;scheme={scheme};package=court.cloudtrial.app;S.browser_fallback_url=https%3A%2F%2Fcourt.example%2Fapp%2Fyunshen.apk%3Fv%3D1%26abi%3Darm64;end""#
        )),
        "{page}"
    );
    assert!(page.contains("下载安卓客户端"));
    // An iPhone is not offered the Android app's link.
    let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
    let page = server.http.get(server.url("/ots/download/12345678")).header("user-agent", iphone).send().await.unwrap();
    assert!(!page.text().await.unwrap().contains("intent://"));
}

#[tokio::test]
async fn the_sms_link_opens_the_installed_iphone_app_through_universal_links() {
    // Without an app configured there is no association: iOS keeps the link in Safari.
    let plain = TestServer::start().await;
    let none = plain.http.get(plain.url("/.well-known/apple-app-site-association")).send().await.unwrap();
    assert_eq!(none.status(), StatusCode::NOT_FOUND);

    let server = TestServer::start_with(|c| {
        c.ios_app_ids = vec!["A1B2C3D4E5.court.cloudtrial.app".into(), "A1B2C3D4E5.court.cloudtrial.app.beta".into()];
    })
    .await;
    let response = server.http.get(server.url("/.well-known/apple-app-site-association")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    let association: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        association,
        json!({"applinks": {"details": [{
            "appIDs": ["A1B2C3D4E5.court.cloudtrial.app", "A1B2C3D4E5.court.cloudtrial.app.beta"],
            "components": [{"/": "/ots/download/*", "comment": "庭审通知短信中的链接"}]
        }]}})
    );
    // The Android statement is separate: configuring the iPhone app does not make one.
    let android = server.http.get(server.url("/.well-known/assetlinks.json")).send().await.unwrap();
    assert_eq!(android.status(), StatusCode::NOT_FOUND);
}

#[test]
fn iphone_app_ids_are_checked() {
    use cloudtrial_server::config::valid_ios_app_id;
    assert!(valid_ios_app_id("A1B2C3D4E5.court.cloudtrial.app"));
    assert!(!valid_ios_app_id("court.cloudtrial.app"), "no team id");
    assert!(!valid_ios_app_id("A1B2C3D4E5"), "no bundle id");
    assert!(!valid_ios_app_id("a1b2c3d4e5.court.cloudtrial.app"), "team ids are upper case");
    assert!(!valid_ios_app_id("A1B2C3D4E5.court..app"));
    assert!(!valid_ios_app_id("A1B2C3D4E5.court.cloud trial"));
}

#[test]
fn android_app_settings_are_checked() {
    use cloudtrial_server::config::AndroidApp;
    assert!(AndroidApp::valid_package("court.cloudtrial.app"));
    assert!(!AndroidApp::valid_package("cloudtrial") && !AndroidApp::valid_package("court..app") && !AndroidApp::valid_package("court.1app"));
    let lower = "14:6d:e9:83:c5:73:06:50:d8:ee:b9:95:2f:34:fc:64:16:a0:83:42:e6:1d:be:a8:8a:04:96:b2:3f:cf:44:e5";
    assert_eq!(AndroidApp::normalize_fingerprint(lower).unwrap(), lower.to_ascii_uppercase());
    assert_eq!(AndroidApp::normalize_fingerprint("14:6D:E9"), None);
    assert_eq!(AndroidApp::normalize_fingerprint(&lower.replace(':', "")), None);
}

/// A hearing holds at most 50 participants, however they were added.
#[tokio::test]
async fn adding_participants_past_the_limit_is_refused_like_booking_them() {
    let server = TestServer::start().await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let mut booking = server.booking("案1", &[JUDGE]);
    let party = |n: usize| json!({"name": format!("当事人{n}"), "role": "plaintiff", "mobile": format!("137{n:08}")});
    for n in 1..50 {
        booking["participants"].as_array_mut().unwrap().push(party(n));
    }
    let (status, body) = server.post("/api/hearings", Some(&clerk.token), &booking).await;
    assert_eq!(status, StatusCode::CREATED, "50 participants may be booked: {body}");
    let id = body["id"].as_i64().unwrap();
    let (status, body) = server.patch(&format!("/api/hearings/{id}"), Some(&clerk.token), &json!({"add_participants": [party(50)]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["message"].as_str().unwrap().contains("参与人须为1至50人"), "{body}");
    let (_, hearing) = server.get(&format!("/api/hearings/{id}"), Some(&clerk.token)).await;
    assert_eq!(hearing["participants"].as_array().unwrap().len(), 50, "nobody was added");
}
