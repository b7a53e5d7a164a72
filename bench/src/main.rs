//! `cloudtrial-loadtest`: starts a Cloud Trial server as its own process, books
//! N hearings with M participants, and has every participant publish
//! pre-encoded H.264 and Opus (no encoding cost here) and receive everyone
//! else's. It reports the server's CPU time per forwarded packet, packets per
//! second, memory per participant, and join latency from login to the first
//! decoded remote frame.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use cloudtrial_core::media::codec::{AudioEncoder, VideoEncoder};
use cloudtrial_core::media::synthetic::{Tone, TestPattern, colour};
use cloudtrial_core::media::{MediaNetwork, MediaOptions, MediaSession, VideoDecoding, VideoSettings};
use cloudtrial_core::protocol::api::DeviceKind;
use cloudtrial_core::{Client, HearingSession};
use serde_json::{Value, json};

#[derive(Parser)]
#[command(about = "Measure the SFU under load: N hearings of M participants publishing pre-encoded media")]
struct Args {
    #[arg(long, default_value_t = 4)]
    hearings: usize,
    #[arg(long, default_value_t = 4)]
    participants: usize,
    /// Length of the measurement, after everyone has joined and a short warm-up.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// The server binary (build it with `cargo build --release -p cloudtrial-server`).
    #[arg(long)]
    server: Option<PathBuf>,
    #[arg(long, default_value = "320x240")]
    size: String,
    #[arg(long, default_value_t = 15.0)]
    fps: f32,
}

/// Pre-encoded media, looped: a keyframe every `fps` frames.
struct Recording {
    video: Vec<Vec<u8>>,
    audio: Vec<Vec<u8>>,
}

fn record(width: u32, height: u32, fps: f32) -> anyhow::Result<Recording> {
    let mut encoder = VideoEncoder::new(width, height, fps, width * height * 3)?;
    let mut pattern = TestPattern::new(width, height, colour("green").unwrap());
    let frames = (fps.round() as usize).max(1) * 2;
    // Noise makes the picture cost what a camera's does; a flat pattern compresses to nothing.
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut video = Vec::with_capacity(frames);
    for i in 0..frames {
        let mut frame = pattern.next_frame();
        for byte in frame.data.iter_mut().step_by(3) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            *byte = byte.wrapping_add((seed % 24) as u8);
        }
        video.push(encoder.encode(&frame, i % fps.round() as usize == 0)?);
    }
    let mut audio_encoder = AudioEncoder::new()?;
    let mut tone = Tone::new(440.0);
    let audio = (0..50).map(|_| audio_encoder.encode(&tone.next_frame())).collect::<Result<_, _>>()?;
    Ok(Recording { video, audio })
}

