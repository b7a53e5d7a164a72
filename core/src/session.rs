use cloudtrial_protocol::ParticipantRole;

/// A participant's session on one server, bound to one hearing.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    pub(crate) token: String,
    pub hearing_id: i64,
    pub participant_id: i64,
    pub role: ParticipantRole,
    pub meeting_number: String,
    pub expires_at_ms: i64,
}

impl Session {
    pub fn token(&self) -> &str {
        &self.token
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("hearing_id", &self.hearing_id)
            .field("participant_id", &self.participant_id)
            .field("role", &self.role)
            .field("meeting_number", &self.meeting_number)
            .field("expires_at_ms", &self.expires_at_ms)
            .finish_non_exhaustive()
    }
}

/// Whether someone is logged in; observed by the app to show the login screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    LoggedOut,
    LoggedIn(Session),
    /// The server ended the session (expired, revoked, removed from the hearing).
    Expired,
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
