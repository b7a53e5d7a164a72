//! Who may do what. Every staff endpoint asks here; nothing is decided in the UI.

use cloudtrial_protocol::StaffRole;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffAction {
    ManageStaff,
    ListHearings,
    ViewHearing,
    BookHearing,
    EditHearing,
    CancelHearing,
    ReadOutbox,
    ResendNotice,
    ReadEventLog,
    /// Join a hearing's room as the participant linked to the account.
    EnterHearing,
}

impl StaffAction {
    pub const ALL: [StaffAction; 10] = [
        Self::ManageStaff,
        Self::ListHearings,
        Self::ViewHearing,
        Self::BookHearing,
        Self::EditHearing,
        Self::CancelHearing,
        Self::ReadOutbox,
        Self::ResendNotice,
        Self::ReadEventLog,
        Self::EnterHearing,
    ];
}

/// Judges and clerks run hearings; administrators manage accounts and may
/// look at everything, but neither book nor sit in hearings.
pub fn staff_may(role: StaffRole, action: StaffAction) -> bool {
    use StaffAction::*;
    match action {
        ManageStaff => role == StaffRole::Admin,
        ListHearings | ViewHearing | ReadOutbox | ReadEventLog => true,
        BookHearing | EditHearing | CancelHearing | ResendNotice | EnterHearing => {
            matches!(role, StaffRole::Judge | StaffRole::Clerk)
        }
    }
}

/// What a hearing participant may do with evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceAction {
    /// 举证: submit evidence (and withdraw their own).
    Submit,
    /// 质证: give opinions on the other sides' evidence.
    Opine,
}

/// Parties (plaintiff, defendant, third party and their agents) submit and
/// cross-examine evidence; the court and witnesses only look at it.
pub fn participant_may(role: cloudtrial_protocol::ParticipantRole, action: EvidenceAction) -> bool {
    use cloudtrial_protocol::Side;
    match action {
        EvidenceAction::Submit | EvidenceAction::Opine => {
            matches!(role.side(), Side::Plaintiff | Side::Defendant | Side::ThirdParty)
        }
    }
}

/// What a hearing participant may do with the court record (笔录).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordAction {
    /// Write the record and start signing (发起签名).
    Write,
    /// Sign the record once signing has started.
    Sign,
}

/// The court (judges and the clerk) writes the record and asks for
/// signatures; everyone else in the hearing signs it.
pub fn participant_may_record(role: cloudtrial_protocol::ParticipantRole, action: RecordAction) -> bool {
    let court = role.side() == cloudtrial_protocol::Side::Court;
    match action {
        RecordAction::Write => court,
        RecordAction::Sign => !court,
    }
}
