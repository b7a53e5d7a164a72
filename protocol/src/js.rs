//! `web/js/protocol.js`: the protocol as the browser client sees it — paths,
//! header names, the court's words for every value, the order of sides, the
//! judge's actions per hearing status, and JSDoc typedefs of the bodies —
//! generated from this crate so the web client cannot drift from the server.
//!
//! Regenerate with `cargo run -p cloudtrial-protocol --bin protocol-js`; the
//! test `web_protocol_js_is_up_to_date` fails while the checked-in file differs.

use std::fmt::Write;

use crate::annotation::MarkColour;
use crate::api::{DeviceKind, HearingAction, HearingStatus, SmsKind, SmsStatus};
use crate::evidence::{EvidenceKind, Stance};
use crate::record::SigningChannel;
use crate::signalling::{BLOCKED_MESSAGE, MEDIA_ENDED_MESSAGE, NetworkQuality, RECOGNITION_NOT_STARTED};
use crate::{ErrorCode, ParticipantRole, Side, StaffRole, paths};

/// Where the generated file lives, relative to the workspace root.
pub const OUTPUT: &str = "web/js/protocol.js";

/// A JSDoc typedef of a JSON body: the name and each field with its type.
pub struct Typedef {
    pub name: &'static str,
    pub doc: &'static str,
    pub fields: &'static [(&'static str, &'static str)],
}

