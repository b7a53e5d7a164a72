//! Signing the record: the court freezes a version (发起签名), each party
//! signs it in the app or on a phone through a QR code, and every signature
//! is sealed by the server with what it binds.

use base64::Engine;
use cloudtrial_protocol::ErrorCode;
use cloudtrial_protocol::api::{HearingStatus, SmsKind};
use cloudtrial_protocol::record::{
    OpenQrSigning, QrSigning, QrSigningPage, QrSigningRenewed, SealedSignature, SignRecord, SignatureInfo, SignaturePayload, SignerLogin,
    SignerStatus, SigningChannel, SigningRound, StartSigning, SubmitQrSignature,
};
use cloudtrial_protocol::signalling::RoomNotice;
use rusqlite::Connection;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::signature_image::{self, SignatureImageError};
use super::{qr, record_caller};
use crate::access::{self, Action, HearingAccess};
use crate::auth::Caller;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{self, StoreError, events::EventActor, record::RoundRow};
use crate::secrets;

/// Every way a QR signing link can be wrong gets this one answer.
fn invalid_link() -> AppError {
    AppError::with_message(ErrorCode::Forbidden, "签名二维码无效或已过期，请在电脑上重新获取二维码")
}

pub fn round_view(conn: &Connection, round: &RoundRow) -> Result<SigningRound, AppError> {
    let version = store::record::version_by_id(conn, round.version_id)?
        .ok_or_else(|| AppError::internal("a signing round's version is missing"))?;
    let signatures = store::record::signature_infos(conn, round.id)?;
    let signers = store::record::signers(conn, round.id)?
        .into_iter()
        .map(|participant| SignerStatus {
            signature: signatures.iter().find(|s| s.signer.id == participant.id).cloned(),
            participant,
        })
        .collect();
    Ok(SigningRound {
        id: round.id,
        version: version.version,
        version_sha256: version.sha256,
        started_by: round.started_by.clone(),
        started_at_ms: round.started_at_ms,
        superseded_at_ms: round.superseded_at_ms,
        signers,
    })
}

