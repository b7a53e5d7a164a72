//! The lean client's load against our SFU and against Janus, in alternating
//! rounds, and the table comparing them.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::janus::{Janus, JanusServer};
use crate::lean::{Peer, Received};
use crate::recording::Recording;
use crate::server::{Server, ServerOptions, usage};
use crate::signalling::{Ours, Signalling};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ours,
    Janus,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Ours => "Cloud Trial SFU",
            Kind::Janus => "Janus",
        }
    }
}

pub struct Load {
    pub hearings: usize,
    pub participants: usize,
    pub seconds: u64,
    pub server: ServerOptions,
    /// Where servers and clients listen.
    pub ip: IpAddr,
    /// The interface holding `ip`, for Janus's ICE gathering.
    pub interface: &'static str,
}

/// One round's measurements.
pub struct Round {
    kind: Kind,
    packets_per_second: f64,
    cpu_percent: f64,
    cpu_us_per_packet: f64,
    kb_per_participant: f64,
    offer_answer: Vec<Duration>,
    first_keyframe: Vec<Duration>,
}

struct Participant {
    received: Arc<Received>,
    _publisher: Arc<Peer>,
    offers: tokio::task::JoinHandle<()>,
}

impl Drop for Participant {
    fn drop(&mut self) {
        self.offers.abort();
    }
}

/// Publishes, then answers every offer the server makes, until dropped.
async fn join(
    mut signalling: Box<dyn Signalling>,
    ip: IpAddr,
    recording: Arc<Recording>,
) -> anyhow::Result<(Participant, Duration)> {
    let received = Arc::new(Received::default());
    let publisher = Arc::new(Peer::start(ip, Some(recording), received.clone()).await?);
    let offer = publisher.create_offer().await?;
    let sent = Instant::now();
    let answer = signalling.publish(offer).await?;
    let offer_answer = sent.elapsed();
    publisher.accept_answer(answer).await?;
    let offers = tokio::spawn({
        let (publisher, received) = (publisher.clone(), received.clone());
        async move {
            let mut subscriptions = Vec::new();
            let result: anyhow::Result<()> = async {
                loop {
                    let offer = signalling.next_offer().await?;
                    let answer = if offer.new_connection {
                        let peer = Peer::start(ip, None, received.clone()).await?;
                        let answer = peer.accept_offer(offer.sdp.clone()).await?;
                        subscriptions.push(peer);
                        answer
                    } else {
                        publisher.accept_offer(offer.sdp.clone()).await?
                    };
                    signalling.answer(&offer, answer).await?;
                }
            }
            .await;
            if let Err(e) = result {
                eprintln!("a client stopped negotiating: {e:#}");
            }
        }
    });
    Ok((Participant { received, _publisher: publisher, offers }, offer_answer))
}

enum Running {
    /// The server, and its data folder (removed when the round ends).
    Ours { server: Server, _data: tempfile::TempDir },
    Janus(JanusServer),
}

async fn round(kind: Kind, load: &Load, recording: &Arc<Recording>) -> anyhow::Result<Round> {
    let running = match kind {
        Kind::Ours => {
            let data = tempfile::tempdir()?;
            let server = Server::start(&load.server, &data.path().join("server"), load.ip).await.context("starting our server")?;
            Running::Ours { server, _data: data }
        }
        Kind::Janus => Running::Janus(JanusServer::start(load.ip, load.interface).await?),
    };
    // Hearings are booked (rooms created) before the baseline memory is taken.
    let invitees = match &running {
        Running::Ours { server, .. } => server.book(load.hearings, load.participants).await.context("booking")?,
        Running::Janus(janus) => {
            let mut invitees = Vec::new();
            for room in 1..=load.hearings as u64 {
                janus.create_room(room, load.participants).await?;
                invitees.extend((0..load.participants).map(|i| (room.to_string(), format!("参与人{room}-{i}"))));
            }
            invitees
        }
    };
    let pid = match &running {
        Running::Ours { server, .. } => server.pid(),
        Running::Janus(janus) => janus.pid(),
    };
    let (_, rss_before) = usage(pid)?;
    let mut participants = Vec::new();
    let mut offer_answer = Vec::new();
    let mut first_keyframe = Vec::new();
    for (i, invitee) in invitees.iter().enumerate() {
        // Our REST login (through the demo SMS outbox) is not part of the media path: it is not timed.
        let token = match &running {
            Running::Ours { server, .. } => Some(server.login(invitee).await.context("logging in")?),
            Running::Janus(_) => None,
        };
        let started = Instant::now();
        let signalling: Box<dyn Signalling> = match &running {
            Running::Ours { server, .. } => Box::new(Ours::connect(&server.url, token.as_deref().unwrap_or("")).await.context("opening the room socket")?),
            Running::Janus(janus) => Box::new(Janus::connect(&janus.url, invitee.0.parse()?, invitee.1.clone()).await?),
        };
        let (participant, took) = join(signalling, load.ip, recording.clone()).await.context("joining the media")?;
        offer_answer.push(took);
        // The first in each hearing has no one to see yet; everyone after them
        // is timed from opening the signalling to the first keyframe of someone else.
        if i % load.participants != 0 {
            let Some(at) = participant.received.first_keyframe(Duration::from_secs(20)).await else {
                bail!("{}: participant {i} saw no keyframe within 20 s", kind.name());
            };
            first_keyframe.push(at.saturating_duration_since(started));
        }
        participants.push(participant);
    }
    let packets = |participants: &[Participant]| -> u64 {
        participants.iter().map(|p| p.received.packets.load(Ordering::Relaxed)).sum()
    };
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (ticks_before, _) = usage(pid)?;
    let packets_before = packets(&participants);
    let window = Instant::now();
    tokio::time::sleep(Duration::from_secs(load.seconds)).await;
    let elapsed = window.elapsed().as_secs_f64();
    let (ticks_after, rss_after) = usage(pid)?;
    let forwarded = packets(&participants) - packets_before;
    drop(participants);
    drop(running);
    let cpu_seconds = (ticks_after - ticks_before) as f64 / 100.0; // USER_HZ
    let n = load.hearings * load.participants;
    if forwarded == 0 {
        bail!("{}: no packets forwarded during the measurement", kind.name());
    }
    offer_answer.sort();
    first_keyframe.sort();
    Ok(Round {
        kind,
        packets_per_second: forwarded as f64 / elapsed,
        cpu_percent: cpu_seconds / elapsed * 100.0,
        cpu_us_per_packet: cpu_seconds / forwarded as f64 * 1e6,
        kb_per_participant: rss_after.saturating_sub(rss_before) as f64 / n as f64,
        offer_answer,
        first_keyframe,
    })
}

