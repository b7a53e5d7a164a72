//! Media through the core against the real server's SFU, on loopback.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cloudtrial_core::media::analysis::dominant_frequency;
use cloudtrial_core::media::frame::yuv_to_rgb;
use cloudtrial_core::media::synthetic::{Tone, TestPattern, colour, nearest_colour};
use cloudtrial_core::media::{
    I420Frame, MediaConnection, MediaNetwork, MediaOptions, MediaSession, RemoteMediaSink, RemoteParticipant,
    VideoSettings,
};
use cloudtrial_core::protocol::api::DeviceKind;
use cloudtrial_core::protocol::signalling::{JudgeCommand, MEDIA_ENDED_MESSAGE};
use cloudtrial_core::{Client, ConnectionState, HearingSession};
use cloudtrial_testkit::{JUDGE, PLAINTIFF, Party, TestCourt};

#[derive(Default)]
struct Seen {
    frames: u64,
    last_colour: Option<&'static str>,
    label: String,
    audio: Vec<i16>,
}

#[derive(Default)]
struct Recorder(Mutex<HashMap<i64, Seen>>);

impl RemoteMediaSink for Recorder {
    fn on_video_frame(&self, from: &RemoteParticipant, frame: &I420Frame) {
        let (y, u, v) = frame.mean_yuv();
        let mut seen = self.0.lock().unwrap();
        let entry = seen.entry(from.participant_id).or_default();
        entry.frames += 1;
        entry.last_colour = Some(nearest_colour(yuv_to_rgb(y, u, v)));
        entry.label = from.label();
    }

    fn on_audio_frame(&self, from: &RemoteParticipant, samples: &[i16]) {
        let mut seen = self.0.lock().unwrap();
        let audio = &mut seen.entry(from.participant_id).or_default().audio;
        audio.extend_from_slice(samples);
        let excess = audio.len().saturating_sub(48_000);
        audio.drain(..excess);
    }
}

struct Participant {
    _client: Client,
    hearing: HearingSession,
    media: MediaSession,
    recorder: Arc<Recorder>,
    feeder: tokio::task::JoinHandle<()>,
}

impl Drop for Participant {
    fn drop(&mut self) {
        self.feeder.abort();
    }
}

async fn join(court: &TestCourt, party: &Party, colour_name: &str, tone: f32) -> Participant {
    join_meeting(court, &court.meeting_number(), party, colour_name, tone).await
}

async fn join_meeting(court: &TestCourt, meeting: &str, party: &Party, colour_name: &str, tone: f32) -> Participant {
    let client = Client::new(&court.base_url(), &court.client_dir(party.mobile)).unwrap();
    client.request_login_code(meeting, party.mobile).await.unwrap();
    let code = court.latest_code(party.mobile).await.unwrap();
    let session = client.login(meeting, party.mobile, &code, DeviceKind::Other).await.unwrap();
    let hearing = HearingSession::start(&client, DeviceKind::Other).unwrap();
    let media = MediaSession::start(&hearing, session.participant_id, media_options()).unwrap();
    let recorder = Arc::new(Recorder::default());
    media.set_sink(recorder.clone());
    let media_ref = MediaFeed { pattern: TestPattern::new(160, 120, colour(colour_name).unwrap()), tone: Tone::new(tone) };
    let feeder = spawn_feeder(&media, media_ref);
    Participant { _client: client, hearing, media, recorder, feeder }
}

/// Media over loopback UDP, with a small picture.
fn media_options() -> MediaOptions {
    MediaOptions {
        network: MediaNetwork { udp: vec!["127.0.0.1:0".into()], tcp: vec![], ice_servers: vec![] },
        video: VideoSettings { width: 160, height: 120, fps: 15.0, bitrate: 150_000 },
        ..Default::default()
    }
}

struct MediaFeed {
    pattern: TestPattern,
    tone: Tone,
}

/// Feeds the synthetic camera (15 fps) and microphone (50 × 20 ms a second).
fn spawn_feeder(media: &MediaSession, mut feed: MediaFeed) -> tokio::task::JoinHandle<()> {
    let sender = media.sender();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        let mut n = 0u64;
        loop {
            tick.tick().await;
            let _ = sender.send_audio_frame(&feed.tone.next_frame());
            if n.is_multiple_of(3) {
                let _ = sender.send_video_frame(feed.pattern.next_frame());
            }
            n += 1;
        }
    })
}

fn id(court: &TestCourt, party: &Party) -> i64 {
    court.hearing.participants.iter().find(|p| p.mobile == party.mobile).unwrap().id
}

