//! The one access decision for a hearing's resources. Every handler that
//! touches a hearing (details, evidence, uploads, opinions, the record,
//! signing, the room) asks `decide` through a `HearingAccess`; nothing is
//! decided in the UI, and no handler keeps rules of its own.

use cloudtrial_protocol::api::{HearingStatus, ParticipantSummary};
use cloudtrial_protocol::{ErrorCode, ParticipantRole, Side, StaffRole};

use crate::auth::Caller;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{self, events::EventActor};

/// What a caller wants to do with a hearing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The hearing's details with every participant.
    ReadDetails,
    /// The evidence list, its previews and thumbnails.
    ReadEvidence,
    /// One piece of evidence's original file, as submitted by a party of
    /// `side`. `private`: it may carry where it was made (see
    /// `EvidenceKind::may_carry_location`).
    ReadOriginal { side: Side, private: bool, released: bool },
    /// 举证: create and continue uploads.
    SubmitEvidence,
    WithdrawEvidence { submitted_by: i64 },
    /// 质证: an opinion on evidence of the given side.
    Opine { side: Side },
    /// Let the other parties download an item's original.
    ReleaseOriginal,
    ReadRecord,
    /// Write the record and start signing (发起签名).
    WriteRecord,
    SignRecord,
    /// Be connected to the room (a blocked party is, to learn they are blocked).
    EnterRoom,
    /// See the others in the room and what they do.
    SeeRoom,
    /// 开始, 休庭, 继续, 闭庭, 屏蔽, 传唤, 静音.
    CommandRoom,
    /// The sentences recognised from what was said (语音识别).
    ReadSpeech,
    /// 申请圈注: ask the presiding judge to let one annotate evidence.
    RequestAnnotation,
    /// Change, cancel or re-notify the hearing itself (the console's 修改,
    /// 取消庭审, 重发通知).
    ManageHearing,
    /// Draw a mark over evidence. `allowed`: the judge approved this
    /// participant's request, and the permission has not ended.
    Annotate { allowed: bool },
    /// Take a mark away: one's own (撤销), or any for the judge.
    RemoveMark { author: i64, allowed: bool },
}

/// Who is asking, as far as the decision is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// A court account on its console; `linked` is the role of the hearing's
    /// participant the account is linked to, if any; `booked`: the account
    /// booked the hearing.
    Staff { role: StaffRole, linked: Option<ParticipantRole>, booked: bool },
    /// A participant of this hearing, logged in with their own session.
    Participant { id: i64, role: ParticipantRole, blocked: bool },
}

/// Everything the decision depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub who: Who,
    pub status: HearingStatus,
}

fn refuse(message: &str) -> AppError {
    AppError::with_message(ErrorCode::Forbidden, message)
}

const MANAGE_REFUSED: &str = "只有预约本次庭审的工作人员或本案的审判人员、书记员可以修改、取消庭审或重发通知";

fn over(message: &str) -> AppError {
    AppError::with_message(ErrorCode::Conflict, message)
}

