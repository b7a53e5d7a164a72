import Foundation

/// What the party says about a file they submit.
public struct NewEvidence: Equatable, Sendable {
    public var title: String
    public var description: String
    /// 证明目的
    public var purpose: String
    /// 反证
    public var counter: Bool
    /// For counter-evidence: the evidence it answers.
    public var answers: String?

    public init(title: String, description: String = "", purpose: String = "", counter: Bool = false, answers: String? = nil) {
        self.title = title
        self.description = description
        self.purpose = purpose
        self.counter = counter
        self.answers = answers
    }
}

public enum UploadStatus: Sendable, Equatable {
    case queued, uploading, paused, submitted, failed
}

public struct Upload: Equatable, Sendable, Identifiable {
    public var localId: Int64
    public var title: String
    public var fileName: String
    public var mediaType: String
    public var counter: Bool
    public var bytesSent: UInt64
    public var total: UInt64
    public var percent: Int
    public var status: UploadStatus
    /// 排队中 / 上传中 / 已暂停 / 已提交 / 失败
    public var statusLabel: String
    public var reason: String?
    public var evidenceId: String?

    public var id: Int64 { localId }

    public init(
        localId: Int64, title: String, fileName: String, mediaType: String, counter: Bool, bytesSent: UInt64,
        total: UInt64, percent: Int, status: UploadStatus, statusLabel: String, reason: String?, evidenceId: String?
    ) {
        self.localId = localId
        self.title = title
        self.fileName = fileName
        self.mediaType = mediaType
        self.counter = counter
        self.bytesSent = bytesSent
        self.total = total
        self.percent = percent
        self.status = status
        self.statusLabel = statusLabel
        self.reason = reason
        self.evidenceId = evidenceId
    }
}

public struct Position: Equatable, Sendable {
    public var accept: Bool
    /// 认可 / 有异议
    public var label: String
    public var reason: String

    public init(accept: Bool, label: String, reason: String) {
        self.accept = accept
        self.label = label
        self.reason = reason
    }
}

/// 质证意见
public struct Opinion: Equatable, Sendable {
    public var byName: String
    public var byRoleLabel: String
    public var sideLabel: String
    public var authenticity: Position
    public var legality: Position
    public var relevance: Position

    public init(byName: String, byRoleLabel: String, sideLabel: String, authenticity: Position, legality: Position, relevance: Position) {
        self.byName = byName
        self.byRoleLabel = byRoleLabel
        self.sideLabel = sideLabel
        self.authenticity = authenticity
        self.legality = legality
        self.relevance = relevance
    }
}

public struct Evidence: Equatable, Sendable, Identifiable {
    public var id: String
    public var submitterName: String
    public var submitterRole: Role
    /// 原告 / 被告 / 第三人 …
    public var sideLabel: String
    public var title: String
    public var description: String
    public var purpose: String
    public var counter: Bool
    /// 反 on counter-evidence.
    public var badge: String?
    public var answers: String?
    public var fileName: String
    public var mediaType: String
    /// 图片 / PDF文档 / 文档 / 音频 / 视频
    public var kindLabel: String
    public var size: UInt64
    public var hasPreview: Bool
    public var originalReleased: Bool
    public var submittedAtMs: Int64
    public var withdrawn: Bool
    public var opinions: [Opinion]
    /// Submitted by the logged-in participant (the core compares ids: two parties may share a name).
    public var mine: Bool
    /// 质证 is offered: the core's copy of the server's rule.
    public var mayGiveOpinion: Bool

    public init(
        id: String, submitterName: String, submitterRole: Role, sideLabel: String, title: String,
        description: String = "", purpose: String = "", counter: Bool = false, badge: String? = nil, answers: String? = nil,
        fileName: String, mediaType: String, kindLabel: String, size: UInt64, hasPreview: Bool,
        originalReleased: Bool = false, submittedAtMs: Int64 = 0, withdrawn: Bool = false, opinions: [Opinion] = [],
        mine: Bool = false, mayGiveOpinion: Bool = false
    ) {
        self.id = id
        self.submitterName = submitterName
        self.submitterRole = submitterRole
        self.sideLabel = sideLabel
        self.title = title
        self.description = description
        self.purpose = purpose
        self.counter = counter
        self.badge = badge
        self.answers = answers
        self.fileName = fileName
        self.mediaType = mediaType
        self.kindLabel = kindLabel
        self.size = size
        self.hasPreview = hasPreview
        self.originalReleased = originalReleased
        self.submittedAtMs = submittedAtMs
        self.withdrawn = withdrawn
        self.opinions = opinions
        self.mine = mine
        self.mayGiveOpinion = mayGiveOpinion
    }

    public var isImage: Bool { mediaType.hasPrefix("image/") }
    public var isPdf: Bool { mediaType == "application/pdf" }
}

/// Whether 上传证据 is offered now.
public enum Submitting: Equatable, Sendable {
    case open
    /// A party, once the hearing takes no more evidence: why.
    case closed(reason: String)
    /// Only parties submit evidence.
    case notForRole
}

/// One side's evidence list.
public struct EvidenceSide: Equatable, Sendable {
    public var sideLabel: String
    public var items: [Evidence]

    public init(sideLabel: String, items: [Evidence]) {
        self.sideLabel = sideLabel
        self.items = items
    }
}

public enum EvidenceFileKind: Sendable, Equatable {
    case original, copy, preview, thumbnail
}

/// How much of a file being opened has arrived.
public struct DownloadProgress: Equatable, Sendable {
    public var bytesReceived: Int64
    public var total: Int64?
    public var percent: Int?

    public init(bytesReceived: Int64, total: Int64?, percent: Int?) {
        self.bytesReceived = bytesReceived
        self.total = total
        self.percent = percent
    }
}

public struct PositionDraft: Equatable, Sendable {
    public var accept: Bool
    public var reason: String

    public init(accept: Bool, reason: String = "") {
        self.accept = accept
        self.reason = reason
    }
}

/// 质证: 真实性, 合法性, 关联性.
public struct OpinionDraft: Equatable, Sendable {
    public var authenticity: PositionDraft
    public var legality: PositionDraft
    public var relevance: PositionDraft

    public init(authenticity: PositionDraft, legality: PositionDraft, relevance: PositionDraft) {
        self.authenticity = authenticity
        self.legality = legality
        self.relevance = relevance
    }
}
