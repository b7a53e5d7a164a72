use std::io::BufRead;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use cloudtrial_protocol::StaffRole;
use cloudtrial_protocol::api::NewStaffAccount;
use cloudtrial_protocol::hearing_log::{self, CourtKey, HearingLog};
use cloudtrial_server::{Config, SmsConfig, SystemClock};

/// Cloud Trial (云审): online court hearings.
#[derive(Parser)]
#[command(version)]
struct Cli {
    /// Address to serve HTTP on.
    #[arg(long, env = "CLOUDTRIAL_LISTEN", default_value = "127.0.0.1:8080", global = true)]
    listen: SocketAddr,
    /// Where the database (and evidence files) live.
    #[arg(long, env = "CLOUDTRIAL_DATA_DIR", default_value = "./data", global = true)]
    data_dir: PathBuf,
    /// Public base URL used in SMS links (default: http://<listen>).
    #[arg(long, env = "CLOUDTRIAL_PUBLIC_URL")]
    public_url: Option<String>,
    /// The court's name as it appears in SMS notices.
    #[arg(long, env = "CLOUDTRIAL_COURT_NAME", default_value = "天津法院")]
    court_name: String,
    /// The court's offset from UTC in minutes (China: 480), from -720 to 840.
    #[arg(long, env = "CLOUDTRIAL_UTC_OFFSET_MINUTES", default_value_t = 480, value_parser = clap::value_parser!(i32).range(-720..=840))]
    utc_offset_minutes: i32,
    /// Download link for the Android app shown on the landing page.
    #[arg(long, env = "CLOUDTRIAL_ANDROID_APK_URL")]
    android_apk_url: Option<String>,
    /// Name of the iPhone app in the App Store, shown on the landing page.
    #[arg(long, env = "CLOUDTRIAL_IOS_APP_NAME")]
    ios_app_name: Option<String>,
    /// The Android app's application id: with --android-cert-sha256, the SMS link opens the
    /// installed app (Android App Links, /.well-known/assetlinks.json).
    #[arg(long, env = "CLOUDTRIAL_ANDROID_PACKAGE", value_parser = parse_android_package, requires = "android_cert_sha256")]
    android_package: Option<String>,
    /// SHA-256 fingerprint(s) of the Android app's signing certificate, AB:CD:… (repeat or comma-separate for several).
    #[arg(long, env = "CLOUDTRIAL_ANDROID_CERT_SHA256", value_delimiter = ',', value_parser = parse_fingerprint, requires = "android_package")]
    android_cert_sha256: Vec<String>,
    /// The iPhone app, TEAMID.bundle.id (repeat or comma-separate for several): the SMS link opens
    /// the installed app (Universal Links, /.well-known/apple-app-site-association).
    #[arg(long, env = "CLOUDTRIAL_IOS_APP_ID", value_delimiter = ',', value_parser = parse_ios_app_id)]
    ios_app_id: Vec<String>,
    /// Send SMS through this HTTP provider instead of the built-in outbox.
    #[arg(long, env = "CLOUDTRIAL_SMS_HTTP_URL")]
    sms_http_url: Option<String>,
    /// Bearer token for the SMS provider.
    #[arg(long, env = "CLOUDTRIAL_SMS_HTTP_TOKEN", hide_env_values = true)]
    sms_http_token: Option<String>,
    /// JSON body template for the SMS provider; {mobile} and {text} are replaced.
    #[arg(long, env = "CLOUDTRIAL_SMS_HTTP_TEMPLATE")]
    sms_http_template: Option<String>,
    /// Login requests allowed per client address per minute.
    #[arg(long, env = "CLOUDTRIAL_LOGIN_RATE_PER_MINUTE", default_value_t = 30)]
    login_rate_per_minute: u32,
    /// Login code verifications per client address per minute (fewer: only a guesser needs many).
    #[arg(long, env = "CLOUDTRIAL_LOGIN_VERIFICATIONS_PER_MINUTE", default_value_t = 6)]
    login_verifications_per_minute: u32,
    /// Connections one client address may have open at once (behind a reverse proxy every client is the proxy).
    #[arg(long, env = "CLOUDTRIAL_CONNECTIONS_PER_CLIENT", default_value_t = 64)]
    connections_per_client: usize,
    /// IP address the media (WebRTC) sockets bind to.
    #[arg(long, env = "CLOUDTRIAL_MEDIA_IP", default_value = "127.0.0.1")]
    media_ip: std::net::IpAddr,
    /// UDP port or range for media, e.g. 40000 or 40000-40099 (0: any free port).
    #[arg(long, env = "CLOUDTRIAL_MEDIA_UDP_PORTS", default_value = "0", value_parser = parse_ports)]
    media_udp_ports: (u16, u16),
    /// Address announced to clients for media when it differs from --media-ip (NAT): IP, or IP:PORT with one UDP port.
    #[arg(long, env = "CLOUDTRIAL_MEDIA_ANNOUNCE", value_parser = parse_announce)]
    media_announce: Option<(std::net::IpAddr, Option<u16>)>,
    /// TCP port for media when a client's UDP is blocked (ICE-TCP; 0: any free port; "off" to disable).
    #[arg(long, env = "CLOUDTRIAL_MEDIA_TCP_PORT", default_value = "0", value_parser = parse_tcp_port)]
    media_tcp_port: TcpPort,
    /// Media forwarding workers; each hearing is forwarded by one (default: one per core).
    #[arg(long, env = "CLOUDTRIAL_MEDIA_WORKERS")]
    media_workers: Option<usize>,
    /// The CJK font (TTF, OTF or TTC) the signed record PDF is set in; found among the system's fonts when unset.
    #[arg(long, env = "CLOUDTRIAL_RECORD_FONT")]
    record_font: Option<PathBuf>,
    /// The court's seal key, which seals signatures and hearing logs (default:
    /// record-seal.key in the data directory). Made on first start; keep it
    /// apart from the database's backups.
    #[arg(long, env = "CLOUDTRIAL_SEAL_KEY_FILE")]
    seal_key_file: Option<PathBuf>,
    /// For a trial without an SMS provider only: the outbox (GET /api/sms) keeps
    /// login codes so they can be read. Refused together with --sms-http-url.
    #[arg(long, env = "CLOUDTRIAL_TRIAL_SHOW_LOGIN_CODES")]
    trial_show_login_codes: bool,
    /// A reverse proxy whose X-Forwarded-For header names the client (repeat for several).
    #[arg(long, env = "CLOUDTRIAL_TRUSTED_PROXY", value_delimiter = ',')]
    trusted_proxy: Vec<std::net::IpAddr>,
    /// Speech recognition engine: "whisper" (needs --asr-model), or "none".
    #[arg(long, env = "CLOUDTRIAL_ASR_ENGINE", default_value = "none")]
    asr_engine: String,
    /// The speech model: for whisper, a directory with model.bin, config.json and tokenizer.json (CTranslate2 format).
    #[arg(long, env = "CLOUDTRIAL_ASR_MODEL")]
    asr_model: Option<PathBuf>,
    /// Sentences recognised at once (each on --asr-threads threads).
    #[arg(long, env = "CLOUDTRIAL_ASR_WORKERS", default_value_t = 1)]
    asr_workers: usize,
    #[arg(long, env = "CLOUDTRIAL_ASR_THREADS", default_value_t = 2)]
    asr_threads: usize,
    /// Seed a demo court, staff and one booked hearing, and print how to log in
    /// (a trial: implies --trial-show-login-codes).
    #[arg(long)]
    demo: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Manage court staff accounts.
    Staff {
        #[command(subcommand)]
        action: StaffCommand,
    },
    /// Check a hearing log exported from GET /api/hearings/{id}/events, offline, with only the court's public key.
    VerifyLog {
        /// The exported log (JSON).
        file: PathBuf,
        /// The court's Ed25519 public key in base64, as served at GET /api/records/public-key.
        #[arg(long)]
        public_key: String,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Create an account. The password is read from --password, $CLOUDTRIAL_STAFF_PASSWORD, or standard input.
    Add {
        #[arg(long, value_parser = parse_role)]
        role: StaffRole,
        #[arg(long)]
        name: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        mobile: Option<String>,
        #[arg(long, env = "CLOUDTRIAL_STAFF_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// List accounts.
    List,
}

fn parse_ports(s: &str) -> Result<(u16, u16), String> {
    let (first, last) = s.split_once('-').unwrap_or((s, s));
    let first: u16 = first.trim().parse().map_err(|_| format!("not a port: {first}"))?;
    let last: u16 = last.trim().parse().map_err(|_| format!("not a port: {last}"))?;
    if last < first || (first == 0 && last != 0) {
        return Err("a port range is FIRST-LAST with FIRST <= LAST".into());
    }
    Ok((first, last))
}

fn parse_android_package(s: &str) -> Result<String, String> {
    if cloudtrial_server::config::AndroidApp::valid_package(s) {
        Ok(s.to_owned())
    } else {
        Err(format!("not an Android application id: {s}"))
    }
}

fn parse_ios_app_id(s: &str) -> Result<String, String> {
    if cloudtrial_server::config::valid_ios_app_id(s) {
        Ok(s.to_owned())
    } else {
        Err(format!("not an iOS app id (TEAMID.bundle.id, the team id 10 characters): {s}"))
    }
}

fn parse_fingerprint(s: &str) -> Result<String, String> {
    cloudtrial_server::config::AndroidApp::normalize_fingerprint(s)
        .ok_or_else(|| format!("not a SHA-256 certificate fingerprint (32 hex bytes separated by colons): {s}"))
}

fn parse_announce(s: &str) -> Result<(std::net::IpAddr, Option<u16>), String> {
    if let Ok(addr) = s.parse::<SocketAddr>() {
        return Ok((addr.ip(), Some(addr.port())));
    }
    s.parse().map(|ip| (ip, None)).map_err(|_| format!("not an IP address or IP:PORT: {s}"))
}

/// An ICE-TCP port, or `off`.
#[derive(Debug, Clone, Copy)]
struct TcpPort(Option<u16>);

fn parse_tcp_port(s: &str) -> Result<TcpPort, String> {
    if s == "off" {
        return Ok(TcpPort(None));
    }
    s.parse().map(|p| TcpPort(Some(p))).map_err(|_| format!("not a port (or \"off\"): {s}"))
}

fn parse_role(s: &str) -> Result<StaffRole, String> {
    StaffRole::parse(s).ok_or_else(|| "role must be judge, clerk or admin".to_owned())
}

impl Cli {
    fn speech(&self) -> Option<cloudtrial_server::speech::SpeechConfig> {
        use cloudtrial_server::speech::{SpeechConfig, SpeechEngine};
        let engine = match self.asr_engine.as_str() {
            "whisper" => SpeechEngine::Whisper { model: self.asr_model.clone()? },
            _ => return None,
        };
        Some(SpeechConfig { engine, workers: self.asr_workers.max(1), threads: self.asr_threads.max(1) })
    }

    fn config(&self) -> Config {
        let mut config = Config::new(self.data_dir.clone());
        config.listen = self.listen;
        config.public_url = self.public_url.clone().unwrap_or_else(|| format!("http://{}", self.listen));
        config.court_name = self.court_name.clone();
        config.utc_offset_minutes = self.utc_offset_minutes;
        config.android_apk_url = self.android_apk_url.clone();
        config.ios_app_name = self.ios_app_name.clone();
        config.android_app = self.android_package.clone().map(|package| cloudtrial_server::config::AndroidApp {
            package,
            cert_sha256: self.android_cert_sha256.clone(),
        });
        config.ios_app_ids = self.ios_app_id.clone();
        config.limits.login_requests_per_minute = self.login_rate_per_minute;
        config.limits.login_verifications_per_minute = self.login_verifications_per_minute;
        config.limits.connections_per_client = self.connections_per_client;
        config.media.bind_ip = self.media_ip;
        config.media.udp_ports = self.media_udp_ports;
        if let Some((ip, port)) = self.media_announce {
            config.media.announce_ip = Some(ip);
            config.media.announce_port = port;
        }
        config.media.tcp_port = self.media_tcp_port.0;
        config.media.workers = self.media_workers.unwrap_or_else(cloudtrial_server::media::default_workers).max(1);
        config.record_font = self.record_font.clone();
        config.seal_key_file = self.seal_key_file.clone();
        config.trial_show_login_codes = self.trial_show_login_codes || self.demo;
        config.trusted_proxies = self.trusted_proxy.clone();
        config.speech = self.speech();
        if let Some(url) = &self.sms_http_url {
            config.sms = SmsConfig::Http {
                url: url.clone(),
                bearer_token: self.sms_http_token.clone(),
                template: self.sms_http_template.clone(),
            };
        }
        config
    }
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(Command::VerifyLog { file, public_key }) = &cli.command {
        return verify_log(file, public_key, cli.utc_offset_minutes);
    }
    match cli.asr_engine.as_str() {
        "none" => {}
        "whisper" if cli.asr_model.is_some() => {}
        "whisper" => anyhow::bail!("--asr-engine whisper needs --asr-model DIR (a Whisper model in CTranslate2 format)"),
        other => anyhow::bail!("unknown --asr-engine {other}: use whisper or none"),
    }
    if cli.sms_http_url.is_some() && (cli.trial_show_login_codes || cli.demo) {
        anyhow::bail!("--trial-show-login-codes and --demo are for trials without an SMS provider; remove --sms-http-url");
    }
    let mut config = cli.config();
    let listener = match cli.command {
        Some(_) => None,
        None => {
            let listener =
                tokio::net::TcpListener::bind(cli.listen).await.with_context(|| format!("binding {}", cli.listen))?;
            if cli.public_url.is_none() {
                config.public_url = format!("http://{}", listener.local_addr()?);
            }
            Some(listener)
        }
    };
    if cli.command.is_some() {
        config.media.enabled = false;
    }
    let state = cloudtrial_server::build_state(config, Arc::new(SystemClock))
        .await
        .with_context(|| format!("opening data directory {}", cli.data_dir.display()))?;
    match cli.command {
        Some(Command::Staff { action: StaffCommand::Add { role, name, username, mobile, password } }) => {
            let password = match password {
                Some(p) => p,
                None => {
                    eprintln!("Password for {username}:");
                    let mut line = String::new();
                    std::io::stdin().lock().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let account = cloudtrial_server::routes::create_staff_account(
                &state,
                NewStaffAccount { username, name, role, mobile, password },
            )
            .await
            .map_err(|e| anyhow::anyhow!(e.body().message))?;
            println!("created {} {} ({}) id={}", account.role.as_str(), account.username, account.name, account.id);
            Ok(())
        }
        Some(Command::Staff { action: StaffCommand::List }) => {
            let accounts = state.store.call(|conn| cloudtrial_server::store::staff::list(conn)).await?;
            for a in accounts {
                println!("{:>4}  {:<6} {:<16} {} {}", a.id, a.role.as_str(), a.username, a.name, a.mobile.unwrap_or_default());
            }
            Ok(())
        }
        Some(Command::VerifyLog { .. }) => unreachable!("checked without opening the data directory"),
        None => serve(listener.expect("bound above"), cli.demo, state).await,
    }
}

fn verify_log(file: &Path, public_key: &str, utc_offset_minutes: i32) -> anyhow::Result<()> {
    let key = CourtKey::from_base64(public_key).context("--public-key is not an Ed25519 public key in base64")?;
    let text = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let log: HearingLog =
        serde_json::from_slice(&text).with_context(|| format!("{} is not an exported hearing log", file.display()))?;
    let verified = hearing_log::verify(&log, &key.0)
        .map_err(|e| anyhow::anyhow!("the log of hearing {} does NOT verify: {e}", log.hearing_id))?;
    let time = |ms: Option<i64>| {
        ms.map(|ms| cloudtrial_server::clock::local_date_time(ms, utc_offset_minutes)).unwrap_or_else(|| "-".into())
    };
    println!("The log of hearing {} verifies: intact, in order, and sealed by the court's key.", verified.hearing_id);
    println!(
        "  {} entries (1 to {}), from {} to {}",
        verified.entries,
        verified.entries,
        time(verified.first_at_ms),
        time(verified.last_at_ms)
    );
    println!("  {} checkpoints; the last entry was signed at {}", verified.checkpoints, time(verified.sealed_at_ms));
    if let Some(head) = verified.head {
        println!("  last entry's hash: {head}");
    }
    Ok(())
}

async fn serve(listener: tokio::net::TcpListener, demo: bool, state: cloudtrial_server::AppState) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    if demo {
        let seeded = cloudtrial_server::demo::seed(&state).await.map_err(|e| anyhow::anyhow!(e.to_string()))?;
        println!("{}", cloudtrial_server::demo::instructions(&seeded, &state.config.public_url));
    }
    if !state.record.font_available().await {
        eprintln!(
            "warning: no CJK font found for signed record PDFs; install fonts-noto-cjk or pass --record-font"
        );
    }
    let missing = cloudtrial_server::evidence::pdf_pages::missing_tools();
    if !missing.is_empty() {
        eprintln!("warning: {} not found: PDF evidence cannot be shown as pages; install poppler-utils", missing.join(" and "));
    }
    tracing::info!(%addr, data_dir = %state.config.data_dir.display(), "Cloud Trial server listening");
    println!("Cloud Trial server listening on http://{addr}");
    cloudtrial_server::serve(listener, state, shutdown_signal()).await?;
    tracing::info!("server stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
