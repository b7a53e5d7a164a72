import Foundation

public struct RecordHeader: Equatable, Sendable {
    public var caseNumber: String
    public var caseTitle: String
    public var time: String
    public var place: String
    public var judges: [String]
    public var clerk: String
    public var present: [String]

    public init(caseNumber: String, caseTitle: String, time: String, place: String, judges: [String], clerk: String, present: [String]) {
        self.caseNumber = caseNumber
        self.caseTitle = caseTitle
        self.time = time
        self.place = place
        self.judges = judges
        self.clerk = clerk
        self.present = present
    }
}

public struct RecordParagraph: Equatable, Sendable {
    public var speaker: String
    public var text: String

    public init(speaker: String, text: String) {
        self.speaker = speaker
        self.text = text
    }
}

/// One saved version of the 笔录; signing passes it back unchanged.
public struct RecordDocument: Equatable, Sendable, Identifiable {
    public var hearingId: Int64
    public var version: Int
    public var header: RecordHeader
    public var paragraphs: [RecordParagraph]
    public var sha256: String
    /// 书记员 李书记
    public var savedBy: String
    public var savedAtMs: Int64

    public var id: Int { version }

    public init(hearingId: Int64, version: Int, header: RecordHeader, paragraphs: [RecordParagraph], sha256: String, savedBy: String, savedAtMs: Int64) {
        self.hearingId = hearingId
        self.version = version
        self.header = header
        self.paragraphs = paragraphs
        self.sha256 = sha256
        self.savedBy = savedBy
        self.savedAtMs = savedAtMs
    }
}

public struct SignatureInfo: Equatable, Sendable {
    public var id: Int64
    public var signer: Person
    public var version: Int
    public var versionSha256: String
    public var imageSha256: String
    public var signedAtMs: Int64
    public var inApp: Bool

    public init(id: Int64, signer: Person, version: Int, versionSha256: String, imageSha256: String, signedAtMs: Int64, inApp: Bool) {
        self.id = id
        self.signer = signer
        self.version = version
        self.versionSha256 = versionSha256
        self.imageSha256 = imageSha256
        self.signedAtMs = signedAtMs
        self.inApp = inApp
    }
}

public struct Signer: Equatable, Sendable {
    public var person: Person
    public var signature: SignatureInfo?

    public init(person: Person, signature: SignatureInfo?) {
        self.person = person
        self.signature = signature
    }
}

/// 发起签名: the frozen version and who must sign it.
public struct SigningRound: Equatable, Sendable {
    public var id: Int64
    public var version: Int
    public var versionSha256: String
    public var open: Bool
    public var signers: [Signer]

    public init(id: Int64, version: Int, versionSha256: String, open: Bool, signers: [Signer]) {
        self.id = id
        self.version = version
        self.versionSha256 = versionSha256
        self.open = open
        self.signers = signers
    }
}

public struct RecordView: Equatable, Sendable {
    public var latest: RecordDocument?
    public var signing: SigningRound?
    /// Show 签名 now.
    public var mustSign: Bool
    public var mySignature: SignatureInfo?

    public init(latest: RecordDocument?, signing: SigningRound?, mustSign: Bool, mySignature: SignatureInfo?) {
        self.latest = latest
        self.signing = signing
        self.mustSign = mustSign
        self.mySignature = mySignature
    }
}

public enum RecordEvent: Equatable, Sendable {
    /// The record now: first, after a reconnection, and when signing changes.
    case view(RecordView)
    /// A newly saved version; every one arrives, in order.
    case version(RecordDocument)
    case failed(AppError)
}

public struct StrokePoint: Equatable, Sendable {
    public var x: Float
    public var y: Float

    public init(x: Float, y: Float) {
        self.x = x
        self.y = y
    }
}

/// 查看签名: the participant's own signature image (PNG).
public struct MySignature: Equatable, Sendable {
    public var info: SignatureInfo
    public var png: Data

    public init(info: SignatureInfo, png: Data) {
        self.info = info
        self.png = png
    }
}
