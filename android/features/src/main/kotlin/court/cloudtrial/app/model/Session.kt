package court.cloudtrial.app.model

/** A participant's role in the hearing, in the court's terms. */
enum class Role {
    PRESIDING_JUDGE, JUDGE, CLERK, PLAINTIFF, DEFENDANT, PLAINTIFF_AGENT, DEFENDANT_AGENT, THIRD_PARTY, WITNESS,

    /** A role added by a newer server than this app: shown by the server's label, allowed nothing here. */
    UNKNOWN;

    val isCourt: Boolean get() = this == PRESIDING_JUDGE || this == JUDGE || this == CLERK
}

data class Session(
    val hearingId: Long,
    val participantId: Long,
    val role: Role,
    val meetingNumber: String,
    val expiresAtMs: Long,
)

sealed interface SessionStatus {
    data object LoggedOut : SessionStatus
    data class LoggedIn(val session: Session) : SessionStatus
    /** The server ended the session: 会议号登录 again. */
    data object Expired : SessionStatus
}

data class LoginCodeSent(val resendAfterSecs: Int, val expiresInSecs: Int)

data class Person(val id: Long, val name: String, val role: Role, val roleLabel: String) {
    /** 原告 张三 */
    val label: String get() = "$roleLabel $name"
}

/** [UNKNOWN]: a state added by a newer server than this app, shown by the server's label. */
enum class HearingPhase { SCHEDULED, IN_SESSION, ADJOURNED, CLOSED, CANCELLED, UNKNOWN }

/** 案号, 案由, 法庭, schedule and everyone in it. */
data class HearingInfo(
    val hearingId: Long,
    val meetingNumber: String,
    val caseNumber: String,
    val caseTitle: String,
    val courtroom: String,
    val scheduledDate: String,
    val scheduledTime: String,
    val phase: HearingPhase,
    val phaseLabel: String,
    val me: Person,
    val participants: List<Person>,
)
