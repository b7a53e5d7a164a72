//! The apps' path: every participant is the core's `MediaSession` (the
//! `webrtc` crate, decoding the first remote picture), against our server only.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use cloudtrial_core::media::{
    MediaConnection, MediaNetwork, MediaOptions, MediaSession, RemoteStreamStats, VideoDecoding, VideoSettings,
};
use cloudtrial_core::protocol::api::DeviceKind;
use cloudtrial_core::{Client, HearingSession};

use crate::compare::percentile;
use crate::recording::Recording;
use crate::server::{Invitee, Server, ServerOptions, usage};

struct Participant {
    media: MediaSession,
    _hearing: HearingSession,
    _client: Client,
    /// For those who waited for a remote picture: how long each step of joining took to finish.
    phases: Option<Phases>,
}

/// One step's end, out of a join's phases.
type Step = fn(&Phases) -> Duration;

/// Time from the start of a join (before the login) to the end of each step.
#[derive(Clone, Copy)]
struct Phases {
    logged_in: Duration,
    media_connected: Duration,
    first_remote_packet: Duration,
    first_decoded_frame: Duration,
}

/// Logs in, joins the room and the media, starts publishing; with `wait`,
/// returns once the first picture from someone else has decoded.
async fn join(
    server: &Server,
    (meeting, mobile): &Invitee,
    recording: Arc<Recording>,
    dir: PathBuf,
    video: VideoSettings,
    wait: bool,
) -> anyhow::Result<Participant> {
    let started = Instant::now();
    let client = Client::new(&server.url, &dir)?;
    client.request_login_code(meeting, mobile).await?;
    let code = server.login_code(mobile).await?;
    let session = client.login(meeting, mobile, &code, DeviceKind::Other).await?;
    let logged_in = started.elapsed();
    let hearing = HearingSession::start(&client, DeviceKind::Other)?;
    let options = MediaOptions {
        network: MediaNetwork { udp: vec!["127.0.0.1:0".into()], tcp: vec![], ice_servers: vec![] },
        video,
        decoding: VideoDecoding::FirstFrameOnly,
    };
    let media = MediaSession::start(&hearing, session.participant_id, options)?;
    let sender = media.sender();
    let fps = recording.fps;
    tokio::spawn(async move {
        let frame_every = Duration::from_secs_f32(1.0 / fps);
        let mut video_tick = tokio::time::interval(frame_every);
        let mut audio_tick = tokio::time::interval(Duration::from_millis(20));
        let (mut v, mut a) = (0usize, 0usize);
        loop {
            tokio::select! {
                _ = video_tick.tick() => {
                    if sender.keyframe_requested() {
                        v = 0;
                    }
                    sender.send_encoded_video(recording.video[v % recording.video.len()].clone(), frame_every);
                    v += 1;
                }
                _ = audio_tick.tick() => {
                    sender.send_encoded_audio(recording.audio[a % recording.audio.len()].clone());
                    a += 1;
                }
            }
        }
    });
    if !wait {
        return Ok(Participant { media, _hearing: hearing, _client: client, phases: None });
    }
    let mut state = media.subscribe();
    let connected = tokio::time::timeout(Duration::from_secs(60), state.wait_for(|s| s.connection == MediaConnection::Connected))
        .await
        .map_err(|_| anyhow::anyhow!("{mobile}: the media did not connect within 60 s"))?
        .map(|_| started.elapsed())?;
    // Joined once the first picture from someone else decodes; the core notes when.
    let (first_packet, first_frame) = loop {
        let received = media.received();
        let first = |at: fn(&RemoteStreamStats) -> Option<Instant>| received.values().filter_map(at).min();
        if let (Some(packet), Some(frame)) = (first(|r| r.first_packet), first(|r| r.first_video_frame)) {
            break (packet, frame);
        }
        if started.elapsed() > Duration::from_secs(60) {
            bail!("{mobile}: no remote picture within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let phases = Phases {
        logged_in,
        media_connected: connected,
        first_remote_packet: first_packet.saturating_duration_since(started),
        first_decoded_frame: first_frame.saturating_duration_since(started),
    };
    Ok(Participant { media, _hearing: hearing, _client: client, phases: Some(phases) })
}

fn packets(participants: &[Participant]) -> u64 {
    participants.iter().map(|p| p.media.received().values().map(|r| r.packets).sum::<u64>()).sum()
}

pub async fn run(
    options: &ServerOptions,
    hearings: usize,
    per_hearing: usize,
    seconds: u64,
    (width, height): (u32, u32),
    recording: Arc<Recording>,
) -> anyhow::Result<()> {
    let data = tempfile::tempdir()?;
    let server = Server::start(options, &data.path().join("server"), std::net::IpAddr::from([127, 0, 0, 1])).await?;
    println!(
        "{hearings} hearings × {per_hearing} participants, {width}x{height} at {} fps (~{:.0} kbit/s video) + Opus, server {}",
        recording.fps,
        recording.video_kbps(),
        server.url
    );
    let joins = server.book(hearings, per_hearing).await?;
    let (_, rss_before) = usage(server.pid())?;
    let video = VideoSettings { width, height, fps: recording.fps, bitrate: width * height * 3 };
    // The first participant of each hearing publishes; everyone after them
    // measures the time from login to a decoded picture.
    let mut participants = Vec::new();
    let mut first = Vec::new();
    for (i, joining) in joins.iter().enumerate() {
        let is_first = i % per_hearing == 0;
        let dir = data.path().join(&joining.1);
        let participant = join(&server, joining, recording.clone(), dir, video.clone(), !is_first).await?;
        if is_first { first.push(participant) } else { participants.push(participant) }
    }
    let phases: Vec<Phases> = participants.iter().filter_map(|p| p.phases).collect();
    participants.extend(first);

    tokio::time::sleep(Duration::from_secs(3)).await;
    let (ticks_before, _) = usage(server.pid())?;
    let packets_before = packets(&participants);
    let window = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let elapsed = window.elapsed().as_secs_f64();
    let (ticks_after, rss_after) = usage(server.pid())?;
    let forwarded = packets(&participants) - packets_before;
    let ticks_per_second = 100.0; // USER_HZ on Linux
    let cpu_seconds = (ticks_after - ticks_before) as f64 / ticks_per_second;

    let n = participants.len();
    println!("forwarded packets per second : {:.0}", forwarded as f64 / elapsed);
    println!("server CPU                   : {:.1}% of one core", cpu_seconds / elapsed * 100.0);
    println!("server CPU per forwarded packet: {:.1} µs", cpu_seconds / forwarded.max(1) as f64 * 1e6);
    println!("server memory                : {} kB before joins, {} kB with {n} participants ({:.0} kB each)",
        rss_before, rss_after, (rss_after.saturating_sub(rss_before)) as f64 / n as f64);
    let steps: [(&str, Step); 4] = [
        ("logged in (SMS code verified)", |p| p.logged_in),
        ("media connected (ICE + DTLS)", |p| p.media_connected),
        ("first remote packet", |p| p.first_remote_packet),
        ("first decoded remote frame", |p| p.first_decoded_frame),
    ];
    println!("join, from the start of the login to the end of each step (median / p90 / max):");
    for (step, of) in steps {
        let mut times: Vec<Duration> = phases.iter().map(of).collect();
        times.sort();
        println!(
            "  {step:<32} {:>5.0} / {:>5.0} / {:>5.0} ms",
            percentile(&times, 0.5),
            percentile(&times, 0.9),
            percentile(&times, 1.0)
        );
    }
    Ok(())
}
