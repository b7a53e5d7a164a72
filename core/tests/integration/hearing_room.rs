//! The hearing room through the core, with a judge, a clerk, a plaintiff and a defendant.

use std::time::Duration;

use cloudtrial_core::protocol::api::{DeviceKind, HearingStatus};
use cloudtrial_core::protocol::signalling::{BLOCKED_MESSAGE, RECOGNITION_NOT_STARTED};
use cloudtrial_core::{Client, ClientError, ConnectionState, HearingSession, RoomState};
use cloudtrial_testkit::{CLERK, DEFENDANT, JUDGE, PLAINTIFF, Party, TcpRelay, TestCourt};

struct Participant {
    client: Client,
    session: HearingSession,
}

impl Participant {
    async fn join(court: &TestCourt, base_url: &str, party: &Party) -> Self {
        let client = Client::new(base_url, &court.client_dir(party.mobile)).unwrap();
        client.request_login_code(&court.meeting_number(), party.mobile).await.unwrap();
        let code = court.latest_code(party.mobile).await.unwrap();
        client.login(&court.meeting_number(), party.mobile, &code, DeviceKind::Android).await.unwrap();
        let session = HearingSession::start(&client, DeviceKind::Android).unwrap();
        Self { client, session }
    }

    /// Waits (event-driven, up to 10 s) until the room state satisfies `check`.
    async fn until(&self, what: &str, check: impl Fn(&RoomState) -> bool) -> RoomState {
        let mut states = self.session.subscribe();
        let result = tokio::time::timeout(Duration::from_secs(10), states.wait_for(|s| check(s))).await;
        match result {
            Ok(Ok(state)) => state.clone(),
            _ => panic!("timed out waiting for: {what}; last state {:?}", self.session.state()),
        }
    }
}

fn id(court: &TestCourt, party: &Party) -> i64 {
    court.hearing.participants.iter().find(|p| p.mobile == party.mobile).unwrap().id
}

fn online(state: &RoomState) -> usize {
    state.room.as_ref().map_or(0, |r| r.participants.iter().filter(|p| p.online).count())
}

#[tokio::test]
async fn judge_blocks_and_summons_a_defendant_through_a_dropped_connection() {
    let court = TestCourt::start().await;
    let relay = TcpRelay::start(court.server().addr).await;
    let judge = Participant::join(&court, &court.base_url(), &JUDGE).await;
    let clerk = Participant::join(&court, &court.base_url(), &CLERK).await;
    let plaintiff = Participant::join(&court, &court.base_url(), &PLAINTIFF).await;
    let defendant = Participant::join(&court, &relay.base_url(), &DEFENDANT).await;
    let everyone = [&judge, &clerk, &plaintiff, &defendant];
    let defendant_id = id(&court, &DEFENDANT);

    // Everyone sees everyone, and the panel says recognition has not started.
    for p in everyone {
        let state = p.until("all four online", |s| online(s) == 4).await;
        let room = state.room.unwrap();
        assert_eq!(room.recognition.message, RECOGNITION_NOT_STARTED);
        assert_eq!(room.status, HearingStatus::Scheduled);
        let names: Vec<_> = room.participants.iter().map(|p| (p.role.label(), p.name.as_str())).collect();
        assert_eq!(names, [("审判长", "王法官"), ("书记员", "李书记"), ("原告", "张三"), ("被告", "李四")]);
    }

    judge.session.start_hearing().await.unwrap();
    for p in everyone {
        let state = p.until("in session", |s| s.room.as_ref().is_some_and(|r| r.status == HearingStatus::InSession)).await;
        assert_ne!(state.room.unwrap().recognition.message, RECOGNITION_NOT_STARTED);
    }

    judge.session.block(defendant_id).await.unwrap();
    let blocked = defendant.until("blocked", |s| s.blocked_message().is_some()).await;
    assert_eq!(blocked.blocked_message(), Some(BLOCKED_MESSAGE));
    assert_eq!(blocked.room.as_ref().unwrap().participants.len(), 1, "sees nothing of the hearing");
    for p in [&judge, &clerk, &plaintiff] {
        p.until("defendant shown blocked", |s| s.participant(defendant_id).is_some_and(|d| d.blocked)).await;
    }

    // The defendant's network drops; the core reconnects by itself, still blocked.
    relay.cut_all();
    defendant.until("reconnecting", |s| matches!(s.connection, ConnectionState::Reconnecting { .. })).await;
    let back = defendant.until("reconnected", |s| s.connection == ConnectionState::Connected).await;
    assert_eq!(back.connection.label(), "已连接");
    let again = defendant.until("a fresh view", |s| s.room.as_ref().is_some_and(|r| r.me.online)).await;
    assert_eq!(again.blocked_message(), Some(BLOCKED_MESSAGE), "still blocked after reconnecting");
    let seen = judge.until("defendant back online", |s| s.participant(defendant_id).is_some_and(|d| d.online)).await;
    assert_eq!(seen.room.unwrap().participants.iter().filter(|p| p.id == defendant_id).count(), 1, "no duplicate");

    judge.session.summon(defendant_id).await.unwrap();
    let summoned = defendant.until("summoned", |s| s.blocked_message().is_none() && online(s) == 4).await;
    assert!(!summoned.room.unwrap().me.blocked);

    // A party cannot give the judge's commands: the server refuses, nothing changes.
    let refused = plaintiff.session.block(defendant_id).await.unwrap_err();
    assert!(matches!(ClientError::from(refused), ClientError::Forbidden { .. }));
    let refused = clerk.session.adjourn().await.unwrap_err();
    assert!(matches!(ClientError::from(refused), ClientError::Forbidden { .. }));
    assert!(!judge.session.state().participant(defendant_id).unwrap().blocked);

    // Mute is seen by everyone.
    judge.session.set_muted(id(&court, &PLAINTIFF), true).await.unwrap();
    for p in everyone {
        p.until("plaintiff muted", |s| s.participant(id(&court, &PLAINTIFF)).is_some_and(|x| x.muted)).await;
    }
    drop(clerk.client);
}

