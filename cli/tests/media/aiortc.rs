//! An independent WebRTC implementation in the hearing: aiortc (Python, from
//! PyPI, see tests/interop) next to a command-line participant (the core,
//! webrtc-rs), through the SFU (str0m). Each sees and hears the other, and
//! aiortc gets no remote track carrying its own ids.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use cloudtrial_core::media::synthetic::nearest_colour;
use cloudtrial_testkit::{JUDGE, PLAINTIFF, TestCourt};
use serde_json::Value;
use tokio::sync::mpsc;

use crate::harness::*;

fn interop() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into())).join("../tests/interop")
}

/// The aiortc participant (`tests/interop/aiortc_participant.py`) and its status lines.
struct Aiortc {
    child: Child,
    lines: mpsc::UnboundedReceiver<Value>,
    last: Value,
}

impl Aiortc {
    /// Installs aiortc into .tools/aiortc the first time (before any court's clock runs).
    fn install() {
        let status = Command::new(interop().join("with-aiortc.sh")).args(["-c", "import aiortc"]).status().expect("with-aiortc.sh runs");
        assert!(status.success(), "aiortc installs from PyPI");
    }

    async fn join(court: &TestCourt, mobile: &str, rgb: (u8, u8, u8), tone: u32) -> Self {
        let login = court.request_code(mobile).await;
        let mut child = Command::new(interop().join("with-aiortc.sh"))
            .arg(interop().join("aiortc_participant.py"))
            .args(["--server", &court.base_url(), "--meeting", &court.meeting_number(), "--mobile", mobile, "--code", &login.code, &format!("--challenge={}", login.challenge)])
            .args(["--rgb", &format!("{},{},{}", rgb.0, rgb.1, rgb.2), "--tone", &tone.to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .expect("the aiortc participant starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(value) = serde_json::from_str::<Value>(&line)
                    && tx.send(value).is_err()
                {
                    break;
                }
            }
        });
        Self { child, lines, last: Value::Null }
    }

    async fn until(&mut self, what: &str, seconds: u64, check: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
        loop {
            let line = tokio::time::timeout_at(deadline, self.lines.recv()).await;
            let Ok(Some(line)) = line else { panic!("timed out waiting for {what}; last status {:#}", self.last) };
            if line["type"] == "status" {
                self.last = line.clone();
                if check(&line) {
                    return line;
                }
            }
        }
    }
}

impl Drop for Aiortc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What aiortc's status says it receives from `from`: the palette colour and the tone.
fn aiortc_sees_and_hears(status: &Value, from: i64, colour: &str, tone: f64) -> bool {
    let Some(r) = status["received"].as_array().and_then(|r| r.iter().find(|r| r["participant_id"] == from)) else { return false };
    let rgb = |i: usize| r["rgb"][i].as_u64().map(|c| c as u8);
    let seen = match (rgb(0), rgb(1), rgb(2)) {
        (Some(red), Some(green), Some(blue)) => nearest_colour((red, green, blue)),
        _ => "?",
    };
    r["video_frames"].as_u64().unwrap_or(0) >= 30 && seen == colour && r["tone_hz"].as_f64().is_some_and(|f| (f - tone).abs() < 15.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_aiortc_participant_and_a_cli_participant_see_and_hear_each_other() {
    Aiortc::install();
    let _turn = one_at_a_time().await;
    let court = TestCourt::start().await;
    let mut judge = Cli::join(&court, &JUDGE, Options { colour: "red", tone: 440, extra: &["--bind", "127.0.0.1"] }).await;
    let mut plaintiff = Aiortc::join(&court, PLAINTIFF.mobile, (230, 220, 40), 660).await;
    let (j, p) = (judge.id, court.participant_id(&PLAINTIFF));

    let seen = judge.until("the judge sees yellow and hears 660 Hz from aiortc", 60, |s| sees_and_hears(s, p, 30, "yellow", 660)).await;
    assert_eq!(received(&seen, p).unwrap()["width"], 320);
    let status = plaintiff.until("aiortc sees red and hears 440 Hz from the judge", 60, |s| aiortc_sees_and_hears(s, j, "red", 440.0)).await;

    // Only the judge's two tracks, none carrying aiortc's own ids (no phantom tracks).
    let tracks = status["tracks"].as_array().unwrap();
    assert_eq!(tracks.len(), 2, "aiortc has a remote track per track the judge publishes, and no other: {tracks:#?}");
    for track in tracks {
        assert_eq!(track["stream_id"], format!("p{j}"), "{track}");
    }
    assert_eq!(status["own_ids_echoed"], serde_json::json!([]), "the server never says it sends on aiortc's own ids");
}
