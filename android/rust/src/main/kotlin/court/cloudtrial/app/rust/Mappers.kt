package court.cloudtrial.app.rust

import court.cloudtrial.app.model.DownloadProgress
import court.cloudtrial.app.model.Evidence
import court.cloudtrial.app.model.EvidenceFileKind
import court.cloudtrial.app.model.EvidenceSide
import court.cloudtrial.app.model.HearingInfo
import court.cloudtrial.app.model.HearingPhase
import court.cloudtrial.app.model.LoginCodeSent
import court.cloudtrial.app.model.MediaLink
import court.cloudtrial.app.model.MediaStatus
import court.cloudtrial.app.model.NewEvidence
import court.cloudtrial.app.model.Opinion
import court.cloudtrial.app.model.OpinionDraft
import court.cloudtrial.app.model.Person
import court.cloudtrial.app.model.Position
import court.cloudtrial.app.model.PositionDraft
import court.cloudtrial.app.model.RecordDocument
import court.cloudtrial.app.model.Role
import court.cloudtrial.app.model.RoomConnection
import court.cloudtrial.app.model.RoomMember
import court.cloudtrial.app.model.RoomSnapshot
import court.cloudtrial.app.model.Session
import court.cloudtrial.app.model.SessionStatus
import court.cloudtrial.app.model.Submitting
import court.cloudtrial.app.model.Signer
import court.cloudtrial.app.model.Upload
import court.cloudtrial.app.model.UploadStatus
import court.cloudtrial.core.ConnectionState
import court.cloudtrial.core.DownloadProgress as CoreDownloadProgress
import court.cloudtrial.core.EvidenceDetails
import court.cloudtrial.core.EvidenceFile
import court.cloudtrial.core.EvidenceGroup
import court.cloudtrial.core.EvidenceItem
import court.cloudtrial.core.HearingDetails
import court.cloudtrial.core.HearingStatus
import court.cloudtrial.core.MediaConnection
import court.cloudtrial.core.MediaState
import court.cloudtrial.core.OpinionInput
import court.cloudtrial.core.OpinionItem
import court.cloudtrial.core.Participant
import court.cloudtrial.core.ParticipantRole
import court.cloudtrial.core.PositionInput
import court.cloudtrial.core.PositionItem
import court.cloudtrial.core.RecordVersion
import court.cloudtrial.core.Submitting as CoreSubmitting
import court.cloudtrial.core.RoomParticipant
import court.cloudtrial.core.RoomState
import court.cloudtrial.core.SessionInfo
import court.cloudtrial.core.SessionState
import court.cloudtrial.core.SignerStatus
import court.cloudtrial.core.UploadProgress
import court.cloudtrial.core.UploadState
import court.cloudtrial.core.CameraFacing as CoreCameraFacing
import court.cloudtrial.core.LoginCodeSent as CoreLoginCodeSent
import court.cloudtrial.core.MediaSettings as CoreMediaSettings
import court.cloudtrial.core.MySignature as CoreMySignature
import court.cloudtrial.core.RecordHeader as CoreRecordHeader
import court.cloudtrial.core.RecordParagraph as CoreRecordParagraph
import court.cloudtrial.core.RecordView as CoreRecordView
import court.cloudtrial.core.SignatureInfo as CoreSignatureInfo
import court.cloudtrial.core.SigningRound as CoreSigningRound
import court.cloudtrial.core.SpeechLine as CoreSpeechLine
import court.cloudtrial.core.StrokePoint as CoreStrokePoint
import court.cloudtrial.app.model.CameraFacing
import court.cloudtrial.app.model.MediaSettings
import court.cloudtrial.app.model.MySignature
import court.cloudtrial.app.model.RecordHeader
import court.cloudtrial.app.model.RecordParagraph
import court.cloudtrial.app.model.RecordView
import court.cloudtrial.app.model.SignatureInfo
import court.cloudtrial.app.model.SigningRound
import court.cloudtrial.app.model.SpeechLine
import court.cloudtrial.app.model.StrokePoint

// The generated records and enums, copied into the app's models (and back
// where the core needs them again). Nothing else in the app sees the former.

internal fun ParticipantRole.toApp(): Role = when (this) {
    ParticipantRole.PRESIDING_JUDGE -> Role.PRESIDING_JUDGE
    ParticipantRole.JUDGE -> Role.JUDGE
    ParticipantRole.CLERK -> Role.CLERK
    ParticipantRole.PLAINTIFF -> Role.PLAINTIFF
    ParticipantRole.DEFENDANT -> Role.DEFENDANT
    ParticipantRole.PLAINTIFF_AGENT -> Role.PLAINTIFF_AGENT
    ParticipantRole.DEFENDANT_AGENT -> Role.DEFENDANT_AGENT
    ParticipantRole.THIRD_PARTY -> Role.THIRD_PARTY
    ParticipantRole.WITNESS -> Role.WITNESS
    ParticipantRole.UNKNOWN -> Role.UNKNOWN
}

