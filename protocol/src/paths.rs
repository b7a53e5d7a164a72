//! The REST API's paths and the HTTP headers of its own, named once for the
//! server's router, the client core and the browser client (`web/js/protocol.js`).
//!
//! A path's `{name}` segments are filled in by [`fill`]; axum's router takes
//! the templates as they are.

/// The hearing room's WebSocket.
pub const ROOM: &str = "/api/room";
pub const INFO: &str = "/api/info";

pub const LOGIN_CODE: &str = "/api/login/code";
pub const LOGIN_VERIFY: &str = "/api/login/verify";
pub const STAFF_LOGIN: &str = "/api/staff/login";
pub const LOGOUT: &str = "/api/session/logout";

pub const STAFF: &str = "/api/staff";
pub const STAFF_ME: &str = "/api/staff/me";
pub const STAFF_ACCOUNT: &str = "/api/staff/{id}";
pub const STAFF_DIRECTORY: &str = "/api/staff/directory";
pub const STAFF_LOGIN_LOCKS: &str = "/api/staff/login-locks";
pub const STAFF_LOGIN_LOCK: &str = "/api/staff/login-locks/{username}";

pub const HEARINGS: &str = "/api/hearings";
pub const HEARING: &str = "/api/hearings/{id}";
pub const HEARING_CANCEL: &str = "/api/hearings/{id}/cancel";
pub const HEARING_NOTICE: &str = "/api/hearings/{id}/participants/{participant}/notice";
pub const HEARING_EVENTS: &str = "/api/hearings/{id}/events";
pub const HEARING_ENTER: &str = "/api/hearings/{id}/enter";
pub const HEARING_DETAILS: &str = "/api/hearings/{id}/details";
/// The sentences recognised so far (语音识别).
pub const HEARING_SPEECH: &str = "/api/hearings/{id}/speech";
pub const SMS: &str = "/api/sms";

pub const UPLOADS: &str = "/api/hearings/{id}/uploads";
pub const UPLOAD: &str = "/api/uploads/{upload}";
pub const EVIDENCE_LIST: &str = "/api/hearings/{id}/evidence";
pub const EVIDENCE: &str = "/api/evidence/{evidence}";
pub const EVIDENCE_ORIGINAL: &str = "/api/evidence/{evidence}/original";
pub const EVIDENCE_COPY: &str = "/api/evidence/{evidence}/copy";
/// POST: a link that plays the original in the page's own player, which
/// cannot send the Authorization header; GET with its `ticket`: the original.
pub const EVIDENCE_STREAM: &str = "/api/evidence/{evidence}/stream";
pub const EVIDENCE_RELEASE: &str = "/api/evidence/{evidence}/release";
pub const EVIDENCE_PREVIEW: &str = "/api/evidence/{evidence}/preview";
pub const EVIDENCE_THUMBNAIL: &str = "/api/evidence/{evidence}/thumbnail";
pub const EVIDENCE_WITHDRAW: &str = "/api/evidence/{evidence}/withdraw";
pub const EVIDENCE_OPINION: &str = "/api/evidence/{evidence}/opinion";
/// A PDF's page (from 1) as a PNG, its long side 1600 px; `X-Evidence-Pages` says how many there are.
pub const EVIDENCE_PAGE: &str = "/api/evidence/{evidence}/pages/{page}";
/// One page (`?page=N`, default 1) with its 圈注 drawn over it and who drew what below: a PNG for the case file.
pub const EVIDENCE_ANNOTATED: &str = "/api/evidence/{evidence}/annotated";

pub const RECORD: &str = "/api/hearings/{id}/record";
pub const RECORD_VERSIONS: &str = "/api/hearings/{id}/record/versions";
pub const RECORD_VERSION: &str = "/api/hearings/{id}/record/versions/{version}";
/// The clerk takes recognised sentences into the record.
pub const RECORD_SPEECH: &str = "/api/hearings/{id}/record/speech";
pub const RECORD_HISTORY: &str = "/api/hearings/{id}/record/history";
pub const RECORD_SIGNING: &str = "/api/hearings/{id}/record/signing";
pub const RECORD_SIGNATURES: &str = "/api/hearings/{id}/record/signatures";
pub const RECORD_SIGNATURE_IMAGE: &str = "/api/hearings/{id}/record/signatures/{signature}/image";
pub const RECORD_ROUND_SIGNATURES: &str = "/api/hearings/{id}/record/rounds/{round}/signatures";
pub const RECORD_QR: &str = "/api/hearings/{id}/record/qr";
pub const RECORD_PDF: &str = "/api/hearings/{id}/record/pdf";
/// The mobile signing page's calls, with the QR token instead of a session.
pub const SIGN_OPEN: &str = "/api/sign/open";
pub const SIGN_RENEW: &str = "/api/sign/renew";
pub const SIGN_SUBMIT: &str = "/api/sign/submit";
pub const RECORDS_VERIFY: &str = "/api/records/verify";
pub const RECORDS_PUBLIC_KEY: &str = "/api/records/public-key";

/// The page each SMS links to.
pub const LANDING: &str = "/ots/download/{meeting_number}";