async fn until_received(p: &Participant, from: i64, frames: u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let enough = p.recorder.0.lock().unwrap().get(&from).is_some_and(|s| s.frames >= frames && s.audio.len() >= 24_000);
        if enough {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "no media from {from}: {:?}", p.media.state());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// An app that stops its media and starts it again at once (a new call
/// screen, or the bindings' checks one after another) gets its new
/// connection at the first try: nothing the stopped session still sends
/// reaches the new one's peer at the SFU, which knows peers by participant.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn media_stopped_and_started_again_at_once_connects_at_the_first_try() {
    cloudtrial_testkit::init_logging();
    let court = TestCourt::start().await;
    let judge = join(&court, &JUDGE, "red", 440.0).await;
    let judge_id = id(&court, &JUDGE);
    let connected = |media: &MediaSession| {
        let mut state = media.subscribe();
        async move {
            let waited = tokio::time::timeout(Duration::from_secs(20), state.wait_for(|s| s.connection == MediaConnection::Connected))
                .await
                .ok()
                .and_then(|s| s.ok().map(|s| s.joins));
            waited.unwrap_or_else(|| panic!("not connected within 20 s: {:?}", *state.borrow()))
        }
    };
    assert_eq!(connected(&judge.media).await, 1);
    judge.feeder.abort();
    judge.media.stop();
    let mut media = MediaSession::start(&judge.hearing, judge_id, media_options()).unwrap();
    assert_eq!(connected(&media).await, 1, "the second connection had to start over");
    for round in 1..=5 {
        media.stop();
        drop(media);
        media = MediaSession::start(&judge.hearing, judge_id, media_options()).unwrap();
        assert_eq!(connected(&media).await, 1, "round {round}: the new connection had to start over");
    }
}

/// Each hearing is forwarded by one worker, hearings are spread over the
/// workers, and media never crosses from one hearing into another: with a
/// socket per worker (ephemeral ports, the default) ...
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hearings_on_two_workers_each_see_only_their_own() {
    two_hearings_on_two_workers(|config| config.media.workers = 2).await;
}

/// ... and with one configured port that both workers share, whose reader
/// routes each datagram to its worker.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hearings_on_two_workers_sharing_one_port_each_see_only_their_own() {
    let port = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    two_hearings_on_two_workers(|config| {
        config.media.workers = 2;
        config.media.udp_ports = (port, port);
    })
    .await;
}