#[tokio::test]
async fn the_room_comes_back_after_the_server_restarts() {
    let mut court = TestCourt::start().await;
    let judge = Participant::join(&court, &court.base_url(), &JUDGE).await;
    judge.until("connected", |s| s.connection == ConnectionState::Connected).await;
    judge.session.start_hearing().await.unwrap();

    court.restart().await;
    judge.until("reconnecting", |s| matches!(s.connection, ConnectionState::Reconnecting { .. })).await;
    let back = judge.until("back in session", |s| {
        s.connection == ConnectionState::Connected && s.room.as_ref().is_some_and(|r| r.status == HearingStatus::InSession)
    })
    .await;
    // This court runs without a speech engine, and the panel says so once the hearing runs.
    assert_eq!(back.room.unwrap().recognition.message, "本庭未启用语音识别");
}

#[tokio::test]
async fn a_second_device_replaces_the_first_and_the_first_stops() {
    let court = TestCourt::start().await;
    let phone = Participant::join(&court, &court.base_url(), &PLAINTIFF).await;
    phone.until("connected", |s| s.connection == ConnectionState::Connected).await;
    let pc_client = Client::new(&court.base_url(), &court.client_dir("pc")).unwrap();
    court.clock.advance(Duration::from_secs(61));
    pc_client.request_login_code(&court.meeting_number(), PLAINTIFF.mobile).await.unwrap();
    let code = court.latest_code(PLAINTIFF.mobile).await.unwrap();
    pc_client.login(&court.meeting_number(), PLAINTIFF.mobile, &code, DeviceKind::PcBrowser).await.unwrap();
    let pc = HearingSession::start(&pc_client, DeviceKind::PcBrowser).unwrap();

    let replaced = phone.until("replaced", |s| s.connection == ConnectionState::Replaced).await;
    assert_eq!(replaced.connection.label(), "您已在其他设备进入庭审");
    let mut pc_states = pc.subscribe();
    let view = tokio::time::timeout(Duration::from_secs(10), pc_states.wait_for(|s| s.room.as_ref().is_some_and(|r| r.me.online)))
        .await
        .unwrap()
        .unwrap()
        .clone();
    assert_eq!(view.room.unwrap().me.device, Some(DeviceKind::PcBrowser));
    let err = phone.session.start_hearing().await.unwrap_err();
    assert!(matches!(ClientError::from(err), ClientError::Network { .. }));
}

/// The party's login ends while the app is in the room (logged out on the
/// server): the room says 登录已失效，请重新登录, and the app forgets the
/// login at once, so it shows 会议号登录 rather than a room it cannot enter.
#[tokio::test]
async fn a_login_ended_on_the_server_ends_the_room_and_is_forgotten() {
    let court = TestCourt::start().await;
    let phone = Participant::join(&court, &court.base_url(), &PLAINTIFF).await;
    phone.until("connected", |s| s.connection == ConnectionState::Connected).await;
    let token = phone.client.session().unwrap().token().to_owned();
    let logout = reqwest::Client::new()
        .post(format!("{}/api/session/logout", court.base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(logout.status().is_success());

    let ended = phone.until("ended", |s| matches!(s.connection, ConnectionState::Ended { .. })).await;
    assert_eq!(ended.connection.label(), "登录已失效，请重新登录");
    assert_eq!(phone.client.session_state(), cloudtrial_core::SessionState::Expired);
    let reopened = Client::new(&court.base_url(), &court.client_dir(PLAINTIFF.mobile)).unwrap();
    assert_eq!(reopened.session_state(), cloudtrial_core::SessionState::LoggedOut, "nothing stored");
}

/// Logging out in the app ends the room too; the app stays logged out (not
/// 登录已失效) when the room then hears that the login ended.
#[tokio::test]
async fn logging_out_in_the_app_stays_a_logout_when_the_room_hears_of_it() {
    let court = TestCourt::start().await;
    let phone = Participant::join(&court, &court.base_url(), &PLAINTIFF).await;
    phone.until("connected", |s| s.connection == ConnectionState::Connected).await;
    phone.client.logout().await.unwrap();
    phone.until("ended", |s| matches!(s.connection, ConnectionState::Ended { .. })).await;
    assert_eq!(phone.client.session_state(), cloudtrial_core::SessionState::LoggedOut);
}
