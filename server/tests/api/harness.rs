use std::sync::Arc;
use std::time::Duration;

use cloudtrial_protocol::api::{
    Hearing, NewStaffAccount, ParticipantSession, SmsKind, SmsRecord, StaffAccount, StaffSession,
};
use cloudtrial_protocol::hearing_log::HearingLog;
use cloudtrial_protocol::{ParticipantRole, StaffRole};
use cloudtrial_server::{Config, ManualClock, RunningServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub struct TestServer {
    pub server: Option<RunningServer>,
    /// Kept so the data directory lives as long as the server.
    pub _dir: tempfile::TempDir,
    pub clock: ManualClock,
    pub config: Config,
    pub http: reqwest::Client,
    /// The challenge of the last code asked for, by meeting number and mobile: what the device that asked keeps.
    pub challenges: std::sync::Mutex<std::collections::HashMap<(String, String), String>>,
}

pub struct Staff {
    pub token: String,
    pub account: StaffAccount,
}

/// A participant as the tests book them: role, name, mobile.
pub type Party = (ParticipantRole, &'static str, &'static str);

pub const JUDGE: Party = (ParticipantRole::PresidingJudge, "王法官", "13900000001");
pub const CLERK: Party = (ParticipantRole::Clerk, "李书记", "13900000002");
pub const PLAINTIFF: Party = (ParticipantRole::Plaintiff, "张三", "13800000001");
pub const DEFENDANT: Party = (ParticipantRole::Defendant, "李四", "13800000002");

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::new(dir.path().join("data"));
        config.trial_show_login_codes = true;
        config.listen = "127.0.0.1:0".parse().unwrap();
        config.public_url = "https://yunshen.example.court".to_owned();
        config.limits.login_requests_per_minute = 10_000;
        config.limits.login_verifications_per_minute = 10_000;
        tweak(&mut config);
        let clock = ManualClock::new();
        let server = RunningServer::start(config.clone(), Arc::new(clock.clone())).await.unwrap();
        Self { server: Some(server), _dir: dir, clock, config, http: reqwest::Client::new(), challenges: Default::default() }
    }

    /// Stops the server and starts a new one on the same data directory.
    pub async fn restart(&mut self) {
        self.stop().await;
        self.start_again().await;
    }

    /// Stops the server; its data directory stays until `start_again`.
    pub async fn stop(&mut self) {
        self.server.take().unwrap().stop().await.unwrap();
    }

    pub async fn start_again(&mut self) {
        let mut config = self.config.clone();
        config.listen = "127.0.0.1:0".parse().unwrap();
        self.server = Some(RunningServer::start(config, Arc::new(self.clock.clone())).await.unwrap());
    }

    pub fn state(&self) -> &cloudtrial_server::AppState {
        &self.server.as_ref().unwrap().state
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.as_ref().unwrap().base_url())
    }

    pub async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let value = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        (status, value)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.request(reqwest::Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
        self.request(reqwest::Method::POST, path, token, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
        self.request(reqwest::Method::PATCH, path, token, Some(body)).await
    }

    /// Creates a staff account directly and logs in over HTTP.
    pub async fn staff(&self, role: StaffRole, username: &str) -> Staff {
        let account = cloudtrial_server::routes::create_staff_account(
            self.state(),
            NewStaffAccount {
                username: username.to_owned(),
                name: format!("{}{username}", role.label()),
                role,
                mobile: None,
                password: "correct horse battery".to_owned(),
            },
        )
        .await
        .unwrap();
        let (status, body) = self
            .post("/api/staff/login", None, &json!({"username": username, "password": "correct horse battery"}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let session: StaffSession = serde_json::from_value(body).unwrap();
        assert_eq!(session.staff, account);
        Staff { token: session.token, account }
    }

    /// Tomorrow at 09:30, court time.
    pub fn tomorrow(&self) -> String {
        let day = cloudtrial_server::clock::local_date(
            cloudtrial_server::Clock::now_ms(&self.clock) + 86_400_000,
            self.config.utc_offset_minutes,
        );
        format!("{day} 09:30")
    }

    pub fn booking(&self, case_number: &str, parties: &[Party]) -> Value {
        json!({
            "case_number": case_number,
            "case_title": "张三诉李四民间借贷纠纷",
            "courtroom": "第一法庭",
            "scheduled_at": self.tomorrow(),
            "participants": parties.iter().map(|(role, name, mobile)| json!({
                "name": name, "role": role, "mobile": mobile,
            })).collect::<Vec<_>>(),
        })
    }

    pub async fn book(&self, token: &str, case_number: &str, parties: &[Party]) -> Hearing {
        let (status, body) = self.post("/api/hearings", Some(token), &self.booking(case_number, parties)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        serde_json::from_value(body).unwrap()
    }

    /// The hearing's log as `GET /api/hearings/{id}/events` exports it.
    pub async fn hearing_log(&self, staff_token: &str, hearing_id: i64) -> HearingLog {
        let (status, body) = self.get(&format!("/api/hearings/{hearing_id}/events"), Some(staff_token)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).unwrap()
    }

    pub async fn outbox(&self, token: &str, query: &str) -> Vec<SmsRecord> {
        let (status, body) = self.get(&format!("/api/sms{query}"), Some(token)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).unwrap()
    }

    /// The code in the newest login SMS to `mobile`, as a participant would read it off their phone.
    pub async fn latest_code(&self, staff_token: &str, mobile: &str) -> Option<String> {
        self.outbox(staff_token, &format!("?mobile={mobile}"))
            .await
            .into_iter()
            .find(|m| m.kind == SmsKind::LoginCode)
            .map(|m| code_in(&m.text))
    }

    pub async fn request_code(&self, meeting_number: &str, mobile: &str) -> (StatusCode, Value) {
        let answer = self.post("/api/login/code", None, &json!({"meeting_number": meeting_number, "mobile": mobile})).await;
        if let Some(challenge) = answer.1["challenge"].as_str() {
            self.challenges.lock().unwrap().insert((meeting_number.to_owned(), kept_mobile(mobile)), challenge.to_owned());
        }
        answer
    }

    /// The challenge of the last code asked for the pair (empty if none was).
    pub fn challenge(&self, meeting_number: &str, mobile: &str) -> String {
        self.challenges.lock().unwrap().get(&(meeting_number.to_owned(), kept_mobile(mobile))).cloned().unwrap_or_default()
    }

    /// Step two, with the challenge of the last code asked for the pair (as the device that asked).
    pub async fn verify(&self, meeting_number: &str, mobile: &str, code: &str) -> (StatusCode, Value) {
        let challenge = self.challenge(meeting_number, mobile);
        self.verify_with(meeting_number, mobile, code, &challenge).await
    }

    pub async fn verify_with(&self, meeting_number: &str, mobile: &str, code: &str, challenge: &str) -> (StatusCode, Value) {
        self.post(
            "/api/login/verify",
            None,
            &json!({"meeting_number": meeting_number, "mobile": mobile, "code": code, "challenge": challenge, "device": "android"}),
        )
        .await
    }

    /// The whole 会议号登录 flow for a participant.
    pub async fn login(&self, staff_token: &str, hearing: &Hearing, mobile: &str) -> ParticipantSession {
        let number = hearing.meeting_number.to_string();
        let (status, body) = self.request_code(&number, mobile).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let code = self.latest_code(staff_token, mobile).await.expect("a code was sent");
        let (status, body) = self.verify(&number, mobile, &code).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).unwrap()
    }
}

/// The six digits in a login SMS.
/// A mobile number as the server keeps it, however it was typed.
fn kept_mobile(mobile: &str) -> String {
    cloudtrial_protocol::normalize_mobile(mobile).unwrap_or_else(|| mobile.to_owned())
}

pub fn code_in(text: &str) -> String {
    let start = text.find('：').expect("code follows a colon") + '：'.len_utf8();
    text[start..].chars().take_while(char::is_ascii_digit).collect()
}

/// Waits for an asynchronous effect, checking every 20 ms for up to 10 s.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