internal fun Role.toCore(): ParticipantRole = ParticipantRole.entries.first { it.toApp() == this }

internal fun SessionInfo.toApp() = Session(hearingId, participantId, role.toApp(), meetingNumber, expiresAtMs)

internal fun SessionState.toApp(): SessionStatus = when (this) {
    is SessionState.LoggedOut -> SessionStatus.LoggedOut
    is SessionState.LoggedIn -> SessionStatus.LoggedIn(session.toApp())
    is SessionState.Expired -> SessionStatus.Expired
}

internal fun CoreLoginCodeSent.toApp() = LoginCodeSent(resendAfterSecs.toInt(), expiresInSecs.toInt())

internal fun Participant.toApp() = Person(id, name, role.toApp(), roleLabel)

internal fun HearingStatus.toApp(): HearingPhase = when (this) {
    HearingStatus.SCHEDULED -> HearingPhase.SCHEDULED
    HearingStatus.IN_SESSION -> HearingPhase.IN_SESSION
    HearingStatus.ADJOURNED -> HearingPhase.ADJOURNED
    HearingStatus.CLOSED -> HearingPhase.CLOSED
    HearingStatus.CANCELLED -> HearingPhase.CANCELLED
    HearingStatus.UNKNOWN -> HearingPhase.UNKNOWN
}

internal fun HearingDetails.toApp() = HearingInfo(
    hearingId = hearingId,
    meetingNumber = meetingNumber,
    caseNumber = caseNumber,
    caseTitle = caseTitle,
    courtroom = courtroom,
    scheduledDate = scheduledDate,
    scheduledTime = scheduledTime,
    phase = status.toApp(),
    phaseLabel = statusLabel,
    me = me.toApp(),
    participants = participants.map { it.toApp() },
)

internal fun ConnectionState.toApp(): RoomConnection = when (this) {
    is ConnectionState.Connecting -> RoomConnection.Connecting
    is ConnectionState.Connected -> RoomConnection.Connected
    is ConnectionState.Reconnecting -> RoomConnection.Reconnecting(attempt.toInt())
    is ConnectionState.Replaced -> RoomConnection.Replaced
    is ConnectionState.Ended -> RoomConnection.Ended(reason)
}

internal fun RoomParticipant.toApp() = RoomMember(id, name, role.toApp(), roleLabel, online, blocked, muted)

internal fun CoreSpeechLine.toApp() = SpeechLine(segment.toLong(), speakerId, speakerLabel, text, startMs, isFinal)

internal fun RoomState.toApp() = RoomSnapshot(
    connection = connection.toApp(),
    connectionLabel = connectionLabel,
    phase = hearingStatus?.toApp(),
    phaseLabel = hearingStatusLabel,
    recognitionMessage = recognitionMessage,
    speech = speech.map { it.toApp() },
    participants = participants.map { it.toApp() },
    me = me?.toApp(),
    blockedMessage = blockedMessage,
)

internal fun MediaSettings.toCore() =
    CoreMediaSettings(width.toUInt(), height.toUInt(), fps, bitrate.toUInt(), iceServers, iceUsername, iceCredential)

internal fun CameraFacing.toCore(): CoreCameraFacing = when (this) {
    CameraFacing.FRONT -> CoreCameraFacing.FRONT
    CameraFacing.BACK -> CoreCameraFacing.BACK
}

internal fun MediaState.toApp() = MediaStatus(
    link = when (val c = connection) {
        is MediaConnection.Connecting -> MediaLink.Connecting
        is MediaConnection.Connected -> MediaLink.Connected
        is MediaConnection.Reconnecting -> MediaLink.Reconnecting
        is MediaConnection.Stopped -> MediaLink.Stopped(c.reason)
    },
    label = connectionLabel,
    cameraOn = cameraOn,
    microphoneOn = microphoneOn,
    rttMs = rttMs?.toInt(),
    sendKbps = sendKbps.toInt(),
    receiveKbps = receiveKbps.toInt(),
)

internal fun NewEvidence.toCore() = EvidenceDetails(title, description, purpose, counter, answers)