/// The bodies the browser reads, field by field (checked against serde's output in the tests).
pub const TYPEDEFS: &[Typedef] = &[
    Typedef { name: "ErrorBody", doc: "Every failed REST response.", fields: &[("code", "ErrorCode"), ("message", "string")] },
    Typedef {
        name: "ParticipantSummary",
        doc: "Another participant as a participant sees them.",
        fields: &[("id", "number"), ("name", "string"), ("role", "ParticipantRole")],
    },
    Typedef {
        name: "ParticipantSession",
        doc: "A participant's login, bound to one hearing.",
        fields: &[
            ("token", "string"),
            ("expires_at_ms", "number"),
            ("hearing_id", "number"),
            ("participant_id", "number"),
            ("role", "ParticipantRole"),
        ],
    },
    Typedef {
        name: "HearingDetails",
        doc: "The hearing as a logged-in participant sees it.",
        fields: &[
            ("hearing_id", "number"),
            ("meeting_number", "string"),
            ("case_number", "string"),
            ("case_title", "string"),
            ("courtroom", "string"),
            ("scheduled_at", "string"),
            ("status", "HearingStatus"),
            ("me", "ParticipantSummary"),
            ("participants", "ParticipantSummary[]"),
        ],
    },
    Typedef {
        name: "RoomParticipant",
        doc: "One participant in the room view.",
        fields: &[
            ("id", "number"),
            ("name", "string"),
            ("role", "ParticipantRole"),
            ("online", "boolean"),
            ("device", "DeviceKind|null"),
            ("blocked", "boolean"),
            ("muted", "boolean"),
            ("camera_on", "boolean"),
            ("microphone_on", "boolean"),
            ("network", "NetworkQuality|null"),
            ("annotating", "Annotating"),
            ("annotation_request", "string|null"),
        ],
    },
    Typedef { name: "Point", doc: "A point on an evidence page, as fractions of its width and height.", fields: &[("x", "number"), ("y", "number")] },
    Typedef {
        name: "Shape",
        doc: "What a mark looks like (`kind` says which of the other fields it has).",
        fields: &[
            ("kind", "ShapeKind"),
            ("points", "Point[]|undefined"),
            ("from", "Point|undefined"),
            ("to", "Point|undefined"),
            ("at", "Point|undefined"),
            ("text", "string|undefined"),
        ],
    },
    Typedef {
        name: "MarkDraft",
        doc: "A mark as its author draws it.",
        fields: &[("evidence_id", "string"), ("page", "number"), ("colour", "MarkColour"), ("shape", "Shape")],
    },
    Typedef {
        name: "Mark",
        doc: "A committed mark (圈注) over one evidence file.",
        fields: &[
            ("id", "number"),
            ("evidence_id", "string"),
            ("evidence_sha256", "string"),
            ("page", "number"),
            ("colour", "MarkColour"),
            ("shape", "Shape"),
            ("author", "ParticipantSummary"),
            ("permission_id", "number|null"),
            ("created_at_ms", "number"),
        ],
    },
    Typedef {
        name: "RecognitionPanel",
        doc: "The speech recognition panel.",
        fields: &[("status", "'not_started'|'running'|'paused'|'ended'|'unavailable'"), ("message", "string")],
    },
    Typedef {
        name: "Utterance",
        doc: "A line of the recognition panel: who said it (from their own microphone) and what was recognised.",
        fields: &[
            ("segment", "number"),
            ("speaker", "ParticipantSummary"),
            ("start_ms", "number"),
            ("end_ms", "number"),
            ("text", "string"),
            ("confidence", "number|null"),
            ("is_final", "boolean"),
        ],
    },
    Typedef {
        name: "RoomView",
        doc: "The room as one participant sees it; a blocked party sees only themself.",
        fields: &[
            ("hearing_id", "number"),
            ("revision", "number"),
            ("status", "HearingStatus"),
            ("recognition", "RecognitionPanel"),
            ("participants", "RoomParticipant[]"),
            ("me", "RoomParticipant"),
            ("blocked_message", "string|null"),
        ],
    },
    Typedef {
        name: "RoomNotice",
        doc: "Something happened in the room (`kind` says what; the other fields depend on it).",
        fields: &[
            ("kind", "'joined'|'left'|'status_changed'|'blocked'|'summoned'|'mute_changed'|'evidence_changed'|'record_saved'|'signing_changed'|'annotation_requested'|'annotation_allowed'|'annotation_refused'|'annotation_withdrawn'|'details_changed'"),
            ("participant_id", "number|undefined"),
            ("version", "number|undefined"),
            ("round_id", "number|undefined"),
            ("evidence_id", "string|null|undefined"),
            ("by", "number|undefined"),
        ],
    },
    Typedef { name: "Position", doc: "A party's position on one aspect of evidence.", fields: &[("stance", "Stance"), ("reason", "string")] },
    Typedef {
        name: "Opinion",
        doc: "质证意见.",
        fields: &[
            ("by", "ParticipantSummary"),
            ("side", "Side"),
            ("authenticity", "Position"),
            ("legality", "Position"),
            ("relevance", "Position"),
            ("updated_at_ms", "number"),
        ],
    },
    Typedef {
        name: "Evidence",
        doc: "A piece of evidence as everyone in the hearing sees it.",
        fields: &[
            ("id", "string"),
            ("hearing_id", "number"),
            ("submitter", "ParticipantSummary"),
            ("side", "Side"),
            ("title", "string"),
            ("description", "string"),
            ("purpose", "string"),
            ("counter", "boolean"),
            ("answers", "string|null"),
            ("file_name", "string"),
            ("media_type", "string"),
            ("kind", "EvidenceKind"),
            ("size", "number"),
            ("sha256", "string"),
            ("captured_at", "string|null"),
            ("width", "number|null"),
            ("height", "number|null"),
            ("has_preview", "boolean"),
            ("original_released", "boolean"),
            ("submitted_at_ms", "number"),
            ("withdrawn_at_ms", "number|null"),
            ("opinions", "Opinion[]"),
        ],
    },
    Typedef {
        name: "RecordHeader",
        doc: "The record's header, filled from the hearing.",
        fields: &[
            ("case_number", "string"),
            ("case_title", "string"),
            ("time", "string"),
            ("place", "string"),
            ("judges", "string[]"),
            ("clerk", "string"),
            ("present", "string[]"),
        ],
    },
    Typedef { name: "RecordParagraph", doc: "Who said what.", fields: &[("speaker", "string"), ("text", "string")] },
    Typedef {
        name: "RecordContent",
        doc: "A record's text.",
        fields: &[("header", "RecordHeader"), ("paragraphs", "RecordParagraph[]")],
    },
    Typedef {
        name: "RecordVersion",
        doc: "One saved version of the record; never changed.",
        fields: &[
            ("hearing_id", "number"),
            ("version", "number"),
            ("content", "RecordContent"),
            ("sha256", "string"),
            ("saved_by", "string"),
            ("saved_at_ms", "number"),
        ],
    },
    Typedef {
        name: "SignatureInfo",
        doc: "A collected signature.",
        fields: &[
            ("id", "number"),
            ("round_id", "number"),
            ("signer", "ParticipantSummary"),
            ("version", "number"),
            ("version_sha256", "string"),
            ("image_sha256", "string"),
            ("signed_at_ms", "number"),
            ("via", "SigningChannel"),
        ],
    },
    Typedef {
        name: "SignerStatus",
        doc: "One signer of a round and their signature, if given.",
        fields: &[("participant", "ParticipantSummary"), ("signature", "SignatureInfo|null")],
    },
    Typedef {
        name: "SigningRound",
        doc: "发起签名: the frozen version and who must sign it.",
        fields: &[
            ("id", "number"),
            ("version", "number"),
            ("version_sha256", "string"),
            ("started_by", "string"),
            ("started_at_ms", "number"),
            ("superseded_at_ms", "number|null"),
            ("signers", "SignerStatus[]"),
        ],
    },
    Typedef {
        name: "RecordView",
        doc: "The record as the caller sees it.",
        fields: &[
            ("hearing_id", "number"),
            ("latest", "RecordVersion|null"),
            ("suggested_header", "RecordHeader"),
            ("signing", "SigningRound|null"),
            ("may_edit", "boolean"),
            ("may_start_signing", "boolean"),
            ("must_sign", "boolean"),
            ("my_signature", "SignatureInfo|null"),
        ],
    },
    Typedef {
        name: "QrSigning",
        doc: "The QR code a PC shows for signing on a phone.",
        fields: &[("url", "string"), ("svg", "string"), ("expires_at_ms", "number")],
    },
    Typedef {
        name: "QrSigningPage",
        doc: "What the mobile signing page shows.",
        fields: &[("signer", "ParticipantSummary"), ("round_id", "number"), ("record", "RecordVersion"), ("expires_at_ms", "number")],
    },
    Typedef { name: "QrSigningRenewed", doc: "The signing link's new expiry.", fields: &[("expires_at_ms", "number")] },
];