async fn two_hearings_on_two_workers(configure: impl FnOnce(&mut cloudtrial_testkit::cloudtrial_server::Config)) {
    let court = TestCourt::start_with(&[JUDGE, PLAINTIFF], configure).await;
    let judge_b = Party { role: JUDGE.role, name: "赵法官", mobile: "13900000010" };
    let plaintiff_b = Party { role: PLAINTIFF.role, name: "钱五", mobile: "13900000011" };
    let other = court.book("（2026）津0101民初99号", &[judge_b, plaintiff_b]).await;
    let other_meeting = other.meeting_number.to_string();
    let a = [join(&court, &JUDGE, "red", 440.0).await, join(&court, &PLAINTIFF, "green", 660.0).await];
    let b = [
        join_meeting(&court, &other_meeting, &judge_b, "blue", 880.0).await,
        join_meeting(&court, &other_meeting, &plaintiff_b, "yellow", 550.0).await,
    ];
    let b_id = |party: &Party| other.participants.iter().find(|p| p.mobile == party.mobile).unwrap().id;

    until_received(&a[0], id(&court, &PLAINTIFF), 20).await;
    until_received(&a[1], id(&court, &JUDGE), 20).await;
    until_received(&b[0], b_id(&plaintiff_b), 20).await;
    until_received(&b[1], b_id(&judge_b), 20).await;
    assert_eq!(b[0].recorder.0.lock().unwrap()[&b_id(&plaintiff_b)].last_colour, Some("yellow"));
    assert_eq!(a[0].recorder.0.lock().unwrap()[&id(&court, &PLAINTIFF)].last_colour, Some("green"));
    for (participants, expected) in [(&a, 1), (&b, 1)] {
        for p in participants.iter() {
            assert_eq!(p.recorder.0.lock().unwrap().len(), expected, "someone else's hearing reached a participant");
        }
    }

    let snapshot = court.server().state.media.snapshot().await.unwrap();
    assert_eq!(snapshot.peers.len(), 4);
    let worker_of = |hearing_id: i64| {
        let workers: std::collections::BTreeSet<usize> =
            snapshot.peers.iter().filter(|p| p.hearing_id == hearing_id).map(|p| p.worker).collect();
        assert_eq!(workers.len(), 1, "one hearing, one worker: {workers:?}");
        workers.into_iter().next().unwrap()
    };
    assert_ne!(worker_of(court.hearing.id), worker_of(other.id), "the two hearings are spread over the two workers");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_participants_see_and_hear_each_other() {
    cloudtrial_testkit::init_logging();
    let court = TestCourt::start().await;
    let judge = join(&court, &JUDGE, "red", 440.0).await;
    let plaintiff = join(&court, &PLAINTIFF, "green", 660.0).await;
    let (judge_id, plaintiff_id) = (id(&court, &JUDGE), id(&court, &PLAINTIFF));

    until_received(&judge, plaintiff_id, 20).await;
    until_received(&plaintiff, judge_id, 20).await;

    let seen = judge.recorder.0.lock().unwrap();
    let from_plaintiff = &seen[&plaintiff_id];
    assert_eq!(from_plaintiff.last_colour, Some("green"));
    assert_eq!(from_plaintiff.label, "原告 张三");
    let tone = dominant_frequency(&from_plaintiff.audio, 48_000);
    assert!((tone - 660.0).abs() < 15.0, "plaintiff's tone heard at {tone} Hz");
    drop(seen);
    let seen = plaintiff.recorder.0.lock().unwrap();
    assert_eq!(seen[&judge_id].last_colour, Some("red"));
    let tone = dominant_frequency(&seen[&judge_id].audio, 48_000);
    assert!((tone - 440.0).abs() < 15.0, "judge's tone heard at {tone} Hz");
    assert_eq!(judge.media.state().connection, MediaConnection::Connected);
    assert_eq!(judge.hearing.state().connection, ConnectionState::Connected);
}

/// 闭庭 ends everyone's media for good: the sessions stop with the reason,
/// without trying to join again (the SFU admits no one to a hearing that is
/// over), and a call started afterwards starts no media at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn media_ends_with_the_hearing_and_is_not_joined_again() {
    let court = TestCourt::start().await;
    let judge = join(&court, &JUDGE, "red", 440.0).await;
    let plaintiff = join(&court, &PLAINTIFF, "green", 660.0).await;
    until_received(&plaintiff, id(&court, &JUDGE), 10).await;
    judge.hearing.command(JudgeCommand::Start).await.unwrap();
    judge.hearing.command(JudgeCommand::Close).await.unwrap();

    let stopped = |media: &MediaSession| {
        let mut state = media.subscribe();
        async move {
            let waited = state.wait_for(|s| matches!(s.connection, MediaConnection::Stopped { .. }));
            tokio::time::timeout(Duration::from_secs(20), waited).await.expect("media stopped").unwrap().clone()
        }
    };
    for p in [&judge, &plaintiff] {
        let state = stopped(&p.media).await;
        assert_eq!(state.connection, MediaConnection::Stopped { reason: MEDIA_ENDED_MESSAGE.into() });
        assert_eq!(state.joins, 1, "joined once, never again after 闭庭");
    }
    let snapshot = court.server().state.media.snapshot().await.unwrap();
    assert!(snapshot.peers.is_empty(), "no one is left at the SFU: {:?}", snapshot.peers);

    // A call screen opened again afterwards (an app brought back to the room) starts none.
    let again = MediaSession::start(&judge.hearing, id(&court, &JUDGE), media_options()).unwrap();
    let state = stopped(&again).await;
    assert_eq!(state.connection, MediaConnection::Stopped { reason: MEDIA_ENDED_MESSAGE.into() });
    assert_eq!(state.joins, 1);
    assert!(court.server().state.media.snapshot().await.unwrap().peers.is_empty());
}

#[tokio::test]
async fn a_cancelled_hearing_ends_media_at_once_with_why() {
    let court = TestCourt::start().await;
    let judge = join(&court, &JUDGE, "red", 440.0).await;
    let plaintiff = join(&court, &PLAINTIFF, "green", 660.0).await;
    until_received(&plaintiff, id(&court, &JUDGE), 10).await;
    court.cancel().await;
    for p in [&judge, &plaintiff] {
        let mut state = p.media.subscribe();
        let waited = state.wait_for(|s| matches!(s.connection, MediaConnection::Stopped { .. }));
        let state = tokio::time::timeout(Duration::from_secs(20), waited).await.expect("media stopped").unwrap().clone();
        assert_eq!(state.connection, MediaConnection::Stopped { reason: "庭审已取消".into() });
        assert_eq!(state.joins, 1, "not joined again");
    }
    assert!(court.server().state.media.snapshot().await.unwrap().peers.is_empty());
}
