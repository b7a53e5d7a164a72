//! `cloudtrial-participant`: joins a hearing from a terminal with a synthetic
//! camera (a moving test pattern in the participant's colour) and microphone
//! (a tone at the participant's frequency), and reports what it receives.
//!
//! With `--audio-file`, the microphone is silent until `speak`, which plays
//! the recording once (real speech, for speech recognition).
//!
//! Commands on standard input, one per line: `start`, `adjourn`, `resume`,
//! `close`, `block ID`, `summon ID`, `mute ID`, `unmute ID` (judges),
//! `camera on|off`, `mic on|off`, `speak`, `network-changed`, `reset-gaps`, `quit`.

mod report;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Parser;
use cloudtrial_core::media::synthetic::{Tone, TestPattern, colour};
use cloudtrial_core::media::{MediaNetwork, MediaOptions, MediaSession, VideoSettings};
use cloudtrial_core::protocol::annotation::{MarkColour, Point, Shape};
use cloudtrial_core::protocol::api::DeviceKind;
use cloudtrial_core::protocol::signalling::JudgeCommand;
use cloudtrial_core::{Client, ClientError, HearingSession, RoomState, SessionState};
use serde::Serialize;
use tokio::io::AsyncBufReadExt;

use report::Receiver;

#[derive(Parser)]
#[command(version, about = "A hearing participant on the command line, with a synthetic camera and microphone")]
// An option given twice takes its last value, so scripts can override their defaults.
#[command(args_override_self = true)]
struct Args {
    /// The Cloud Trial server, e.g. http://127.0.0.1:8080
    #[arg(long)]
    server: String,
    /// The meeting number (会议号) from the SMS.
    #[arg(long)]
    meeting: String,
    /// The mobile number the court has for this participant.
    #[arg(long)]
    mobile: String,
    /// The SMS code; asked for on standard input when not given.
    #[arg(long, requires = "challenge")]
    code: Option<String>,
    /// With `--code`: the challenge the code's request was answered (the code is good only with it).
    #[arg(long)]
    challenge: Option<String>,
    /// Where the session is kept (default: a folder per mobile number in the temp directory).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// The test pattern's colour: red, green, blue, yellow, magenta, cyan.
    #[arg(long, default_value = "green")]
    colour: String,
    /// The test tone's frequency in Hz.
    #[arg(long, default_value_t = 440.0)]
    tone: f32,
    /// A 16-bit PCM WAV recording the microphone plays on `speak` (silence otherwise), instead of the tone.
    #[arg(long)]
    audio_file: Option<PathBuf>,
    /// Video size, e.g. 320x240.
    #[arg(long, default_value = "320x240")]
    size: String,
    #[arg(long, default_value_t = 15.0)]
    fps: f32,
    /// A camera picture with grain that changes every frame, like a real camera's,
    /// so video takes its whole bit rate (instead of the plain pattern's few kbit/s).
    #[arg(long)]
    textured: bool,
    /// Local IP address for media (127.0.0.2 puts this participant on its own loopback address).
    #[arg(long, default_value = "0.0.0.0")]
    bind: String,
    /// Media over TCP only, as when UDP is blocked.
    #[arg(long)]
    tcp_only: bool,
    /// Print one JSON status line a second instead of the table.
    #[arg(long)]
    json: bool,
    /// Leave after this many seconds.
    #[arg(long)]
    duration: Option<u64>,
}

#[derive(Serialize)]
struct Status<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    participant_id: i64,
    room_connection: &'a str,
    hearing_status: Option<&'a str>,
    recognition: Option<&'a str>,
    blocked_message: Option<&'a str>,
    online: usize,
    media_connection: &'a str,
    media_joins: u32,
    rtt_ms: Option<u32>,
    send_kbps: u32,
    receive_kbps: u32,
    /// The most video the SFU's receivers can take, once it has said.
    max_video_kbps: Option<u32>,
    packets_lost: u64,
    packets_resent: u64,
    repairs_asked: u64,
    packets_repaired: u64,
    repairs_given_up: u64,
    keyframes_asked: u64,
    keyframe_requests: u64,
    local_address: Option<&'a str>,
    /// Everyone in the room as this participant sees them: role and name, online, network quality.
    participants: Vec<serde_json::Value>,
    /// The recognition panel: role and name, and what they said.
    speech: Vec<serde_json::Value>,
    /// Every current 圈注 mark, and the marks being drawn.
    marks: Vec<serde_json::Value>,
    previews: Vec<serde_json::Value>,
    received: Vec<report::Received>,
}

