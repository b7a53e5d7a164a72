//! Live speech recognition through the real SFU: a real Mandarin recording
//! played as a participant's microphone appears in everyone else's
//! recognition panel with the speaker's role and name, only while the
//! hearing runs, never from a muted or blocked party; the clerk's side takes
//! it into the record.

use cloudtrial_speech::score::character_error_rate;
use cloudtrial_testkit::{CLERK, DEFENDANT, JUDGE, PLAINTIFF, SPEECH_MAX_CER, SPEECH_TRANSCRIPT, TestCourt, speech_config, speech_recording};
use serde_json::Value;

use crate::harness::*;

fn finals(status: &Value) -> Vec<&Value> {
    status["speech"].as_array().map(|lines| lines.iter().filter(|l| l["final"] == true).collect()).unwrap_or_default()
}

fn audio_frames(status: &Value, from: i64) -> u64 {
    received(status, from).and_then(|r| r["audio_frames"].as_u64()).unwrap_or(0)
}

async fn court() -> TestCourt {
    TestCourt::start_with(&[JUDGE, CLERK, PLAINTIFF, DEFENDANT], |c| c.speech = Some(speech_config())).await
}

/// The judge (a tone), and a plaintiff and a defendant with these extra options.
async fn three_join(court: &TestCourt, plaintiff: &[&str], defendant: &[&str]) -> (Cli, Cli, Cli) {
    let judge = Cli::join(court, &JUDGE, Options { colour: "red", tone: 440, extra: &["--bind", "127.0.0.1"] }).await;
    let plaintiff = Cli::join(court, &PLAINTIFF, Options { colour: "green", tone: 660, extra: plaintiff }).await;
    let defendant = Cli::join(court, &DEFENDANT, Options { colour: "blue", tone: 880, extra: defendant }).await;
    (judge, plaintiff, defendant)
}