internal fun UploadState.toApp(): UploadStatus = when (this) {
    UploadState.QUEUED -> UploadStatus.QUEUED
    UploadState.UPLOADING -> UploadStatus.UPLOADING
    UploadState.PAUSED -> UploadStatus.PAUSED
    UploadState.SUBMITTED -> UploadStatus.SUBMITTED
    UploadState.FAILED -> UploadStatus.FAILED
}

internal fun UploadProgress.toApp() = Upload(
    localId = localId,
    title = title,
    fileName = fileName,
    mediaType = mediaType,
    counter = counter,
    bytesSent = bytesSent.toLong(),
    total = total.toLong(),
    percent = percent.toInt(),
    status = state.toApp(),
    statusLabel = stateLabel,
    reason = reason,
    evidenceId = evidenceId,
)

internal fun PositionItem.toApp() = Position(accept, label, reason)

internal fun OpinionItem.toApp() =
    Opinion(byName, byRoleLabel, sideLabel, authenticity.toApp(), legality.toApp(), relevance.toApp())

internal fun EvidenceItem.toApp() = Evidence(
    id = id,
    submitterName = submitterName,
    submitterRole = submitterRole.toApp(),
    sideLabel = sideLabel,
    title = title,
    description = description,
    purpose = purpose,
    counter = counter,
    badge = badge,
    answers = answers,
    fileName = fileName,
    mediaType = mediaType,
    kindLabel = kindLabel,
    size = size.toLong(),
    hasPreview = hasPreview,
    originalReleased = originalReleased,
    submittedAtMs = submittedAtMs,
    withdrawn = withdrawn,
    opinions = opinions.map { it.toApp() },
    mine = mine,
    mayGiveOpinion = mayGiveOpinion,
)

internal fun EvidenceGroup.toApp() = EvidenceSide(sideLabel, items.map { it.toApp() })

internal fun CoreDownloadProgress.toApp() = DownloadProgress(bytesReceived.toLong(), total?.toLong(), percent?.toInt())

internal fun EvidenceFileKind.toCore(): EvidenceFile = when (this) {
    EvidenceFileKind.ORIGINAL -> EvidenceFile.ORIGINAL
    EvidenceFileKind.COPY -> EvidenceFile.COPY
    EvidenceFileKind.PREVIEW -> EvidenceFile.PREVIEW
    EvidenceFileKind.THUMBNAIL -> EvidenceFile.THUMBNAIL
}

private fun PositionDraft.toCore() = PositionInput(accept, reason)

internal fun OpinionDraft.toCore() = OpinionInput(authenticity.toCore(), legality.toCore(), relevance.toCore())

internal fun CoreRecordHeader.toApp() = RecordHeader(caseNumber, caseTitle, time, place, judges, clerk, present)

internal fun RecordHeader.toCore() = CoreRecordHeader(caseNumber, caseTitle, time, place, judges, clerk, present)

internal fun RecordVersion.toApp() = RecordDocument(
    hearingId = hearingId,
    version = version.toInt(),
    header = header.toApp(),
    paragraphs = paragraphs.map { RecordParagraph(it.speaker, it.text) },
    sha256 = sha256,
    savedBy = savedBy,
    savedAtMs = savedAtMs,
)

/** Back to the core's record, unchanged, for signing: the core checks its hash. */
internal fun RecordDocument.toCore() = RecordVersion(
    hearingId = hearingId,
    version = version.toUInt(),
    header = header.toCore(),
    paragraphs = paragraphs.map { CoreRecordParagraph(it.speaker, it.text) },
    sha256 = sha256,
    savedBy = savedBy,
    savedAtMs = savedAtMs,
)

internal fun CoreSignatureInfo.toApp() =
    SignatureInfo(id, signer.toApp(), version.toInt(), versionSha256, imageSha256, signedAtMs, inApp)

internal fun SignerStatus.toApp() = Signer(participant.toApp(), signature?.toApp())

internal fun CoreSigningRound.toApp() = SigningRound(id, version.toInt(), versionSha256, open, signers.map { it.toApp() })

internal fun CoreRecordView.toApp() = RecordView(latest?.toApp(), signing?.toApp(), mustSign, mySignature?.toApp())

internal fun StrokePoint.toCore() = CoreStrokePoint(x, y)

internal fun CoreMySignature.toApp() = MySignature(info.toApp(), png)

internal fun CoreSubmitting.toApp(): Submitting = when (this) {
    is CoreSubmitting.Open -> Submitting.Open
    is CoreSubmitting.Closed -> Submitting.Closed(reason)
    is CoreSubmitting.NotForRole -> Submitting.NotForRole
}
