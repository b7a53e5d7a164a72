//! The apps' path: every participant is the core's `MediaSession` (the
//! `webrtc` crate, decoding the first remote picture), against our server only.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use cloudtrial_core::media::{MediaNetwork, MediaOptions, MediaSession, VideoDecoding, VideoSettings};
use cloudtrial_core::protocol::api::DeviceKind;
use cloudtrial_core::{Client, HearingSession};

use crate::recording::Recording;
use crate::server::{Invitee, Server, ServerOptions, usage};

struct Participant {
    media: MediaSession,
    _hearing: HearingSession,
    _client: Client,
    join_latency: Duration,
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
    // Joined once the first picture from someone else decodes.
    if wait {
        while !media.received().values().any(|r| r.first_video_frame.is_some()) {
            if started.elapsed() > Duration::from_secs(60) {
                bail!("{mobile}: no remote picture within 60 s");
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    Ok(Participant { media, _hearing: hearing, _client: client, join_latency: started.elapsed() })
}

fn packets(participants: &[Participant]) -> u64 {
    participants.iter().map(|p| p.media.received().values().map(|r| r.packets).sum::<u64>()).sum()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
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
    let mut latencies: Vec<Duration> = participants.iter().map(|p| p.join_latency).collect();
    latencies.sort();
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
    println!(
        "join latency (login → first decoded remote frame): median {:.0} ms, p90 {:.0} ms, max {:.0} ms",
        percentile(&latencies, 0.5).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.9).as_secs_f64() * 1000.0,
        latencies.last().unwrap().as_secs_f64() * 1000.0
    );
    Ok(())
}
