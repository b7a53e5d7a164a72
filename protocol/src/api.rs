//! Request and response bodies of the REST API (`/api/...`).

use serde::{Deserialize, Serialize};

use crate::{CourtDateTime, MeetingNumber, ParticipantRole, StaffRole};

/// Milliseconds since the Unix epoch, UTC.
pub type TimestampMs = i64;

// ---------------------------------------------------------------- staff

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffLoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAccount {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub role: StaffRole,
    pub mobile: Option<String>,
    /// Stopped by an administrator (停用): no login, no session.
    #[serde(default)]
    pub disabled: bool,
}

/// An administrator's change to an account: 停用 / 启用, or a new password (重设密码).
/// Either ends the account's open sessions, in the console and in rooms entered from it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StaffAccountChange {
    #[serde(default)]
    pub disabled: Option<bool>,
    #[serde(default)]
    pub password: Option<String>,
}

/// A username with wrong passwords, as administrators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffLoginLock {
    pub username: String,
    /// Wrong passwords since the last successful login.
    pub failures: u32,
    /// Locked until then (it may lie in the past).
    pub locked_until_ms: Option<TimestampMs>,
}

/// An administrator creating a staff account.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewStaffAccount {
    pub username: String,
    pub name: String,
    pub role: StaffRole,
    #[serde(default)]
    pub mobile: Option<String>,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StaffSession {
    pub token: String,
    pub expires_at_ms: TimestampMs,
    pub staff: StaffAccount,
}

// ---------------------------------------------------------------- hearings

/// Where a hearing is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HearingStatus {
    /// 未开庭: booked; participants may wait in the room.
    Scheduled,
    /// 庭审中: the judge pressed 开始.
    InSession,
    /// 休庭: adjourned, may resume.
    Adjourned,
    /// 已闭庭
    Closed,
    /// 已取消: cancelled before it was held.
    Cancelled,
    /// A state this side does not know yet (from a newer server): nothing may be done in it here.
    #[serde(other)]
    Unknown,
}

impl HearingStatus {
    pub const ALL: [HearingStatus; 5] = [Self::Scheduled, Self::InSession, Self::Adjourned, Self::Closed, Self::Cancelled];

    /// What the presiding judge may do to the hearing in this state, and where
    /// each leads. The room's rules and the judge's buttons both follow this table.
    pub fn judge_actions(self) -> &'static [(HearingAction, HearingStatus)] {
        match self {
            Self::Scheduled => &[(HearingAction::Start, Self::InSession)],
            Self::InSession => &[(HearingAction::Adjourn, Self::Adjourned), (HearingAction::Close, Self::Closed)],
            Self::Adjourned => &[(HearingAction::Resume, Self::InSession), (HearingAction::Close, Self::Closed)],
            Self::Closed | Self::Cancelled | Self::Unknown => &[],
        }
    }

    /// Whether the clerk may start signing the record (发起签名) now: after 休庭 or 闭庭.
    pub fn allows_signing(self) -> bool {
        matches!(self, Self::Adjourned | Self::Closed)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Scheduled => "未开庭",
            Self::InSession => "庭审中",
            Self::Adjourned => "休庭",
            Self::Closed => "已闭庭",
            Self::Cancelled => "已取消",
            Self::Unknown => "状态未知",
        }
    }

    /// Closed and cancelled hearings are over: nobody joins them any more and
    /// their meeting number may be given to a new hearing.
    pub fn is_over(self) -> bool {
        matches!(self, Self::Closed | Self::Cancelled)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::InSession => "in_session",
            Self::Adjourned => "adjourned",
            Self::Closed => "closed",
            Self::Cancelled => "cancelled",
            Self::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }
}

/// The judge's commands that move the hearing along (开始, 休庭, 继续, 闭庭).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HearingAction {
    Start,
    Adjourn,
    Resume,
    Close,
}

impl HearingAction {
    pub const ALL: [HearingAction; 4] = [Self::Start, Self::Adjourn, Self::Resume, Self::Close];

    /// The button's text.
    pub fn label(self) -> &'static str {
        match self {
            Self::Start => "开始",
            Self::Adjourn => "休庭",
            Self::Resume => "继续",
            Self::Close => "闭庭",
        }
    }

    /// The `action` of the room command.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Adjourn => "adjourn",
            Self::Resume => "resume",
            Self::Close => "close",
        }
    }

    /// Why it cannot be done in a state that does not offer it.
    pub fn refusal(self) -> &'static str {
        match self {
            Self::Start => "庭审已经开始或已结束",
            Self::Adjourn => "只有庭审中才能休庭",
            Self::Resume => "只有休庭时才能继续开庭",
            Self::Close => "庭审尚未开始或已结束",
        }
    }

    /// What the judge is asked before it is done, if it cannot be undone.
    pub fn confirmation(self) -> Option<&'static str> {
        match self {
            Self::Close => Some("闭庭后庭审结束，不能再继续开庭，当事人不能再提交证据。确定闭庭？"),
            _ => None,
        }
    }
}