struct Server {
    child: Child,
    url: String,
    clerk: String,
    http: reqwest::Client,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    async fn start(binary: &PathBuf, data: &std::path::Path) -> anyhow::Result<Self> {
        let mut child = Command::new(binary)
            .args(["--demo", "--listen", "127.0.0.1:0", "--login-rate-per-minute", "1000000"])
            .args(["--connections-per-client", "100000"])
            .arg("--data-dir")
            .arg(data)
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let stdout = child.stdout.take().context("server stdout")?;
        let url = tokio::task::spawn_blocking(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout).lines() {
                let line = line.ok()?;
                if let Some(url) = line.strip_prefix("Cloud Trial server listening on ") {
                    return Some(url.to_owned());
                }
            }
            None
        })
        .await?
        .context("the server did not start")?;
        // The core's HTTP client (rustls with its crypto provider installed).
        let http = cloudtrial_core::ApiClient::new(&url)?.http().clone();
        let login: Value = http
            .post(format!("{url}/api/staff/login"))
            .json(&json!({"username": "clerk", "password": "demo1234"}))
            .send()
            .await?
            .json()
            .await?;
        let clerk = login["token"].as_str().context("clerk login")?.to_owned();
        Ok(Self { child, url, clerk, http })
    }

    async fn api(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
        let mut request = self.http.request(method, format!("{}{path}", self.url)).bearer_auth(&self.clerk);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        if !response.status().is_success() {
            bail!("{path}: {}", response.text().await?);
        }
        Ok(response.json().await?)
    }

    /// (utime + stime) in clock ticks, and resident memory in kB, from /proc.
    fn usage(&self) -> anyhow::Result<(u64, u64)> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))?;
        let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
        let ticks = fields[11].parse::<u64>()? + fields[12].parse::<u64>()?;
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let rss = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        Ok((ticks, rss))
    }
}

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
    (meeting, mobile): &(String, String),
    recording: Arc<Recording>,
    fps: f32,
    dir: PathBuf,
    video: VideoSettings,
    wait: bool,
) -> anyhow::Result<Participant> {
    let started = Instant::now();
    let client = Client::new(&server.url, &dir)?;
    client.request_login_code(meeting, mobile).await?;
    let outbox = server.api(reqwest::Method::GET, &format!("/api/sms?mobile={mobile}"), None).await?;
    let text = outbox[0]["text"].as_str().context("login SMS")?;
    let code: String = text.split('：').nth(1).context("code")?.chars().take(6).collect();
    let session = client.login(meeting, mobile, &code, DeviceKind::Other).await?;
    let hearing = HearingSession::start(&client, DeviceKind::Other)?;
    let options = MediaOptions {
        network: MediaNetwork { udp: vec!["127.0.0.1:0".into()], tcp: vec![], ice_servers: vec![] },
        video,
        decoding: VideoDecoding::FirstFrameOnly,
    };
    let media = MediaSession::start(&hearing, session.participant_id, options)?;
    let sender = media.sender();
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

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (w, h) = args.size.split_once('x').context("size is WxH")?;
    let (width, height): (u32, u32) = (w.parse()?, h.parse()?);
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("target"));
    let binary = args.server.clone().unwrap_or_else(|| target.join("release/cloudtrial-server"));
    let data = tempfile::tempdir()?;
    let server = Server::start(&binary, &data.path().join("server")).await?;
    let recording = Arc::new(record(width, height, args.fps)?);
    let kbps = recording.video.iter().map(Vec::len).sum::<usize>() as f32 * 8.0 / (recording.video.len() as f32 / args.fps) / 1000.0;
    println!(
        "{} hearings × {} participants, {width}x{height} at {} fps (~{kbps:.0} kbit/s video) + Opus, server {}",
        args.hearings, args.participants, args.fps, server.url
    );

    let tomorrow = {
        let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs() + 8 * 3600 + 86_400;
        let days = secs / 86_400;
        // Civil date from days since the epoch (Howard Hinnant's algorithm).
        let z = days as i64 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        format!("{year:04}-{month:02}-{day:02} 09:30")
    };
    let roles = ["presiding_judge", "plaintiff", "defendant", "plaintiff_agent", "defendant_agent", "third_party", "witness", "clerk"];
    let mut joins = Vec::new();
    for hearing in 0..args.hearings {
        let participants: Vec<Value> = (0..args.participants)
            .map(|i| json!({"name": format!("参与人{hearing}-{i}"), "role": roles[i % roles.len()], "mobile": format!("137{:04}{:04}", hearing, i)}))
            .collect();
        let booked = server
            .api(
                reqwest::Method::POST,
                "/api/hearings",
                Some(json!({"case_number": format!("（2026）压测{hearing}号"), "case_title": "压力测试", "courtroom": "测试庭",
                    "scheduled_at": tomorrow, "participants": participants})),
            )
            .await?;
        let meeting = booked["meeting_number"].as_str().context("meeting number")?.to_owned();
        for i in 0..args.participants {
            joins.push((meeting.clone(), format!("137{:04}{:04}", hearing, i)));
        }
    }
    let (_, rss_before) = server.usage()?;
    let video = VideoSettings { width, height, fps: args.fps, bitrate: width * height * 3 };
    // The first participant of each hearing publishes; everyone after them
    // measures the time from login to a decoded picture.
    let mut participants = Vec::new();
    let mut first = Vec::new();
    for (i, joining) in joins.iter().enumerate() {
        let is_first = i % args.participants == 0;
        let dir = data.path().join(&joining.1);
        let participant = join(&server, joining, recording.clone(), args.fps, dir, video.clone(), !is_first).await?;
        if is_first { first.push(participant) } else { participants.push(participant) }
    }
    let mut latencies: Vec<Duration> = participants.iter().map(|p| p.join_latency).collect();
    latencies.sort();
    participants.extend(first);

    tokio::time::sleep(Duration::from_secs(3)).await;
    let (ticks_before, _) = server.usage()?;
    let packets_before = packets(&participants);
    let window = Instant::now();
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    let elapsed = window.elapsed().as_secs_f64();
    let (ticks_after, rss_after) = server.usage()?;
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