/// 发起签名: freezes the latest version; everyone who must sign is asked to.
pub async fn start(state: &AppState, caller: &Caller, hearing_id: i64, request: StartSigning) -> Result<SigningRound, AppError> {
    let who = record_caller(state, caller, hearing_id).await?;
    who.require_edit()?;
    let now = state.clock.now_ms();
    let started_by = who.label();
    let round = state
        .store
        .call(move |conn| {
            let tx = conn.transaction().map_err(StoreError::from)?;
            match store::room::status(&tx, hearing_id)?.ok_or_else(AppError::not_found)? {
                HearingStatus::Adjourned | HearingStatus::Closed => {}
                HearingStatus::Cancelled => return Err(AppError::with_message(ErrorCode::Conflict, "庭审已取消")),
                _ => return Err(AppError::with_message(ErrorCode::Conflict, "请在休庭或闭庭后发起签名")),
            }
            let (version_id, version) = store::record::latest(&tx, hearing_id)?
                .ok_or_else(|| AppError::with_message(ErrorCode::Conflict, "笔录尚未保存，不能发起签名"))?;
            if version.version != request.version {
                return Err(AppError::with_message(
                    ErrorCode::Conflict,
                    format!("只能对最新版本的笔录发起签名（当前为第{}版）", version.version),
                ));
            }
            if !version.is_intact() {
                return Err(AppError::internal(format!("record version {} fails its hash", version.version)));
            }
            // A version everyone has signed stays signed: a new round would set its signatures aside.
            if let Some(open) = store::record::latest_round(&tx, hearing_id)?.filter(|r| r.superseded_at_ms.is_none())
                && open.version_id == version_id
                && round_view(&tx, &open)?.is_complete()
            {
                return Err(AppError::with_message(
                    ErrorCode::Conflict,
                    format!("第{}版笔录已全部签名，无需重新发起签名", version.version),
                ));
            }
            let signing: Vec<_> = store::hearings::participants(&tx, hearing_id)?
                .into_iter()
                .filter(|p| crate::access::signs_the_record(p.role))
                .collect();
            if signing.is_empty() {
                return Err(AppError::with_message(ErrorCode::Conflict, "本案没有需要签名的当事人"));
            }
            // Those who came sign (到庭人员); one who never came cannot sign what was said without
            // them. A hearing none of them came to online (held in the courtroom, say) asks them all.
            let came = store::events::participants_who_joined(&tx, hearing_id)?;
            let (signer_records, absent): (Vec<_>, Vec<_>) = if signing.iter().any(|p| came.contains(&p.id)) {
                signing.into_iter().partition(|p| came.contains(&p.id))
            } else {
                (signing, Vec::new())
            };
            let signers: Vec<i64> = signer_records.iter().map(|p| p.id).collect();
            let absent: Vec<i64> = absent.iter().map(|p| p.id).collect();
            let superseded = store::record::supersede_open_rounds(&tx, hearing_id, now)?;
            let round_id = store::record::insert_round(&tx, hearing_id, version_id, &started_by, &signers, now)?;
            store::events::append(
                &tx,
                hearing_id,
                &who.actor,
                "record_signing_started",
                &json!({
                    "round_id": round_id, "version": version.version, "sha256": version.sha256,
                    "signers": signers, "absent": absent, "superseded": superseded,
                }),
                now,
            )?;
            let round = store::record::round(&tx, round_id)?.ok_or_else(AppError::not_found)?;
            let view = round_view(&tx, &round)?;
            let hearing = store::hearings::get(&tx, hearing_id)?.ok_or_else(AppError::not_found)?;
            tx.commit().map_err(StoreError::from)?;
            Ok((view, hearing, signer_records))
        })
        .await?;
    let (round, hearing, signers) = round;
    state.rooms.broadcast(hearing_id, RoomNotice::SigningChanged { round_id: round.id }).await;
    let requests = signers.iter().map(|p| crate::booking::notice(state, &hearing, p, SmsKind::SigningRequest)).collect();
    state.sms.send(requests).await?;
    Ok(round)
}

/// A signature a participant gives with their own session (the app).
pub async fn sign_in_app(state: &AppState, caller: &Caller, hearing_id: i64, request: SignRecord) -> Result<SignatureInfo, AppError> {
    let Caller::Participant(participant) = caller else {
        return Err(AppError::with_message(ErrorCode::Forbidden, "请当事人本人登录后签名"));
    };
    HearingAccess::require(state, caller, hearing_id, Action::SignRecord).await?;
    let image = normalised_image(&request.image_png).await?;
    let token_hash = participant.token_hash.clone();
    let login = state
        .store
        .call(move |conn| store::sessions::login_of(conn, &token_hash).map_err(AppError::from))
        .await?
        .map(|(device, started)| SignerLogin { method: "sms_code".into(), device, session_started_at_ms: started })
        .ok_or_else(AppError::forbidden)?;
    let signing = Signing {
        hearing_id,
        round_id: request.round_id,
        participant_id: participant.participant_id,
        version_sha256: request.version_sha256,
        image,
        via: SigningChannel::App,
        login,
    };
    let info = seal_signature(state, signing, None).await?;
    state.rooms.broadcast(hearing_id, RoomNotice::SigningChanged { round_id: info.round_id }).await;
    Ok(info)
}

