//! Records and enums mirroring the core's types.

use cloudtrial_core::protocol::{self, api};

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ParticipantRole {
    PresidingJudge,
    Judge,
    Clerk,
    Plaintiff,
    Defendant,
    PlaintiffAgent,
    DefendantAgent,
    ThirdParty,
    Witness,
    /// A role added by a newer server than this app knows.
    Unknown,
}

impl From<protocol::ParticipantRole> for ParticipantRole {
    fn from(role: protocol::ParticipantRole) -> Self {
        use protocol::ParticipantRole as R;
        match role {
            R::PresidingJudge => Self::PresidingJudge,
            R::Judge => Self::Judge,
            R::Clerk => Self::Clerk,
            R::Plaintiff => Self::Plaintiff,
            R::Defendant => Self::Defendant,
            R::PlaintiffAgent => Self::PlaintiffAgent,
            R::DefendantAgent => Self::DefendantAgent,
            R::ThirdParty => Self::ThirdParty,
            R::Witness => Self::Witness,
            R::Unknown => Self::Unknown,
        }
    }
}

impl From<ParticipantRole> for protocol::ParticipantRole {
    fn from(role: ParticipantRole) -> Self {
        use ParticipantRole as R;
        match role {
            R::PresidingJudge => Self::PresidingJudge,
            R::Judge => Self::Judge,
            R::Clerk => Self::Clerk,
            R::Plaintiff => Self::Plaintiff,
            R::Defendant => Self::Defendant,
            R::PlaintiffAgent => Self::PlaintiffAgent,
            R::DefendantAgent => Self::DefendantAgent,
            R::ThirdParty => Self::ThirdParty,
            R::Witness => Self::Witness,
            R::Unknown => Self::Unknown,
        }
    }
}

/// The role as the court writes it (审判长, 原告, ...).
#[uniffi::export]
pub fn role_label(role: ParticipantRole) -> String {
    protocol::ParticipantRole::from(role).label().to_owned()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum HearingStatus {
    Scheduled,
    InSession,
    Adjourned,
    Closed,
    Cancelled,
    /// A state added by a newer server than this app knows.
    Unknown,
}

impl From<api::HearingStatus> for HearingStatus {
    fn from(status: api::HearingStatus) -> Self {
        match status {
            api::HearingStatus::Scheduled => Self::Scheduled,
            api::HearingStatus::InSession => Self::InSession,
            api::HearingStatus::Adjourned => Self::Adjourned,
            api::HearingStatus::Closed => Self::Closed,
            api::HearingStatus::Cancelled => Self::Cancelled,
            api::HearingStatus::Unknown => Self::Unknown,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DeviceKind {
    Android,
    Iphone,
    PcBrowser,
    PhoneBrowser,
    Other,
}

impl From<api::DeviceKind> for DeviceKind {
    fn from(kind: api::DeviceKind) -> Self {
        match kind {
            api::DeviceKind::Android => Self::Android,
            api::DeviceKind::Iphone => Self::Iphone,
            api::DeviceKind::PcBrowser => Self::PcBrowser,
            api::DeviceKind::PhoneBrowser => Self::PhoneBrowser,
            api::DeviceKind::Other => Self::Other,
        }
    }
}

impl From<DeviceKind> for api::DeviceKind {
    fn from(kind: DeviceKind) -> Self {
        match kind {
            DeviceKind::Android => Self::Android,
            DeviceKind::Iphone => Self::Iphone,
            DeviceKind::PcBrowser => Self::PcBrowser,
            DeviceKind::PhoneBrowser => Self::PhoneBrowser,
            DeviceKind::Other => Self::Other,
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct LoginCodeSent {
    pub resend_after_secs: u32,
    pub expires_in_secs: u32,
}

impl From<api::LoginCodeSent> for LoginCodeSent {
    fn from(sent: api::LoginCodeSent) -> Self {
        Self { resend_after_secs: sent.resend_after_secs, expires_in_secs: sent.expires_in_secs }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SessionInfo {
    pub hearing_id: i64,
    pub participant_id: i64,
    pub role: ParticipantRole,
    pub meeting_number: String,
    pub expires_at_ms: i64,
}

impl From<cloudtrial_core::Session> for SessionInfo {
    fn from(s: cloudtrial_core::Session) -> Self {
        Self {
            hearing_id: s.hearing_id,
            participant_id: s.participant_id,
            role: s.role.into(),
            meeting_number: s.meeting_number,
            expires_at_ms: s.expires_at_ms,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SessionState {
    LoggedOut,
    LoggedIn { session: SessionInfo },
    /// The server ended the session: show the login screen with 登录已失效，请重新登录.
    Expired,
}

impl From<cloudtrial_core::SessionState> for SessionState {
    fn from(state: cloudtrial_core::SessionState) -> Self {
        match state {
            cloudtrial_core::SessionState::LoggedOut => Self::LoggedOut,
            cloudtrial_core::SessionState::LoggedIn(session) => Self::LoggedIn { session: session.into() },
            cloudtrial_core::SessionState::Expired => Self::Expired,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Participant {
    pub id: i64,
    pub name: String,
    pub role: ParticipantRole,
    /// 审判长, 原告, ...
    pub role_label: String,
}

impl From<api::ParticipantSummary> for Participant {
    fn from(p: api::ParticipantSummary) -> Self {
        Self { id: p.id, name: p.name, role: p.role.into(), role_label: p.role.label().to_owned() }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct HearingDetails {
    pub hearing_id: i64,
    pub meeting_number: String,
    /// 案号
    pub case_number: String,
    /// 案由
    pub case_title: String,
    pub courtroom: String,
    /// "2026-11-25"
    pub scheduled_date: String,
    /// "09:30"
    pub scheduled_time: String,
    pub status: HearingStatus,
    /// 未开庭, 庭审中, ...
    pub status_label: String,
    pub me: Participant,
    pub participants: Vec<Participant>,
}

impl From<api::HearingDetails> for HearingDetails {
    fn from(d: api::HearingDetails) -> Self {
        Self {
            hearing_id: d.hearing_id,
            meeting_number: d.meeting_number.to_string(),
            case_number: d.case_number,
            case_title: d.case_title,
            courtroom: d.courtroom,
            scheduled_date: d.scheduled_at.date(),
            scheduled_time: d.scheduled_at.time(),
            status: d.status.into(),
            status_label: d.status.label().to_owned(),
            me: d.me.into(),
            participants: d.participants.into_iter().map(Into::into).collect(),
        }
    }
}
