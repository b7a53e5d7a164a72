//! Our server as its own process: started in demo mode, hearings booked by
//! the clerk, participants logged in through the demo SMS outbox.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};
use serde_json::{Value, json};

pub struct Server {
    child: Child,
    pub url: String,
    clerk: String,
    http: reqwest::Client,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How our server is run.
#[derive(Clone)]
pub struct ServerOptions {
    pub binary: PathBuf,
    /// `--media-workers`; the server's default (one per core) when `None`.
    pub media_workers: Option<usize>,
}

/// A participant to be: the hearing's meeting number and their mobile.
pub type Invitee = (String, String);

impl Server {
    /// Starts the server with its HTTP and media (UDP only) on `ip`.
    pub async fn start(options: &ServerOptions, data: &Path, ip: IpAddr) -> anyhow::Result<Self> {
        let binary = &options.binary;
        let mut child = Command::new(binary)
            .args(["--demo", "--login-rate-per-minute", "1000000", "--login-verifications-per-minute", "1000000"])
            .args(["--connections-per-client", "100000"])
            .arg("--listen")
            .arg(format!("{ip}:0"))
            .arg("--media-ip")
            .arg(ip.to_string())
            .args(options.media_workers.map(|n| format!("--media-workers={n}")))
            .arg("--data-dir")
            .arg(data)
            .env("RUST_LOG", std::env::var("BENCH_SERVER_LOG").unwrap_or_else(|_| "error".into()))
            .stdout(Stdio::piped())
            .stderr(std::env::var_os("BENCH_SERVER_LOG").map_or_else(Stdio::null, |_| Stdio::inherit()))
            .spawn()
            .with_context(|| format!("starting {} (build it with cargo build --release -p cloudtrial-server)", binary.display()))?;
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

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub async fn api(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
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

    /// Books `hearings` hearings of `participants` each, for tomorrow; the
    /// invitees in joining order, hearing by hearing.
    pub async fn book(&self, hearings: usize, participants: usize) -> anyhow::Result<Vec<Invitee>> {
        let tomorrow = tomorrow()?;
        let roles = ["presiding_judge", "plaintiff", "defendant", "plaintiff_agent", "defendant_agent", "third_party", "witness", "clerk"];
        let mut invitees = Vec::new();
        for hearing in 0..hearings {
            let people: Vec<Value> = (0..participants)
                .map(|i| json!({"name": format!("参与人{hearing}-{i}"), "role": roles[i % roles.len()], "mobile": format!("137{:04}{:04}", hearing, i)}))
                .collect();
            let booked = self
                .api(
                    reqwest::Method::POST,
                    "/api/hearings",
                    Some(json!({"case_number": format!("（2026）压测{hearing}号"), "case_title": "压力测试", "courtroom": "测试庭",
                        "scheduled_at": tomorrow, "participants": people})),
                )
                .await?;
            let meeting = booked["meeting_number"].as_str().context("meeting number")?.to_owned();
            for i in 0..participants {
                invitees.push((meeting.clone(), format!("137{:04}{:04}", hearing, i)));
            }
        }
        Ok(invitees)
    }

    /// The login code the demo server "texted" to `mobile`.
    pub async fn login_code(&self, mobile: &str) -> anyhow::Result<String> {
        let outbox = self.api(reqwest::Method::GET, &format!("/api/sms?mobile={mobile}"), None).await?;
        let text = outbox[0]["text"].as_str().context("login SMS")?;
        Ok(text.split('：').nth(1).context("code")?.chars().take(6).collect())
    }

    /// Logs a participant in over REST, as the apps do; their session token.
    pub async fn login(&self, (meeting, mobile): &Invitee) -> anyhow::Result<String> {
        let url = &self.url;
        let sent: Value = self
            .http
            .post(format!("{url}/api/login/code"))
            .json(&json!({"meeting_number": meeting, "mobile": mobile}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let challenge = sent["challenge"].as_str().context("challenge")?;
        let code = self.login_code(mobile).await?;
        let session: Value = self
            .http
            .post(format!("{url}/api/login/verify"))
            .json(&json!({"meeting_number": meeting, "mobile": mobile, "code": code, "challenge": challenge, "device": "other"}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(session["token"].as_str().context("session token")?.to_owned())
    }
}

/// (utime + stime) in clock ticks, and resident memory in kB, of a process, from /proc.
pub fn usage(pid: u32) -> anyhow::Result<(u64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks = fields[11].parse::<u64>()? + fields[12].parse::<u64>()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    Ok((ticks, rss))
}

/// Tomorrow at 09:30 in China, as the booking form wants it.
fn tomorrow() -> anyhow::Result<String> {
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
    Ok(format!("{year:04}-{month:02}-{day:02} 09:30"))
}
