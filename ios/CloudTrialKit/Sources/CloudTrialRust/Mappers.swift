import CloudTrialCore
import CloudTrialFeatures
import Foundation

// The generated records and enums, copied into the app's models (and back
// where the core needs them again). Nothing above this module sees the former.

extension ParticipantRole {
    func toApp() -> Role {
        switch self {
        case .presidingJudge: return .presidingJudge
        case .judge: return .judge
        case .clerk: return .clerk
        case .plaintiff: return .plaintiff
        case .defendant: return .defendant
        case .plaintiffAgent: return .plaintiffAgent
        case .defendantAgent: return .defendantAgent
        case .thirdParty: return .thirdParty
        case .witness: return .witness
        case .unknown: return .unknown
        }
    }
}

extension SessionInfo {
    func toApp() -> Session {
        Session(hearingId: hearingId, participantId: participantId, role: role.toApp(), meetingNumber: meetingNumber, expiresAtMs: expiresAtMs)
    }
}

extension SessionState {
    func toApp() -> SessionStatus {
        switch self {
        case .loggedOut: return .loggedOut
        case let .loggedIn(session): return .loggedIn(session.toApp())
        case .expired: return .expired
        }
    }
}

extension CloudTrialCore.LoginCodeSent {
    func toApp() -> CloudTrialFeatures.LoginCodeSent {
        CloudTrialFeatures.LoginCodeSent(resendAfterSecs: Int(resendAfterSecs), expiresInSecs: Int(expiresInSecs))
    }
}

extension Participant {
    func toApp() -> Person {
        Person(id: id, name: name, role: role.toApp(), roleLabel: roleLabel)
    }
}

extension HearingStatus {
    func toApp() -> HearingPhase {
        switch self {
        case .scheduled: return .scheduled
        case .inSession: return .inSession
        case .adjourned: return .adjourned
        case .closed: return .closed
        case .cancelled: return .cancelled
        case .unknown: return .unknown
        }
    }
}

extension HearingDetails {
    func toApp() -> HearingInfo {
        HearingInfo(
            hearingId: hearingId, meetingNumber: meetingNumber, caseNumber: caseNumber, caseTitle: caseTitle,
            courtroom: courtroom, scheduledDate: scheduledDate, scheduledTime: scheduledTime, phase: status.toApp(),
            phaseLabel: statusLabel, me: me.toApp(), participants: participants.map { $0.toApp() }
        )
    }
}

extension ConnectionState {
    func toApp() -> RoomConnection {
        switch self {
        case .connecting: return .connecting
        case .connected: return .connected
        case let .reconnecting(attempt): return .reconnecting(attempt: Int(attempt))
        case .replaced: return .replaced
        case let .ended(reason): return .ended(reason: reason)
        }
    }
}

extension RoomParticipant {
    func toApp() -> RoomMember {
        RoomMember(id: id, name: name, role: role.toApp(), roleLabel: roleLabel, online: online, blocked: blocked, muted: muted)
    }
}

extension CloudTrialCore.SpeechLine {
    func toApp() -> CloudTrialFeatures.SpeechLine {
        CloudTrialFeatures.SpeechLine(segment: segment, speakerId: speakerId, speakerLabel: speakerLabel, text: text, startMs: startMs, isFinal: isFinal)
    }
}

extension RoomState {
    func toApp() -> RoomSnapshot {
        RoomSnapshot(
            connection: connection.toApp(), connectionLabel: connectionLabel, phase: hearingStatus?.toApp(),
            phaseLabel: hearingStatusLabel, recognitionMessage: recognitionMessage, speech: speech.map { $0.toApp() },
            participants: participants.map { $0.toApp() }, me: me?.toApp(), blockedMessage: blockedMessage
        )
    }
}

extension CloudTrialFeatures.MediaSettings {
    func toCore() -> CloudTrialCore.MediaSettings {
        CloudTrialCore.MediaSettings(
            width: UInt32(width), height: UInt32(height), fps: fps, bitrate: UInt32(bitrate),
            iceServers: iceServers, iceUsername: iceUsername, iceCredential: iceCredential
        )
    }
}

extension CloudTrialFeatures.CameraFacing {
    func toCore() -> CloudTrialCore.CameraFacing {
        switch self {
        case .front: return .front
        case .back: return .back
        }
    }
}