fn string_union<T: Copy>(values: &[T], wire: impl Fn(T) -> &'static str) -> String {
    values.iter().map(|v| format!("'{}'", wire(*v))).collect::<Vec<_>>().join("|")
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

fn labels<T: Copy>(out: &mut String, doc: &str, name: &str, ty: &str, values: &[T], wire: impl Fn(T) -> &'static str, label: impl Fn(T) -> &'static str) {
    let _ = writeln!(out, "/** {doc} @type {{Readonly<Record<{ty}, string>>}} */");
    let _ = writeln!(out, "export const {name} = Object.freeze({{");
    for v in values {
        let _ = writeln!(out, "  {}: {},", wire(*v), quoted(label(*v)));
    }
    let _ = writeln!(out, "}});\n");
}

fn list<T: Copy>(out: &mut String, doc: &str, name: &str, ty: &str, values: impl IntoIterator<Item = T>, wire: impl Fn(T) -> &'static str) {
    let items: Vec<String> = values.into_iter().map(|v| quoted(wire(v))).collect();
    let _ = writeln!(out, "/** {doc} @type {{ReadonlyArray<{ty}>}} */");
    let _ = writeln!(out, "export const {name} = Object.freeze([{}]);\n", items.join(", "));
}

/// The text of `web/js/protocol.js`.
pub fn protocol_js() -> String {
    let mut out = String::new();
    out.push_str(
        "// GENERATED from the protocol crate (protocol/src/js.rs): do not edit.\n\
         // Regenerate with `cargo run -p cloudtrial-protocol --bin protocol-js`.\n\
         // The wire protocol as the browser client sees it: paths, header names,\n\
         // the court's words for every value, and the rules the UI shows.\n\n",
    );
    let _ = writeln!(out, "export const PROTOCOL_VERSION = {};\n", crate::PROTOCOL_VERSION);

    // ---- value types
    let _ = writeln!(out, "/** @typedef {{{}}} ParticipantRole */", string_union(&ParticipantRole::ALL, ParticipantRole::as_str));
    let _ = writeln!(out, "/** @typedef {{{}}} StaffRole */", string_union(&StaffRole::ALL, StaffRole::as_str));
    let _ = writeln!(out, "/** @typedef {{{}}} Side */", string_union(&Side::ALL, Side::as_str));
    let _ = writeln!(out, "/** @typedef {{{}}} HearingStatus */", string_union(&HearingStatus::ALL, HearingStatus::as_str));
    let _ = writeln!(out, "/** @typedef {{{}}} HearingAction */", string_union(&HearingAction::ALL, HearingAction::as_str));
    let _ = writeln!(out, "/** @typedef {{{}}} EvidenceKind */", string_union(&EvidenceKind::ALL, EvidenceKind::as_str));
    let _ = writeln!(out, "/** @typedef {{{}}} NetworkQuality */", string_union(&NetworkQuality::ALL, NetworkQuality::as_str));
    let _ = writeln!(out, "/** @typedef {{{}}} DeviceKind */", string_union(&DeviceKind::ALL, DeviceKind::as_str));
    let _ = writeln!(out, "/** @typedef {{{}}} SmsKind */", string_union(&SmsKind::ALL, SmsKind::as_str));
    let _ = writeln!(out, "/** @typedef {{{}}} SmsStatus */", string_union(&SmsStatus::ALL, SmsStatus::as_str));
    let _ = writeln!(out, "/** @typedef {{{}}} SigningChannel */", string_union(&SigningChannel::ALL, SigningChannel::as_str));
    let _ = writeln!(out, "/** @typedef {{'accept'|'dispute'}} Stance */");
    let _ = writeln!(out, "/** @typedef {{{}}} MarkColour */", string_union(&MarkColour::ALL, MarkColour::as_str));
    let _ = writeln!(out, "/** @typedef {{'no'|'requested'|'allowed'|'court'}} Annotating */");
    let _ = writeln!(out, "/** @typedef {{'ink'|'rectangle'|'ellipse'|'arrow'|'text'}} ShapeKind */");
    let codes = [
        ErrorCode::InvalidRequest,
        ErrorCode::PayloadTooLarge,
        ErrorCode::Unauthorized,
        ErrorCode::SessionExpired,
        ErrorCode::Forbidden,
        ErrorCode::Blocked,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::LoginFailed,
        ErrorCode::LoginLocked,
        ErrorCode::RateLimited,
        ErrorCode::Conflict,
        ErrorCode::UnsupportedMedia,
        ErrorCode::ChecksumMismatch,
        ErrorCode::UpgradeRequired,
        ErrorCode::Interrupted,
        ErrorCode::Internal,
        ErrorCode::Unknown,
    ];
    let code_names: Vec<String> =
        codes.iter().map(|c| serde_json::to_value(c).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()).collect();
    let _ = writeln!(out, "/** @typedef {{{}}} ErrorCode */\n", code_names.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join("|"));

    // ---- bodies
    for t in TYPEDEFS {
        let _ = writeln!(out, "/**\n * {}\n * @typedef {{object}} {}", t.doc, t.name);
        for (field, ty) in t.fields {
            let optional = ty.ends_with("|undefined");
            let ty = ty.trim_end_matches("|undefined");
            if optional {
                let _ = writeln!(out, " * @property {{{ty}}} [{field}]");
            } else {
                let _ = writeln!(out, " * @property {{{ty}}} {field}");
            }
        }
        out.push_str(" */\n\n");
    }

    // ---- words
    labels(&mut out, "审判长, 原告 …", "ROLE_LABELS", "ParticipantRole", &ParticipantRole::ALL, ParticipantRole::as_str, ParticipantRole::label);
    labels(&mut out, "Console accounts.", "STAFF_ROLE_LABELS", "StaffRole", &StaffRole::ALL, StaffRole::as_str, StaffRole::label);
    labels(&mut out, "未开庭, 庭审中 …", "STATUS_LABELS", "HearingStatus", &HearingStatus::ALL, HearingStatus::as_str, HearingStatus::label);
    labels(&mut out, "Evidence is grouped by side.", "SIDE_LABELS", "Side", &Side::ALL, Side::as_str, Side::label);
    labels(&mut out, "What kind of file evidence is.", "KIND_LABELS", "EvidenceKind", &EvidenceKind::ALL, EvidenceKind::as_str, EvidenceKind::label);
    labels(&mut out, "The network quality indicator.", "NETWORK_LABELS", "NetworkQuality", &NetworkQuality::ALL, NetworkQuality::as_str, NetworkQuality::label);
    labels(&mut out, "Where a participant joined from.", "DEVICE_LABELS", "DeviceKind", &DeviceKind::ALL, DeviceKind::as_str, DeviceKind::label);
    labels(&mut out, "The outbox's kinds of SMS.", "SMS_KIND_LABELS", "SmsKind", &SmsKind::ALL, SmsKind::as_str, SmsKind::label);
    labels(&mut out, "Where an SMS stands.", "SMS_STATUS_LABELS", "SmsStatus", &SmsStatus::ALL, SmsStatus::as_str, SmsStatus::label);
    labels(&mut out, "How a signature arrived.", "CHANNEL_LABELS", "SigningChannel", &SigningChannel::ALL, SigningChannel::as_str, SigningChannel::label);
    labels(&mut out, "认可 / 有异议.", "STANCE_LABELS", "Stance", &[Stance::Accept, Stance::Dispute], |s| match s {
        Stance::Accept => "accept",
        Stance::Dispute => "dispute",
        Stance::Unknown => "unknown",
    }, Stance::label);
    labels(&mut out, "The colours marks are drawn in.", "MARK_COLOUR_LABELS", "MarkColour", &MarkColour::ALL, MarkColour::as_str, MarkColour::label);
    let _ = writeln!(out, "/** Each colour's sRGB value, as the export draws it. @type {{Readonly<Record<MarkColour, string>>}} */");
    out.push_str("export const MARK_COLOURS = Object.freeze({\n");
    for colour in MarkColour::ALL {
        let [r, g, b] = colour.rgb();
        let _ = writeln!(out, "  {}: '#{r:02x}{g:02x}{b:02x}',", colour.as_str());
    }
    out.push_str("});\n\n");
    let _ = writeln!(
        out,
        "/** The limits of one mark. */\nexport const MARK_LIMITS = Object.freeze({{ inkPoints: {}, textChars: {} }});\n",
        crate::annotation::MAX_INK_POINTS,
        crate::annotation::MAX_TEXT_CHARS
    );
    labels(&mut out, "The judge's buttons.", "ACTION_LABELS", "HearingAction", &HearingAction::ALL, HearingAction::as_str, HearingAction::label);

    // ---- rules
    let _ = writeln!(out, "/** Which side each role speaks for. @type {{Readonly<Record<ParticipantRole, Side>>}} */");
    let _ = writeln!(out, "export const ROLE_SIDES = Object.freeze({{");
    for role in ParticipantRole::ALL {
        let _ = writeln!(out, "  {}: {},", role.as_str(), quoted(role.side().as_str()));
    }
    out.push_str("});\n\n");
    list(&mut out, "The order evidence is listed in, side by side.", "SIDE_ORDER", "Side", Side::EVIDENCE_ORDER, Side::as_str);
    list(&mut out, "Roles that run the hearing (审判长, 审判员).", "JUDGE_ROLES", "ParticipantRole", ParticipantRole::ALL.into_iter().filter(|r| r.is_judge()), ParticipantRole::as_str);
    list(&mut out, "The court's own people in the hearing.", "COURT_ROLES", "ParticipantRole", ParticipantRole::ALL.into_iter().filter(|r| r.is_court()), ParticipantRole::as_str);
    list(&mut out, "Roles that submit and cross-examine evidence.", "EVIDENCE_ROLES", "ParticipantRole", ParticipantRole::ALL.into_iter().filter(|r| r.submits_evidence()), ParticipantRole::as_str);
    list(&mut out, "Sides that submit evidence.", "EVIDENCE_SIDES", "Side", Side::ALL.into_iter().filter(|s| s.submits_evidence()), Side::as_str);
    list(&mut out, "Roles that sign the record.", "SIGNING_ROLES", "ParticipantRole", ParticipantRole::ALL.into_iter().filter(|r| r.signs_the_record()), ParticipantRole::as_str);
    list(&mut out, "Roles the judge may block (屏蔽) and summon (传唤).", "BLOCKABLE_ROLES", "ParticipantRole", ParticipantRole::ALL.into_iter().filter(|r| r.may_be_blocked()), ParticipantRole::as_str);
    list(&mut out, "Kinds whose original may say where it was made: only its side and the court get it, unless released.", "PRIVATE_KINDS", "EvidenceKind", EvidenceKind::ALL.into_iter().filter(|k| k.may_carry_location()), EvidenceKind::as_str);
    list(&mut out, "Statuses after which the clerk may start signing (发起签名).", "SIGNING_STATUSES", "HearingStatus", HearingStatus::ALL.into_iter().filter(|s| s.allows_signing()), HearingStatus::as_str);
    list(&mut out, "Words in a browser's user agent that mark a phone's or a tablet's.", "PHONE_AGENT_WORDS", "string", DeviceKind::PHONE_AGENT_WORDS, |word| word);
    list(&mut out, "Statuses in which the hearing is over.", "OVER_STATUSES", "HearingStatus", HearingStatus::ALL.into_iter().filter(|s| s.is_over()), HearingStatus::as_str);

    let _ = writeln!(out, "/**\n * What the presiding judge may do in each status, with the button's text, where it leads,\n * and the question asked first when it cannot be undone.\n * @type {{Readonly<Record<HearingStatus, ReadonlyArray<{{action: HearingAction, label: string, to: HearingStatus, confirm: string|null}}>>>}}\n */");
    out.push_str("export const JUDGE_ACTIONS = Object.freeze({\n");
    for status in HearingStatus::ALL {
        let actions: Vec<String> = status
            .judge_actions()
            .iter()
            .map(|(action, to)| {
                format!(
                    "{{ action: {}, label: {}, to: {}, confirm: {} }}",
                    quoted(action.as_str()),
                    quoted(action.label()),
                    quoted(to.as_str()),
                    action.confirmation().map_or("null".to_owned(), quoted)
                )
            })
            .collect();
        let _ = writeln!(out, "  {}: [{}],", status.as_str(), actions.join(", "));
    }
    out.push_str("});\n\n");

    let _ = writeln!(out, "/** What a blocked party is told, everywhere. */\nexport const BLOCKED_MESSAGE = {};\n", quoted(BLOCKED_MESSAGE));
    let _ = writeln!(out, "export const RECOGNITION_NOT_STARTED = {};\n", quoted(RECOGNITION_NOT_STARTED));
    let _ = writeln!(out, "export const MEDIA_ENDED_MESSAGE = {};\n", quoted(MEDIA_ENDED_MESSAGE));
    let _ = writeln!(
        out,
        "/** The most hearings one list answers with; a search narrows it. */\nexport const HEARING_LIST_LIMIT = {};\n",
        crate::api::HEARING_LIST_LIMIT
    );
    let ranges: String = crate::text::INVISIBLE
        .iter()
        .map(|&(first, last)| {
            let one = |c: char| format!("\\u{{{:X}}}", u32::from(c));
            if first == last { one(first) } else { format!("{}-{}", one(first), one(last)) }
        })
        .collect();
    let _ = writeln!(
        out,
        "/** Characters that show nothing or turn text around, which the server refuses in typed text. */\nexport const INVISIBLE = /[{ranges}]/gu;\n"
    );

    // ---- paths and headers
    out.push_str("/** The REST API's paths; fill `{name}` segments with `path()`. */\nexport const PATHS = Object.freeze({\n");
    for (name, template) in paths::ALL {
        let _ = writeln!(out, "  {name}: {},", quoted(template));
    }
    out.push_str("});\n\n");
    out.push_str("/** Header names of the upload protocol and of downloads. */\nexport const HEADERS = Object.freeze({\n");
    for (name, header) in paths::headers::ALL {
        let _ = writeln!(out, "  {name}: {},", quoted(header));
    }
    out.push_str("});\n\n");
    out.push_str(
        "/**\n * A path with its `{name}` segments filled in, in order (each value URL-encoded).\n * @param {string} template one of PATHS\n * @param {...(string|number)} values\n * @returns {string}\n */\n\
         export function path(template, ...values) {\n  let i = 0;\n  return template.replace(/\\{[a-z_]+\\}/g, (segment) => (i < values.length ? encodeURIComponent(String(values[i++])) : segment));\n}\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{HearingDetails, ParticipantSession, ParticipantSummary};
    use crate::evidence::{Evidence, Opinion, Position};
    use crate::record::{
        QrSigning, QrSigningPage, QrSigningRenewed, RecordContent, RecordHeader, RecordParagraph, RecordVersion, RecordView,
        SignatureInfo, SignerStatus, SigningRound,
    };
    use crate::signalling::{RecognitionPanel, RoomNotice, RoomParticipant, RoomView};
    use crate::{ErrorBody, MeetingNumber};
    use serde_json::Value;

    #[test]
    fn web_protocol_js_is_up_to_date() {
        // Cargo's variable at run time: a test binary built in another checkout may be reused.
        let crate_dir = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into());
        let file = std::path::Path::new(&crate_dir).join("..").join(OUTPUT);
        let checked_in = std::fs::read_to_string(&file).unwrap_or_default();
        assert!(
            checked_in == protocol_js(),
            "{OUTPUT} differs from what the protocol crate generates: run `cargo run -p cloudtrial-protocol --bin protocol-js` and commit it"
        );
    }

    fn someone() -> ParticipantSummary {
        ParticipantSummary { id: 1, name: "张三".into(), role: ParticipantRole::Plaintiff }
    }

    fn version() -> RecordVersion {
        RecordVersion {
            hearing_id: 1,
            version: 1,
            content: RecordContent { header: RecordHeader::default(), paragraphs: vec![RecordParagraph { speaker: "a".into(), text: "b".into() }] },
            sha256: String::new(),
            saved_by: String::new(),
            saved_at_ms: 0,
        }
    }

    fn signature() -> SignatureInfo {
        SignatureInfo {
            id: 1,
            round_id: 1,
            signer: someone(),
            version: 1,
            version_sha256: String::new(),
            image_sha256: String::new(),
            signed_at_ms: 0,
            via: SigningChannel::Qr,
        }
    }

    fn room_participant() -> RoomParticipant {
        RoomParticipant {
            id: 1,
            name: "张三".into(),
            role: ParticipantRole::Plaintiff,
            online: true,
            device: None,
            blocked: false,
            muted: false,
            camera_on: true,
            microphone_on: true,
            network: None,
            annotating: crate::annotation::Annotating::Allowed,
            annotation_request: None,
        }
    }

    fn draft() -> crate::annotation::MarkDraft {
        use crate::annotation::{MarkDraft, Point, Shape};
        let p = Point { x: 0.1, y: 0.2 };
        MarkDraft { evidence_id: "e".into(), page: 1, colour: MarkColour::Blue, shape: Shape::Ellipse { from: p, to: p } }
    }

    /// Each typedef names exactly the fields serde writes.
    #[test]
    fn the_typedefs_name_every_field_of_the_bodies() {
        let position = Position { stance: Stance::Accept, reason: String::new() };
        let opinion = Opinion {
            by: someone(),
            side: Side::Defendant,
            authenticity: position.clone(),
            legality: position.clone(),
            relevance: position.clone(),
            updated_at_ms: 0,
        };
        let round = SigningRound {
            id: 1,
            version: 1,
            version_sha256: String::new(),
            started_by: String::new(),
            started_at_ms: 0,
            superseded_at_ms: None,
            signers: vec![SignerStatus { participant: someone(), signature: Some(signature()) }],
        };
        let samples: Vec<(&str, Value)> = vec![
            ("ErrorBody", serde_json::to_value(ErrorBody::new(ErrorCode::Blocked)).unwrap()),
            ("ParticipantSummary", serde_json::to_value(someone()).unwrap()),
            (
                "ParticipantSession",
                serde_json::to_value(ParticipantSession {
                    token: String::new(),
                    expires_at_ms: 0,
                    hearing_id: 1,
                    participant_id: 1,
                    role: ParticipantRole::Plaintiff,
                })
                .unwrap(),
            ),
            (
                "HearingDetails",
                serde_json::to_value(HearingDetails {
                    hearing_id: 1,
                    meeting_number: "12345678".parse::<MeetingNumber>().unwrap(),
                    case_number: String::new(),
                    case_title: String::new(),
                    courtroom: String::new(),
                    scheduled_at: "2030-01-15 09:30".parse().unwrap(),
                    status: HearingStatus::Scheduled,
                    me: someone(),
                    participants: vec![],
                })
                .unwrap(),
            ),
            ("RoomParticipant", serde_json::to_value(room_participant()).unwrap()),
            (
                "Utterance",
                serde_json::to_value(crate::signalling::Utterance {
                    segment: 7,
                    speaker: crate::api::ParticipantSummary { id: 3, name: "张三".into(), role: ParticipantRole::Plaintiff },
                    start_ms: 1200,
                    end_ms: 4800,
                    text: "甚至出现交易几乎停滞的情况".into(),
                    confidence: Some(0.8),
                    is_final: true,
                })
                .unwrap(),
            ),
            ("RecognitionPanel", serde_json::to_value(RecognitionPanel::for_status(HearingStatus::Scheduled, true)).unwrap()),
            (
                "RoomView",
                serde_json::to_value(RoomView {
                    hearing_id: 1,
                    revision: 1,
                    status: HearingStatus::Scheduled,
                    recognition: RecognitionPanel::for_status(HearingStatus::Scheduled, true),
                    participants: vec![],
                    me: room_participant(),
                    blocked_message: None,
                })
                .unwrap(),
            ),
            ("Position", serde_json::to_value(&position).unwrap()),
            ("Opinion", serde_json::to_value(&opinion).unwrap()),
            (
                "Evidence",
                serde_json::to_value(Evidence {
                    id: String::new(),
                    hearing_id: 1,
                    submitter: someone(),
                    side: Side::Plaintiff,
                    title: String::new(),
                    description: String::new(),
                    purpose: String::new(),
                    counter: false,
                    answers: None,
                    file_name: String::new(),
                    media_type: String::new(),
                    kind: EvidenceKind::Pdf,
                    size: 0,
                    sha256: String::new(),
                    captured_at: None,
                    width: None,
                    height: None,
                    has_preview: false,
                    original_released: false,
                    submitted_at_ms: 0,
                    withdrawn_at_ms: None,
                    opinions: vec![opinion.clone()],
                })
                .unwrap(),
            ),
            ("RecordHeader", serde_json::to_value(RecordHeader::default()).unwrap()),
            ("RecordParagraph", serde_json::to_value(RecordParagraph { speaker: String::new(), text: String::new() }).unwrap()),
            ("RecordContent", serde_json::to_value(version().content).unwrap()),
            ("RecordVersion", serde_json::to_value(version()).unwrap()),
            ("SignatureInfo", serde_json::to_value(signature()).unwrap()),
            ("SignerStatus", serde_json::to_value(&round.signers[0]).unwrap()),
            ("SigningRound", serde_json::to_value(&round).unwrap()),
            (
                "RecordView",
                serde_json::to_value(RecordView {
                    hearing_id: 1,
                    latest: None,
                    suggested_header: RecordHeader::default(),
                    signing: None,
                    may_edit: false,
                    may_start_signing: false,
                    must_sign: false,
                    my_signature: None,
                })
                .unwrap(),
            ),
            ("QrSigning", serde_json::to_value(QrSigning { url: String::new(), svg: String::new(), expires_at_ms: 0 }).unwrap()),
            (
                "QrSigningPage",
                serde_json::to_value(QrSigningPage { signer: someone(), round_id: 1, record: version(), expires_at_ms: 0 }).unwrap(),
            ),
            ("QrSigningRenewed", serde_json::to_value(QrSigningRenewed { expires_at_ms: 0 }).unwrap()),
            ("Point", serde_json::to_value(crate::annotation::Point { x: 0.5, y: 0.5 }).unwrap()),
            ("MarkDraft", serde_json::to_value(draft()).unwrap()),
            (
                "Mark",
                serde_json::to_value(crate::annotation::Mark {
                    id: 1,
                    evidence_id: "e".into(),
                    evidence_sha256: String::new(),
                    page: 1,
                    colour: MarkColour::Red,
                    shape: draft().shape,
                    author: someone(),
                    permission_id: Some(1),
                    created_at_ms: 0,
                })
                .unwrap(),
            ),
        ];
        for typedef in TYPEDEFS {
            if typedef.name == "RoomNotice" || typedef.name == "Shape" {
                continue;
            }
            let (_, sample) = samples.iter().find(|(name, _)| *name == typedef.name).unwrap_or_else(|| panic!("no sample of {}", typedef.name));
            let mut written: Vec<&str> = sample.as_object().unwrap().keys().map(String::as_str).collect();
            let mut declared: Vec<&str> = typedef.fields.iter().map(|(f, _)| *f).collect();
            written.sort();
            declared.sort();
            assert_eq!(declared, written, "the fields of {}", typedef.name);
        }
        // Every field a notice can carry is declared.
        let declared: Vec<&str> = TYPEDEFS.iter().find(|t| t.name == "RoomNotice").unwrap().fields.iter().map(|(f, _)| *f).collect();
        for notice in [
            RoomNotice::Left { participant_id: 1 },
            RoomNotice::EvidenceChanged { evidence_id: String::new() },
            RoomNotice::RecordSaved { version: 1 },
            RoomNotice::SigningChanged { round_id: 1 },
            RoomNotice::AnnotationRequested { participant_id: 1, evidence_id: None },
        ] {
            for key in serde_json::to_value(notice).unwrap().as_object().unwrap().keys() {
                assert!(declared.contains(&key.as_str()), "RoomNotice.{key}");
            }
        }
    }

    /// Every shape's fields are declared on `Shape`.
    #[test]
    fn the_shape_typedef_covers_every_shape() {
        use crate::annotation::{Point, Shape};
        let declared: Vec<&str> = TYPEDEFS.iter().find(|t| t.name == "Shape").unwrap().fields.iter().map(|(f, _)| *f).collect();
        let p = Point { x: 0.0, y: 0.0 };
        for shape in [
            Shape::Ink { points: vec![p] },
            Shape::Rectangle { from: p, to: p },
            Shape::Ellipse { from: p, to: p },
            Shape::Arrow { from: p, to: p },
            Shape::Text { at: p, text: "x".into() },
        ] {
            for key in serde_json::to_value(&shape).unwrap().as_object().unwrap().keys() {
                assert!(declared.contains(&key.as_str()), "Shape.{key} of {}", shape.kind());
            }
        }
    }

    #[test]
    fn the_judge_actions_follow_the_hearing_path() {
        let js = protocol_js();
        assert!(js.contains("scheduled: [{ action: \"start\", label: \"开始\", to: \"in_session\", confirm: null }]"), "{js}");
        assert!(js.contains("closed: [],"));
    }
}
