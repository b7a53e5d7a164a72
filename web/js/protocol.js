// GENERATED from the protocol crate (protocol/src/js.rs): do not edit.
// Regenerate with `cargo run -p cloudtrial-protocol --bin protocol-js`.
// The wire protocol as the browser client sees it: paths, header names,
// the court's words for every value, and the rules the UI shows.

export const PROTOCOL_VERSION = 1;

/** @typedef {'presiding_judge'|'judge'|'clerk'|'plaintiff'|'defendant'|'plaintiff_agent'|'defendant_agent'|'third_party'|'witness'} ParticipantRole */
/** @typedef {'judge'|'clerk'|'admin'} StaffRole */
/** @typedef {'court'|'plaintiff'|'defendant'|'third_party'|'witness'} Side */
/** @typedef {'scheduled'|'in_session'|'adjourned'|'closed'|'cancelled'} HearingStatus */
/** @typedef {'start'|'adjourn'|'resume'|'close'} HearingAction */
/** @typedef {'image'|'pdf'|'document'|'audio'|'video'} EvidenceKind */
/** @typedef {'good'|'fair'|'poor'} NetworkQuality */
/** @typedef {'android'|'iphone'|'pc_browser'|'phone_browser'|'other'} DeviceKind */
/** @typedef {'hearing_notice'|'hearing_changed'|'participant_removed'|'hearing_cancelled'|'login_code'|'signing_request'} SmsKind */
/** @typedef {'queued'|'sent'|'failed'} SmsStatus */
/** @typedef {'app'|'qr'} SigningChannel */
/** @typedef {'accept'|'dispute'} Stance */
/** @typedef {'red'|'blue'|'green'|'orange'} MarkColour */
/** @typedef {'no'|'requested'|'allowed'|'court'} Annotating */
/** @typedef {'ink'|'rectangle'|'ellipse'|'arrow'|'text'} ShapeKind */
/** @typedef {'invalid_request'|'payload_too_large'|'unauthorized'|'session_expired'|'forbidden'|'blocked'|'not_found'|'method_not_allowed'|'login_failed'|'login_locked'|'rate_limited'|'conflict'|'unsupported_media'|'checksum_mismatch'|'upgrade_required'|'interrupted'|'internal'|'unknown'} ErrorCode */

/**
 * Every failed REST response.
 * @typedef {object} ErrorBody
 * @property {ErrorCode} code
 * @property {string} message
 */

/**
 * Another participant as a participant sees them.
 * @typedef {object} ParticipantSummary
 * @property {number} id
 * @property {string} name
 * @property {ParticipantRole} role
 */

/**
 * A participant's login, bound to one hearing.
 * @typedef {object} ParticipantSession
 * @property {string} token
 * @property {number} expires_at_ms
 * @property {number} hearing_id
 * @property {number} participant_id
 * @property {ParticipantRole} role
 */

/**
 * The hearing as a logged-in participant sees it.
 * @typedef {object} HearingDetails
 * @property {number} hearing_id
 * @property {string} meeting_number
 * @property {string} case_number
 * @property {string} case_title
 * @property {string} courtroom
 * @property {string} scheduled_at
 * @property {HearingStatus} status
 * @property {ParticipantSummary} me
 * @property {ParticipantSummary[]} participants
 */

/**
 * One participant in the room view.
 * @typedef {object} RoomParticipant
 * @property {number} id
 * @property {string} name
 * @property {ParticipantRole} role
 * @property {boolean} online
 * @property {DeviceKind|null} device
 * @property {boolean} blocked
 * @property {boolean} muted
 * @property {boolean} camera_on
 * @property {boolean} microphone_on
 * @property {NetworkQuality|null} network
 * @property {Annotating} annotating
 * @property {string|null} annotation_request
 */

/**
 * A point on an evidence page, as fractions of its width and height.
 * @typedef {object} Point
 * @property {number} x
 * @property {number} y
 */

/**
 * What a mark looks like (`kind` says which of the other fields it has).
 * @typedef {object} Shape
 * @property {ShapeKind} kind
 * @property {Point[]} [points]
 * @property {Point} [from]
 * @property {Point} [to]
 * @property {Point} [at]
 * @property {string} [text]
 */

/**
 * A mark as its author draws it.
 * @typedef {object} MarkDraft
 * @property {string} evidence_id
 * @property {number} page
 * @property {MarkColour} colour
 * @property {Shape} shape
 */

