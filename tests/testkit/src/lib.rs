//! A court for tests: a real server on a loopback port, its SQLite database in
//! a temporary directory, a clerk account and a booked hearing. Tests drive
//! clients against it and read login codes from its SMS outbox, as a
//! participant reads them from their phone.

use std::sync::Arc;

use cloudtrial_protocol::api::{
    BookHearingRequest, Hearing, NewParticipant, NewStaffAccount, SmsKind, StaffAccount,
};
use cloudtrial_protocol::{ParticipantRole, StaffRole};
use cloudtrial_server::store::{self, events::EventActor};
use cloudtrial_server::{Clock, Config, ManualClock, RunningServer};

pub mod documents;
pub mod photos;
pub mod relay;
pub mod udp_relay;

/// Sends logs to the test's output, filtered by `RUST_LOG` (default: warnings).
pub fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_test_writer()
        .try_init();
}

pub use cloudtrial_server;
pub use relay::{Link, TcpRelay};
pub use udp_relay::{Impairment, UdpRelay};

#[derive(Debug, Clone, Copy)]
pub struct Party {
    pub role: ParticipantRole,
    pub name: &'static str,
    pub mobile: &'static str,
}

pub const JUDGE: Party = Party { role: ParticipantRole::PresidingJudge, name: "王法官", mobile: "13900000001" };
pub const CLERK: Party = Party { role: ParticipantRole::Clerk, name: "李书记", mobile: "13900000002" };
pub const PLAINTIFF: Party = Party { role: ParticipantRole::Plaintiff, name: "张三", mobile: "13800000001" };
pub const DEFENDANT: Party = Party { role: ParticipantRole::Defendant, name: "李四", mobile: "13800000002" };

/// A login code asked for, with the challenge its request was answered.
#[derive(Debug, Clone)]
pub struct LoginCode {
    pub challenge: String,
    pub code: String,
}

pub struct TestCourt {
    server: Option<RunningServer>,
    dir: tempfile::TempDir,
    pub clock: ManualClock,
    pub config: Config,
    pub clerk: StaffAccount,
    pub hearing: Hearing,
}

impl TestCourt {
    /// A court with one hearing whose participants are a judge, a clerk, a plaintiff and a defendant.
    pub async fn start() -> Self {
        Self::start_with(&[JUDGE, CLERK, PLAINTIFF, DEFENDANT], |_| {}).await
    }

    pub async fn start_with(parties: &[Party], tweak: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut config = Config::new(dir.path().join("server"));
        config.trial_show_login_codes = true;
        config.listen = "127.0.0.1:0".parse().unwrap();
        config.limits.login_requests_per_minute = 100_000;
        config.limits.login_verifications_per_minute = 100_000;
        // The hearing (id 1) on the second of three media workers, each with a socket of its own.
        config.media.workers = 3;
        tweak(&mut config);
        let clock = ManualClock::new();
        let server = RunningServer::start(config.clone(), Arc::new(clock.clone())).await.expect("server starts");
        let state = server.state.clone();
        let clerk = cloudtrial_server::routes::create_staff_account(
            &state,
            NewStaffAccount {
                username: "clerk".into(),
                name: "李书记".into(),
                role: StaffRole::Clerk,
                mobile: None,
                password: "clerk password".into(),
            },
        )
        .await
        .expect("clerk account");
        let hearing = book(&state, &clock, &config, &clerk, "（2026）津0101民初88号", parties).await;
        Self { server: Some(server), dir, clock, config, clerk, hearing }
    }

    /// Books another hearing in this court, for tomorrow.
    pub async fn book(&self, case_number: &str, parties: &[Party]) -> Hearing {
        book(&self.server().state, &self.clock, &self.config, &self.clerk, case_number, parties).await
    }

    pub fn server(&self) -> &RunningServer {
        self.server.as_ref().expect("server running")
    }

    /// The clerk cancels the hearing (取消庭审), as from the console.
    pub async fn cancel(&self) {
        let clerk = EventActor::Staff { id: self.clerk.id, name: self.clerk.name.clone() };
        cloudtrial_server::booking::cancel(&self.server().state, clerk, self.hearing.id).await.expect("cancelled");
    }

    pub fn base_url(&self) -> String {
        self.server().base_url()
    }

    pub fn meeting_number(&self) -> String {
        self.hearing.meeting_number.to_string()
    }

    /// A directory for a client's local data, inside this court's temporary directory.
    pub fn client_dir(&self, name: &str) -> std::path::PathBuf {
        let path = self.dir.path().join("clients").join(name);
        std::fs::create_dir_all(&path).unwrap();
        path
    }

    /// The code in the newest login SMS sent to `mobile`.
    pub async fn latest_code(&self, mobile: &str) -> Option<String> {
        let mobile = mobile.to_owned();
        let messages = self
            .server()
            .state
            .store
            .call(move |conn| store::sms::list(conn, None, Some(&mobile)))
            .await
            .expect("outbox readable");
        messages.into_iter().find(|m| m.kind == SmsKind::LoginCode).map(|m| code_in(&m.text))
    }