/// The QR code a PC shows: a single-use link for this participant and the
/// open round, valid for a few minutes.
pub async fn issue_qr(state: &AppState, caller: &Caller, hearing_id: i64) -> Result<QrSigning, AppError> {
    let Caller::Participant(participant) = caller else {
        return Err(AppError::with_message(ErrorCode::Forbidden, "请当事人本人登录后签名"));
    };
    HearingAccess::require(state, caller, hearing_id, Action::SignRecord).await?;
    let token = secrets::new_token();
    let token_hash = secrets::token_hash(&token);
    let now = state.clock.now_ms();
    let expires_at_ms = now + state.config.limits.signing_link_ttl.as_millis() as i64;
    let (participant_id, session_hash, actor) =
        (participant.participant_id, participant.token_hash.clone(), participant.actor());
    state
        .store
        .call(move |conn| {
            let tx = conn.transaction().map_err(StoreError::from)?;
            let round = open_round_to_sign(&tx, hearing_id, participant_id)?;
            let (device, started) = store::sessions::login_of(&tx, &session_hash)?.ok_or_else(AppError::forbidden)?;
            let login = SignerLogin { method: "sms_code".into(), device, session_started_at_ms: started };
            store::record::insert_token(&tx, &token_hash, round.id, participant_id, &login, now, expires_at_ms)?;
            store::events::append(
                &tx,
                hearing_id,
                &actor,
                "record_signing_qr_issued",
                &json!({"round_id": round.id, "expires_at_ms": expires_at_ms}),
                now,
            )?;
            tx.commit().map_err(StoreError::from)?;
            Ok::<_, AppError>(())
        })
        .await?;
    let url = format!("{}/sign.html#{token}", state.config.public_url.trim_end_matches('/'));
    let svg = qr::svg(&url).map_err(AppError::internal)?;
    Ok(QrSigning { url, svg, expires_at_ms })
}

/// The open round this participant has still to sign.
fn open_round_to_sign(conn: &Connection, hearing_id: i64, participant_id: i64) -> Result<RoundRow, AppError> {
    let nothing = || AppError::with_message(ErrorCode::Conflict, "当前没有需要您签名的笔录");
    let round = store::record::latest_round(conn, hearing_id)?.filter(|r| r.superseded_at_ms.is_none()).ok_or_else(nothing)?;
    if !store::record::is_signer(conn, round.id, participant_id)? {
        return Err(nothing());
    }
    if store::record::has_signed(conn, round.id, participant_id)? {
        return Err(AppError::with_message(ErrorCode::Conflict, "您已签名"));
    }
    Ok(round)
}

/// What a rescanned link of a party who has signed says (only to the holder
/// of a real link: any other token still gets `invalid_link`).
fn already_signed() -> AppError {
    AppError::with_message(ErrorCode::Conflict, "您已签名，无需再次签名")
}

/// A QR token that is unused, unexpired, for an open round its participant
/// has not signed yet. A real link of a party who has signed that round is
/// `already_signed`; anything else is `invalid_link`.
fn valid_token(conn: &Connection, token: &str, now: i64) -> Result<(store::record::TokenRow, RoundRow), AppError> {
    if token.is_empty() || token.len() > 128 {
        return Err(invalid_link());
    }
    let row = store::record::token(conn, &secrets::token_hash(token))?.ok_or_else(invalid_link)?;
    let round = store::record::round(conn, row.round_id)?.ok_or_else(invalid_link)?;
    if round.superseded_at_ms.is_some() {
        return Err(invalid_link());
    }
    if store::record::has_signed(conn, round.id, row.participant_id)? {
        return Err(already_signed());
    }
    if row.used_at_ms.is_some() || row.expires_at_ms <= now {
        return Err(invalid_link());
    }
    Ok((row, round))
}

/// The signing page is in use (the party is reading or drawing): its link
/// stays valid for another `signing_link_ttl`, up to
/// `signing_link_max_lifetime` after the QR code was issued.
pub async fn renew_qr(state: &AppState, request: OpenQrSigning) -> Result<QrSigningRenewed, AppError> {
    let now = state.clock.now_ms();
    let ttl = state.config.limits.signing_link_ttl.as_millis() as i64;
    let lifetime = state.config.limits.signing_link_max_lifetime.as_millis() as i64;
    state
        .store
        .call(move |conn| {
            let token = request.token.trim();
            let (row, _) = valid_token(conn, token, now)?;
            let expires_at_ms = (now + ttl).min(row.created_at_ms + lifetime).max(row.expires_at_ms);
            if expires_at_ms > row.expires_at_ms && !store::record::extend_token(conn, &secrets::token_hash(token), expires_at_ms)? {
                return Err(invalid_link());
            }
            Ok(QrSigningRenewed { expires_at_ms })
        })
        .await
}