extension MediaState {
    func toApp() -> MediaStatus {
        let link: MediaLink
        switch connection {
        case .connecting: link = .connecting
        case .connected: link = .connected
        case .reconnecting: link = .reconnecting
        case let .stopped(reason): link = .stopped(reason: reason)
        }
        return MediaStatus(
            link: link, label: connectionLabel, cameraOn: cameraOn, microphoneOn: microphoneOn,
            rttMs: rttMs.map { Int($0) }, sendKbps: Int(sendKbps), receiveKbps: Int(receiveKbps)
        )
    }
}

extension NewEvidence {
    func toCore() -> EvidenceDetails {
        EvidenceDetails(title: title, description: description, purpose: purpose, counter: counter, answers: answers)
    }
}

extension UploadState {
    func toApp() -> UploadStatus {
        switch self {
        case .queued: return .queued
        case .uploading: return .uploading
        case .paused: return .paused
        case .submitted: return .submitted
        case .failed: return .failed
        }
    }
}

extension CloudTrialCore.Submitting {
    func toApp() -> CloudTrialFeatures.Submitting {
        switch self {
        case .open: return .open
        case let .closed(reason): return .closed(reason: reason)
        case .notForRole: return .notForRole
        }
    }
}

extension UploadProgress {
    func toApp() -> Upload {
        Upload(
            localId: localId, title: title, fileName: fileName, mediaType: mediaType, counter: counter,
            bytesSent: bytesSent, total: total, percent: Int(percent), status: state.toApp(), statusLabel: stateLabel,
            reason: reason, evidenceId: evidenceId
        )
    }
}

extension PositionItem {
    func toApp() -> Position {
        Position(accept: accept, label: label, reason: reason)
    }
}

extension OpinionItem {
    func toApp() -> Opinion {
        Opinion(byName: byName, byRoleLabel: byRoleLabel, sideLabel: sideLabel,
                authenticity: authenticity.toApp(), legality: legality.toApp(), relevance: relevance.toApp())
    }
}

extension EvidenceItem {
    func toApp() -> Evidence {
        Evidence(
            id: id, submitterName: submitterName, submitterRole: submitterRole.toApp(), sideLabel: sideLabel, title: title,
            description: description, purpose: purpose, counter: counter, badge: badge, answers: answers,
            fileName: fileName, mediaType: mediaType, kindLabel: kindLabel, size: size, hasPreview: hasPreview,
            originalReleased: originalReleased, submittedAtMs: submittedAtMs, withdrawn: withdrawn,
            opinions: opinions.map { $0.toApp() }, mine: mine, mayGiveOpinion: mayGiveOpinion
        )
    }
}

extension EvidenceGroup {
    func toApp() -> EvidenceSide {
        EvidenceSide(sideLabel: sideLabel, items: items.map { $0.toApp() })
    }
}

extension CloudTrialCore.DownloadProgress {
    func toApp() -> CloudTrialFeatures.DownloadProgress {
        .init(bytesReceived: Int64(bytesReceived), total: total.map { Int64($0) }, percent: percent.map { Int($0) })
    }
}

extension EvidenceFileKind {
    func toCore() -> EvidenceFile {
        switch self {
        case .original: return .original
        case .copy: return .copy
        case .preview: return .preview
        case .thumbnail: return .thumbnail
        }
    }
}

extension OpinionDraft {
    func toCore() -> OpinionInput {
        OpinionInput(
            authenticity: PositionInput(accept: authenticity.accept, reason: authenticity.reason),
            legality: PositionInput(accept: legality.accept, reason: legality.reason),
            relevance: PositionInput(accept: relevance.accept, reason: relevance.reason)
        )
    }
}

extension CloudTrialCore.RecordHeader {
    func toApp() -> CloudTrialFeatures.RecordHeader {
        CloudTrialFeatures.RecordHeader(caseNumber: caseNumber, caseTitle: caseTitle, time: time, place: place, judges: judges, clerk: clerk, present: present)
    }
}

extension CloudTrialFeatures.RecordHeader {
    func toCore() -> CloudTrialCore.RecordHeader {
        CloudTrialCore.RecordHeader(caseNumber: caseNumber, caseTitle: caseTitle, time: time, place: place, judges: judges, clerk: clerk, present: present)
    }
}

extension RecordVersion {
    func toApp() -> RecordDocument {
        RecordDocument(
            hearingId: hearingId, version: Int(version), header: header.toApp(),
            paragraphs: paragraphs.map { CloudTrialFeatures.RecordParagraph(speaker: $0.speaker, text: $0.text) },
            sha256: sha256, savedBy: savedBy, savedAtMs: savedAtMs
        )
    }
}