/**
 * A committed mark (圈注) over one evidence file.
 * @typedef {object} Mark
 * @property {number} id
 * @property {string} evidence_id
 * @property {string} evidence_sha256
 * @property {number} page
 * @property {MarkColour} colour
 * @property {Shape} shape
 * @property {ParticipantSummary} author
 * @property {number|null} permission_id
 * @property {number} created_at_ms
 */

/**
 * The speech recognition panel.
 * @typedef {object} RecognitionPanel
 * @property {'not_started'|'running'|'paused'|'ended'|'unavailable'} status
 * @property {string} message
 */

/**
 * A line of the recognition panel: who said it (from their own microphone) and what was recognised.
 * @typedef {object} Utterance
 * @property {number} segment
 * @property {ParticipantSummary} speaker
 * @property {number} start_ms
 * @property {number} end_ms
 * @property {string} text
 * @property {number|null} confidence
 * @property {boolean} is_final
 */

/**
 * The room as one participant sees it; a blocked party sees only themself.
 * @typedef {object} RoomView
 * @property {number} hearing_id
 * @property {number} revision
 * @property {HearingStatus} status
 * @property {RecognitionPanel} recognition
 * @property {RoomParticipant[]} participants
 * @property {RoomParticipant} me
 * @property {string|null} blocked_message
 */

/**
 * Something happened in the room (`kind` says what; the other fields depend on it).
 * @typedef {object} RoomNotice
 * @property {'joined'|'left'|'status_changed'|'blocked'|'summoned'|'mute_changed'|'evidence_changed'|'record_saved'|'signing_changed'|'annotation_requested'|'annotation_allowed'|'annotation_refused'|'annotation_withdrawn'|'details_changed'} kind
 * @property {number} [participant_id]
 * @property {number} [version]
 * @property {number} [round_id]
 * @property {string|null} [evidence_id]
 * @property {number} [by]
 */

/**
 * A party's position on one aspect of evidence.
 * @typedef {object} Position
 * @property {Stance} stance
 * @property {string} reason
 */

/**
 * 质证意见.
 * @typedef {object} Opinion
 * @property {ParticipantSummary} by
 * @property {Side} side
 * @property {Position} authenticity
 * @property {Position} legality
 * @property {Position} relevance
 * @property {number} updated_at_ms
 */

/**
 * A piece of evidence as everyone in the hearing sees it.
 * @typedef {object} Evidence
 * @property {string} id
 * @property {number} hearing_id
 * @property {ParticipantSummary} submitter
 * @property {Side} side
 * @property {string} title
 * @property {string} description
 * @property {string} purpose
 * @property {boolean} counter
 * @property {string|null} answers
 * @property {string} file_name
 * @property {string} media_type
 * @property {EvidenceKind} kind
 * @property {number} size
 * @property {string} sha256
 * @property {string|null} captured_at
 * @property {number|null} width
 * @property {number|null} height
 * @property {boolean} has_preview
 * @property {boolean} original_released
 * @property {number} submitted_at_ms
 * @property {number|null} withdrawn_at_ms
 * @property {Opinion[]} opinions
 */

/**
 * The record's header, filled from the hearing.
 * @typedef {object} RecordHeader
 * @property {string} case_number
 * @property {string} case_title
 * @property {string} time
 * @property {string} place
 * @property {string[]} judges
 * @property {string} clerk
 * @property {string[]} present
 */

/**
 * Who said what.
 * @typedef {object} RecordParagraph
 * @property {string} speaker
 * @property {string} text
 */

/**
 * A record's text.
 * @typedef {object} RecordContent
 * @property {RecordHeader} header
 * @property {RecordParagraph[]} paragraphs
 */

/**
 * One saved version of the record; never changed.
 * @typedef {object} RecordVersion
 * @property {number} hearing_id
 * @property {number} version
 * @property {RecordContent} content
 * @property {string} sha256
 * @property {string} saved_by
 * @property {number} saved_at_ms
 */

/**
 * A collected signature.
 * @typedef {object} SignatureInfo
 * @property {number} id
 * @property {number} round_id
 * @property {ParticipantSummary} signer
 * @property {number} version
 * @property {string} version_sha256
 * @property {string} image_sha256
 * @property {number} signed_at_ms
 * @property {SigningChannel} via
 */

/**
 * One signer of a round and their signature, if given.
 * @typedef {object} SignerStatus
 * @property {ParticipantSummary} participant
 * @property {SignatureInfo|null} signature
 */

/**
 * 发起签名: the frozen version and who must sign it.
 * @typedef {object} SigningRound
 * @property {number} id
 * @property {number} version
 * @property {string} version_sha256
 * @property {string} started_by
 * @property {number} started_at_ms
 * @property {number|null} superseded_at_ms
 * @property {SignerStatus[]} signers
 */

