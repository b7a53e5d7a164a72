import Foundation

/// A participant's role in the hearing, in the court's terms.
public enum Role: String, CaseIterable, Sendable, Hashable {
    case presidingJudge, judge, clerk, plaintiff, defendant, plaintiffAgent, defendantAgent, thirdParty, witness
    /// A role added by a newer server than this app: shown by the server's label, allowed nothing here.
    case unknown

    public var isCourt: Bool { self == .presidingJudge || self == .judge || self == .clerk }
}

public struct Session: Equatable, Hashable, Sendable {
    public var hearingId: Int64
    public var participantId: Int64
    public var role: Role
    public var meetingNumber: String
    public var expiresAtMs: Int64

    public init(hearingId: Int64, participantId: Int64, role: Role, meetingNumber: String, expiresAtMs: Int64) {
        self.hearingId = hearingId
        self.participantId = participantId
        self.role = role
        self.meetingNumber = meetingNumber
        self.expiresAtMs = expiresAtMs
    }
}

public enum SessionStatus: Equatable, Sendable {
    case loggedOut
    case loggedIn(Session)
    /// The server ended the session: 会议号登录 again.
    case expired

    public var session: Session? {
        if case let .loggedIn(session) = self { return session }
        return nil
    }
}

public struct LoginCodeSent: Equatable, Sendable {
    public var resendAfterSecs: Int
    public var expiresInSecs: Int

    public init(resendAfterSecs: Int, expiresInSecs: Int) {
        self.resendAfterSecs = resendAfterSecs
        self.expiresInSecs = expiresInSecs
    }
}

public struct Person: Equatable, Hashable, Sendable {
    public var id: Int64
    public var name: String
    public var role: Role
    public var roleLabel: String

    public init(id: Int64, name: String, role: Role, roleLabel: String) {
        self.id = id
        self.name = name
        self.role = role
        self.roleLabel = roleLabel
    }

    /// 原告 张三
    public var label: String { "\(roleLabel) \(name)" }
}

public enum HearingPhase: Sendable, Equatable {
    case scheduled, inSession, adjourned, closed, cancelled
    /// A state added by a newer server than this app, shown by the server's label.
    case unknown
}

/// 案号, 案由, 法庭, schedule and everyone in it.
public struct HearingInfo: Equatable, Sendable {
    public var hearingId: Int64
    public var meetingNumber: String
    public var caseNumber: String
    public var caseTitle: String
    public var courtroom: String
    public var scheduledDate: String
    public var scheduledTime: String
    public var phase: HearingPhase
    public var phaseLabel: String
    public var me: Person
    public var participants: [Person]

    public init(
        hearingId: Int64, meetingNumber: String, caseNumber: String, caseTitle: String, courtroom: String,
        scheduledDate: String, scheduledTime: String, phase: HearingPhase, phaseLabel: String, me: Person, participants: [Person]
    ) {
        self.hearingId = hearingId
        self.meetingNumber = meetingNumber
        self.caseNumber = caseNumber
        self.caseTitle = caseTitle
        self.courtroom = courtroom
        self.scheduledDate = scheduledDate
        self.scheduledTime = scheduledTime
        self.phase = phase
        self.phaseLabel = phaseLabel
        self.me = me
        self.participants = participants
    }
}