/// What the mobile signing page shows. Opening does not use the token up.
pub async fn open_qr(state: &AppState, request: OpenQrSigning) -> Result<QrSigningPage, AppError> {
    let now = state.clock.now_ms();
    state
        .store
        .call(move |conn| {
            let (token, round) = valid_token(conn, request.token.trim(), now)?;
            let (standing, _) = access::participant_standing(conn, round.hearing_id, token.participant_id)?;
            access::decide(&standing, Action::SignRecord)?;
            let record = store::record::version_by_id(conn, round.version_id)?.ok_or_else(invalid_link)?;
            let signer = store::hearings::participant(conn, round.hearing_id, token.participant_id)?.ok_or_else(invalid_link)?;
            Ok(QrSigningPage {
                signer: signer.summary(),
                round_id: round.id,
                record,
                expires_at_ms: token.expires_at_ms,
            })
        })
        .await
}

/// Signs through the mobile page: the token is used up with the signature.
pub async fn submit_qr(state: &AppState, request: SubmitQrSignature) -> Result<SignatureInfo, AppError> {
    let image = normalised_image(&request.image_png).await?;
    let now = state.clock.now_ms();
    let token = request.token.trim().to_owned();
    let (row, round) = {
        let token = token.clone();
        state.store.call(move |conn| valid_token(conn, &token, now)).await?
    };
    if row.participant_id != request.signer_id {
        return Err(invalid_link());
    }
    let signing = Signing {
        hearing_id: round.hearing_id,
        round_id: round.id,
        participant_id: row.participant_id,
        version_sha256: request.version_sha256,
        image,
        via: SigningChannel::Qr,
        login: row.login,
    };
    let info = seal_signature(state, signing, Some(token)).await?;
    state.rooms.broadcast(round.hearing_id, RoomNotice::SigningChanged { round_id: info.round_id }).await;
    Ok(info)
}

async fn normalised_image(base64_png: &str) -> Result<Vec<u8>, AppError> {
    if base64_png.len() > signature_image::MAX_BYTES * 4 / 3 + 8 {
        return Err(AppError::with_message(ErrorCode::PayloadTooLarge, SignatureImageError::TooLarge.to_string()));
    }
    let png = base64::engine::general_purpose::STANDARD
        .decode(base64_png.trim())
        .map_err(|_| AppError::invalid(SignatureImageError::NotPng.to_string()))?;
    tokio::task::spawn_blocking(move || signature_image::normalise(&png))
        .await
        .map_err(AppError::internal)?
        .map_err(|e| match e {
            SignatureImageError::TooLarge => AppError::with_message(ErrorCode::PayloadTooLarge, e.to_string()),
            _ => AppError::invalid(e.to_string()),
        })
}

struct Signing {
    hearing_id: i64,
    round_id: i64,
    participant_id: i64,
    version_sha256: String,
    image: Vec<u8>,
    via: SigningChannel,
    login: SignerLogin,
}