/// The decision. Pure, so it is tested as a whole matrix.
pub fn decide(facts: &Facts, action: Action) -> Result<(), AppError> {
    use Action::*;
    let status = facts.status;
    if status == HearingStatus::Cancelled && !matches!(action, ReadDetails | ReadEvidence | ReadRecord | ReadOriginal { .. }) {
        return Err(over("庭审已取消"));
    }
    match facts.who {
        Who::Staff { role, linked, booked } => {
            let court_account = matches!(role, StaffRole::Judge | StaffRole::Clerk);
            match action {
                ReadDetails | ReadEvidence | ReadOriginal { .. } | ReadRecord | ReadSpeech => Ok(()),
                ManageHearing if court_account && (booked || linked.is_some_and(|r| r.side() == Side::Court)) => Ok(()),
                ManageHearing => Err(refuse(MANAGE_REFUSED)),
                WriteRecord if court_account && linked.is_some_and(|r| r.side() == Side::Court) => Ok(()),
                WriteRecord => Err(refuse("只有本案的审判人员和书记员可以编辑笔录或发起签名")),
                ReleaseOriginal if court_account && linked.is_some_and(ParticipantRole::is_judge) => Ok(()),
                ReleaseOriginal => Err(refuse("只有本案的审判长或审判员可以公开证据原件")),
                SubmitEvidence
                | WithdrawEvidence { .. }
                | Opine { .. }
                | SignRecord
                | EnterRoom
                | SeeRoom
                | CommandRoom
                | RequestAnnotation
                | Annotate { .. }
                | RemoveMark { .. } => Err(refuse("请以庭审参与人身份进入庭审后操作")),
            }
        }
        Who::Participant { id, role, blocked } => {
            // A block keeps a party out while the hearing runs; once it is
            // closed, everyone reads and signs the record.
            if blocked && status != HearingStatus::Closed && action != EnterRoom {
                return Err(AppError::new(ErrorCode::Blocked));
            }
            let party = role.submits_evidence();
            let court = role.side() == Side::Court;
            match action {
                ReadDetails | ReadEvidence | ReadRecord | ReadSpeech | EnterRoom | SeeRoom => Ok(()),
                ManageHearing => Err(refuse(MANAGE_REFUSED)),
                ReadOriginal { side, private, released } => {
                    if court || side == role.side() || !private || released {
                        Ok(())
                    } else {
                        Err(refuse("该证据原件可能含有拍摄位置等个人信息，仅限提交方和法庭下载；图片可下载去除这些信息的副本，其他文件可请法官公开原件"))
                    }
                }
                SubmitEvidence if !party => Err(refuse("只有当事人可以提交证据")),
                SubmitEvidence if status.is_over() => Err(over("庭审已结束，不能再提交证据")),
                WithdrawEvidence { .. } if !party => Err(refuse("只有当事人可以提交证据")),
                WithdrawEvidence { submitted_by } if submitted_by != id => Err(refuse("只能撤回自己提交的证据")),
                WithdrawEvidence { .. } if status.is_over() => Err(over("庭审已结束，不能撤回证据")),
                Opine { .. } if !party => Err(refuse("只有当事人可以发表质证意见")),
                Opine { side } if side == role.side() => Err(refuse("不能对本方提交的证据发表质证意见")),
                Opine { .. } if status.is_over() => Err(over("庭审已结束，不能再发表质证意见")),
                SubmitEvidence | WithdrawEvidence { .. } | Opine { .. } => Ok(()),
                ReleaseOriginal if role.is_judge() => Ok(()),
                ReleaseOriginal => Err(refuse("只有本案的审判长或审判员可以公开证据原件")),
                WriteRecord if court => Ok(()),
                WriteRecord => Err(refuse("只有本案的审判人员和书记员可以编辑笔录或发起签名")),
                SignRecord if role.signs_the_record() => Ok(()),
                SignRecord => Err(refuse("审判人员和书记员无需签名")),
                CommandRoom if role.is_judge() => Ok(()),
                CommandRoom => Err(refuse("只有审判长或审判员可以进行此操作")),
                RequestAnnotation if court => Err(refuse("审判人员和书记员可直接圈注，无需申请")),
                RequestAnnotation if !party => Err(refuse("只有当事人可以申请圈注")),
                RequestAnnotation if status != HearingStatus::InSession => Err(over("庭审进行中才能申请圈注")),
                RequestAnnotation => Ok(()),
                Annotate { .. } | RemoveMark { .. } if status.is_over() => Err(over("庭审已结束，不能再圈注")),
                RemoveMark { .. } if role.is_judge() => Ok(()),
                RemoveMark { author, .. } if author != id => Err(refuse("只能撤销自己的圈注")),
                Annotate { .. } | RemoveMark { .. } if court => Ok(()),
                Annotate { .. } | RemoveMark { .. } if !party => Err(refuse("只有当事人可以申请圈注")),
                Annotate { allowed: false } | RemoveMark { allowed: false, .. } => {
                    Err(refuse("请先申请圈注，经法官同意后才能圈注"))
                }
                Annotate { .. } | RemoveMark { .. } if status != HearingStatus::InSession => {
                    Err(over("休庭期间不能圈注，继续开庭后请重新申请"))
                }
                Annotate { .. } | RemoveMark { .. } => Ok(()),
            }
        }
    }
}

/// Everyone who is not of the court signs the record: parties, agents, third parties, witnesses.
pub fn signs_the_record(role: ParticipantRole) -> bool {
    role.signs_the_record()
}

/// A participant's standing, read inside the caller's transaction where the
/// decision must hold for the write that follows.
pub fn participant_standing(
    conn: &rusqlite::Connection,
    hearing_id: i64,
    participant_id: i64,
) -> Result<(Facts, ParticipantSummary), AppError> {
    let status = store::room::status(conn, hearing_id)?.ok_or_else(AppError::forbidden)?;
    let member = store::room::members(conn, hearing_id)?
        .into_iter()
        .find(|m| m.id == participant_id)
        .ok_or(AppError::new(ErrorCode::SessionExpired))?;
    let facts = Facts { who: Who::Participant { id: member.id, role: member.role, blocked: member.blocked }, status };
    Ok((facts, ParticipantSummary { id: member.id, name: member.name, role: member.role }))
}