/**
 * The record as the caller sees it.
 * @typedef {object} RecordView
 * @property {number} hearing_id
 * @property {RecordVersion|null} latest
 * @property {RecordHeader} suggested_header
 * @property {SigningRound|null} signing
 * @property {boolean} may_edit
 * @property {boolean} may_start_signing
 * @property {boolean} must_sign
 * @property {SignatureInfo|null} my_signature
 */

/**
 * The QR code a PC shows for signing on a phone.
 * @typedef {object} QrSigning
 * @property {string} url
 * @property {string} svg
 * @property {number} expires_at_ms
 */

/**
 * What the mobile signing page shows.
 * @typedef {object} QrSigningPage
 * @property {ParticipantSummary} signer
 * @property {number} round_id
 * @property {RecordVersion} record
 * @property {number} expires_at_ms
 */

/**
 * The signing link's new expiry.
 * @typedef {object} QrSigningRenewed
 * @property {number} expires_at_ms
 */

/** 审判长, 原告 … @type {Readonly<Record<ParticipantRole, string>>} */
export const ROLE_LABELS = Object.freeze({
  presiding_judge: "审判长",
  judge: "审判员",
  clerk: "书记员",
  plaintiff: "原告",
  defendant: "被告",
  plaintiff_agent: "原告代理人",
  defendant_agent: "被告代理人",
  third_party: "第三人",
  witness: "证人",
});

/** Console accounts. @type {Readonly<Record<StaffRole, string>>} */
export const STAFF_ROLE_LABELS = Object.freeze({
  judge: "法官",
  clerk: "书记员",
  admin: "管理员",
});

/** 未开庭, 庭审中 … @type {Readonly<Record<HearingStatus, string>>} */
export const STATUS_LABELS = Object.freeze({
  scheduled: "未开庭",
  in_session: "庭审中",
  adjourned: "休庭",
  closed: "已闭庭",
  cancelled: "已取消",
});

/** Evidence is grouped by side. @type {Readonly<Record<Side, string>>} */
export const SIDE_LABELS = Object.freeze({
  court: "法庭",
  plaintiff: "原告",
  defendant: "被告",
  third_party: "第三人",
  witness: "证人",
});

/** What kind of file evidence is. @type {Readonly<Record<EvidenceKind, string>>} */
export const KIND_LABELS = Object.freeze({
  image: "图片",
  pdf: "PDF文档",
  document: "文档",
  audio: "音频",
  video: "视频",
});

/** The network quality indicator. @type {Readonly<Record<NetworkQuality, string>>} */
export const NETWORK_LABELS = Object.freeze({
  good: "良好",
  fair: "一般",
  poor: "较差",
});

/** Where a participant joined from. @type {Readonly<Record<DeviceKind, string>>} */
export const DEVICE_LABELS = Object.freeze({
  android: "安卓手机",
  iphone: "苹果手机",
  pc_browser: "电脑浏览器",
  phone_browser: "手机浏览器",
  other: "其他设备",
});

/** The outbox's kinds of SMS. @type {Readonly<Record<SmsKind, string>>} */
export const SMS_KIND_LABELS = Object.freeze({
  hearing_notice: "庭审通知",
  hearing_changed: "变更通知",
  participant_removed: "移除通知",
  hearing_cancelled: "取消通知",
  login_code: "登录验证码",
  signing_request: "签名通知",
});

/** Where an SMS stands. @type {Readonly<Record<SmsStatus, string>>} */
export const SMS_STATUS_LABELS = Object.freeze({
  queued: "发送中",
  sent: "已发送",
  failed: "发送失败",
});

/** How a signature arrived. @type {Readonly<Record<SigningChannel, string>>} */
export const CHANNEL_LABELS = Object.freeze({
  app: "App签名",
  qr: "扫码签名",
});

/** 认可 / 有异议. @type {Readonly<Record<Stance, string>>} */
export const STANCE_LABELS = Object.freeze({
  accept: "认可",
  dispute: "有异议",
});

/** The colours marks are drawn in. @type {Readonly<Record<MarkColour, string>>} */
export const MARK_COLOUR_LABELS = Object.freeze({
  red: "红",
  blue: "蓝",
  green: "绿",
  orange: "橙",
});

/** Each colour's sRGB value, as the export draws it. @type {Readonly<Record<MarkColour, string>>} */
export const MARK_COLOURS = Object.freeze({
  red: '#d91e18',
  blue: '#1f5fd6',
  green: '#138a36',
  orange: '#e87b00',
});

