//! Verification: is this PDF, or this hash, a signed record of this court,
//! and who signed it? Each signature is checked against the court's seal,
//! the version's recomputed hash and the stored image.

use bytes::Bytes;
use cloudtrial_protocol::ErrorCode;
use cloudtrial_protocol::api::ParticipantSummary;
use cloudtrial_protocol::record::{RecordVerification, RecordVersion, SignaturePayload, VerifiedKind, VerifiedSignature};
use futures_util::{Stream, StreamExt};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

use super::seal::RecordSeal;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{self, record::SignatureRow};

/// A hex SHA-256 as a client may type it; `None` unless it is one.
pub fn parse_sha256(value: &str) -> Option<String> {
    let value = value.trim().to_ascii_lowercase();
    (value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())).then_some(value)
}

/// The refusal of a file to verify larger than `max_bytes`.
pub fn too_large(max_bytes: u64) -> AppError {
    AppError::with_message(ErrorCode::PayloadTooLarge, format!("文件过大：可核验的笔录PDF最大为{}MB", max_bytes >> 20))
}

/// The hex SHA-256 of a file as it arrives, holding no more than one piece of
/// it at a time; refused once it passes `max_bytes`, and if it is empty.
pub async fn sha256_of<E: std::fmt::Display>(
    mut pieces: impl Stream<Item = Result<Bytes, E>> + Unpin,
    max_bytes: u64,
) -> Result<String, AppError> {
    let mut hasher = Sha256::new();
    let mut received = 0u64;
    while let Some(piece) = pieces.next().await {
        let piece = piece.map_err(|e| AppError::invalid(format!("未能完整收到文件，请重新提交（{e}）")))?;
        received += piece.len() as u64;
        if received > max_bytes {
            return Err(too_large(max_bytes));
        }
        hasher.update(&piece);
    }
    if received == 0 {
        return Err(AppError::invalid("请提供笔录PDF文件或其SHA-256值"));
    }
    Ok(hex::encode(hasher.finalize()))
}

/// What the hash is: a signed record PDF handed out by this server, a record
/// version, or nothing known (one answer for every unknown).
pub async fn verify_hash(state: &AppState, sha256: &str) -> Result<RecordVerification, AppError> {
    let Some(sha256) = parse_sha256(sha256) else { return Ok(RecordVerification::unknown()) };
    let record = state.record.clone();
    let court = state.config.court_name.clone();
    state
        .store
        .call(move |conn| {
            if let Some((round_id, signature_ids)) = store::record::pdf(conn, &sha256)? {
                let Some(round) = store::record::round(conn, round_id)? else { return Ok(RecordVerification::unknown()) };
                let Some(version) = store::record::version_by_id(conn, round.version_id)? else {
                    return Ok(RecordVerification::unknown());
                };
                let signatures: Vec<SignatureRow> = store::record::signatures_of_round(conn, round_id)?
                    .into_iter()
                    .filter(|s| signature_ids.contains(&s.id))
                    .collect();
                // Complete only if everyone asked had signed when the PDF was made.
                let signers = store::record::signers(conn, round_id)?;
                let mut verdict = answer(conn, &record.seal, court, VerifiedKind::SignedPdf, &version, &signatures)?;
                verdict.unsigned = unsigned(&signers, &verdict.signatures);
                verdict.complete = Some(verdict.unsigned.is_empty());
                verdict.superseded_by = superseded_by(conn, &version)?;
                return Ok(verdict);
            }
            if let Some((version_id, version)) = store::record::version_by_hash(conn, &sha256)? {
                let mut signatures = Vec::new();
                let rounds = store::record::rounds_of_version(conn, version_id)?;
                // A version is completely signed if some round on it is; otherwise
                // the newest round says who is missing.
                let mut completeness: Option<Vec<ParticipantSummary>> = None;
                for round in &rounds {
                    let of_round = store::record::signatures_of_round(conn, round.id)?;
                    // Only a signature that holds counts a signer as signed.
                    let signed =
                        of_round.iter().filter_map(|s| sealed_payload(&record.seal, s, &version)).map(|p| p.signer.id).collect::<Vec<_>>();
                    let missing: Vec<ParticipantSummary> =
                        store::record::signers(conn, round.id)?.into_iter().filter(|p| !signed.contains(&p.id)).collect();
                    if completeness.as_ref().is_none_or(|m| !m.is_empty()) {
                        completeness = Some(missing);
                    }
                    signatures.extend(of_round);
                }
                let mut verdict = answer(conn, &record.seal, court, VerifiedKind::RecordVersion, &version, &signatures)?;
                verdict.complete = completeness.as_ref().map(Vec::is_empty);
                verdict.unsigned = completeness.unwrap_or_default();
                verdict.superseded_by = superseded_by(conn, &version)?;
                return Ok(verdict);
            }
            Ok(RecordVerification::unknown())
        })
        .await
}