    /// Asks the server for a login code for `mobile` (as the app does): the
    /// challenge it answered, and the code from the outbox.
    pub async fn request_code(&self, mobile: &str) -> LoginCode {
        self.request_code_from(mobile, "127.0.0.1".parse().unwrap()).await
    }

    /// The same, from a client on another network.
    pub async fn request_code_from(&self, mobile: &str, client: std::net::IpAddr) -> LoginCode {
        let state = self.server().state.clone();
        let request = cloudtrial_protocol::api::LoginCodeRequest {
            meeting_number: self.hearing.meeting_number,
            mobile: mobile.to_owned(),
        };
        let sent = cloudtrial_server::login::request_code(&state, client, request).await.expect("code sent");
        LoginCode { challenge: sent.challenge, code: self.latest_code(mobile).await.expect("code in the outbox") }
    }

    /// A fresh session token for `party`, through 会议号登录 (a code, then its verification).
    pub async fn session_token(&self, party: &Party) -> String {
        let LoginCode { challenge, code } = self.request_code(party.mobile).await;
        let request = cloudtrial_protocol::api::LoginVerifyRequest {
            meeting_number: self.hearing.meeting_number,
            mobile: party.mobile.to_owned(),
            code,
            challenge,
            device: cloudtrial_protocol::api::DeviceKind::PcBrowser,
        };
        let state = self.server().state.clone();
        cloudtrial_server::login::verify_code(&state, "127.0.0.1".parse().unwrap(), request).await.expect("logged in").token
    }

    pub fn participant_id(&self, party: &Party) -> i64 {
        self.hearing.participants.iter().find(|p| p.mobile == party.mobile).expect("booked").id
    }

    /// Stops the server (its port closes); `restart` brings it back on the same data and port.
    pub async fn stop(&mut self) {
        let server = self.server.take().expect("server running");
        self.config.listen = server.addr;
        server.stop().await.expect("server stops cleanly");
    }

    pub async fn restart(&mut self) {
        if self.server.is_some() {
            self.stop().await;
        }
        self.server = Some(RunningServer::start(self.config.clone(), Arc::new(self.clock.clone())).await.expect("restart"));
    }
}

async fn book(
    state: &cloudtrial_server::state::AppState,
    clock: &ManualClock,
    config: &Config,
    clerk: &StaffAccount,
    case_number: &str,
    parties: &[Party],
) -> Hearing {
    let tomorrow = cloudtrial_server::clock::local_date(clock.now_ms() + 86_400_000, config.utc_offset_minutes);
    let request = BookHearingRequest {
        case_number: case_number.into(),
        case_title: "张三诉李四民间借贷纠纷".into(),
        courtroom: "第一法庭".into(),
        scheduled_at: format!("{tomorrow} 09:30").parse().unwrap(),
        participants: parties
            .iter()
            .map(|p| NewParticipant {
                name: p.name.into(),
                role: p.role,
                mobile: p.mobile.into(),
                staff_id: None,
            })
            .collect(),
    };
    let actor = EventActor::Staff { id: clerk.id, name: clerk.name.clone() };
    cloudtrial_server::booking::book(state, actor, Some(clerk.id), request).await.expect("booking")
}

/// The six digits in a login SMS.
pub fn code_in(text: &str) -> String {
    let start = text.find('：').expect("code follows a colon") + '：'.len_utf8();
    text[start..].chars().take_while(char::is_ascii_digit).collect()
}

/// The real Mandarin recording in `shared/speech` and what is said in it.
pub fn speech_recording() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/speech/aishell1-BAC009S0764W0121.wav")
}

pub const SPEECH_TRANSCRIPT: &str = "甚至出现交易几乎停滞的情况";

/// The most character error a live test accepts on the recording: two of its
/// thirteen characters. Through the live path Whisper base gets none, one or
/// two wrong depending on where the sentence falls among the packets, and
/// never more in the accuracy bench's 80 starts (`speech/benches/accuracy.rs`).
pub const SPEECH_MAX_CER: f32 = 2.0 / 13.0;

/// The Whisper model `scripts/install-speech-model` installs, for a court with speech recognition.
pub fn speech_config() -> cloudtrial_server::speech::SpeechConfig {
    let model = std::env::var_os("CLOUDTRIAL_WHISPER_MODEL")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from("/var/tmp/cloudtrial-models/whisper-base"));
    assert!(model.join("model.bin").exists(), "no Whisper model at {}: run scripts/install-speech-model", model.display());
    cloudtrial_server::speech::SpeechConfig {
        engine: cloudtrial_server::speech::SpeechEngine::Whisper { model },
        workers: 1,
        threads: 2,
    }
}
