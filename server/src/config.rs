use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Everything the server needs to know at start-up.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// Base of links sent by SMS, e.g. `https://yunshen.court.example`.
    pub public_url: String,
    pub court_name: String,
    /// The court's offset from UTC, for "today" in the console.
    pub utc_offset_minutes: i32,
    /// Where the Android APK can be downloaded (shown on the landing page).
    pub android_apk_url: Option<String>,
    /// The iPhone app's App Store name (shown on the landing page when set).
    pub ios_app_name: Option<String>,
    /// The Android app that opens the SMS link itself (Android App Links):
    /// served in `/.well-known/assetlinks.json` when set with its certificates.
    pub android_app: Option<AndroidApp>,
    /// The iPhone app's ids (`TEAMID.bundle.id`) that open the SMS link
    /// themselves (Universal Links): served in `/.well-known/apple-app-site-association`.
    pub ios_app_ids: Vec<String>,
    pub sms: SmsConfig,
    /// A trial without an SMS provider (`--demo`, `--trial-show-login-codes`):
    /// the outbox keeps login codes so they can be read. Never with a provider.
    pub trial_show_login_codes: bool,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub limits: Limits,
    pub media: crate::media::MediaConfig,
    pub evidence: EvidenceLimits,
    /// The CJK font of the signed record PDF; found among the system's fonts when unset.
    pub record_font: Option<PathBuf>,
    /// The court's seal key (see `record::seal`); by default `record-seal.key`
    /// in the data directory. Keep it out of the database's backups.
    pub seal_key_file: Option<PathBuf>,
    /// Live speech recognition; `None` runs without it (the panel says so).
    pub speech: Option<crate::speech::SpeechConfig>,
}

/// Sizes of evidence files and how uploads behave.
#[derive(Debug, Clone)]
pub struct EvidenceLimits {
    /// Largest file of each kind, in bytes.
    pub image: u64,
    pub pdf: u64,
    pub document: u64,
    pub audio: u64,
    pub video: u64,
    /// Largest chunk one request may carry.
    pub max_chunk: u64,
    /// An upload untouched this long is forgotten and its partial file removed.
    pub upload_expiry: Duration,
    /// Uploads one participant may have in progress at once, and their declared bytes in all.
    pub open_uploads_per_participant: u64,
    pub open_upload_bytes_per_participant: u64,
    pub images: crate::evidence::images::ImageLimits,
}

impl EvidenceLimits {
    pub fn largest(&self) -> u64 {
        [self.image, self.pdf, self.document, self.audio, self.video].into_iter().max().unwrap_or(0)
    }

    pub fn for_kind(&self, kind: cloudtrial_protocol::evidence::EvidenceKind) -> u64 {
        use cloudtrial_protocol::evidence::EvidenceKind::*;
        match kind {
            Image => self.image,
            Pdf => self.pdf,
            Document => self.document,
            Audio => self.audio,
            Video => self.video,
            // The server decides kinds from bytes and never produces one it does not know.
            Unknown => 0,
        }
    }
}

impl Default for EvidenceLimits {
    fn default() -> Self {
        const MB: u64 = 1 << 20;
        Self {
            image: 50 * MB,
            pdf: 100 * MB,
            document: 50 * MB,
            audio: 200 * MB,
            video: 1024 * MB,
            max_chunk: 4 * MB,
            upload_expiry: Duration::from_secs(24 * 3600),
            open_uploads_per_participant: 20,
            open_upload_bytes_per_participant: 2048 * MB,
            images: Default::default(),
        }
    }
}

/// The court's Android app, for Android App Links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AndroidApp {
    /// The application id, e.g. `court.cloudtrial.app`.
    pub package: String,
    /// SHA-256 fingerprints of the signing certificates, `AB:CD:…` (32 bytes, as `keytool -list` prints them).
    pub cert_sha256: Vec<String>,
}

/// An iOS app id as Apple writes it in `apple-app-site-association`: the ten-character
/// team id, a dot, and the bundle id (`A1B2C3D4E5.court.cloudtrial.app`).
pub fn valid_ios_app_id(id: &str) -> bool {
    let Some((team, bundle)) = id.split_once('.') else { return false };
    team.len() == 10
        && team.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && !bundle.is_empty()
        && bundle.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
}