/// A participant as the booking clerk enters them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewParticipant {
    pub name: String,
    pub role: ParticipantRole,
    /// Mainland mobile number, 11 digits. Login codes and notices go here.
    pub mobile: String,
    /// For judges and clerks: the staff account that enters the hearing from the console.
    #[serde(default)]
    pub staff_id: Option<i64>,
}

/// 预定网上开庭
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookHearingRequest {
    /// 案号, e.g. （2026）津0101民初1234号
    pub case_number: String,
    /// 案由 / case title
    pub case_title: String,
    pub courtroom: String,
    pub scheduled_at: CourtDateTime,
    pub participants: Vec<NewParticipant>,
}

/// Changes to a booked hearing. Absent fields stay as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateHearingRequest {
    #[serde(default)]
    pub case_number: Option<String>,
    #[serde(default)]
    pub case_title: Option<String>,
    #[serde(default)]
    pub courtroom: Option<String>,
    #[serde(default)]
    pub scheduled_at: Option<CourtDateTime>,
    #[serde(default)]
    pub add_participants: Vec<NewParticipant>,
    #[serde(default)]
    pub remove_participants: Vec<i64>,
}

/// A participant as staff see them (with the mobile number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantRecord {
    pub id: i64,
    pub name: String,
    pub role: ParticipantRole,
    pub mobile: String,
    pub staff_id: Option<i64>,
}

impl ParticipantRecord {
    pub fn summary(&self) -> ParticipantSummary {
        ParticipantSummary { id: self.id, name: self.name.clone(), role: self.role }
    }
}

/// A hearing as staff see it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hearing {
    pub id: i64,
    pub meeting_number: MeetingNumber,
    pub case_number: String,
    pub case_title: String,
    pub courtroom: String,
    pub scheduled_at: CourtDateTime,
    pub status: HearingStatus,
    pub participants: Vec<ParticipantRecord>,
    pub created_at_ms: TimestampMs,
    /// The staff account that booked it: with the accounts linked to its court
    /// seats, the one that may change, cancel and re-notify it.
    #[serde(default)]
    pub booked_by: Option<i64>,
}

/// Which hearings a staff list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HearingFilter {
    /// Scheduled today (court local date), and any hearing under way (庭审中, 休庭) whatever its day.
    Today,
    /// Not yet over, whatever its day: one from an earlier day that was never closed or
    /// cancelled still needs the court.
    Upcoming,
    /// Closed or cancelled.
    Closed,
    #[default]
    All,
}

/// The most hearings one list answers with; a search narrows it.
pub const HEARING_LIST_LIMIT: usize = 500;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HearingListQuery {
    #[serde(default)]
    pub filter: HearingFilter,
    /// Part of the case number (案号), brackets of either width alike.
    #[serde(default)]
    pub case_number: Option<String>,
}

// ---------------------------------------------------------------- SMS

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsKind {
    /// 庭审通知, sent on booking and on resend.
    HearingNotice,
    /// The date, time or courtroom changed.
    HearingChanged,
    /// The participant was removed from the hearing.
    ParticipantRemoved,
    /// The hearing was cancelled.
    HearingCancelled,
    /// A login verification code.
    LoginCode,
    /// 发起签名: the record waits for this participant's signature.
    SigningRequest,
}

impl SmsKind {
    pub const ALL: [SmsKind; 6] = [
        Self::HearingNotice,
        Self::HearingChanged,
        Self::ParticipantRemoved,
        Self::HearingCancelled,
        Self::LoginCode,
        Self::SigningRequest,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::HearingNotice => "庭审通知",
            Self::HearingChanged => "变更通知",
            Self::ParticipantRemoved => "移除通知",
            Self::HearingCancelled => "取消通知",
            Self::LoginCode => "登录验证码",
            Self::SigningRequest => "签名通知",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::HearingNotice => "hearing_notice",
            Self::HearingChanged => "hearing_changed",
            Self::ParticipantRemoved => "participant_removed",
            Self::HearingCancelled => "hearing_cancelled",
            Self::LoginCode => "login_code",
            Self::SigningRequest => "signing_request",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsStatus {
    /// Stored; delivery to the gateway has not finished yet.
    Queued,
    /// Handed to the gateway (for the outbox gateway: stored, which is delivery).
    Sent,
    /// The gateway refused or could not be reached; `error` says why.
    Failed,
}

impl SmsStatus {
    pub const ALL: [SmsStatus; 3] = [Self::Queued, Self::Sent, Self::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Queued => "发送中",
            Self::Sent => "已发送",
            Self::Failed => "发送失败",
        }
    }
}

/// One text message as it went out (or failed to).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SmsRecord {
    pub id: i64,
    pub mobile: String,
    pub text: String,
    pub kind: SmsKind,
    pub hearing_id: Option<i64>,
    pub participant_id: Option<i64>,
    pub gateway: String,
    pub status: SmsStatus,
    pub error: Option<String>,
    pub created_at_ms: TimestampMs,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SmsListQuery {
    #[serde(default)]
    pub hearing_id: Option<i64>,
    #[serde(default)]
    pub mobile: Option<String>,
}

// ---------------------------------------------------------------- participant login

/// The kind of device a participant joins from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    Android,
    Iphone,
    PcBrowser,
    PhoneBrowser,
    /// Also a kind this side does not know yet (from a newer client or server).
    #[default]
    #[serde(other)]
    Other,
}