/** The limits of one mark. */
export const MARK_LIMITS = Object.freeze({ inkPoints: 2000, textChars: 60 });

/** The judge's buttons. @type {Readonly<Record<HearingAction, string>>} */
export const ACTION_LABELS = Object.freeze({
  start: "开始",
  adjourn: "休庭",
  resume: "继续",
  close: "闭庭",
});

/** Which side each role speaks for. @type {Readonly<Record<ParticipantRole, Side>>} */
export const ROLE_SIDES = Object.freeze({
  presiding_judge: "court",
  judge: "court",
  clerk: "court",
  plaintiff: "plaintiff",
  defendant: "defendant",
  plaintiff_agent: "plaintiff",
  defendant_agent: "defendant",
  third_party: "third_party",
  witness: "witness",
});

/** The order evidence is listed in, side by side. @type {ReadonlyArray<Side>} */
export const SIDE_ORDER = Object.freeze(["plaintiff", "defendant", "third_party", "witness", "court"]);

/** Roles that run the hearing (审判长, 审判员). @type {ReadonlyArray<ParticipantRole>} */
export const JUDGE_ROLES = Object.freeze(["presiding_judge", "judge"]);

/** The court's own people in the hearing. @type {ReadonlyArray<ParticipantRole>} */
export const COURT_ROLES = Object.freeze(["presiding_judge", "judge", "clerk"]);

/** Roles that submit and cross-examine evidence. @type {ReadonlyArray<ParticipantRole>} */
export const EVIDENCE_ROLES = Object.freeze(["plaintiff", "defendant", "plaintiff_agent", "defendant_agent", "third_party"]);

/** Sides that submit evidence. @type {ReadonlyArray<Side>} */
export const EVIDENCE_SIDES = Object.freeze(["plaintiff", "defendant", "third_party"]);

/** Roles that sign the record. @type {ReadonlyArray<ParticipantRole>} */
export const SIGNING_ROLES = Object.freeze(["plaintiff", "defendant", "plaintiff_agent", "defendant_agent", "third_party", "witness"]);

/** Roles the judge may block (屏蔽) and summon (传唤). @type {ReadonlyArray<ParticipantRole>} */
export const BLOCKABLE_ROLES = Object.freeze(["plaintiff", "defendant", "plaintiff_agent", "defendant_agent", "third_party", "witness"]);

/** Kinds whose original may say where it was made: only its side and the court get it, unless released. @type {ReadonlyArray<EvidenceKind>} */
export const PRIVATE_KINDS = Object.freeze(["image", "audio", "video"]);

/** Statuses after which the clerk may start signing (发起签名). @type {ReadonlyArray<HearingStatus>} */
export const SIGNING_STATUSES = Object.freeze(["adjourned", "closed"]);

/** Words in a browser's user agent that mark a phone's or a tablet's. @type {ReadonlyArray<string>} */
export const PHONE_AGENT_WORDS = Object.freeze(["Android", "iPhone", "iPad", "iPod", "Mobile", "HarmonyOS"]);

/** Statuses in which the hearing is over. @type {ReadonlyArray<HearingStatus>} */
export const OVER_STATUSES = Object.freeze(["closed", "cancelled"]);

/**
 * What the presiding judge may do in each status, with the button's text, where it leads,
 * and the question asked first when it cannot be undone.
 * @type {Readonly<Record<HearingStatus, ReadonlyArray<{action: HearingAction, label: string, to: HearingStatus, confirm: string|null}>>>}
 */
export const JUDGE_ACTIONS = Object.freeze({
  scheduled: [{ action: "start", label: "开始", to: "in_session", confirm: null }],
  in_session: [{ action: "adjourn", label: "休庭", to: "adjourned", confirm: null }, { action: "close", label: "闭庭", to: "closed", confirm: "闭庭后庭审结束，不能再继续开庭，当事人不能再提交证据。确定闭庭？" }],
  adjourned: [{ action: "resume", label: "继续", to: "in_session", confirm: null }, { action: "close", label: "闭庭", to: "closed", confirm: "闭庭后庭审结束，不能再继续开庭，当事人不能再提交证据。确定闭庭？" }],
  closed: [],
  cancelled: [],
});

/** What a blocked party is told, everywhere. */
export const BLOCKED_MESSAGE = "您已被屏蔽，请等待法官传唤";

export const RECOGNITION_NOT_STARTED = "语音识别暂未开始";

export const MEDIA_ENDED_MESSAGE = "庭审已结束，音视频已关闭";

/** The most hearings one list answers with; a search narrows it. */
export const HEARING_LIST_LIMIT = 500;

