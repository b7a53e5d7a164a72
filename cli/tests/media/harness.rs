use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;

use cloudtrial_testkit::{Party, TestCourt};
use serde_json::Value;
use tokio::sync::mpsc;

const BIN: &str = env!("CARGO_BIN_EXE_cloudtrial-participant");

/// Media scenarios take turns: each runs several encoding and decoding
/// processes, and measurements of freezes mean nothing on a starved CPU.
pub async fn one_at_a_time() -> tokio::sync::MutexGuard<'static, ()> {
    static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    TURN.lock().await
}

/// A `cloudtrial-participant` process and its JSON status lines.
pub struct Cli {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::UnboundedReceiver<Value>,
    /// Where the process's standard error goes, to show if it ends unexpectedly.
    stderr: std::path::PathBuf,
    pub id: i64,
    pub last: Option<Value>,
}

pub struct Options<'a> {
    pub colour: &'a str,
    pub tone: u32,
    pub extra: &'a [&'a str],
}

impl Cli {
    pub async fn join(court: &TestCourt, party: &Party, options: Options<'_>) -> Self {
        Self::join_at(court, &court.base_url(), party, options).await
    }

    pub async fn join_at(court: &TestCourt, base_url: &str, party: &Party, options: Options<'_>) -> Self {
        let login = court.request_code(party.mobile).await;
        let data_dir = court.client_dir(&format!("cli-{}", party.mobile));
        let mut child = Command::new(BIN)
            .args(["--server", base_url, "--meeting", &court.meeting_number(), "--mobile", party.mobile])
            // `=`: a challenge may start with a dash.
            .args(["--code", &login.code, &format!("--challenge={}", login.challenge), "--json", "--size", "160x120", "--fps", "15"])
            .args(["--colour", options.colour, "--tone", &options.tone.to_string()])
            .args(["--data-dir", data_dir.to_str().unwrap()])
            .args(options.extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(data_dir.join("stderr.log")).expect("a log file"))
            .spawn()
            .expect("cloudtrial-participant starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Ok(value) = serde_json::from_str::<Value>(&line)
                    && tx.send(value).is_err() {
                        break;
                    }
            }
        });
        Self { child, stdin, lines, stderr: data_dir.join("stderr.log"), id: court.participant_id(party), last: None }
    }

    pub fn command(&mut self, line: &str) {
        writeln!(self.stdin, "{line}").expect("the participant reads commands");
    }

    /// Sends a command and waits for its result line; `Err` is the participant's error message.
    pub async fn run(&mut self, line: &str) -> Result<(), String> {
        self.command(line);
        loop {
            let value = self.next().await;
            match value["type"].as_str() {
                Some("ok") if value["command"] == line => return Ok(()),
                Some("error") if value["command"] == line => return Err(value["message"].as_str().unwrap_or("").to_owned()),
                _ => continue,
            }
        }
    }

    async fn next(&mut self) -> Value {
        let value = tokio::time::timeout(Duration::from_secs(30), self.lines.recv())
            .await
            .expect("a line from the participant within 30 s");
        let Some(value) = value else {
            let log = std::fs::read_to_string(&self.stderr).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(30).collect();
            panic!("the participant ended ({:?}); its last words:\n{}", self.child.try_wait(), tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
        };
        if value["type"] == "status" {
            self.last = Some(value.clone());
        }
        value
    }

    /// The newest status line, reading past any queued ones (waits for one if none came yet).
    pub async fn latest(&mut self) -> Value {
        while let Ok(value) = self.lines.try_recv() {
            if value["type"] == "status" {
                self.last = Some(value);
            }
        }
        match self.last.clone() {
            Some(last) => last,
            None => self.until("a first status", 30, |_| true).await,
        }
    }

    /// Waits (up to `seconds`) for a status line satisfying `check`.
    pub async fn until(&mut self, what: &str, seconds: u64, check: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
        loop {
            assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}; last status {:#}", self.last.clone().unwrap_or_default());
            let value = tokio::time::timeout_at(deadline, self.next()).await;
            let Ok(value) = value else { continue };
            if value["type"] == "status" && check(&value) {
                return value;
            }
        }
    }
}

impl Drop for Cli {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a status says was received from participant `from`.
pub fn received(status: &Value, from: i64) -> Option<&Value> {
    status["received"].as_array()?.iter().find(|r| r["participant_id"] == from)
}

pub fn video_frames(status: &Value, from: i64) -> u64 {
    received(status, from).and_then(|r| r["video_frames"].as_u64()).unwrap_or(0)
}

/// Has decoded at least `frames` video frames of `colour`, and the audio that came with them
/// in `tone`, from `from`.
pub fn sees_and_hears(status: &Value, from: i64, frames: u64, colour: &str, tone: u32) -> bool {
    let Some(r) = received(status, from) else { return false };
    let (video, audio) = (r["video_frames"].as_u64().unwrap_or(0), r["audio_frames"].as_u64().unwrap_or(0));
    // Audio runs at 50 frames a second, video at 15 (30 from aiortc): hearing means all of it,
    // not a frame now and then.
    video >= frames
        && audio >= video
        && r["colour"] == colour
        && r["tone_hz"].as_f64().is_some_and(|f| (f - f64::from(tone)).abs() < 15.0)
}

/// The network quality (良好 / 一般 / 较差) a status shows for participant `id`.
pub fn network_of(status: &Value, id: i64) -> Option<String> {
    status["participants"].as_array()?.iter().find(|p| p["id"] == id)?["network"].as_str().map(str::to_owned)
}
