//! What a court account may do on the console. What anyone may do with one
//! hearing's resources is decided in `access`.

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