/** Characters that show nothing or turn text around, which the server refuses in typed text. */
export const INVISIBLE = /[\u{AD}\u{34F}\u{61C}\u{115F}-\u{1160}\u{17B4}-\u{17B5}\u{180B}-\u{180F}\u{200B}-\u{200F}\u{2028}-\u{2029}\u{202A}-\u{202E}\u{2060}-\u{206F}\u{3164}\u{FE00}-\u{FE0F}\u{FEFF}\u{FFA0}\u{E0000}-\u{E007F}\u{E0100}-\u{E01EF}]/gu;

/** The REST API's paths; fill `{name}` segments with `path()`. */
export const PATHS = Object.freeze({
  room: "/api/room",
  info: "/api/info",
  loginCode: "/api/login/code",
  loginVerify: "/api/login/verify",
  staffLogin: "/api/staff/login",
  logout: "/api/session/logout",
  staff: "/api/staff",
  staffMe: "/api/staff/me",
  staffAccount: "/api/staff/{id}",
  staffDirectory: "/api/staff/directory",
  staffLoginLocks: "/api/staff/login-locks",
  staffLoginLock: "/api/staff/login-locks/{username}",
  hearings: "/api/hearings",
  hearing: "/api/hearings/{id}",
  hearingCancel: "/api/hearings/{id}/cancel",
  hearingNotice: "/api/hearings/{id}/participants/{participant}/notice",
  hearingEvents: "/api/hearings/{id}/events",
  hearingEnter: "/api/hearings/{id}/enter",
  hearingDetails: "/api/hearings/{id}/details",
  hearingSpeech: "/api/hearings/{id}/speech",
  sms: "/api/sms",
  uploads: "/api/hearings/{id}/uploads",
  upload: "/api/uploads/{upload}",
  evidenceList: "/api/hearings/{id}/evidence",
  evidence: "/api/evidence/{evidence}",
  evidenceOriginal: "/api/evidence/{evidence}/original",
  evidenceCopy: "/api/evidence/{evidence}/copy",
  evidenceStream: "/api/evidence/{evidence}/stream",
  evidenceRelease: "/api/evidence/{evidence}/release",
  evidencePreview: "/api/evidence/{evidence}/preview",
  evidenceThumbnail: "/api/evidence/{evidence}/thumbnail",
  evidenceWithdraw: "/api/evidence/{evidence}/withdraw",
  evidenceOpinion: "/api/evidence/{evidence}/opinion",
  evidencePage: "/api/evidence/{evidence}/pages/{page}",
  evidenceAnnotated: "/api/evidence/{evidence}/annotated",
  record: "/api/hearings/{id}/record",
  recordVersions: "/api/hearings/{id}/record/versions",
  recordVersion: "/api/hearings/{id}/record/versions/{version}",
  recordSpeech: "/api/hearings/{id}/record/speech",
  recordHistory: "/api/hearings/{id}/record/history",
  recordSigning: "/api/hearings/{id}/record/signing",
  recordSignatures: "/api/hearings/{id}/record/signatures",
  recordSignatureImage: "/api/hearings/{id}/record/signatures/{signature}/image",
  recordRoundSignatures: "/api/hearings/{id}/record/rounds/{round}/signatures",
  recordQr: "/api/hearings/{id}/record/qr",
  recordPdf: "/api/hearings/{id}/record/pdf",
  signOpen: "/api/sign/open",
  signRenew: "/api/sign/renew",
  signSubmit: "/api/sign/submit",
  recordsVerify: "/api/records/verify",
  recordsPublicKey: "/api/records/public-key",
  landing: "/ots/download/{meeting_number}",
});

/** Header names of the upload protocol and of downloads. */
export const HEADERS = Object.freeze({
  uploadOffset: "upload-offset",
  uploadChecksum: "upload-checksum",
  uploadContentType: "application/offset+octet-stream",
  evidenceSha256: "x-evidence-sha256",
  evidenceCapturedAt: "x-evidence-captured-at",
  evidencePages: "x-evidence-pages",
  recordSha256: "x-record-sha256",
  recordComplete: "x-record-complete",
  recordSupersededBy: "x-record-superseded-by",
});

/**
 * A path with its `{name}` segments filled in, in order (each value URL-encoded).
 * @param {string} template one of PATHS
 * @param {...(string|number)} values
 * @returns {string}
 */
export function path(template, ...values) {
  let i = 0;
  return template.replace(/\{[a-z_]+\}/g, (segment) => (i < values.length ? encodeURIComponent(String(values[i++])) : segment));
}
