//! The signed record PDF of the latest signing round, remembered by its hash
//! so the verification endpoint can recognise it.

use cloudtrial_protocol::ErrorCode;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::pdf::{self, PrintedSignature, SignedRecord};
use super::{record_caller, verify};
use crate::auth::Caller;
use crate::clock::local_date_time;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{self, StoreError};

pub struct SignedPdf {
    pub bytes: Vec<u8>,
    pub sha256: String,
    pub case_number: String,
    pub version: u32,
    /// Everyone asked to sign has signed.
    pub complete: bool,
    /// The record was changed after this version: the newest version's number.
    pub superseded_by: Option<u32>,
}

pub async fn signed_pdf(state: &AppState, caller: &Caller, hearing_id: i64) -> Result<SignedPdf, AppError> {
    let who = record_caller(state, caller, hearing_id).await?;
    let (round, version, signatures, signers, superseded_by) = state
        .store
        .call(move |conn| {
            let round = store::record::latest_round(conn, hearing_id)?
                .ok_or_else(|| AppError::with_message(ErrorCode::Conflict, "尚未发起签名，暂无签名笔录"))?;
            let version = store::record::version_by_id(conn, round.version_id)?
                .ok_or_else(|| AppError::internal("a signing round's version is missing"))?;
            let signatures = store::record::signatures_of_round(conn, round.id)?;
            let signers = store::record::signers(conn, round.id)?;
            let superseded_by = verify::superseded_by(conn, &version)?;
            Ok::<_, AppError>((round, version, signatures, signers, superseded_by))
        })
        .await?;
    if !version.is_intact() {
        return Err(AppError::internal(format!("record version {} fails its hash", version.version)));
    }
    // Only signatures that hold are printed; one that does not was not made here.
    let mut sealed = Vec::new();
    for row in &signatures {
        match verify::sealed_payload(&state.record.seal, row, &version) {
            Some(payload) => sealed.push((row, payload)),
            None => tracing::error!(hearing_id, signature_id = row.id, "a stored signature does not hold; left out of the signed record"),
        }
    }
    let offset = state.config.utc_offset_minutes;
    let printed: Vec<PrintedSignature> = sealed
        .iter()
        .map(|(row, payload)| PrintedSignature {
            label: payload.signer.label(),
            signed_at: local_date_time(payload.signed_at_ms, offset),
            png: row.image_png.clone(),
        })
        .collect();
    let signature_ids: Vec<i64> = sealed.iter().map(|(row, _)| row.id).collect();
    let signed_by: Vec<i64> = sealed.iter().map(|(_, payload)| payload.signer.id).collect();
    let unsigned: Vec<String> = signers.iter().filter(|p| !signed_by.contains(&p.id)).map(|p| p.label()).collect();
    let complete = unsigned.is_empty();
    let font = state.record.font().await?;
    let court = state.config.court_name.clone();
    let rendered = {
        let version = version.clone();
        tokio::task::spawn_blocking(move || {
            pdf::render(&font, &SignedRecord { court: &court, record: &version, signatures: &printed, unsigned: &unsigned, superseded_by })
        })
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?
    };
    let sha256 = hex::encode(Sha256::digest(&rendered));
    let now = state.clock.now_ms();
    {
        let (sha256, actor) = (sha256.clone(), who.actor.clone());
        let round_id = round.id;
        state
            .store
            .call(move |conn| {
                let tx = conn.transaction().map_err(StoreError::from)?;
                if store::record::remember_pdf(&tx, &sha256, round_id, &signature_ids, now)? {
                    store::events::append(
                        &tx,
                        hearing_id,
                        &actor,
                        "record_pdf_generated",
                        &json!({"round_id": round_id, "sha256": sha256, "signatures": signature_ids, "complete": complete, "superseded_by": superseded_by}),
                        now,
                    )?;
                }
                tx.commit().map_err(StoreError::from)?;
                Ok::<_, AppError>(())
            })
            .await?;
    }
    Ok(SignedPdf {
        bytes: rendered,
        sha256,
        case_number: version.content.header.case_number.clone(),
        version: version.version,
        complete,
        superseded_by,
    })
}