/// Checks the signature against the round and stores it sealed; with a QR
/// token, uses the token up in the same transaction.
async fn seal_signature(state: &AppState, signing: Signing, qr_token: Option<String>) -> Result<SignatureInfo, AppError> {
    let now = state.clock.now_ms();
    let record = state.record.clone();
    let court = state.config.court_name.clone();
    state
        .store
        .call(move |conn| {
            let tx = conn.transaction().map_err(StoreError::from)?;
            let (standing, _) = access::participant_standing(&tx, signing.hearing_id, signing.participant_id)?;
            access::decide(&standing, Action::SignRecord)?;
            let round = store::record::round(&tx, signing.round_id)?
                .filter(|r| r.hearing_id == signing.hearing_id)
                .ok_or_else(|| AppError::with_message(ErrorCode::NotFound, "没有找到该签名请求"))?;
            if round.superseded_at_ms.is_some() {
                return Err(AppError::with_message(ErrorCode::Conflict, "笔录已修改，请等待书记员重新发起签名"));
            }
            if !store::record::is_signer(&tx, round.id, signing.participant_id)? {
                return Err(AppError::with_message(ErrorCode::Forbidden, "您不在本次笔录的签名人名单中"));
            }
            if store::record::has_signed(&tx, round.id, signing.participant_id)? {
                return Err(AppError::with_message(ErrorCode::Conflict, "您已签名"));
            }
            let version = store::record::version_by_id(&tx, round.version_id)?
                .ok_or_else(|| AppError::internal("a signing round's version is missing"))?;
            if !version.is_intact() {
                return Err(AppError::internal(format!("record version {} fails its hash", version.version)));
            }
            if signing.version_sha256.trim() != version.sha256 {
                return Err(AppError::with_message(ErrorCode::Conflict, "所签的笔录不是待签名的版本，请刷新后重新签名"));
            }
            let participant = store::hearings::participant(&tx, signing.hearing_id, signing.participant_id)?
                .ok_or_else(|| AppError::with_message(ErrorCode::Forbidden, "您已不在本次庭审的参与人名单中"))?;
            let hearing = store::hearings::get(&tx, signing.hearing_id)?.ok_or_else(AppError::not_found)?;
            if let Some(token) = &qr_token
                && !store::record::use_token(&tx, &secrets::token_hash(token), now)?
            {
                return Err(invalid_link());
            }
            let payload = SignaturePayload {
                court,
                hearing_id: signing.hearing_id,
                case_number: hearing.case_number,
                version: version.version,
                version_sha256: version.sha256.clone(),
                signer: participant.summary(),
                login: signing.login,
                via: signing.via,
                image_sha256: hex::encode(Sha256::digest(&signing.image)),
                signed_at_ms: now,
            };
            let payload_json = serde_json::to_string(&payload).map_err(AppError::internal)?;
            let server_signature = record.seal.sign(payload_json.as_bytes());
            let id = store::record::insert_signature(&tx, round.id, participant.id, &signing.image, &payload_json, &server_signature)?;
            store::events::append(
                &tx,
                signing.hearing_id,
                &EventActor::Participant { id: participant.id, name: participant.name },
                "record_signed",
                &json!({
                    "round_id": round.id, "signature_id": id, "version": version.version,
                    "version_sha256": version.sha256, "image_sha256": payload.image_sha256, "via": signing.via,
                }),
                now,
            )?;
            tx.commit().map_err(StoreError::from)?;
            Ok(payload.info(id, round.id))
        })
        .await
}

/// A signature's image: participants see their own (查看签名); staff see any.
pub async fn image(state: &AppState, caller: &Caller, hearing_id: i64, signature_id: i64) -> Result<Vec<u8>, AppError> {
    let who = record_caller(state, caller, hearing_id).await?;
    let staff = matches!(caller, Caller::Staff(_));
    state
        .store
        .call(move |conn| {
            let row = store::record::signature(conn, signature_id)?.ok_or_else(AppError::not_found)?;
            let round = store::record::round(conn, row.round_id)?.ok_or_else(AppError::not_found)?;
            let signer = row.info()?.signer.id;
            let mine = who.participant.as_ref().is_some_and(|p| p.id == signer);
            if round.hearing_id != hearing_id || !(mine || staff) {
                return Err(AppError::not_found());
            }
            Ok(row.image_png)
        })
        .await
}

/// A round's signatures with what the server signed, for checking with the court's public key.
pub async fn sealed(state: &AppState, caller: &Caller, hearing_id: i64, round_id: i64) -> Result<Vec<SealedSignature>, AppError> {
    record_caller(state, caller, hearing_id).await?;
    state
        .store
        .call(move |conn| {
            let round = store::record::round(conn, round_id)?.filter(|r| r.hearing_id == hearing_id).ok_or_else(AppError::not_found)?;
            store::record::signatures_of_round(conn, round.id)?
                .into_iter()
                .map(|row| {
                    Ok(SealedSignature {
                        info: row.info()?,
                        server_signature: base64::engine::general_purpose::STANDARD.encode(&row.server_signature),
                        payload: row.payload,
                    })
                })
                .collect()
        })
        .await
}