fn parse_size(size: &str) -> anyhow::Result<(u32, u32)> {
    let (w, h) = size.split_once('x').context("size is WIDTHxHEIGHT")?;
    Ok((w.parse()?, h.parse()?))
}

async fn log_in(client: &Client, args: &Args, lines: &mut tokio::io::Lines<tokio::io::BufReader<tokio::io::Stdin>>) -> anyhow::Result<()> {
    if let SessionState::LoggedIn(session) = client.session_state()
        && session.meeting_number == args.meeting {
            return Ok(());
        }
    match (&args.code, &args.challenge) {
        (Some(code), Some(challenge)) => {
            client.login_with_challenge(&args.meeting, &args.mobile, code.trim(), challenge, DeviceKind::Other).await
        }
        _ => {
            client.request_login_code(&args.meeting, &args.mobile).await.map_err(ClientError::from)?;
            eprintln!("验证码已发送至 {}，请输入验证码：", args.mobile);
            let code = lines.next_line().await?.context("no code given")?;
            client.login(&args.meeting, &args.mobile, code.trim(), DeviceKind::Other).await
        }
    }
    .map_err(ClientError::from)?;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let (width, height) = parse_size(&args.size)?;
    let rgb = colour(&args.colour).with_context(|| format!("unknown colour {}", args.colour))?;
    let data_dir = args.data_dir.clone().unwrap_or_else(|| std::env::temp_dir().join(format!("cloudtrial-participant-{}", args.mobile)));

    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    let client = Client::new(&args.server, &data_dir).map_err(ClientError::from)?;
    log_in(&client, &args, &mut lines).await?;
    let session = client.session().map_err(ClientError::from)?;
    let hearing = HearingSession::start(&client, DeviceKind::Other).map_err(ClientError::from)?;

    let network = match (args.tcp_only, args.bind.as_str()) {
        (true, ip) => MediaNetwork { udp: vec![], tcp: vec![format!("{ip}:0")], ice_servers: vec![] },
        (false, ip) => MediaNetwork { udp: vec![format!("{ip}:0")], tcp: vec![format!("{ip}:0")], ice_servers: vec![] },
    };
    let video = VideoSettings { width, height, fps: args.fps, bitrate: (width * height * 3) };
    let media = MediaSession::start(&hearing, session.participant_id, MediaOptions { network, video, ..Default::default() })
        .map_err(ClientError::from)?;
    let receiver = Arc::new(Receiver::default());
    media.set_sink(receiver.clone());

    // The synthetic camera and microphone (or a recording's speech, when asked to speak).
    let recording = match &args.audio_file {
        Some(path) => Some(Arc::new(Speech::load(path)?)),
        None => None,
    };
    let sender = media.sender();
    let frame_every = Duration::from_secs_f32(1.0 / args.fps.max(1.0));
    let microphone = recording.clone();
    tokio::spawn(async move {
        let mut pattern = if args.textured { TestPattern::textured(width, height, rgb) } else { TestPattern::new(width, height, rgb) };
        let mut tone = Tone::new(args.tone);
        let mut audio_tick = tokio::time::interval(Duration::from_millis(20));
        let mut video_tick = tokio::time::interval(frame_every);
        loop {
            tokio::select! {
                _ = audio_tick.tick() => {
                    let frame = match &microphone {
                        Some(speech) => speech.next_frame(),
                        None => tone.next_frame(),
                    };
                    let _ = sender.send_audio_frame(&frame);
                }
                _ = video_tick.tick() => { let _ = sender.send_video_frame(pattern.next_frame()); }
            }
        }
    });

    let mut status_tick = tokio::time::interval(Duration::from_secs(1));
    let deadline = args.duration.map(|d| tokio::time::Instant::now() + Duration::from_secs(d));
    let mut stdin_open = true;
    loop {
        tokio::select! {
            _ = status_tick.tick() => {
                print_status(&args, session.participant_id, &hearing.state(), &media, &receiver);
                if deadline.is_some_and(|d| tokio::time::Instant::now() >= d) {
                    break;
                }
            }
            line = lines.next_line(), if stdin_open => match line {
                Ok(Some(line)) => {
                    if !command(line.trim(), &hearing, &media, &receiver, recording.as_deref()).await? {
                        break;
                    }
                }
                _ => stdin_open = false,
            },
        }
    }
    media.stop();
    hearing.leave();
    tokio::time::sleep(Duration::from_millis(200)).await;
    Ok(())
}

