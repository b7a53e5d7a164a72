use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use cloudtrial_protocol::StaffRole;
use cloudtrial_protocol::api::NewStaffAccount;
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
    /// The court's offset from UTC in minutes (China: 480).
    #[arg(long, env = "CLOUDTRIAL_UTC_OFFSET_MINUTES", default_value_t = 480)]
    utc_offset_minutes: i32,
    /// Download link for the Android app shown on the landing page.
    #[arg(long, env = "CLOUDTRIAL_ANDROID_APK_URL")]
    android_apk_url: Option<String>,
    /// Name of the iPhone app in the App Store.
    #[arg(long, env = "CLOUDTRIAL_IOS_APP_NAME", default_value = "天津云审")]
    ios_app_name: String,
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
    /// Seed a demo court, staff and one booked hearing, and print how to log in.
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

fn parse_role(s: &str) -> Result<StaffRole, String> {
    StaffRole::parse(s).ok_or_else(|| "role must be judge, clerk or admin".to_owned())
}

impl Cli {
    fn config(&self) -> Config {
        let mut config = Config::new(self.data_dir.clone());
        config.listen = self.listen;
        config.public_url = self.public_url.clone().unwrap_or_else(|| format!("http://{}", self.listen));
        config.court_name = self.court_name.clone();
        config.utc_offset_minutes = self.utc_offset_minutes;
        config.android_apk_url = self.android_apk_url.clone();
        config.ios_app_name = self.ios_app_name.clone();
        config.limits.login_requests_per_minute = self.login_rate_per_minute;
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
    let state = cloudtrial_server::build_state(config, Arc::new(SystemClock))
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
        None => serve(listener.expect("bound above"), cli.demo, state).await,
    }
}

async fn serve(listener: tokio::net::TcpListener, demo: bool, state: cloudtrial_server::AppState) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    if demo {
        let seeded = cloudtrial_server::demo::seed(&state).await.map_err(|e| anyhow::anyhow!(e.to_string()))?;
        println!("{}", cloudtrial_server::demo::instructions(&seeded, &state.config.public_url));
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
