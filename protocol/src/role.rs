use serde::{Deserialize, Serialize};

/// A participant's role in one hearing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantRole {
    /// 审判长
    PresidingJudge,
    /// 审判员
    Judge,
    /// 书记员
    Clerk,
    /// 原告
    Plaintiff,
    /// 被告
    Defendant,
    /// 原告代理人
    PlaintiffAgent,
    /// 被告代理人
    DefendantAgent,
    /// 第三人
    ThirdParty,
    /// 证人
    Witness,
    /// A role this side does not know yet (added by a newer server). The server
    /// never stores it and refuses it in a request; an app shows it as 参与人.
    #[serde(other)]
    Unknown,
}

/// Which side of the case a participant speaks for; evidence is grouped by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Court,
    Plaintiff,
    Defendant,
    ThirdParty,
    Witness,
    /// A side this side does not know yet (from a newer server).
    #[serde(other)]
    Unknown,
}

impl ParticipantRole {
    pub const ALL: [ParticipantRole; 9] = [
        Self::PresidingJudge,
        Self::Judge,
        Self::Clerk,
        Self::Plaintiff,
        Self::Defendant,
        Self::PlaintiffAgent,
        Self::DefendantAgent,
        Self::ThirdParty,
        Self::Witness,
    ];

    /// The role as the court writes it.
    pub fn label(self) -> &'static str {
        match self {
            Self::PresidingJudge => "审判长",
            Self::Judge => "审判员",
            Self::Clerk => "书记员",
            Self::Plaintiff => "原告",
            Self::Defendant => "被告",
            Self::PlaintiffAgent => "原告代理人",
            Self::DefendantAgent => "被告代理人",
            Self::ThirdParty => "第三人",
            Self::Witness => "证人",
            Self::Unknown => "参与人",
        }
    }

    /// The wire name (`presiding_judge`, `plaintiff`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PresidingJudge => "presiding_judge",
            Self::Judge => "judge",
            Self::Clerk => "clerk",
            Self::Plaintiff => "plaintiff",
            Self::Defendant => "defendant",
            Self::PlaintiffAgent => "plaintiff_agent",
            Self::DefendantAgent => "defendant_agent",
            Self::ThirdParty => "third_party",
            Self::Witness => "witness",
            Self::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn from_label(label: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.label() == label)
    }

    /// 审判长 and 审判员 run the hearing.
    pub fn is_judge(self) -> bool {
        matches!(self, Self::PresidingJudge | Self::Judge)
    }

    /// Judges and the clerk: the court's own people in the hearing.
    pub fn is_court(self) -> bool {
        self.side() == Side::Court
    }

    /// Parties and witnesses: everyone the court summons.
    pub fn is_party(self) -> bool {
        !self.is_court()
    }

    /// Parties (and their agents) submit and cross-examine evidence; witnesses and the court do not.
    pub fn submits_evidence(self) -> bool {
        self.side().submits_evidence()
    }

    /// Everyone who is not of the court signs the record: parties, agents, third parties, witnesses.
    pub fn signs_the_record(self) -> bool {
        !self.is_court()
    }

    /// Whom the judge may block (屏蔽) and summon (传唤): everyone but the court.
    pub fn may_be_blocked(self) -> bool {
        !self.is_court()
    }

    pub fn side(self) -> Side {
        match self {
            Self::PresidingJudge | Self::Judge | Self::Clerk => Side::Court,
            Self::Plaintiff | Self::PlaintiffAgent => Side::Plaintiff,
            Self::Defendant | Self::DefendantAgent => Side::Defendant,
            Self::ThirdParty => Side::ThirdParty,
            Self::Witness => Side::Witness,
            Self::Unknown => Side::Unknown,
        }
    }
}

impl Side {
    pub const ALL: [Side; 5] = [Self::Court, Self::Plaintiff, Self::Defendant, Self::ThirdParty, Self::Witness];

    /// The order in which evidence is listed, side by side.
    pub const EVIDENCE_ORDER: [Side; 5] = [Self::Plaintiff, Self::Defendant, Self::ThirdParty, Self::Witness, Self::Court];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Court => "court",
            Self::Plaintiff => "plaintiff",
            Self::Defendant => "defendant",
            Self::ThirdParty => "third_party",
            Self::Witness => "witness",
            Self::Unknown => "unknown",
        }
    }

    /// The sides of the case: they submit evidence and give opinions on the others'.
    pub fn submits_evidence(self) -> bool {
        matches!(self, Self::Plaintiff | Self::Defendant | Self::ThirdParty)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Court => "法庭",
            Self::Plaintiff => "原告",
            Self::Defendant => "被告",
            Self::ThirdParty => "第三人",
            Self::Witness => "证人",
            Self::Unknown => "其他",
        }
    }
}

/// A court staff account's role in the court console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    Judge,
    Clerk,
    Admin,
}

impl StaffRole {
    pub const ALL: [StaffRole; 3] = [Self::Judge, Self::Clerk, Self::Admin];

    pub fn label(self) -> &'static str {
        match self {
            Self::Judge => "法官",
            Self::Clerk => "书记员",
            Self::Admin => "管理员",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Judge => "judge",
            Self::Clerk => "clerk",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "judge" => Some(Self::Judge),
            "clerk" => Some(Self::Clerk),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip() {
        for role in ParticipantRole::ALL {
            assert_eq!(ParticipantRole::from_label(role.label()), Some(role));
            assert_eq!(ParticipantRole::parse(role.as_str()), Some(role));
            assert_eq!(serde_json::to_string(&role).unwrap(), format!("\"{}\"", role.as_str()));
        }
    }

    #[test]
    fn only_judges_run_the_hearing() {
        let judges: Vec<_> = ParticipantRole::ALL.into_iter().filter(|r| r.is_judge()).collect();
        assert_eq!(judges, [ParticipantRole::PresidingJudge, ParticipantRole::Judge]);
        assert!(ParticipantRole::Clerk.is_court() && !ParticipantRole::Clerk.is_judge());
        assert!(ParticipantRole::PlaintiffAgent.is_party());
    }
}