impl DeviceKind {
    pub const ALL: [DeviceKind; 5] = [Self::Android, Self::Iphone, Self::PcBrowser, Self::PhoneBrowser, Self::Other];

    /// Words in a browser's user agent that mark a phone's or a tablet's.
    pub const PHONE_AGENT_WORDS: [&str; 6] = ["Android", "iPhone", "iPad", "iPod", "Mobile", "HarmonyOS"];

    /// The kind of device a browser runs on, from its user agent.
    pub fn of_browser(user_agent: &str) -> Self {
        if Self::PHONE_AGENT_WORDS.iter().any(|word| user_agent.contains(word)) { Self::PhoneBrowser } else { Self::PcBrowser }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Android => "android",
            Self::Iphone => "iphone",
            Self::PcBrowser => "pc_browser",
            Self::PhoneBrowser => "phone_browser",
            Self::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Android => "安卓手机",
            Self::Iphone => "苹果手机",
            Self::PcBrowser => "电脑浏览器",
            Self::PhoneBrowser => "手机浏览器",
            Self::Other => "其他设备",
        }
    }
}

/// Step one of 会议号登录: ask for a code to be sent to the mobile on file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginCodeRequest {
    pub meeting_number: MeetingNumber,
    pub mobile: String,
}

/// The same answer whether or not the meeting number and mobile matched a participant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginCodeSent {
    /// A new code may be requested after this many seconds.
    pub resend_after_secs: u32,
    /// A code, if one was sent, is valid this long.
    pub expires_in_secs: u32,
    /// Sent back with the code: it names this request's code, so that
    /// nobody else's guesses can use it up and no later request replaces it.
    pub challenge: String,
}

/// Step two: the code from the SMS.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginVerifyRequest {
    pub meeting_number: MeetingNumber,
    pub mobile: String,
    pub code: String,
    /// What the code request answered.
    pub challenge: String,
    #[serde(default)]
    pub device: DeviceKind,
}

/// A participant's session: bound to one hearing, one participant, one role.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ParticipantSession {
    pub token: String,
    pub expires_at_ms: TimestampMs,
    pub hearing_id: i64,
    pub participant_id: i64,
    pub role: ParticipantRole,
}

/// Another participant as a participant sees them: role and name only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantSummary {
    pub id: i64,
    pub name: String,
    pub role: ParticipantRole,
}

impl ParticipantSummary {
    /// "原告 张三"
    pub fn label(&self) -> String {
        format!("{} {}", self.role.label(), self.name)
    }
}

/// The hearing as a logged-in participant sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HearingDetails {
    pub hearing_id: i64,
    pub meeting_number: MeetingNumber,
    pub case_number: String,
    pub case_title: String,
    pub courtroom: String,
    pub scheduled_at: CourtDateTime,
    pub status: HearingStatus,
    pub me: ParticipantSummary,
    pub participants: Vec<ParticipantSummary>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServerInfo {
    pub court_name: String,
    pub protocol_version: u32,
    pub server_version: String,
    /// The court's time zone, in minutes east of UTC: clients show times as the court's
    /// documents do (the signed record, the booking), whatever the device's zone.
    pub utc_offset_minutes: i32,
}

// ---------------------------------------------------------------- event log

pub use crate::hearing_log::HearingEvent;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_kinds_round_trip_and_unknown_ones_parse_as_other() {
        for kind in DeviceKind::ALL {
            let text = serde_json::to_string(&kind).unwrap();
            assert_eq!(text, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<DeviceKind>(&text).unwrap(), kind);
        }
        assert_eq!(serde_json::from_str::<DeviceKind>(r#""smart_tv""#).unwrap(), DeviceKind::Other);
    }

    #[test]
    fn a_browser_is_a_phones_by_its_user_agent() {
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        let windows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
        assert_eq!(DeviceKind::of_browser(iphone), DeviceKind::PhoneBrowser);
        assert_eq!(DeviceKind::of_browser(windows), DeviceKind::PcBrowser);
    }
}