/// The newest version's number, if the record was changed after `version`.
pub fn superseded_by(conn: &Connection, version: &RecordVersion) -> Result<Option<u32>, AppError> {
    let newest = store::record::latest(conn, version.hearing_id)?.map(|(_, v)| v.version);
    Ok(newest.filter(|&n| n > version.version))
}

/// The signers with no valid signature among `signatures`.
fn unsigned(signers: &[ParticipantSummary], signatures: &[VerifiedSignature]) -> Vec<ParticipantSummary> {
    signers.iter().filter(|p| !signatures.iter().any(|s| s.valid && s.signer.id == p.id)).cloned().collect()
}

fn answer(
    conn: &Connection,
    seal: &RecordSeal,
    court: String,
    kind: VerifiedKind,
    version: &RecordVersion,
    signatures: &[SignatureRow],
) -> Result<RecordVerification, AppError> {
    let hearing = store::hearings::get(conn, version.hearing_id)?.ok_or_else(AppError::not_found)?;
    let intact = version.is_intact();
    let signatures = signatures
        .iter()
        .filter_map(|row| {
            let payload: SignaturePayload = serde_json::from_str(&row.payload).ok()?;
            let valid = intact && signature_holds(seal, row, &payload, version);
            Some(VerifiedSignature { signer: payload.signer, signed_at_ms: payload.signed_at_ms, via: payload.via, valid })
        })
        .collect();
    Ok(RecordVerification {
        found: true,
        kind: Some(kind),
        court: Some(court),
        case_number: Some(hearing.case_number),
        case_title: Some(hearing.case_title),
        version: Some(version.version),
        version_sha256: Some(version.sha256.clone()),
        signatures,
        complete: None,
        unsigned: Vec::new(),
        superseded_by: None,
    })
}

/// A stored signature's payload, if it holds for `version` (an intact one).
pub fn sealed_payload(seal: &RecordSeal, row: &SignatureRow, version: &RecordVersion) -> Option<SignaturePayload> {
    let payload: SignaturePayload = serde_json::from_str(&row.payload).ok()?;
    (version.is_intact() && signature_holds(seal, row, &payload, version)).then_some(payload)
}

/// The seal is over exactly the stored payload, which names this version's
/// hash and the stored image's hash.
fn signature_holds(seal: &RecordSeal, row: &SignatureRow, payload: &SignaturePayload, version: &RecordVersion) -> bool {
    seal.verify(row.payload.as_bytes(), &row.server_signature)
        && payload.version_sha256 == version.sha256
        && payload.version == version.version
        && payload.hearing_id == version.hearing_id
        && payload.image_sha256 == hex::encode(Sha256::digest(&row.image_png))
}

#[cfg(test)]
mod tests {
    use futures_util::stream;

    use super::*;

    fn pieces(sizes: &[usize]) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Unpin {
        stream::iter(sizes.iter().map(|&n| Ok(Bytes::from(vec![7u8; n]))).collect::<Vec<_>>())
    }

    #[tokio::test]
    async fn a_file_is_hashed_piece_by_piece_and_refused_once_it_passes_the_limit() {
        let whole = vec![7u8; 3000];
        assert_eq!(sha256_of(pieces(&[1000, 1000, 1000]), 3000).await.unwrap(), hex::encode(Sha256::digest(&whole)));

        let refused = sha256_of(pieces(&[1000, 1000, 1000, 1]), 3000).await.unwrap_err();
        assert_eq!(refused.code, ErrorCode::PayloadTooLarge);
        let endless = stream::repeat_with(|| Ok::<_, std::io::Error>(Bytes::from_static(&[0; 4096])));
        assert_eq!(sha256_of(endless, 1 << 20).await.unwrap_err().code, ErrorCode::PayloadTooLarge, "a body without end");

        assert_eq!(sha256_of(pieces(&[]), 3000).await.unwrap_err().code, ErrorCode::InvalidRequest);
        let broken = stream::iter([Ok(Bytes::from_static(b"%PDF")), Err(std::io::Error::other("reset"))]);
        assert_eq!(sha256_of(broken, 3000).await.unwrap_err().code, ErrorCode::InvalidRequest);
    }
}
