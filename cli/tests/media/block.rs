use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use cloudtrial_testkit::cloudtrial_server::media::SfuSnapshot;
use cloudtrial_testkit::{DEFENDANT, JUDGE, PLAINTIFF, TestCourt};

use crate::harness::*;

async fn snapshot(court: &TestCourt) -> SfuSnapshot {
    court.server().state.media.snapshot().await.expect("the SFU answers")
}

/// Video frames forwarded to `to` from each sender.
fn forwarded_to(snapshot: &SfuSnapshot, to: i64) -> BTreeMap<i64, u64> {
    snapshot.peers.iter().find(|p| p.participant_id == to).map(|p| p.video_from.clone()).unwrap_or_default()
}

fn forwarded(snapshot: &SfuSnapshot, from: i64, to: i64) -> u64 {
    forwarded_to(snapshot, to).get(&from).copied().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_party_gets_no_media_and_sends_none_until_summoned() {
    let _turn = one_at_a_time().await;
    let court = TestCourt::start().await;
    let mut judge = Cli::join(&court, &JUDGE, Options { colour: "red", tone: 440, extra: &["--bind", "127.0.0.1"] }).await;
    let mut plaintiff = Cli::join(&court, &PLAINTIFF, Options { colour: "green", tone: 660, extra: &["--bind", "127.0.0.1"] }).await;
    let mut defendant = Cli::join(&court, &DEFENDANT, Options { colour: "blue", tone: 880, extra: &["--bind", "127.0.0.1"] }).await;
    let (j, p, d) = (judge.id, plaintiff.id, defendant.id);
    judge.until("media from both", 40, |s| video_frames(s, p) > 15 && video_frames(s, d) > 15).await;
    defendant.until("defendant receives", 40, |s| video_frames(s, j) > 15 && video_frames(s, p) > 15).await;

    judge.run(&format!("block {d}")).await.expect("the judge may block");
    let blocked = defendant.until("the block message", 10, |s| s["blocked_message"].is_string()).await;
    assert_eq!(blocked["blocked_message"], "您已被屏蔽，请等待法官传唤");

    // Let in-flight frames drain, then watch a two-second window.
    let _ = defendant.until("a status after the block", 5, |_| true).await;
    let before = snapshot(&court).await;
    let window = Instant::now();
    let mut status = plaintiff.until("two seconds of being blocked", 10, |_| window.elapsed() > Duration::from_secs(2)).await;
    let after = snapshot(&court).await;
    assert_eq!(forwarded_to(&before, d), forwarded_to(&after, d), "nothing reaches the blocked party");
    assert_eq!(forwarded(&before, d, p), forwarded(&after, d, p), "nothing of theirs reaches the plaintiff");
    assert_eq!(forwarded(&before, d, j), forwarded(&after, d, j), "nor the judge");
    assert!(forwarded(&after, j, p) > forwarded(&before, j, p), "the others still see each other");
    let frozen = video_frames(&status, d);
    status = plaintiff.until("another second", 5, |_| true).await;
    assert_eq!(video_frames(&status, d), frozen, "the plaintiff decodes nothing from the defendant");

    // Summon: video flows both ways again, starting on a keyframe.
    let (to_defendant, from_defendant) = (forwarded_to(&after, d), forwarded(&after, d, p));
    judge.run(&format!("summon {d}")).await.expect("the judge may summon");
    let summoned = Instant::now();
    let resumed = loop {
        let now = snapshot(&court).await;
        if forwarded(&now, d, p) > from_defendant && forwarded_to(&now, d).get(&p) > to_defendant.get(&p) {
            break summoned.elapsed();
        }
        assert!(summoned.elapsed() < Duration::from_secs(5), "video did not resume after summon");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert!(resumed < Duration::from_secs(1), "video resumed after {resumed:?}");
    plaintiff.until("the plaintiff decodes the defendant again", 10, |s| video_frames(s, d) > frozen + 5).await;
    defendant.until("the defendant sees again", 10, |s| s["blocked_message"].is_null() && video_frames(s, p) > 20).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_muted_participant_is_not_heard() {
    let _turn = one_at_a_time().await;
    let court = TestCourt::start().await;
    let mut judge = Cli::join(&court, &JUDGE, Options { colour: "red", tone: 440, extra: &["--bind", "127.0.0.1"] }).await;
    let mut plaintiff = Cli::join(&court, &PLAINTIFF, Options { colour: "green", tone: 660, extra: &["--bind", "127.0.0.1"] }).await;
    let p = plaintiff.id;
    judge.until("the plaintiff is heard", 40, |s| sees_and_hears(s, p, 10, "green", 660)).await;
    plaintiff.run(&format!("mute {}", judge.id)).await.expect_err("parties cannot mute");
    judge.run(&format!("mute {p}")).await.expect("the judge may mute");
    let muted_at = judge.until("a status after muting", 5, |_| true).await;
    let frames = received(&muted_at, p).unwrap()["audio_frames"].as_u64().unwrap();
    judge.until("one more second", 10, |_| true).await;
    let later = judge.until("two more seconds", 10, |_| true).await;
    assert!(received(&later, p).unwrap()["audio_frames"].as_u64().unwrap() <= frames + 5, "audio stopped at the SFU");
    assert!(video_frames(&later, p) > video_frames(&muted_at, p), "video still flows");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participant_removed_from_the_hearing_loses_media_at_once() {
    let _turn = one_at_a_time().await;
    let court = TestCourt::start().await;
    let mut judge = Cli::join(&court, &JUDGE, Options { colour: "red", tone: 440, extra: &["--bind", "127.0.0.1"] }).await;
    let mut defendant = Cli::join(&court, &DEFENDANT, Options { colour: "blue", tone: 880, extra: &["--bind", "127.0.0.1"] }).await;
    let d = defendant.id;
    judge.until("media from the defendant", 40, |s| video_frames(s, d) > 15).await;
    defendant.until("media at the defendant", 40, |s| video_frames(s, judge.id) > 15).await;

    let state = court.server().state.clone();
    let request = cloudtrial_testkit::cloudtrial_server::store::events::EventActor::System;
    let update = cloudtrial_core::protocol::api::UpdateHearingRequest { remove_participants: vec![d], ..Default::default() };
    cloudtrial_testkit::cloudtrial_server::booking::update(&state, request, court.hearing.id, update).await.unwrap();

    let removed = Instant::now();
    loop {
        let peers = snapshot(&court).await.peers;
        if peers.iter().all(|p| p.participant_id != d) {
            break;
        }
        assert!(removed.elapsed() < Duration::from_secs(2), "the removed participant's media is still up");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let gone = defendant.until("told they are out", 10, |s| s["room_connection"] == "您已不在本次庭审的参与人名单中").await;
    assert_eq!(gone["blocked_message"], serde_json::Value::Null);
    let frames = video_frames(&judge.latest().await, d);
    judge.until("two more seconds", 5, |_| true).await;
    let later = judge.until("and another", 5, |_| true).await;
    assert!(video_frames(&later, d) <= frames + 2, "nothing more arrives from the removed participant");
}