/// The `p` quantile of sorted durations, in milliseconds.
pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1000.0
}

fn janus_version() -> String {
    let output = std::process::Command::new("janus").arg("--version").output();
    let text = output.map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix("Janus version:"))
        .and_then(|v| v.split('(').nth(1))
        .map(|v| v.trim_end_matches(')').to_owned())
        .unwrap_or_default()
}

/// Runs `rounds` rounds of each kind, alternating, and prints the table.
pub async fn run(kinds: &[Kind], rounds: usize, load: &Load, recording: Arc<Recording>) -> anyhow::Result<()> {
    let mut results = Vec::new();
    for r in 1..=rounds {
        for &kind in kinds {
            let result = round(kind, load, &recording).await.with_context(|| format!("round {r}, {}", kind.name()))?;
            println!(
                "round {r} {:<15}: {:>6.0} packets/s, CPU {:>5.1}% of a core, {:>5.1} µs/packet, {:>5.0} kB/participant, offer→answer p50 {:.1} ms, first keyframe p50 {:.0} ms p90 {:.0} ms",
                kind.name(),
                result.packets_per_second,
                result.cpu_percent,
                result.cpu_us_per_packet,
                result.kb_per_participant,
                percentile(&result.offer_answer, 0.5),
                percentile(&result.first_keyframe, 0.5),
                percentile(&result.first_keyframe, 0.9),
            );
            results.push(result);
        }
    }
    let summary = |kind: Kind| {
        let rounds: Vec<&Round> = results.iter().filter(|r| r.kind == kind).collect();
        let mean = |f: &dyn Fn(&Round) -> f64| rounds.iter().map(|r| f(r)).sum::<f64>() / rounds.len() as f64;
        let mut offer_answer: Vec<Duration> = rounds.iter().flat_map(|r| r.offer_answer.iter().copied()).collect();
        let mut first_keyframe: Vec<Duration> = rounds.iter().flat_map(|r| r.first_keyframe.iter().copied()).collect();
        offer_answer.sort();
        first_keyframe.sort();
        [
            mean(&|r| r.cpu_us_per_packet),
            mean(&|r| r.packets_per_second),
            mean(&|r| r.cpu_percent),
            mean(&|r| r.kb_per_participant),
            percentile(&offer_answer, 0.5),
            percentile(&offer_answer, 0.9),
            percentile(&first_keyframe, 0.5),
            percentile(&first_keyframe, 0.9),
        ]
    };
    let rows = [
        ("server CPU per forwarded packet", "µs", 1),
        ("forwarded packets per second", "", 0),
        ("server CPU", "% of a core", 1),
        ("server memory per participant", "kB", 0),
        ("offer → answer, median", "ms", 1),
        ("offer → answer, p90", "ms", 1),
        ("start → first remote keyframe, median", "ms", 0),
        ("start → first remote keyframe, p90", "ms", 0),
    ];
    println!();
    let workers = load.server.media_workers.map_or("one per core".to_owned(), |n| n.to_string());
    println!(
        "{} hearings × {} participants, {} s per round, {} rounds each, alternating; our media workers: {workers}",
        load.hearings, load.participants, load.seconds, rounds
    );
    println!();
    let columns: Vec<String> = kinds
        .iter()
        .map(|k| match k {
            Kind::Janus => format!("Janus {}", janus_version()),
            Kind::Ours => k.name().to_owned(),
        })
        .collect();
    let values: Vec<[f64; 8]> = kinds.iter().map(|&k| summary(k)).collect();
    let ratio = kinds.len() == 2;
    println!("| | {} |{}", columns.join(" | "), if ratio { " ours ÷ Janus |" } else { "" });
    println!("|---|{}{}", "---:|".repeat(columns.len()), if ratio { "---:|" } else { "" });
    for (i, (label, unit, decimals)) in rows.iter().enumerate() {
        let cells: Vec<String> = values.iter().map(|v| format!("{:.*} {unit}", *decimals, v[i]).trim().to_owned()).collect();
        let ratio = if ratio { format!(" {:.2} |", values[0][i] / values[1][i]) } else { String::new() };
        println!("| {label} | {} |{ratio}", cells.join(" | "));
    }
    if ratio {
        // The host's load moves both servers' numbers between rounds; each round's two runs,
        // back to back, saw much the same host.
        let by_round: Vec<String> =
            results.chunks(2).map(|pair| format!("{:.2}", pair[0].cpu_us_per_packet / pair[1].cpu_us_per_packet)).collect();
        println!();
        println!("CPU per forwarded packet, {} ÷ {}, round by round: {}", columns[0], columns[1], by_round.join(", "));
    }
    Ok(())
}
