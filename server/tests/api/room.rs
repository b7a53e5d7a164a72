//! The hearing room's WebSocket, driven by raw clients that can send anything.

use std::time::Duration;

use cloudtrial_protocol::{ErrorBody, ErrorCode, StaffRole};
use cloudtrial_protocol::api::{Hearing, HearingStatus, ParticipantSession};
use cloudtrial_protocol::signalling::{JudgeCommand, RoomView, ServerMessage};
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::harness::*;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub struct RawClient {
    ws: Socket,
    next_request: u64,
}

impl RawClient {
    pub async fn connect(server: &TestServer) -> Self {
        let url = server.url("/api/room").replace("http://", "ws://");
        let (ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        Self { ws, next_request: 1 }
    }

    pub async fn join(server: &TestServer, token: &str) -> (Self, RoomView) {
        let mut client = Self::connect(server).await;
        client.send(json!({"type": "hello", "token": token, "protocol_version": 1, "device": "android"})).await;
        match client.next().await {
            Some(ServerMessage::Welcome { .. }) => {}
            other => panic!("expected welcome, got {other:?}"),
        }
        let room = client.next_room().await;
        (client, room)
    }

    /// A participant in the room on a connection with a tiny receive buffer,
    /// for a client that will stop reading; and the connection's local port.
    pub async fn join_with_small_buffer(server: &TestServer, token: &str) -> (Self, u16) {
        let address = server.url("").trim_start_matches("http://").trim_end_matches('/').parse().unwrap();
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let stream = socket.connect(address).await.unwrap();
        let port = stream.local_addr().unwrap().port();
        let url = server.url("/api/room").replace("http://", "ws://");
        let (ws, _) = tokio_tungstenite::client_async(url, tokio_tungstenite::MaybeTlsStream::Plain(stream)).await.unwrap();
        let mut client = Self { ws, next_request: 1 };
        client.send(json!({"type": "hello", "token": token, "protocol_version": 1, "device": "android"})).await;
        assert!(matches!(client.next().await, Some(ServerMessage::Welcome { .. })));
        client.next_room().await;
        (client, port)
    }

    pub async fn send(&mut self, value: Value) {
        self.ws.send(Message::Text(value.to_string().into())).await.unwrap();
    }

    pub async fn send_raw(&mut self, message: Message) {
        self.ws.send(message).await.unwrap();
    }

    /// The next server message, or `None` once the server closed the socket.
    pub async fn next(&mut self) -> Option<ServerMessage> {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(10), self.ws.next()).await.expect("a message within 10 s");
            match frame {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return None,
                Some(Ok(Message::Text(text))) => return Some(serde_json::from_str(&text).unwrap()),
                Some(Ok(_)) => continue,
            }
        }
    }

    pub async fn next_room(&mut self) -> RoomView {
        loop {
            match self.next().await {
                Some(ServerMessage::Room { room }) => return room,
                Some(
                    ServerMessage::Notice { .. }
                    | ServerMessage::SpeechHistory { .. }
                    | ServerMessage::Speech { .. }
                    | ServerMessage::Marks { .. }
                    | ServerMessage::MarkAdded { .. }
                    | ServerMessage::MarkRemoved { .. }
                    | ServerMessage::MarkPreview { .. }
                    | ServerMessage::PreviewCleared { .. },
                ) => continue,
                other => panic!("expected a room update, got {other:?}"),
            }
        }
    }

    /// Sends a judge command and returns the error code of its result, if refused.
    pub async fn command(&mut self, command: JudgeCommand) -> Option<String> {
        let request_id = self.next_request;
        self.next_request += 1;
        self.send(json!({"type": "command", "request_id": request_id, "command": command})).await;
        loop {
            match self.next().await {
                Some(ServerMessage::CommandResult { request_id: id, error }) if id == request_id => {
                    return error.map(|e| serde_json::to_value(e.code).unwrap().as_str().unwrap().to_owned());
                }
                Some(_) => continue,
                None => panic!("closed while waiting for the command result"),
            }
        }
    }

    /// The first message `pick` accepts, skipping the others.
    pub async fn until<T>(&mut self, what: &str, mut pick: impl FnMut(ServerMessage) -> Option<T>) -> T {
        loop {
            match self.next().await {
                Some(message) => {
                    if let Some(found) = pick(message) {
                        return found;
                    }
                }
                None => panic!("closed while waiting for {what}"),
            }
        }
    }

    /// Sends an annotation message (its `request_id` filled in) and returns
    /// the mark id, or the error code of the refusal. A message the room's
    /// rate limit dropped is sent again once the limit allows, as a client would.
    pub async fn annotate(&mut self, message: Value) -> Result<Option<i64>, String> {
        self.annotate_refusal(message).await.map_err(|e| serde_json::to_value(e.code).unwrap().as_str().unwrap().to_owned())
    }

    /// The same, with the whole refusal (its message too).
    pub async fn annotate_refusal(&mut self, mut message: Value) -> Result<Option<i64>, ErrorBody> {
        loop {
            let request_id = self.next_request;
            self.next_request += 1;
            message["request_id"] = json!(request_id);
            self.send(message.clone()).await;
            let result = self
                .until("the annotation result", |m| match m {
                    ServerMessage::AnnotationResult { request_id: id, mark_id, error } if id == request_id => {
                        Some(error.map_or(Ok(mark_id), Err))
                    }
                    ServerMessage::Error { error } if error.code == ErrorCode::RateLimited => Some(Err(error)),
                    _ => None,
                })
                .await;
            if !matches!(&result, Err(e) if e.code == ErrorCode::RateLimited) {
                return result;
            }
            // The room refills 20 messages a second.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The reason of the `ended` message that closes the connection.
    pub async fn until_ended(&mut self) -> String {
        self.until("the end of the connection", |m| match m {
            ServerMessage::Ended { reason, .. } => Some(reason),
            _ => None,
        })
        .await
    }

    /// The next `error` message's code.
    pub async fn next_error(&mut self) -> String {
        loop {
            match self.next().await {
                Some(ServerMessage::Error { error }) => {
                    return serde_json::to_value(error.code).unwrap().as_str().unwrap().to_owned();
                }
                Some(_) => continue,
                None => panic!("closed while waiting for an error"),
            }
        }
    }
}

struct Room {
    server: TestServer,
    clerk_token: String,
    hearing: Hearing,
}

const WITNESS: Party = (cloudtrial_protocol::ParticipantRole::Witness, "赵证人", "13700000001");

impl Room {
    async fn new() -> Self {
        let server = TestServer::start().await;
        let clerk = server.staff(StaffRole::Clerk, "clerk").await;
        let hearing = server.book(&clerk.token, "案1", &[JUDGE, CLERK, PLAINTIFF, DEFENDANT, WITNESS]).await;
        Self { server, clerk_token: clerk.token, hearing }
    }

    async fn session(&self, party: Party) -> ParticipantSession {
        self.server.login(&self.clerk_token, &self.hearing, party.2).await
    }

    fn id(&self, party: Party) -> i64 {
        self.hearing.participants.iter().find(|p| p.mobile == party.2).unwrap().id
    }

    async fn status(&self) -> HearingStatus {
        let (_, body) = self.server.get(&format!("/api/hearings/{}", self.hearing.id), Some(&self.clerk_token)).await;
        serde_json::from_value(body["status"].clone()).unwrap()
    }
}

#[tokio::test]
async fn only_the_judge_commands_the_room_as_a_matrix() {
    let room = Room::new().await;
    let parties = [JUDGE, CLERK, PLAINTIFF, DEFENDANT, WITNESS];
    let mut clients = Vec::new();
    for party in parties {
        let session = room.session(party).await;
        clients.push(RawClient::join(&room.server, &session.token).await.0);
    }
    let defendant = room.id(DEFENDANT);
    let commands = [
        JudgeCommand::Block { participant_id: defendant },
        JudgeCommand::Summon { participant_id: defendant },
        JudgeCommand::SetMuted { participant_id: defendant, muted: true },
        JudgeCommand::Start,
        JudgeCommand::Adjourn,
        JudgeCommand::Resume,
        JudgeCommand::Close,
    ];
    let mut defendant_blocked = false;
    for command in commands {
        for (i, party) in parties.iter().enumerate().skip(1) {
            let before = room.status().await;
            let refused = clients[i].command(command).await;
            // A blocked party's refusal says they are blocked.
            let want = if *party == DEFENDANT && defendant_blocked { "blocked" } else { "forbidden" };
            assert_eq!(refused.as_deref(), Some(want), "{} {command:?}", party.1);
            assert_eq!(room.status().await, before, "nothing changed");
        }
        assert_eq!(clients[0].command(command).await, None, "the judge may {command:?}");
        defendant_blocked = matches!(command, JudgeCommand::Block { .. });
    }
    assert_eq!(room.status().await, HearingStatus::Closed);

    let events = room.server.hearing_log(&room.clerk_token, room.hearing.id).await.entries;
    let judged: Vec<_> = events
        .iter()
        .filter(|e| e.actor_name == "王法官" && !e.action.starts_with("participant_joined") && e.action != "participant_logged_in")
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(
        judged,
        [
            "participant_blocked",
            "participant_summoned",
            "participant_muted",
            "hearing_started",
            "hearing_adjourned",
            "hearing_resumed",
            "hearing_closed"
        ]
    );
    assert_eq!(events.iter().find(|e| e.action == "participant_blocked").unwrap().detail["target"]["name"], "李四");
}

#[tokio::test]
async fn a_blocked_party_sees_only_the_block_message_even_after_a_server_restart() {
    let mut room = Room::new().await;
    let judge = room.session(JUDGE).await;
    let defendant = room.session(DEFENDANT).await;
    let (mut judge_ws, _) = RawClient::join(&room.server, &judge.token).await;
    let (mut defendant_ws, before) = RawClient::join(&room.server, &defendant.token).await;
    assert_eq!(before.participants.len(), 5);
    assert_eq!(before.recognition.message, "语音识别暂未开始");

    assert_eq!(judge_ws.command(JudgeCommand::Block { participant_id: room.id(DEFENDANT) }).await, None);
    let blocked = defendant_ws.next_room().await;
    assert_eq!(blocked.blocked_message.as_deref(), Some("您已被屏蔽，请等待法官传唤"));
    assert_eq!(blocked.participants.len(), 1, "nothing of the hearing: {blocked:?}");
    assert!(blocked.me.blocked);

    // Restart with the sockets still open: shutdown closes them rather than waiting on them.
    room.server.restart().await;
    assert_eq!(defendant_ws.next().await, None, "closed by the shutdown");
    drop((judge_ws, defendant_ws));
    let (_, after) = RawClient::join(&room.server, &defendant.token).await;
    assert_eq!(after.blocked_message.as_deref(), Some("您已被屏蔽，请等待法官传唤"), "the block survives");

    // Bad targets are refused with reasons.
    let (mut judge_ws, _) = RawClient::join(&room.server, &judge.token).await;
    assert_eq!(judge_ws.command(JudgeCommand::Block { participant_id: room.id(CLERK) }).await.as_deref(), Some("invalid_request"));
    assert_eq!(judge_ws.command(JudgeCommand::Block { participant_id: 999_999 }).await.as_deref(), Some("invalid_request"));
    assert_eq!(judge_ws.command(JudgeCommand::Adjourn).await.as_deref(), Some("conflict"), "not started yet");
}

/// A witness is kept out (屏蔽) so that what others testify does not shape
/// theirs: called back in (传唤), they get what was said before, and from
/// then on, but never what was said while they were out, neither in the room
/// nor from the transcript's address. Everyone else, and the court, read it all.
#[tokio::test]
async fn a_summoned_witness_does_not_read_what_was_said_while_they_were_kept_out() {
    let room = Room::new().await;
    let judge = room.session(JUDGE).await;
    let witness = room.session(WITNESS).await;
    let plaintiff = room.session(PLAINTIFF).await;
    let (mut judge_ws, _) = RawClient::join(&room.server, &judge.token).await;
    let (mut witness_ws, _) = RawClient::join(&room.server, &witness.token).await;
    assert_eq!(judge_ws.command(JudgeCommand::Start).await, None);
    let state = &room.server.server.as_ref().unwrap().state;
    let speaker = cloudtrial_protocol::api::ParticipantSummary { id: room.id(PLAINTIFF), name: "张三".into(), role: PLAINTIFF.0 };
    let say = |segment: u64, at_s: i64, text: &str| {
        let line = cloudtrial_protocol::signalling::Utterance {
            segment,
            speaker: speaker.clone(),
            start_ms: at_s * 1000,
            end_ms: at_s * 1000 + 2000,
            text: text.into(),
            confidence: Some(0.9),
            is_final: true,
        };
        let (hearing_id, now) = (room.hearing.id, cloudtrial_server::clock::Clock::now_ms(&room.server.clock));
        async move {
            let stored = line.clone();
            state
                .store
                .call(move |c| cloudtrial_server::store::speech::insert(c, hearing_id, &stored, "test", now))
                .await
                .unwrap();
            state.rooms.speech(hearing_id, line).await;
        }
    };
    let texts = |lines: &[cloudtrial_protocol::signalling::Utterance]| lines.iter().map(|u| u.text.clone()).collect::<Vec<_>>();
    let history = |m| match m {
        ServerMessage::SpeechHistory { utterances } => Some(utterances),
        _ => None,
    };
    assert_eq!(witness_ws.until("the history on joining", history).await, []);

    say(1, 1, "我于去年三月借给被告五万元。").await;
    room.server.clock.advance(Duration::from_secs(10));
    assert_eq!(judge_ws.command(JudgeCommand::Block { participant_id: room.id(WITNESS) }).await, None);
    room.server.clock.advance(Duration::from_secs(5));
    say(2, 15, "借款时证人赵某在场。").await;
    room.server.clock.advance(Duration::from_secs(10));
    assert_eq!(judge_ws.command(JudgeCommand::Summon { participant_id: room.id(WITNESS) }).await, None);
    let after_summons = witness_ws.until("the history after the summons", history).await;
    assert_eq!(texts(&after_summons), ["我于去年三月借给被告五万元。"]);
    room.server.clock.advance(Duration::from_secs(5));
    say(3, 30, "请证人陈述当时情况。").await;
    let live = witness_ws
        .until("what is said after the summons", |m| match m {
            ServerMessage::Speech { utterance } => Some(utterance),
            _ => None,
        })
        .await;
    assert_eq!(live.text, "请证人陈述当时情况。");

    let (path, room) = (&format!("/api/hearings/{}/speech", room.hearing.id), &room);
    let read = |token: String| {
        async move {
            let (status, body) = room.server.get(path, Some(&token)).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            serde_json::from_value::<Vec<cloudtrial_protocol::signalling::Utterance>>(body).unwrap()
        }
    };
    assert_eq!(texts(&read(witness.token.clone()).await), ["我于去年三月借给被告五万元。", "请证人陈述当时情况。"]);
    for token in [plaintiff.token.clone(), judge.token.clone(), room.clerk_token.clone()] {
        assert_eq!(read(token).await.len(), 3, "everyone else reads it all");
    }
}

#[tokio::test]
async fn reconnecting_replaces_the_old_connection() {
    let room = Room::new().await;
    let plaintiff = room.session(PLAINTIFF).await;
    let judge = room.session(JUDGE).await;
    let (mut judge_ws, _) = RawClient::join(&room.server, &judge.token).await;
    let (mut first, _) = RawClient::join(&room.server, &plaintiff.token).await;
    let (_second, view) = RawClient::join(&room.server, &plaintiff.token).await;
    loop {
        match first.next().await {
            Some(ServerMessage::Replaced) => break,
            Some(
                ServerMessage::Notice { .. }
                | ServerMessage::Room { .. }
                | ServerMessage::SpeechHistory { .. }
                | ServerMessage::Marks { .. },
            ) => continue,
            other => panic!("expected to be replaced, got {other:?}"),
        }
    }
    assert_eq!(first.next().await, None, "the old socket is closed");
    assert_eq!(view.participants.iter().filter(|p| p.online).count(), 2, "judge and one plaintiff: {view:?}");

    let latest = loop {
        let room_view = judge_ws.next_room().await;
        if room_view.participants.iter().filter(|p| p.online).count() == 2 {
            break room_view;
        }
    };
    assert_eq!(latest.participants.iter().filter(|p| p.name == "张三").count(), 1, "never two copies");
}

#[tokio::test]
async fn a_participant_removed_by_staff_is_sent_away() {
    let room = Room::new().await;
    let witness = room.session(WITNESS).await;
    let (mut ws, _) = RawClient::join(&room.server, &witness.token).await;
    let (status, _) = room
        .server
        .patch(
            &format!("/api/hearings/{}", room.hearing.id),
            Some(&room.clerk_token),
            &json!({"remove_participants": [room.id(WITNESS)]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    loop {
        match ws.next().await {
            Some(ServerMessage::Ended { reason, .. }) => {
                assert_eq!(reason, "您已不在本次庭审的参与人名单中");
                break;
            }
            Some(_) => continue,
            None => panic!("closed without a reason"),
        }
    }
    assert_eq!(ws.next().await, None);
    let mut again = RawClient::connect(&room.server).await;
    again.send(json!({"type": "hello", "token": witness.token, "protocol_version": 1, "device": "android"})).await;
    assert_eq!(again.next_error().await, "session_expired");
}

#[tokio::test]
async fn the_socket_requires_a_valid_hello_first() {
    let room = Room::new().await;
    let staff = room.server.staff(StaffRole::Judge, "judge").await;
    let party = room.session(PLAINTIFF).await;
    let cases = [
        (json!({"type": "hello", "token": "forged", "protocol_version": 1, "device": "android"}), "unauthorized"),
        (json!({"type": "hello", "token": staff.token, "protocol_version": 1, "device": "android"}), "forbidden"),
        (json!({"type": "hello", "token": party.token, "protocol_version": 0, "device": "android"}), "upgrade_required"),
        (json!({"type": "command", "request_id": 1, "command": {"action": "start"}}), "unauthorized"),
        (json!({"hello": true}), "invalid_request"),
    ];
    for (first, code) in cases {
        let mut ws = RawClient::connect(&room.server).await;
        ws.send(first.clone()).await;
        assert_eq!(ws.next_error().await, code, "{first}");
        assert_eq!(ws.next().await, None, "closed after {first}");
    }
}

#[tokio::test]
async fn garbage_frames_get_errors_and_never_disturb_the_others() {
    let room = Room::new().await;
    let judge = room.session(JUDGE).await;
    let plaintiff = room.session(PLAINTIFF).await;
    let defendant = room.session(DEFENDANT).await;
    let (mut judge_ws, _) = RawClient::join(&room.server, &judge.token).await;
    let (mut plaintiff_ws, _) = RawClient::join(&room.server, &plaintiff.token).await;
    let (mut attacker, _) = RawClient::join(&room.server, &defendant.token).await;

    // A deterministic pseudo-random stream of garbage (xorshift).
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let fixed: Vec<Message> = vec![
        Message::Text("".into()),
        Message::Text("{".into()),
        Message::Text("null".into()),
        Message::Text(r#"{"type": "command"}"#.into()),
        Message::Text(r#"{"type": "command", "request_id": -1, "command": {"action": "block"}}"#.into()),
        Message::Text(r#"{"type": "command", "request_id": 1, "command": {"action": "launch_missiles"}}"#.into()),
        Message::Text(r#"{"type": "teleport"}"#.into()),
        Message::Text(format!(r#"{{"type": "{}"}}"#, "x".repeat(100_000)).into()),
        Message::Binary(vec![0xff; 1000].into()),
        Message::Text(r#"{"type": "hello", "token": "again", "protocol_version": 1, "device": "android"}"#.into()),
    ];
    let mut sent = 0;
    for message in fixed {
        attacker.send_raw(message).await;
        attacker.next_error().await;
        sent += 1;
    }
    for round in 0..30 {
        let len = (random() % 300) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| random() as u8).collect();
        let message = if round % 2 == 0 {
            Message::Binary(bytes.into())
        } else {
            Message::Text(String::from_utf8_lossy(&bytes).into_owned().into())
        };
        attacker.send_raw(message).await;
        attacker.next_error().await;
        sent += 1;
    }
    assert!(sent >= 40);

    // The room still works for everyone, the attacker included.
    assert_eq!(judge_ws.command(JudgeCommand::Start).await, None);
    let view = loop {
        let v = plaintiff_ws.next_room().await;
        if v.status == HearingStatus::InSession {
            break v;
        }
    };
    assert_ne!(view.recognition.message, "语音识别暂未开始");
    let attacker_view = loop {
        let v = attacker.next_room().await;
        if v.status == HearingStatus::InSession {
            break v;
        }
    };
    assert_eq!(attacker_view.participants.iter().filter(|p| p.online).count(), 3);
    let (status, _) = room.server.get("/api/info", None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_flood_of_messages_is_rate_limited() {
    let room = Room::new().await;
    let plaintiff = room.session(PLAINTIFF).await;
    let (mut ws, _) = RawClient::join(&room.server, &plaintiff.token).await;
    for _ in 0..100 {
        ws.send_raw(Message::Text("{}".into())).await;
    }
    let mut codes = Vec::new();
    for _ in 0..100 {
        codes.push(ws.next_error().await);
    }
    assert!(codes.iter().any(|c| c == "rate_limited"), "{codes:?}");
    assert!(codes.iter().any(|c| c == "invalid_request"));
}

/// A login ends its room connection with it: logging out (on another tab
/// holding the same session) or the session running out closes the socket
/// with 登录已失效, and nothing more is done in that name. Another login of
/// the same person is not touched.
#[tokio::test]
async fn a_logout_or_an_expired_login_ends_the_room_connection() {
    let room = Room::new().await;
    let judge = room.session(JUDGE).await;
    let (mut judge_room, _) = RawClient::join(&room.server, &judge.token).await;
    let plaintiff = room.session(PLAINTIFF).await;
    let (mut plaintiff_room, _) = RawClient::join(&room.server, &plaintiff.token).await;

    let other_login = room.session(PLAINTIFF).await;
    let (status, _) = room.server.post("/api/session/logout", Some(&other_login.token), &json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(plaintiff_room.command(JudgeCommand::Start).await.as_deref(), Some("forbidden"), "still connected");

    let (status, _) = room.server.post("/api/session/logout", Some(&plaintiff.token), &json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(plaintiff_room.until_ended().await, "登录已失效，请重新登录");
    assert!(plaintiff_room.next().await.is_none(), "the socket closes");

    // The judge's room stays, and commands work in it until the login runs out.
    assert_eq!(judge_room.command(JudgeCommand::Start).await, None);
    room.server.clock.advance(Duration::from_secs(7 * 24 * 3600 + 1));
    judge_room.send(json!({"type": "command", "request_id": 99, "command": {"action": "adjourn"}})).await;
    let ended = judge_room
        .until("the end of the expired connection", |m| match m {
            ServerMessage::CommandResult { request_id: 99, .. } => panic!("a command went through on an expired login"),
            ServerMessage::Ended { reason, code } => Some((reason, code)),
            _ => None,
        })
        .await;
    // Said in words for the party, and as a code for the client, which forgets the login.
    assert_eq!(ended, ("登录已失效，请重新登录".to_owned(), Some(cloudtrial_protocol::ErrorCode::SessionExpired)));
    let auditor = room.server.staff(StaffRole::Admin, "auditor").await;
    let (_, hearing) = room.server.get(&format!("/api/hearings/{}", room.hearing.id), Some(&auditor.token)).await;
    assert_eq!(hearing["status"], "in_session", "the adjournment was not done");
}

/// Everyone who joined is logged as having left, however they go: here two
/// people close their connections at the same moment, again and again (the
/// room may drop the second before its own leave arrives).
#[tokio::test]
async fn every_departure_is_in_the_hearing_log_even_when_two_leave_at_once() {
    let room = Room::new().await;
    let judge = room.session(JUDGE).await;
    let plaintiff = room.session(PLAINTIFF).await;
    let count = |entries: &[cloudtrial_protocol::hearing_log::HearingEvent], action: &str, name: &str| {
        entries.iter().filter(|e| e.action == action && e.actor_name == name).count()
    };
    let rounds = 10;
    for round in 1..=rounds {
        // Each is in the room once welcomed.
        let (judge_room, _) = RawClient::join(&room.server, &judge.token).await;
        let (plaintiff_room, _) = RawClient::join(&room.server, &plaintiff.token).await;
        drop((judge_room, plaintiff_room));
        eventually("both departures logged", || async {
            let entries = room.server.hearing_log(&room.clerk_token, room.hearing.id).await.entries;
            ["王法官", "张三"].iter().all(|name| count(&entries, "participant_left", name) == round)
        })
        .await;
    }
    let entries = room.server.hearing_log(&room.clerk_token, room.hearing.id).await.entries;
    for name in ["王法官", "张三"] {
        assert_eq!(count(&entries, "participant_joined", name), rounds, "{name}");
    }
}

/// A judge enters the room from the console: that room session is bound to
/// the console login. Logging out of the console ends it (and its room
/// connection), so a court PC left logged out cannot be used to sit as the
/// judge; the device entered from is the one recorded.
#[tokio::test]
async fn logging_out_of_the_console_ends_the_room_session_entered_from_it() {
    let server = TestServer::start().await;
    let judge = server.staff(StaffRole::Judge, "judge").await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let mut booking = server.booking("案1", &[JUDGE, CLERK, PLAINTIFF]);
    booking["participants"][0]["staff_id"] = json!(judge.account.id);
    let (_, body) = server.post("/api/hearings", Some(&clerk.token), &booking).await;
    let hearing: Hearing = serde_json::from_value(body).unwrap();
    let phone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148";
    let response = server
        .http
        .post(server.url(&format!("/api/hearings/{}/enter", hearing.id)))
        .bearer_auth(&judge.token)
        .header("user-agent", phone)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let entered: ParticipantSession = response.json().await.unwrap();
    let (mut judge_room, _) = RawClient::join(&server, &entered.token).await;
    let log = server.hearing_log(&clerk.token, hearing.id).await;
    let entry = log.entries.iter().find(|e| e.action == "staff_entered").unwrap();
    assert_eq!(entry.detail["device"], "phone_browser");

    let (status, _) = server.post("/api/session/logout", Some(&judge.token), &json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(judge_room.until_ended().await, "登录已失效，请重新登录");
    let (status, body) = server.get(&format!("/api/hearings/{}/details", hearing.id), Some(&entered.token)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("session_expired")));
}

/// In a collegial panel the 审判长 presides: the 审判员 can neither start or
/// close the hearing nor mute the 审判长. Where there is no 审判长, the 审判员
/// presides. A command that would change nothing is refused, and not logged.
#[tokio::test]
async fn the_presiding_judge_alone_commands_a_panel_and_a_command_that_changes_nothing_is_refused() {
    const ASSOCIATE: Party = (cloudtrial_protocol::ParticipantRole::Judge, "赵审判员", "13900000003");
    let server = TestServer::start().await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let hearing = server.book(&clerk.token, "案1", &[JUDGE, ASSOCIATE, CLERK, PLAINTIFF]).await;
    let id = |party: Party| hearing.participants.iter().find(|p| p.mobile == party.2).unwrap().id;
    let join = |party: Party| {
        let (server, clerk, hearing) = (&server, &clerk, &hearing);
        async move { RawClient::join(server, &server.login(&clerk.token, hearing, party.2).await.token).await.0 }
    };
    let mut presiding = join(JUDGE).await;
    let mut associate = join(ASSOCIATE).await;
    for command in [JudgeCommand::Start, JudgeCommand::SetMuted { participant_id: id(JUDGE), muted: true }] {
        assert_eq!(associate.command(command).await.as_deref(), Some("forbidden"), "{command:?}");
    }
    assert_eq!(presiding.command(JudgeCommand::Start).await, None);
    assert_eq!(associate.command(JudgeCommand::Close).await.as_deref(), Some("forbidden"));

    let plaintiff = id(PLAINTIFF);
    assert_eq!(presiding.command(JudgeCommand::Summon { participant_id: plaintiff }).await.as_deref(), Some("conflict"), "not blocked");
    assert_eq!(presiding.command(JudgeCommand::Block { participant_id: plaintiff }).await, None);
    assert_eq!(presiding.command(JudgeCommand::Block { participant_id: plaintiff }).await.as_deref(), Some("conflict"), "blocked already");
    assert_eq!(
        presiding.command(JudgeCommand::SetMuted { participant_id: plaintiff, muted: false }).await.as_deref(),
        Some("conflict"),
        "not muted"
    );
    let actions: Vec<String> = server.hearing_log(&clerk.token, hearing.id).await.entries.into_iter().map(|e| e.action).collect();
    let count = |action: &str| actions.iter().filter(|a| *a == action).count();
    assert_eq!((count("hearing_started"), count("participant_blocked"), count("participant_summoned"), count("participant_unmuted")), (1, 1, 0, 0));

    // A hearing with a 审判员 and no 审判长: the 审判员 presides.
    let single = server.book(&clerk.token, "案2", &[ASSOCIATE, CLERK]).await;
    let session = server.login(&clerk.token, &single, ASSOCIATE.2).await;
    let (mut judge, _) = RawClient::join(&server, &session.token).await;
    assert_eq!(judge.command(JudgeCommand::Start).await, None);
}