/// Carries out one command line; `false` to quit.
async fn command(
    line: &str,
    hearing: &HearingSession,
    media: &MediaSession,
    receiver: &Receiver,
    recording: Option<&Speech>,
) -> anyhow::Result<bool> {
    let mut words = line.split_whitespace();
    let (verb, arg) = (words.next().unwrap_or(""), words.next());
    let id = || arg.and_then(|a| a.parse::<i64>().ok()).context("which participant (id)?");
    let judge = |command| async move { hearing.command(command).await };
    let result = match verb {
        "" => return Ok(true),
        "quit" | "exit" => return Ok(false),
        "start" => judge(JudgeCommand::Start).await,
        "adjourn" => judge(JudgeCommand::Adjourn).await,
        "resume" => judge(JudgeCommand::Resume).await,
        "close" => judge(JudgeCommand::Close).await,
        "block" => judge(JudgeCommand::Block { participant_id: id()? }).await,
        "summon" => judge(JudgeCommand::Summon { participant_id: id()? }).await,
        "mute" => judge(JudgeCommand::SetMuted { participant_id: id()?, muted: true }).await,
        "unmute" => judge(JudgeCommand::SetMuted { participant_id: id()?, muted: false }).await,
        "allow-annotation" => hearing.allow_annotation(id()?).await,
        "refuse-annotation" => hearing.refuse_annotation(id()?).await,
        "withdraw-annotation" => hearing.withdraw_annotation(id()?).await,
        "request-annotation" => hearing.request_annotation(arg.map(str::to_owned)).await,
        // An arrow from the bottom right towards the middle of the item (圈注).
        "mark" => {
            let evidence = arg.context("which evidence (id)?")?;
            let (from, to) = (Point { x: 0.9, y: 0.9 }, Point { x: 0.55, y: 0.55 });
            hearing.annotation(evidence).draw(1, MarkColour::Green, Shape::Arrow { from, to }).await.map(|_| ())
        }
        "undo-mark" => hearing.annotation(arg.context("which evidence (id)?")?).undo().await.map(|_| ()),
        "camera" => {
            media.set_camera_enabled(arg != Some("off"));
            Ok(())
        }
        "mic" => {
            media.set_microphone_enabled(arg != Some("off"));
            Ok(())
        }
        "speak" => match recording {
            Some(speech) => {
                speech.speak();
                Ok(())
            }
            None => bail!("speak needs --audio-file"),
        },
        "network-changed" => {
            media.network_changed();
            Ok(())
        }
        "reset-gaps" => {
            receiver.reset_gaps();
            Ok(())
        }
        other => bail!("unknown command {other}"),
    };
    match result {
        Ok(()) => println!("{}", serde_json::json!({"type": "ok", "command": line})),
        Err(e) => println!("{}", serde_json::json!({"type": "error", "command": line, "message": ClientError::from(e).to_string()})),
    }
    Ok(true)
}

