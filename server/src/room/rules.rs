//! The room's rules, as pure functions: what each judge command does to the
//! hearing's state, whom it may target, and which of the judges presides.
//! That a judge (and no one else) may command is `access`'s.

use cloudtrial_protocol::ParticipantRole;
use cloudtrial_protocol::api::HearingStatus;
use cloudtrial_protocol::signalling::JudgeCommand;
use cloudtrial_protocol::ErrorCode;

use crate::error::AppError;
use crate::store::room::RoomMember;

/// The new status a state command leads to, or why it cannot be given now.
/// The moves are the protocol's table (`HearingStatus::judge_actions`), the
/// same one the judge's buttons are drawn from.
pub fn next_status(current: HearingStatus, command: &JudgeCommand) -> Result<Option<HearingStatus>, AppError> {
    let conflict = |message: &str| Err(AppError::with_message(ErrorCode::Conflict, message));
    match command.hearing_action() {
        Some(action) => match current.judge_actions().iter().find(|(a, _)| *a == action) {
            Some((_, to)) => Ok(Some(*to)),
            None => conflict(action.refusal()),
        },
        None if current.is_over() => conflict("庭审已结束"),
        None => Ok(None),
    }
}

/// In a collegial panel (合议庭) the 审判长 presides: only they give the room's
/// commands, so an associate judge can neither close the hearing nor mute the
/// presiding one. A hearing without a 审判长 is presided over by its 审判员.
pub fn check_presides(members: &[RoomMember], judge_id: i64) -> Result<(), AppError> {
    let panel = members.iter().any(|m| m.role == ParticipantRole::PresidingJudge);
    match members.iter().find(|m| m.id == judge_id) {
        Some(judge) if judge.role != ParticipantRole::PresidingJudge && panel => {
            Err(AppError::with_message(ErrorCode::Forbidden, "本案由审判长主持庭审，此操作请由审判长进行"))
        }
        _ => Ok(()),
    }
}

fn conflict(message: String) -> AppError {
    AppError::with_message(ErrorCode::Conflict, message)
}

/// Checks the target of a block, summon or mute.
pub fn check_target<'a>(
    members: &'a [RoomMember],
    judge_id: i64,
    command: &JudgeCommand,
) -> Result<Option<&'a RoomMember>, AppError> {
    let target_id = match command {
        JudgeCommand::Block { participant_id }
        | JudgeCommand::Summon { participant_id }
        | JudgeCommand::SetMuted { participant_id, .. }
        | JudgeCommand::AllowAnnotation { participant_id }
        | JudgeCommand::RefuseAnnotation { participant_id }
        | JudgeCommand::WithdrawAnnotation { participant_id } => *participant_id,
        _ => return Ok(None),
    };
    let target = members
        .iter()
        .find(|m| m.id == target_id)
        .ok_or_else(|| AppError::invalid("该参与人不在本次庭审中"))?;
    match command {
        JudgeCommand::Block { .. } | JudgeCommand::Summon { .. } if !target.role.may_be_blocked() => {
            Err(AppError::invalid("只能屏蔽或传唤当事人"))
        }
        JudgeCommand::SetMuted { .. } if target.id == judge_id => Err(AppError::invalid("不能将自己静音")),
        // Only what changes something is done (and logged).
        JudgeCommand::Block { .. } if target.blocked => Err(conflict(format!("{}已被屏蔽", target.name))),
        JudgeCommand::Summon { .. } if !target.blocked => Err(conflict(format!("{}未被屏蔽，无需传唤", target.name))),
        JudgeCommand::SetMuted { muted, .. } if target.muted == *muted => {
            Err(conflict(format!("{}{}", target.name, if *muted { "已被静音" } else { "未被静音" })))
        }
        JudgeCommand::AllowAnnotation { .. } | JudgeCommand::RefuseAnnotation { .. } | JudgeCommand::WithdrawAnnotation { .. }
            if !target.role.submits_evidence() =>
        {
            Err(AppError::invalid("只有当事人需要申请圈注"))
        }
        _ => Ok(Some(target)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hearing_moves_only_along_its_path() {
        use HearingStatus::*;
        let cases = [
            (JudgeCommand::Start, Scheduled, Some(InSession)),
            (JudgeCommand::Adjourn, InSession, Some(Adjourned)),
            (JudgeCommand::Resume, Adjourned, Some(InSession)),
            (JudgeCommand::Close, InSession, Some(Closed)),
            (JudgeCommand::Close, Adjourned, Some(Closed)),
        ];
        for (command, from, to) in cases {
            assert_eq!(next_status(from, &command).unwrap(), to, "{command:?} from {from:?}");
        }
        for (command, from) in [
            (JudgeCommand::Start, InSession),
            (JudgeCommand::Adjourn, Scheduled),
            (JudgeCommand::Resume, InSession),
            (JudgeCommand::Close, Scheduled),
            (JudgeCommand::Start, Closed),
            (JudgeCommand::Block { participant_id: 1 }, Closed),
        ] {
            assert!(next_status(from, &command).is_err(), "{command:?} from {from:?} allowed");
        }
        assert_eq!(next_status(Scheduled, &JudgeCommand::Block { participant_id: 1 }).unwrap(), None);
    }
}