/// Every path, with the name `web/js/protocol.js` gives it.
pub const ALL: &[(&str, &str)] = &[
    ("room", ROOM),
    ("info", INFO),
    ("loginCode", LOGIN_CODE),
    ("loginVerify", LOGIN_VERIFY),
    ("staffLogin", STAFF_LOGIN),
    ("logout", LOGOUT),
    ("staff", STAFF),
    ("staffMe", STAFF_ME),
    ("staffAccount", STAFF_ACCOUNT),
    ("staffDirectory", STAFF_DIRECTORY),
    ("staffLoginLocks", STAFF_LOGIN_LOCKS),
    ("staffLoginLock", STAFF_LOGIN_LOCK),
    ("hearings", HEARINGS),
    ("hearing", HEARING),
    ("hearingCancel", HEARING_CANCEL),
    ("hearingNotice", HEARING_NOTICE),
    ("hearingEvents", HEARING_EVENTS),
    ("hearingEnter", HEARING_ENTER),
    ("hearingDetails", HEARING_DETAILS),
    ("hearingSpeech", HEARING_SPEECH),
    ("sms", SMS),
    ("uploads", UPLOADS),
    ("upload", UPLOAD),
    ("evidenceList", EVIDENCE_LIST),
    ("evidence", EVIDENCE),
    ("evidenceOriginal", EVIDENCE_ORIGINAL),
    ("evidenceCopy", EVIDENCE_COPY),
    ("evidenceStream", EVIDENCE_STREAM),
    ("evidenceRelease", EVIDENCE_RELEASE),
    ("evidencePreview", EVIDENCE_PREVIEW),
    ("evidenceThumbnail", EVIDENCE_THUMBNAIL),
    ("evidenceWithdraw", EVIDENCE_WITHDRAW),
    ("evidenceOpinion", EVIDENCE_OPINION),
    ("evidencePage", EVIDENCE_PAGE),
    ("evidenceAnnotated", EVIDENCE_ANNOTATED),
    ("record", RECORD),
    ("recordVersions", RECORD_VERSIONS),
    ("recordVersion", RECORD_VERSION),
    ("recordSpeech", RECORD_SPEECH),
    ("recordHistory", RECORD_HISTORY),
    ("recordSigning", RECORD_SIGNING),
    ("recordSignatures", RECORD_SIGNATURES),
    ("recordSignatureImage", RECORD_SIGNATURE_IMAGE),
    ("recordRoundSignatures", RECORD_ROUND_SIGNATURES),
    ("recordQr", RECORD_QR),
    ("recordPdf", RECORD_PDF),
    ("signOpen", SIGN_OPEN),
    ("signRenew", SIGN_RENEW),
    ("signSubmit", SIGN_SUBMIT),
    ("recordsVerify", RECORDS_VERIFY),
    ("recordsPublicKey", RECORDS_PUBLIC_KEY),
    ("landing", LANDING),
];

/// Headers of the resumable upload protocol and of file downloads (lowercase, as HTTP/2 sends them).
pub mod headers {
    /// Where a chunk starts (request), or how much has arrived (response).
    pub const UPLOAD_OFFSET: &str = "upload-offset";
    /// `sha256 <base64>` of one chunk.
    pub const UPLOAD_CHECKSUM: &str = "upload-checksum";
    /// The content type of a chunk.
    pub const UPLOAD_CONTENT_TYPE: &str = "application/offset+octet-stream";
    /// The original's SHA-256 on an evidence copy.
    pub const EVIDENCE_SHA256: &str = "x-evidence-sha256";
    /// When an evidence photo was taken, on its copy.
    pub const EVIDENCE_CAPTURED_AT: &str = "x-evidence-captured-at";
    /// How many pages a PDF has, on each of its pages.
    pub const EVIDENCE_PAGES: &str = "x-evidence-pages";
    /// The signed record PDF's SHA-256.
    pub const RECORD_SHA256: &str = "x-record-sha256";
    /// Whether every signer has signed the PDF's round: `true` or `false`.
    pub const RECORD_COMPLETE: &str = "x-record-complete";
    /// Set when the record was changed after the PDF's version: the newest version's number.
    pub const RECORD_SUPERSEDED_BY: &str = "x-record-superseded-by";

    pub const ALL: &[(&str, &str)] = &[
        ("uploadOffset", UPLOAD_OFFSET),
        ("uploadChecksum", UPLOAD_CHECKSUM),
        ("uploadContentType", UPLOAD_CONTENT_TYPE),
        ("evidenceSha256", EVIDENCE_SHA256),
        ("evidenceCapturedAt", EVIDENCE_CAPTURED_AT),
        ("evidencePages", EVIDENCE_PAGES),
        ("recordSha256", RECORD_SHA256),
        ("recordComplete", RECORD_COMPLETE),
        ("recordSupersededBy", RECORD_SUPERSEDED_BY),
    ];
}

/// A path template with its `{name}` segments filled in, in order.
pub fn fill(template: &str, values: &[&(dyn std::fmt::Display + Sync)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut values = values.iter();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').map_or(rest.len(), |e| start + e + 1);
        out.push_str(&rest[..start]);
        match values.next() {
            Some(value) => out.push_str(&value.to_string()),
            None => out.push_str(&rest[start..end]),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_filled_in_order() {
        assert_eq!(fill(RECORD_SIGNATURE_IMAGE, &[&7, &42]), "/api/hearings/7/record/signatures/42/image");
        assert_eq!(fill(ROOM, &[]), "/api/room");
    }

    #[test]
    fn every_path_is_listed_once() {
        let mut names: Vec<_> = ALL.iter().map(|(n, _)| *n).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        assert!(ALL.iter().all(|(_, p)| p.starts_with('/')));
    }
}
