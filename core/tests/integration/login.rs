use std::time::Duration;

use cloudtrial_core::protocol::ParticipantRole;
use cloudtrial_core::protocol::api::DeviceKind;
use cloudtrial_core::{Client, ClientError, Error, SessionState};
use cloudtrial_testkit::{DEFENDANT, PLAINTIFF, TestCourt};

async fn log_in(court: &TestCourt, client: &Client, mobile: &str) {
    client.request_login_code(&court.meeting_number(), mobile).await.unwrap();
    let code = court.latest_code(mobile).await.unwrap();
    client.login(&court.meeting_number(), mobile, &code, DeviceKind::Android).await.unwrap();
}

#[tokio::test]
async fn a_party_logs_in_and_sees_the_hearing() {
    let court = TestCourt::start().await;
    let client = Client::new(&court.base_url(), &court.client_dir("plaintiff")).unwrap();
    assert_eq!(client.session_state(), SessionState::LoggedOut);
    assert!(matches!(client.hearing_details().await, Err(Error::NotLoggedIn)));

    let sent = client.request_login_code(&court.meeting_number(), PLAINTIFF.mobile).await.unwrap();
    assert_eq!((sent.resend_after_secs, sent.expires_in_secs), (60, 300));
    let code = court.latest_code(PLAINTIFF.mobile).await.unwrap();
    let session = client.login(&court.meeting_number(), PLAINTIFF.mobile, &code, DeviceKind::Android).await.unwrap();
    assert_eq!(session.role, ParticipantRole::Plaintiff);
    assert_eq!(session.hearing_id, court.hearing.id);

    let details = client.hearing_details().await.unwrap();
    assert_eq!(details.case_number, "（2026）津0101民初88号");
    assert_eq!(details.case_title, "张三诉李四民间借贷纠纷");
    assert_eq!(details.courtroom, "第一法庭");
    assert_eq!(details.scheduled_at, court.hearing.scheduled_at);
    assert_eq!(details.me.role, ParticipantRole::Plaintiff);
    assert_eq!(details.me.name, "张三");
    let roles: Vec<_> = details.participants.iter().map(|p| (p.role.label(), p.name.as_str())).collect();
    assert_eq!(roles, [("审判长", "王法官"), ("书记员", "李书记"), ("原告", "张三"), ("被告", "李四")]);
}

#[tokio::test]
async fn a_restarted_app_is_still_logged_in_until_it_logs_out() {
    let court = TestCourt::start().await;
    let dir = court.client_dir("defendant");
    {
        let client = Client::new(&court.base_url(), &dir).unwrap();
        log_in(&court, &client, DEFENDANT.mobile).await;
    }
    let reopened = Client::new(&court.base_url(), &dir).unwrap();
    let session = reopened.session().unwrap();
    assert_eq!(session.role, ParticipantRole::Defendant);
    assert_eq!(reopened.hearing_details().await.unwrap().me.name, "李四");

    // Another server's session is not this server's.
    let elsewhere = Client::new("http://127.0.0.1:9", &dir).unwrap();
    assert_eq!(elsewhere.session_state(), SessionState::LoggedOut);

    let token = session.token().to_owned();
    reopened.logout().await.unwrap();
    assert_eq!(reopened.session_state(), SessionState::LoggedOut);
    assert_eq!(Client::new(&court.base_url(), &dir).unwrap().session_state(), SessionState::LoggedOut);
    // The server ended it too.
    let status = reqwest::Client::new()
        .get(format!("{}/api/hearings/{}/details", court.base_url(), court.hearing.id))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 401);
}

#[tokio::test]
async fn wrong_codes_are_reported_and_then_the_login_locks() {
    let court = TestCourt::start().await;
    let client = Client::new(&court.base_url(), &court.client_dir("p")).unwrap();
    client.request_login_code(&court.meeting_number(), PLAINTIFF.mobile).await.unwrap();
    let code = court.latest_code(PLAINTIFF.mobile).await.unwrap();
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);

    for _ in 0..4 {
        let error = client.login(&court.meeting_number(), PLAINTIFF.mobile, &wrong, DeviceKind::Android).await.unwrap_err();
        assert_eq!(
            ClientError::from(error),
            ClientError::InvalidCode { message: "会议号、手机号或验证码不正确，或验证码已失效".into() }
        );
    }
    let error = client.login(&court.meeting_number(), PLAINTIFF.mobile, &wrong, DeviceKind::Android).await.unwrap_err();
    assert!(matches!(ClientError::from(error), ClientError::Locked { .. }));
    assert_eq!(client.session_state(), SessionState::LoggedOut);

    let error = client.request_login_code("1234567", PLAINTIFF.mobile).await.unwrap_err();
    assert_eq!(ClientError::from(error), ClientError::InvalidInput { message: "会议号应为8位数字".into() });
}