impl AndroidApp {
    /// An application id as Android accepts it: dot-separated Java identifiers, at least two.
    pub fn valid_package(package: &str) -> bool {
        let parts: Vec<&str> = package.split('.').collect();
        parts.len() >= 2
            && parts.iter().all(|p| {
                p.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                    && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
    }

    /// A fingerprint in the `AB:CD:…` form, uppercased; `None` if it is not 32 hex bytes.
    pub fn normalize_fingerprint(fingerprint: &str) -> Option<String> {
        let bytes: Vec<&str> = fingerprint.trim().split(':').collect();
        (bytes.len() == 32 && bytes.iter().all(|b| b.len() == 2 && b.chars().all(|c| c.is_ascii_hexdigit())))
            .then(|| bytes.join(":").to_ascii_uppercase())
    }
}

#[derive(Debug, Clone)]
pub enum SmsConfig {
    /// Store every message in the database only.
    Outbox,
    /// POST each message to a provider.
    Http { url: String, bearer_token: Option<String>, template: Option<String> },
}

/// Security-relevant limits. Defaults are the production values.
#[derive(Debug, Clone)]
pub struct Limits {
    pub login_code_ttl: Duration,
    pub login_code_resend_after: Duration,
    /// Wrong guesses each login code allows; the one that uses them up burns the code.
    pub login_max_attempts: u32,
    /// Login codes one meeting number and mobile number may get per window
    /// from one network; from all networks together, twice as many.
    pub login_codes_per_window: u32,
    pub login_code_window: Duration,
    /// Login requests (code, verify, staff login) per client address per minute.
    pub login_requests_per_minute: u32,
    /// Code verifications per client address per minute: fewer, since only a guesser needs many.
    pub login_verifications_per_minute: u32,
    /// Wrong staff passwords in a row before the account is locked, and for how long.
    pub staff_login_max_failures: u32,
    pub staff_login_lock: Duration,
    pub participant_session_ttl: Duration,
    pub staff_session_ttl: Duration,
    /// Largest JSON body accepted.
    pub json_body_bytes: usize,
    /// Connections one client (IPv4 address or IPv6 /64) may have open at once; more are closed when accepted.
    pub connections_per_client: usize,
    /// A connection that has not sent a whole request head this long after the server began waiting for one is closed.
    pub request_header_timeout: Duration,
    /// A request body has this long, plus what it brought at `body_min_bytes_per_second`, to arrive.
    pub body_grace: Duration,
    pub body_min_bytes_per_second: u64,
    /// After a shutdown begins, requests in flight have this long to finish.
    pub shutdown_grace: Duration,
    /// How long a QR signing link stays valid; the signing page renews it
    /// while it is in use, up to `signing_link_max_lifetime` after it was issued.
    pub signing_link_ttl: Duration,
    pub signing_link_max_lifetime: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            login_code_ttl: Duration::from_secs(5 * 60),
            login_code_resend_after: Duration::from_secs(60),
            login_max_attempts: 5,
            login_codes_per_window: 6,
            login_code_window: Duration::from_secs(3600),
            login_requests_per_minute: 30,
            login_verifications_per_minute: 6,
            staff_login_max_failures: 5,
            staff_login_lock: Duration::from_secs(15 * 60),
            participant_session_ttl: Duration::from_secs(7 * 24 * 3600),
            staff_session_ttl: Duration::from_secs(12 * 3600),
            json_body_bytes: 64 * 1024,
            connections_per_client: 64,
            request_header_timeout: Duration::from_secs(10),
            body_grace: Duration::from_secs(20),
            // 16 kbit/s: slower than any phone network a party joins from.
            body_min_bytes_per_second: 2 * 1024,
            shutdown_grace: Duration::from_secs(10),
            signing_link_ttl: Duration::from_secs(5 * 60),
            signing_link_max_lifetime: Duration::from_secs(60 * 60),
        }
    }
}

impl Config {
    /// Defaults for a server keeping its data in `data_dir`.
    pub fn new(data_dir: PathBuf) -> Self {
        let listen: SocketAddr = ([127, 0, 0, 1], 8080).into();
        Self {
            listen,
            data_dir,
            public_url: format!("http://{listen}"),
            court_name: "天津法院".to_owned(),
            utc_offset_minutes: 8 * 60,
            android_apk_url: None,
            ios_app_name: None,
            android_app: None,
            ios_app_ids: Vec::new(),
            sms: SmsConfig::Outbox,
            trial_show_login_codes: false,
            trusted_proxies: Vec::new(),
            limits: Limits::default(),
            media: crate::media::MediaConfig::default(),
            evidence: EvidenceLimits::default(),
            record_font: None,
            seal_key_file: None,
            speech: None,
        }
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("cloudtrial.db")
    }

    pub fn seal_key_path(&self) -> PathBuf {
        self.seal_key_file.clone().unwrap_or_else(|| self.data_dir.join("record-seal.key"))
    }

    pub fn download_link(&self, meeting_number: impl std::fmt::Display) -> String {
        format!("{}/ots/download/{meeting_number}", self.public_url.trim_end_matches('/'))
    }
}
