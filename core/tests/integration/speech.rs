//! The recognition panel through the core: one participant's microphone
//! plays a real Mandarin recording; another participant's room state gets
//! the sentence, with the speaker's role and name, and a late joiner gets it too.

use std::time::Duration;

use cloudtrial_core::media::{MediaNetwork, MediaOptions, MediaSession, VideoSettings};
use cloudtrial_core::protocol::api::DeviceKind;
use cloudtrial_core::{Client, HearingSession, RoomState};
use cloudtrial_speech::audio::{read_wav, to_i16, upsample_16k_to_48k};
use cloudtrial_speech::score::character_error_rate;
use cloudtrial_testkit::{CLERK, DEFENDANT, JUDGE, PLAINTIFF, Party, SPEECH_MAX_CER, SPEECH_TRANSCRIPT, TestCourt, speech_config, speech_recording};

async fn enter(court: &TestCourt, party: &Party) -> (Client, HearingSession, i64) {
    let client = Client::new(&court.base_url(), &court.client_dir(party.mobile)).unwrap();
    client.request_login_code(&court.meeting_number(), party.mobile).await.unwrap();
    let code = court.latest_code(party.mobile).await.unwrap();
    let session = client.login(&court.meeting_number(), party.mobile, &code, DeviceKind::Android).await.unwrap();
    let hearing = HearingSession::start(&client, DeviceKind::Android).unwrap();
    (client, hearing, session.participant_id)
}

async fn until(hearing: &HearingSession, what: &str, check: impl Fn(&RoomState) -> bool) -> RoomState {
    let mut states = hearing.subscribe();
    let found = tokio::time::timeout(Duration::from_secs(120), states.wait_for(|s| check(s))).await;
    found.unwrap_or_else(|_| panic!("timed out waiting for {what}: {:?}", hearing.state())).unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sentence_spoken_into_one_app_appears_in_the_others_with_role_and_name() {
    let court = TestCourt::start_with(&[JUDGE, CLERK, PLAINTIFF, DEFENDANT], |c| c.speech = Some(speech_config())).await;
    let (_judge_client, judge, _) = enter(&court, &JUDGE).await;
    let (_defendant_client, defendant, _) = enter(&court, &DEFENDANT).await;
    let (_plaintiff_client, plaintiff, plaintiff_id) = enter(&court, &PLAINTIFF).await;
    let options = MediaOptions {
        network: MediaNetwork { udp: vec!["127.0.0.1:0".into()], tcp: vec![], ice_servers: vec![] },
        video: VideoSettings { width: 160, height: 120, fps: 15.0, bitrate: 150_000 },
        ..Default::default()
    };
    let media = MediaSession::start(&plaintiff, plaintiff_id, options).unwrap();
    until(&defendant, "the room", |s| s.room.is_some()).await;
    until(&judge, "the room", |s| s.room.is_some()).await;
    judge.start_hearing().await.unwrap();

    // The app's microphone: 20 ms of 48 kHz PCM at a time, as the platform's audio API delivers it.
    let recording = read_wav(&speech_recording()).unwrap();
    let pcm = to_i16(&upsample_16k_to_48k(&recording.samples));
    let sender = media.sender();
    let feeder = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        let silence = vec![0i16; 960];
        // A second of silence while the media connection comes up, then the sentence, then quiet.
        for n in 0.. {
            tick.tick().await;
            let start = n * 960;
            let frame = if n < 150 { &silence[..] } else { pcm.get(start - 150 * 960..start - 150 * 960 + 960).unwrap_or(&silence) };
            let _ = sender.send_audio_frame(frame);
        }
    });

    let state = until(&defendant, "the sentence", |s| s.speech.iter().any(|u| u.is_final)).await;
    let line = state.speech.iter().find(|u| u.is_final).unwrap();
    assert_eq!(line.speaker.label(), "原告 张三");
    let cer = character_error_rate(SPEECH_TRANSCRIPT, &line.text);
    assert!(cer <= SPEECH_MAX_CER, "CER {cer:.3}: {}", line.text);
    assert_eq!(state.room.as_ref().unwrap().recognition.message, "语音识别已开始");
    let segment = line.segment;

    // Someone who comes in later (or reconnects) gets what was said so far.
    let (_clerk_client, clerk, _) = enter(&court, &CLERK).await;
    let late = until(&clerk, "the history", |s| s.speech.iter().any(|u| u.is_final)).await;
    assert_eq!(late.speech.iter().filter(|u| u.is_final).map(|u| u.segment).collect::<Vec<_>>(), [segment]);
    feeder.abort();
    media.stop();
}
