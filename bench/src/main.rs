//! `cloudtrial-loadtest`: N hearings of M participants, every participant
//! publishing pre-encoded H.264 and Opus (no encoding cost here) and receiving
//! everyone else's, measuring the server: CPU time per forwarded packet,
//! packets per second, memory per participant, join latency.
//!
//! Modes:
//! - `core` (default): the participants are the core's `MediaSession`, as in the apps, against our server.
//! - `lean`: a lean str0m client (`lean.rs`) against our server on 127.0.0.1.
//! - `side-by-side`: the lean client against our server and against Janus's
//!   VideoRoom, alternating, inside a network namespace the bench makes (root).

mod compare;
mod core_mode;
mod janus;
mod lean;
mod namespace;
mod recording;
mod server;
mod signalling;

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, ValueEnum};

use crate::compare::{Kind, Load};
use crate::recording::Recording;
use crate::server::ServerOptions;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Mode {
    Core,
    Lean,
    SideBySide,
}

#[derive(Parser)]
#[command(about = "Measure the SFU under load: N hearings of M participants publishing pre-encoded media")]
struct Args {
    #[arg(long, value_enum, default_value = "core")]
    mode: Mode,
    #[arg(long, default_value_t = 4)]
    hearings: usize,
    #[arg(long, default_value_t = 4)]
    participants: usize,
    /// Length of the measurement, after everyone has joined and a short warm-up.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Rounds per server in the lean and side-by-side modes (side by side: ours, Janus, ours, Janus, …).
    #[arg(long, default_value_t = 2)]
    rounds: usize,
    /// The server binary (build it with `cargo build --release -p cloudtrial-server`).
    #[arg(long)]
    server: Option<PathBuf>,
    /// Our server's media workers (default: the server's, one per core).
    #[arg(long)]
    media_workers: Option<usize>,
    #[arg(long, default_value = "320x240")]
    size: String,
    #[arg(long, default_value_t = 15.0)]
    fps: f32,
    /// Set when the bench runs itself inside its network namespace.
    #[arg(long, hide = true)]
    inside_namespace: bool,
}

/// Side by side: make the namespace, run this program again inside it, and
/// remove the namespace afterwards — also after a failure or Ctrl-C.
async fn side_by_side_outside() -> anyhow::Result<()> {
    which("janus").context("Janus is not installed: apt-get install -y janus")?;
    let namespace = namespace::Namespace::create()?;
    let mut command = namespace.command(&std::env::current_exe()?);
    command.args(std::env::args_os().skip(1)).arg("--inside-namespace");
    let mut child = tokio::process::Command::from(command).spawn()?;
    let status = tokio::select! {
        status = child.wait() => status?,
        _ = tokio::signal::ctrl_c() => {
            // The run inside got the same Ctrl-C; give it a moment to stop its servers.
            match tokio::time::timeout(std::time::Duration::from_secs(5), child.wait()).await {
                Ok(status) => status?,
                Err(_) => {
                    let _ = child.kill().await;
                    child.wait().await?
                }
            }
        }
    };
    drop(namespace);
    if !status.success() {
        bail!("the benchmark inside the namespace failed ({status})");
    }
    Ok(())
}

fn which(program: &str) -> anyhow::Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).map(|dir| dir.join(program)).find(|p| p.is_file()).context("not found")
}

async fn run(args: Args) -> anyhow::Result<()> {
    let (w, h) = args.size.split_once('x').context("size is WxH")?;
    let (width, height): (u32, u32) = (w.parse()?, h.parse()?);
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("target"));
    let binary = args.server.clone().unwrap_or_else(|| target.join("release/cloudtrial-server"));
    let server = ServerOptions { binary, media_workers: args.media_workers };
    let recording = Arc::new(Recording::new(width, height, args.fps)?);
    if args.mode == Mode::Core {
        return core_mode::run(&server, args.hearings, args.participants, args.seconds, (width, height), recording).await;
    }
    println!(
        "{} hearings × {} participants, {width}x{height} at {} fps (~{:.0} kbit/s video) + Opus, lean str0m clients",
        args.hearings,
        args.participants,
        args.fps,
        recording.video_kbps()
    );
    let (kinds, ip, interface): (&[Kind], IpAddr, &'static str) = match args.mode {
        Mode::SideBySide => (&[Kind::Ours, Kind::Janus], namespace::IP, namespace::INTERFACE),
        _ => (&[Kind::Ours], IpAddr::from([127, 0, 0, 1]), "lo"),
    };
    let load = Load { hearings: args.hearings, participants: args.participants, seconds: args.seconds, server, ip, interface };
    compare::run(kinds, args.rounds, &load, recording).await
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.mode == Mode::SideBySide && !args.inside_namespace {
        return side_by_side_outside().await;
    }
    // Ctrl-C drops the run, and with it the servers it started.
    tokio::select! {
        result = run(args) => result,
        _ = tokio::signal::ctrl_c() => bail!("interrupted"),
    }
}