extension RecordDocument {
    /// Back to the core's record, unchanged, for signing: the core checks its hash.
    func toCore() -> RecordVersion {
        RecordVersion(
            hearingId: hearingId, version: UInt32(version), header: header.toCore(),
            paragraphs: paragraphs.map { CloudTrialCore.RecordParagraph(speaker: $0.speaker, text: $0.text) },
            sha256: sha256, savedBy: savedBy, savedAtMs: savedAtMs
        )
    }
}

extension CloudTrialCore.SignatureInfo {
    func toApp() -> CloudTrialFeatures.SignatureInfo {
        CloudTrialFeatures.SignatureInfo(
            id: id, signer: signer.toApp(), version: Int(version), versionSha256: versionSha256,
            imageSha256: imageSha256, signedAtMs: signedAtMs, inApp: inApp
        )
    }
}

extension CloudTrialCore.SigningRound {
    func toApp() -> CloudTrialFeatures.SigningRound {
        CloudTrialFeatures.SigningRound(
            id: id, version: Int(version), versionSha256: versionSha256, open: open,
            signers: signers.map { Signer(person: $0.participant.toApp(), signature: $0.signature?.toApp()) }
        )
    }
}

extension CloudTrialCore.RecordView {
    func toApp() -> CloudTrialFeatures.RecordView {
        CloudTrialFeatures.RecordView(latest: latest?.toApp(), signing: signing?.toApp(), mustSign: mustSign, mySignature: mySignature?.toApp())
    }
}

extension CloudTrialCore.MySignature {
    func toApp() -> CloudTrialFeatures.MySignature {
        CloudTrialFeatures.MySignature(info: info.toApp(), png: png)
    }
}

// 圈注

extension CloudTrialCore.MarkColour {
    func toApp() -> CloudTrialFeatures.MarkColour {
        switch self {
        case .red: return .red
        case .blue: return .blue
        case .green: return .green
        case .orange: return .orange
        }
    }
}

extension CloudTrialFeatures.MarkColour {
    func toCore() -> CloudTrialCore.MarkColour {
        switch self {
        case .red: return .red
        case .blue: return .blue
        case .green: return .green
        case .orange: return .orange
        }
    }
}

extension MarkPoint {
    func toApp() -> PagePoint { PagePoint(x: x, y: y) }
}

extension PagePoint {
    func toCore() -> MarkPoint { MarkPoint(x: x, y: y) }
}

extension CloudTrialCore.MarkShape {
    func toApp() -> CloudTrialFeatures.MarkShape {
        switch self {
        case let .ink(points): return .ink(points: points.map { $0.toApp() })
        case let .rectangle(from, to): return .rectangle(from: from.toApp(), to: to.toApp())
        case let .ellipse(from, to): return .ellipse(from: from.toApp(), to: to.toApp())
        case let .arrow(from, to): return .arrow(from: from.toApp(), to: to.toApp())
        case let .text(at, text): return .text(at: at.toApp(), text: text)
        }
    }
}

extension CloudTrialFeatures.MarkShape {
    func toCore() -> CloudTrialCore.MarkShape {
        switch self {
        case let .ink(points): return .ink(points: points.map { $0.toCore() })
        case let .rectangle(from, to): return .rectangle(from: from.toCore(), to: to.toCore())
        case let .ellipse(from, to): return .ellipse(from: from.toCore(), to: to.toCore())
        case let .arrow(from, to): return .arrow(from: from.toCore(), to: to.toCore())
        case let .text(at, text): return .text(at: at.toCore(), text: text)
        }
    }
}

extension EvidenceMark {
    func toApp() -> Mark {
        Mark(id: id, page: Int(page), colour: colour.toApp(), shape: shape.toApp(), authorId: authorId, authorLabel: authorLabel)
    }
}

extension CloudTrialCore.EvidenceMarks {
    func toApp() -> CloudTrialFeatures.EvidenceMarks {
        let annotating: CloudTrialFeatures.Annotating
        switch self.annotating {
        case .no: annotating = .no
        case .requested: annotating = .requested
        case .allowed: annotating = .allowed
        case .court: annotating = .court
        }
        return CloudTrialFeatures.EvidenceMarks(
            marks: marks.map { $0.toApp() }, previews: previews.map { $0.toApp() }, annotating: annotating, mayDraw: mayDraw
        )
    }
}