/// Audio packets of the plaintiff's that reached recognition.
fn heard(court: &TestCourt) -> u64 {
    let plaintiff = court.participant_id(&PLAINTIFF);
    court.server().state.speech.as_ref().expect("recognition runs").packets_heard(court.hearing.id, plaintiff)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_plaintiff_says_appears_in_everyone_elses_panel_only_while_the_hearing_runs() {
    let _turn = one_at_a_time().await;
    let court = court().await;
    let recording = speech_recording();
    let speaker = ["--audio-file", recording.to_str().unwrap(), "--bind", "127.0.0.1"];
    let (mut judge, mut plaintiff, mut defendant) = three_join(&court, &speaker, &["--bind", "127.0.0.1"]).await;
    let p = plaintiff.id;
    judge.until("the plaintiff's audio", 40, |s| audio_frames(s, p) > 25).await;
    let panel = judge.latest().await;
    assert_eq!(panel["recognition"], "语音识别暂未开始");

    // Before 开始: the plaintiff is heard by everyone, but nothing is recognised.
    let before = audio_frames(&judge.latest().await, p);
    plaintiff.run("speak").await.unwrap();
    judge.until("the whole recording forwarded", 30, |s| audio_frames(s, p) > before + 250).await;
    assert_eq!(heard(&court), 0, "no audio reached recognition before 开始");

    // 开始, then the plaintiff speaks: the others see 原告 张三 and the sentence.
    judge.run("start").await.unwrap();
    plaintiff.run("speak").await.unwrap();
    for (who, cli) in [("judge", &mut judge), ("defendant", &mut defendant)] {
        let status = cli.until(&format!("the sentence in the {who}'s panel"), 90, |s| !finals(s).is_empty()).await;
        let line = finals(&status)[0].clone();
        assert_eq!(line["speaker"], "原告 张三", "{who}: {line}");
        let cer = character_error_rate(SPEECH_TRANSCRIPT, line["text"].as_str().unwrap());
        assert!(cer <= SPEECH_MAX_CER, "{who}: CER {cer:.3} for {line}");
        assert!(line["start_ms"].as_i64().unwrap() >= 0, "times count from 开始: {line}");
    }
    let hearing = court.hearing.id;
    let stored = court.server().state.store.call(move |c| cloudtrial_testkit::cloudtrial_server::store::speech::list(c, hearing)).await.unwrap();
    assert_eq!(stored.len(), 1, "one final sentence is kept: {stored:?}");

    // Muted by the judge: the plaintiff's words reach nobody, recognition included.
    judge.run(&format!("mute {p}")).await.unwrap();
    let heard_before = heard_once_applied(&court).await;
    let packets = publisher_frames(&court, p).await;
    plaintiff.run("speak").await.unwrap();
    until_published(&court, p, packets + 400).await;
    assert_eq!(heard(&court), heard_before, "nothing from a muted party");
    judge.run(&format!("unmute {p}")).await.unwrap();

    // 休庭: the media flows, recognition rests.
    judge.run("adjourn").await.unwrap();
    let heard_before = heard_once_applied(&court).await;
    let before = audio_frames(&judge.latest().await, p);
    plaintiff.run("speak").await.unwrap();
    judge.until("the recording forwarded during 休庭", 30, |s| audio_frames(s, p) > before + 250).await;
    assert_eq!(heard(&court), heard_before, "nothing during 休庭");

    // Blocked (屏蔽) while the hearing runs: nothing of theirs is recognised, and they see no panel.
    judge.run("resume").await.unwrap();
    judge.run(&format!("block {p}")).await.unwrap();
    plaintiff.until("the block", 10, |s| s["blocked_message"].is_string()).await;
    let heard_before = heard_once_applied(&court).await;
    let packets = publisher_frames(&court, p).await;
    plaintiff.run("speak").await.unwrap();
    until_published(&court, p, packets + 400).await;
    assert_eq!(heard(&court), heard_before, "nothing from a blocked party");
    assert!(plaintiff.latest().await["speech"].as_array().is_some_and(|l| l.is_empty()), "a blocked party sees no panel");
    judge.run(&format!("summon {p}")).await.unwrap();
    let summoned = plaintiff.until("the panel back after the summons", 10, |s| !finals(s).is_empty()).await;
    assert_eq!(finals(&summoned).len(), 1, "what was said before they were kept out is back");
    assert_eq!(finals(&judge.latest().await).len(), 1, "and nothing more was recognised");

    // The judge (of the court) takes the sentence into the record: it appears with the speaker's role.
    let session = court.server().state.clone();
    let lines = session.store.call(move |c| cloudtrial_testkit::cloudtrial_server::store::speech::list(c, hearing)).await.unwrap();
    // A fresh session of the judge's, a minute after their first code, as the server asks.
    court.clock.advance(std::time::Duration::from_secs(61));
    let judge_token = court.session_token(&JUDGE).await;
    let http = reqwest::Client::new();
    let answer: Value = http
        .post(format!("{}/api/hearings/{}/record/speech", court.base_url(), court.hearing.id))
        .bearer_auth(&judge_token)
        .json(&serde_json::json!({"base_version": null, "segments": [lines[0].segment]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paragraphs = answer["content"]["paragraphs"].as_array().unwrap();
    let last = paragraphs.last().unwrap();
    assert_eq!(last["speaker"], "原告", "{answer}");
    assert_eq!(last["text"], lines[0].text);
}

/// Audio packets of the plaintiff's that reached recognition, once the SFU
/// has applied the room's latest rules.
async fn heard_once_applied(court: &TestCourt) -> u64 {
    publisher_frames(court, court.participant_id(&PLAINTIFF)).await;
    heard(court)
}

/// Audio and video frames the SFU has taken in from a publisher. The SFU
/// answers after every command sent to it before, so the room's rules are
/// applied by then: the room tells the SFU before it answers the judge.
async fn publisher_frames(court: &TestCourt, participant: i64) -> u64 {
    let snapshot = court.server().state.media.snapshot().await.expect("the SFU answers");
    snapshot.peers.iter().find(|p| p.participant_id == participant).map_or(0, |p| p.frames_received)
}

async fn until_published(court: &TestCourt, participant: i64, frames: u64) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while publisher_frames(court, participant).await < frames {
        assert!(tokio::time::Instant::now() < deadline, "the SFU did not take in {frames} frames");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_people_speaking_at_once_are_each_credited_with_their_own_words() {
    let _turn = one_at_a_time().await;
    let court = court().await;
    let recording = speech_recording();
    let speaker = ["--audio-file", recording.to_str().unwrap(), "--bind", "127.0.0.1"];
    let (mut judge, mut plaintiff, mut defendant) = three_join(&court, &speaker, &speaker).await;
    let (p, d) = (plaintiff.id, defendant.id);
    judge.until("both parties' audio", 40, |s| audio_frames(s, p) > 25 && audio_frames(s, d) > 25).await;
    judge.run("start").await.unwrap();
    plaintiff.command("speak");
    defendant.command("speak");
    let status = judge.until("a sentence from each", 120, |s| finals(s).len() >= 2).await;
    let lines = finals(&status);
    assert_eq!(lines.len(), 2, "one sentence each: {lines:?}");
    let mut speakers: Vec<&str> = lines.iter().map(|l| l["speaker"].as_str().unwrap()).collect();
    speakers.sort();
    assert_eq!(speakers, ["原告 张三", "被告 李四"]);
    for line in lines {
        let cer = character_error_rate(SPEECH_TRANSCRIPT, line["text"].as_str().unwrap());
        assert!(cer <= SPEECH_MAX_CER, "CER {cer:.3} for {line}");
    }
}