/// A caller's standing in one hearing, loaded once per request.
#[derive(Debug, Clone)]
pub struct HearingAccess {
    pub hearing_id: i64,
    pub facts: Facts,
    /// The caller as a participant of the hearing; for staff, the participant
    /// their account is linked to, if any.
    pub participant: Option<ParticipantSummary>,
    pub actor: EventActor,
}

impl HearingAccess {
    /// Loads the caller's standing. A participant's token is good for its own
    /// hearing only: any other hearing answers `Forbidden`, exactly like one
    /// that does not exist.
    pub async fn load(state: &AppState, caller: &Caller, hearing_id: i64) -> Result<Self, AppError> {
        match caller {
            Caller::Participant(p) => {
                p.require_hearing(hearing_id)?;
                let participant_id = p.participant_id;
                let (facts, me) =
                    state.store.call(move |conn| participant_standing(conn, hearing_id, participant_id)).await?;
                Ok(Self { hearing_id, facts, participant: Some(me), actor: p.actor() })
            }
            Caller::Staff(staff) => {
                let staff_id = staff.account.id;
                let hearing = state
                    .store
                    .call(move |conn| store::hearings::get(conn, hearing_id).map_err(AppError::from))
                    .await?
                    .ok_or_else(AppError::not_found)?;
                let linked = hearing.participants.iter().find(|p| p.staff_id == Some(staff_id)).map(|p| p.summary());
                let booked = hearing.booked_by == Some(staff_id);
                let who = Who::Staff { role: staff.account.role, linked: linked.as_ref().map(|p| p.role), booked };
                Ok(Self {
                    hearing_id,
                    facts: Facts { who, status: hearing.status },
                    participant: linked,
                    actor: staff.actor(),
                })
            }
        }
    }

    /// Loads and checks one action.
    pub async fn require(state: &AppState, caller: &Caller, hearing_id: i64, action: Action) -> Result<Self, AppError> {
        let access = Self::load(state, caller, hearing_id).await?;
        access.check(action)?;
        Ok(access)
    }

    pub fn check(&self, action: Action) -> Result<(), AppError> {
        decide(&self.facts, action)
    }

    pub fn allows(&self, action: Action) -> bool {
        self.check(action).is_ok()
    }