fn print_status(args: &Args, participant_id: i64, room: &RoomState, media: &MediaSession, receiver: &Receiver) {
    let media_state = media.state();
    let view = room.room.as_ref();
    let status = Status {
        kind: "status",
        participant_id,
        room_connection: room.connection.label(),
        hearing_status: view.map(|v| v.status.label()),
        recognition: view.map(|v| v.recognition.message.as_str()),
        blocked_message: room.blocked_message(),
        online: view.map_or(0, |v| v.participants.iter().filter(|p| p.online).count()),
        media_connection: media_state.connection.label(),
        media_joins: media_state.joins,
        rtt_ms: media_state.stats.rtt_ms,
        send_kbps: media_state.stats.send_kbps,
        receive_kbps: media_state.stats.receive_kbps,
        max_video_kbps: media_state.stats.max_video_kbps,
        packets_lost: media_state.stats.packets_lost,
        packets_resent: media_state.stats.packets_resent,
        repairs_asked: media_state.stats.repairs_asked,
        packets_repaired: media_state.stats.packets_repaired,
        repairs_given_up: media_state.stats.repairs_given_up,
        keyframes_asked: media_state.stats.keyframes_asked,
        keyframe_requests: media_state.stats.keyframe_requests,
        local_address: media_state.stats.local_address.as_deref(),
        participants: view
            .map(|v| {
                v.participants
                    .iter()
                    .map(|p| {
                        serde_json::json!({
                            "id": p.id,
                            "label": format!("{} {}", p.role.label(), p.name),
                            "online": p.online,
                            "network": p.network.map(|n| n.label()),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default(),
        received: receiver.report(),
        marks: room
            .marks
            .iter()
            .map(|m| serde_json::json!({"id": m.id, "evidence_id": m.evidence_id, "author": m.author.label(), "kind": m.shape.kind(), "colour": m.colour.as_str()}))
            .collect(),
        previews: room
            .previews
            .iter()
            .map(|p| serde_json::json!({"author": p.author.label(), "evidence_id": p.draft.evidence_id, "kind": p.draft.shape.kind()}))
            .collect(),
        speech: room
            .speech
            .iter()
            .map(|u| serde_json::json!({"speaker": u.speaker.label(), "speaker_id": u.speaker.id, "text": u.text, "final": u.is_final, "start_ms": u.start_ms}))
            .collect(),
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        let _ = writeln!(out, "{}", serde_json::to_string(&status).unwrap_or_default());
    } else {
        let _ = writeln!(
            out,
            "\n[{}] 庭审：{}  {}  音视频：{}  RTT {} ms  ↑{} kbps ↓{} kbps",
            status.room_connection,
            status.hearing_status.unwrap_or("-"),
            status.blocked_message.or(status.recognition).unwrap_or(""),
            status.media_connection,
            status.rtt_ms.map_or("-".into(), |r| r.to_string()),
            status.send_kbps,
            status.receive_kbps,
        );
        for r in &status.received {
            let _ = writeln!(
                out,
                "  {:<12} 视频 {:>5} 帧 {:<8} 音频 {:>5} 帧 {} Hz",
                r.label,
                r.video_frames,
                r.colour.unwrap_or("-"),
                r.audio_frames,
                r.tone_hz.map_or("-".into(), |f| format!("{f:.0}")),
            );
        }
    }
    let _ = out.flush();
}

/// A recording played as the microphone: silence until `speak`, then the
/// recording once (48 kHz, 20 ms a frame).
struct Speech {
    samples: Vec<i16>,
    queue: std::sync::Mutex<std::collections::VecDeque<i16>>,
}

impl Speech {
    fn load(path: &std::path::Path) -> anyhow::Result<Self> {
        use cloudtrial_speech::audio::{read_wav, to_i16, upsample_16k_to_48k};
        let recording = read_wav(path).with_context(|| format!("reading {}", path.display()))?;
        if recording.sample_rate != 16_000 {
            bail!("{}: the recording must be 16 kHz (it is {} Hz)", path.display(), recording.sample_rate);
        }
        Ok(Self { samples: to_i16(&upsample_16k_to_48k(&recording.samples)), queue: Default::default() })
    }

    fn speak(&self) {
        self.queue.lock().unwrap_or_else(|p| p.into_inner()).extend(self.samples.iter().copied());
    }

    fn next_frame(&self) -> Vec<i16> {
        let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        let take = queue.len().min(960);
        let mut frame: Vec<i16> = queue.drain(..take).collect();
        frame.resize(960, 0);
        frame
    }
}