#[tokio::test]
async fn with_the_server_down_calls_fail_clearly_and_the_session_is_kept() {
    let mut court = TestCourt::start().await;
    let dir = court.client_dir("p");
    let base_url = court.base_url();
    let client = Client::new(&base_url, &dir).unwrap();
    log_in(&court, &client, PLAINTIFF.mobile).await;

    court.stop().await;
    let error = client.hearing_details().await.unwrap_err();
    assert!(matches!(ClientError::from(error), ClientError::Network { .. }));
    let error = client.request_login_code(&court.meeting_number(), PLAINTIFF.mobile).await.unwrap_err();
    assert!(matches!(ClientError::from(error), ClientError::Network { .. }));
    assert!(matches!(client.session_state(), SessionState::LoggedIn(_)), "a network error does not log out");
    let reopened = Client::new(&base_url, &dir).unwrap();
    assert!(reopened.session().is_ok(), "nothing lost from the local store");

    court.restart().await;
    assert_eq!(client.hearing_details().await.unwrap().me.name, "张三");
}

#[tokio::test]
async fn an_expired_session_is_reported_and_forgotten() {
    let court = TestCourt::start().await;
    let dir = court.client_dir("p");
    let client = Client::new(&court.base_url(), &dir).unwrap();
    log_in(&court, &client, PLAINTIFF.mobile).await;
    let mut states = client.subscribe_session();
    states.borrow_and_update();

    court.clock.advance(Duration::from_secs(8 * 24 * 3600));
    let error = client.hearing_details().await.unwrap_err();
    assert_eq!(ClientError::from(error), ClientError::SessionExpired);
    states.changed().await.unwrap();
    assert_eq!(*states.borrow(), SessionState::Expired);
    assert_eq!(Client::new(&court.base_url(), &dir).unwrap().session_state(), SessionState::LoggedOut);
}

#[tokio::test]
async fn a_removed_participant_finds_their_session_ended() {
    let court = TestCourt::start().await;
    let client = Client::new(&court.base_url(), &court.client_dir("d")).unwrap();
    log_in(&court, &client, DEFENDANT.mobile).await;
    let defendant = court.hearing.participants.iter().find(|p| p.mobile == DEFENDANT.mobile).unwrap().id;
    let state = court.server().state.clone();
    let actor = cloudtrial_testkit::cloudtrial_server::store::events::EventActor::System;
    let request = cloudtrial_core::protocol::api::UpdateHearingRequest {
        remove_participants: vec![defendant],
        ..Default::default()
    };
    cloudtrial_testkit::cloudtrial_server::booking::update(&state, actor, court.hearing.id, request).await.unwrap();

    let error = client.hearing_details().await.unwrap_err();
    assert_eq!(ClientError::from(error), ClientError::SessionExpired);
    assert_eq!(client.session_state(), SessionState::Expired);
}

/// The code texted to a party is good only with the challenge the app's own
/// request was answered: the app keeps it, so the code can still be entered
/// after the app was closed to read the SMS, and another phone that guesses
/// at the same meeting number and mobile cannot use up the party's code.
#[tokio::test]
async fn the_code_is_good_only_on_the_phone_that_asked_for_it_even_after_the_app_restarts() {
    let court = TestCourt::start().await;
    let dir = court.client_dir("plaintiff");
    let number = court.meeting_number();
    {
        let app = Client::new(&court.base_url(), &dir).unwrap();
        app.request_login_code(&number, PLAINTIFF.mobile).await.unwrap();
    }
    let code = court.latest_code(PLAINTIFF.mobile).await.unwrap();

    // Another phone, without asking for a code, cannot log in; with its own challenge, it burns only that.
    let other = Client::new(&court.base_url(), &court.client_dir("someone-else")).unwrap();
    let refused = other.login(&number, PLAINTIFF.mobile, &code, DeviceKind::Android).await.unwrap_err();
    assert!(matches!(ClientError::from(refused), ClientError::InvalidInput { ref message } if message == "请先获取验证码"));
    let guessed = court.request_code_from(PLAINTIFF.mobile, "203.0.113.9".parse().unwrap()).await;
    for _ in 0..5 {
        let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
        other.login_with_challenge(&number, PLAINTIFF.mobile, &wrong, &guessed.challenge, DeviceKind::Android).await.unwrap_err();
    }
    let stolen = other.login_with_challenge(&number, PLAINTIFF.mobile, &code, &guessed.challenge, DeviceKind::Android).await.unwrap_err();
    assert!(matches!(ClientError::from(stolen), ClientError::Locked { .. }), "the right code on a burned challenge");

    // The party's app, opened again, logs in with the code from its SMS.
    let app = Client::new(&court.base_url(), &dir).unwrap();
    let session = app.login(&number, &format!("+86 {}", PLAINTIFF.mobile), &code, DeviceKind::Android).await.unwrap();
    assert_eq!(session.role, ParticipantRole::Plaintiff);
}