    /// The caller's own participant id, for participants.
    pub fn participant_id(&self) -> Option<i64> {
        match self.facts.who {
            Who::Participant { id, .. } => Some(id),
            Who::Staff { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use HearingStatus::*;

    const STATUSES: [HearingStatus; 5] = [Scheduled, InSession, Adjourned, Closed, Cancelled];

    fn actions(me: i64) -> Vec<Action> {
        use Action::*;
        vec![
            ReadDetails,
            ReadEvidence,
            ReadOriginal { side: Side::Plaintiff, private: true, released: false },
            ReadOriginal { side: Side::Defendant, private: true, released: false },
            ReadOriginal { side: Side::Defendant, private: true, released: true },
            SubmitEvidence,
            WithdrawEvidence { submitted_by: me },
            WithdrawEvidence { submitted_by: 999 },
            Opine { side: Side::Plaintiff },
            Opine { side: Side::Defendant },
            ReleaseOriginal,
            ReadRecord,
            WriteRecord,
            SignRecord,
            EnterRoom,
            SeeRoom,
            CommandRoom,
            ReadSpeech,
            RequestAnnotation,
            Annotate { allowed: false },
            Annotate { allowed: true },
            RemoveMark { author: me, allowed: true },
            RemoveMark { author: 999, allowed: true },
        ]
    }

    #[test]
    fn a_blocked_party_gets_only_their_own_status_until_the_hearing_closes() {
        for status in STATUSES {
            let facts = Facts { who: Who::Participant { id: 1, role: ParticipantRole::Plaintiff, blocked: true }, status };
            for action in actions(1) {
                let result = decide(&facts, action);
                match (status, action) {
                    (Cancelled, _) | (Closed, _) => {}
                    (_, Action::EnterRoom) => assert!(result.is_ok(), "{status:?} {action:?}"),
                    _ => assert_eq!(result.unwrap_err().code, ErrorCode::Blocked, "{status:?} {action:?}"),
                }
            }
            let open = Facts { who: Who::Participant { id: 1, role: ParticipantRole::Plaintiff, blocked: false }, status };
            if status == Closed {
                for action in actions(1) {
                    assert_eq!(decide(&facts, action).is_ok(), decide(&open, action).is_ok(), "{action:?} after 闭庭");
                }
            }
        }
    }

    /// The whole matrix, written out as a table a court would read: which
    /// role may do what while the hearing is running (庭审中).
    #[test]
    fn the_matrix_while_the_hearing_runs() {
        use ParticipantRole::*;
        // Columns: the actions of `actions(me)`, in order. 1 = allowed.
        // The last five: 申请圈注, draw without and with the judge's
        // approval, take away one's own mark, and someone else's.
        let table: [(ParticipantRole, [u8; 23]); 9] = [
            (PresidingJudge, [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1]),
            (Judge, [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1]),
            (Clerk, [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 0]),
            (Plaintiff, [1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0]),
            (PlaintiffAgent, [1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0]),
            (Defendant, [1, 1, 0, 1, 1, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0]),
            (DefendantAgent, [1, 1, 0, 1, 1, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0]),
            (ThirdParty, [1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0]),
            (Witness, [1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0]),
        ];
        let mut wrong = Vec::new();
        for (role, row) in table {
            let facts = Facts { who: Who::Participant { id: 1, role, blocked: false }, status: InSession };
            for (action, want) in actions(1).into_iter().zip(row) {
                if decide(&facts, action).is_ok() != (want == 1) {
                    wrong.push(format!("{role:?} {action:?}: want {want}"));
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn a_document_original_goes_to_everyone_a_photo_original_only_to_its_side_and_the_court() {
        let facts = |role| Facts { who: Who::Participant { id: 1, role, blocked: false }, status: InSession };
        let document = Action::ReadOriginal { side: Side::Plaintiff, private: false, released: false };
        let photo = Action::ReadOriginal { side: Side::Plaintiff, private: true, released: false };
        for role in ParticipantRole::ALL {
            assert!(decide(&facts(role), document).is_ok(), "{role:?}");
            let own_side_or_court = matches!(role.side(), Side::Court | Side::Plaintiff);
            assert_eq!(decide(&facts(role), photo).is_ok(), own_side_or_court, "{role:?}");
        }
    }

    #[test]
    fn nothing_is_submitted_or_disputed_once_the_hearing_is_over() {
        for status in [Closed, Cancelled] {
            let facts = Facts { who: Who::Participant { id: 1, role: ParticipantRole::Plaintiff, blocked: false }, status };
            for action in [Action::SubmitEvidence, Action::WithdrawEvidence { submitted_by: 1 }, Action::Opine { side: Side::Defendant }] {
                assert_eq!(decide(&facts, action).unwrap_err().code, ErrorCode::Conflict, "{status:?} {action:?}");
            }
        }
    }

    #[test]
    fn a_party_annotates_only_while_the_hearing_runs_and_the_court_until_it_closes() {
        for status in STATUSES {
            let party = Facts { who: Who::Participant { id: 1, role: ParticipantRole::Defendant, blocked: false }, status };
            let clerk = Facts { who: Who::Participant { id: 2, role: ParticipantRole::Clerk, blocked: false }, status };
            let running = status == InSession;
            assert_eq!(decide(&party, Action::RequestAnnotation).is_ok(), running, "{status:?}");
            assert_eq!(decide(&party, Action::Annotate { allowed: true }).is_ok(), running, "{status:?}");
            assert_eq!(decide(&clerk, Action::Annotate { allowed: false }).is_ok(), !status.is_over(), "{status:?}");
            if status.is_over() {
                let refusal = decide(&clerk, Action::Annotate { allowed: false }).unwrap_err();
                assert_eq!(refusal.code, ErrorCode::Conflict, "{status:?}");
            }
        }
    }

    #[test]
    fn staff_read_everything_write_only_their_own_hearing_and_never_act_for_a_party() {
        for role in [StaffRole::Judge, StaffRole::Clerk, StaffRole::Admin] {
            for linked in [None, Some(ParticipantRole::PresidingJudge), Some(ParticipantRole::Clerk)] {
                for booked in [false, true] {
                    let facts = Facts { who: Who::Staff { role, linked, booked }, status: InSession };
                    for action in actions(1).into_iter().chain([Action::ManageHearing]) {
                        let allowed = decide(&facts, action).is_ok();
                        let want = match action {
                            Action::ReadDetails | Action::ReadEvidence | Action::ReadOriginal { .. } | Action::ReadRecord | Action::ReadSpeech => true,
                            Action::WriteRecord => role != StaffRole::Admin && linked.is_some(),
                            Action::ReleaseOriginal => role != StaffRole::Admin && linked == Some(ParticipantRole::PresidingJudge),
                            Action::ManageHearing => role != StaffRole::Admin && (linked.is_some() || booked),
                            _ => false,
                        };
                        assert_eq!(allowed, want, "{role:?} linked {linked:?} booked {booked} {action:?}");
                    }
                }
            }
        }
        for role in ParticipantRole::ALL {
            let facts = Facts { who: Who::Participant { id: 1, role, blocked: false }, status: InSession };
            assert_eq!(decide(&facts, Action::ManageHearing).unwrap_err().code, ErrorCode::Forbidden, "{role:?}");
        }
    }
}
