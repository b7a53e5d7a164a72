//! The tamper-evident hearing log: a real hearing is held, its log exported
//! over HTTP and checked with only the court's public key; then the database
//! file and the exported JSON are tampered with, and each kind of tampering
//! is named by the first entry it spoiled.

use std::process::Command;
use std::time::Duration;

use cloudtrial_protocol::StaffRole;
use cloudtrial_protocol::api::Hearing;
use cloudtrial_protocol::hearing_log::{
    self, CheckpointSignature, CourtKey, GENESIS, HearingLog, LogError, LogHash, VerifiedLog,
};
use cloudtrial_protocol::record::{RecordContent, RecordParagraph, RecordPublicKey};
use cloudtrial_protocol::signalling::JudgeCommand;
use ed25519_dalek::{Signer, SigningKey};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::*;
use crate::room::RawClient;

/// A hearing that was booked, joined, opened, a party muted, closed by the
/// judge, and whose record the clerk then saved.
struct HeldHearing {
    server: TestServer,
    clerk: Staff,
    hearing: Hearing,
    /// The court's key as published, obtained apart from any log.
    court_key: [u8; 32],
    /// Kept open so nobody leaves while a test looks at the log.
    _sockets: Vec<RawClient>,
}

impl HeldHearing {
    async fn new() -> Self {
        let server = TestServer::start().await;
        let judge = server.staff(StaffRole::Judge, "judge").await;
        let clerk = server.staff(StaffRole::Clerk, "clerk").await;
        let mut booking = server.booking("（2026）津0101民初9号", &[JUDGE, CLERK, PLAINTIFF, DEFENDANT]);
        booking["participants"][0]["staff_id"] = json!(judge.account.id);
        booking["participants"][1]["staff_id"] = json!(clerk.account.id);
        let (status, body) = server.post("/api/hearings", Some(&clerk.token), &booking).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let hearing: Hearing = serde_json::from_value(body).unwrap();

        let plaintiff = server.login(&clerk.token, &hearing, PLAINTIFF.2).await;
        let (status, body) = server.post(&format!("/api/hearings/{}/enter", hearing.id), Some(&judge.token), &json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let judge_token = body["token"].as_str().unwrap().to_owned();
        let (mut judge_room, _) = RawClient::join(&server, &judge_token).await;
        let (plaintiff_room, _) = RawClient::join(&server, &plaintiff.token).await;
        assert_eq!(judge_room.command(JudgeCommand::Start).await, None);
        let plaintiff_id = plaintiff.participant_id;
        assert_eq!(judge_room.command(JudgeCommand::SetMuted { participant_id: plaintiff_id, muted: true }).await, None);
        assert_eq!(judge_room.command(JudgeCommand::Close).await, None);

        let content = RecordContent {
            paragraphs: vec![RecordParagraph { speaker: "审判长".into(), text: "现在开庭。".into() }],
            ..Default::default()
        };
        let body = json!({"base_version": null, "content": content});
        let path = format!("/api/hearings/{}/record", hearing.id);
        let (status, body) = server.request(reqwest::Method::PUT, &path, Some(&clerk.token), Some(&body)).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        let (_, body) = server.get("/api/records/public-key", None).await;
        let published: RecordPublicKey = serde_json::from_value(body).unwrap();
        let court_key = CourtKey::from_base64(&published.public_key).unwrap().0;
        Self { server, clerk, hearing, court_key, _sockets: vec![judge_room, plaintiff_room] }
    }

    async fn export(&self) -> HearingLog {
        self.server.hearing_log(&self.clerk.token, self.hearing.id).await
    }

    async fn verify(&self) -> Result<VerifiedLog, LogError> {
        hearing_log::verify(&self.export().await, &self.court_key)
    }

    /// Opens the database file as someone with access to the server's disk
    /// would, first removing the triggers that refuse changes to the log.
    fn database(&self) -> rusqlite::Connection {
        let db = rusqlite::Connection::open(self.server.config.database_path()).unwrap();
        db.busy_timeout(Duration::from_secs(10)).unwrap();
        db.execute_batch(
            "DROP TRIGGER IF EXISTS hearing_events_never_change;
             DROP TRIGGER IF EXISTS hearing_events_never_go;
             DROP TRIGGER IF EXISTS hearing_log_checkpoints_never_change;
             DROP TRIGGER IF EXISTS hearing_log_checkpoints_never_go;",
        )
        .unwrap();
        db
    }
}

fn entries(file: &mut Value) -> &mut Vec<Value> {
    file["entries"].as_array_mut().unwrap()
}

fn seq_of(log: &HearingLog, action: &str) -> i64 {
    log.entries.iter().find(|e| e.action == action).unwrap_or_else(|| panic!("{action} is logged")).seq
}

#[tokio::test]
async fn a_held_hearing_exports_a_log_that_verifies_with_the_courts_published_key() {
    let court = HeldHearing::new().await;
    let log = court.export().await;
    let actions: Vec<_> = log.entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "hearing_booked",
            "participant_logged_in",
            "staff_entered",
            "participant_joined",
            "participant_joined",
            "hearing_started",
            "participant_muted",
            "hearing_closed",
            "record_saved"
        ]
    );
    assert_eq!(log.hearing_id, court.hearing.id);
    assert_eq!(log.public_key.0, court.court_key, "the log names the published key");
    let seqs: Vec<i64> = log.entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=9).collect::<Vec<_>>());
    assert_eq!(log.entries[0].prev_hash, GENESIS);
    assert_eq!(log.entries[6].detail["target"]["name"], PLAINTIFF.1, "the detail reads as before");

    let closed = seq_of(&log, "hearing_closed");
    assert!(log.checkpoints.iter().any(|c| c.seq == closed), "closing the hearing signed the log: {:?}", log.checkpoints);
    assert!(log.checkpoints.iter().any(|c| c.seq == 9), "the export covers the last entry");

    let verified = hearing_log::verify(&log, &court.court_key).unwrap();
    assert_eq!(verified.hearing_id, court.hearing.id);
    assert_eq!(verified.entries, 9);
    assert_eq!(verified.head, Some(log.entries[8].entry_hash));
}

#[tokio::test]
async fn cancelling_a_hearing_signs_its_log_and_each_export_signs_the_head_again() {
    let server = TestServer::start().await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let hearing = server.book(&clerk.token, "案2", &[JUDGE, CLERK, PLAINTIFF]).await;
    let cancelled_at = cloudtrial_server::Clock::now_ms(&server.clock);
    let (status, body) = server.post(&format!("/api/hearings/{}/cancel", hearing.id), Some(&clerk.token), &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    server.clock.advance(Duration::from_secs(3600));
    let log = server.hearing_log(&clerk.token, hearing.id).await;
    let cancelled = seq_of(&log, "hearing_cancelled");
    assert_eq!(cancelled, log.entries.len() as i64, "nothing follows the cancellation");
    let signed: Vec<(i64, i64)> = log.checkpoints.iter().map(|c| (c.seq, c.signed_at_ms)).collect();
    assert_eq!(signed, [(cancelled, cancelled_at), (cancelled, cancelled_at + 3_600_000)], "at cancelling, and at export");
    let (_, body) = server.get("/api/records/public-key", None).await;
    let key = CourtKey::from_base64(body["public_key"].as_str().unwrap()).unwrap();
    assert_eq!(hearing_log::verify(&log, &key.0).unwrap().sealed_at_ms, Some(cancelled_at + 3_600_000));
}

#[tokio::test]
async fn housekeeping_signs_every_log_that_grew_since_its_last_checkpoint() {
    let server = TestServer::start().await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let first = server.book(&clerk.token, "案3", &[JUDGE, CLERK, PLAINTIFF]).await;
    let second = server.book(&clerk.token, "案4", &[JUDGE, CLERK, DEFENDANT]).await;
    server.hearing_log(&clerk.token, first.id).await;

    let state = server.state().clone();
    let now = cloudtrial_server::Clock::now_ms(&server.clock);
    let sign = || {
        state.store.call_blocking(|conn| cloudtrial_server::hearing_log::checkpoint_all(conn, &state.record.seal, now))
    };
    sign().unwrap();
    assert_eq!(sign().unwrap(), 0, "nothing grew since");
    server.login(&clerk.token, &first, PLAINTIFF.2).await;
    assert_eq!(sign().unwrap(), 1, "a login grew the first log");

    server.clock.advance(Duration::from_secs(60));
    let log = server.hearing_log(&clerk.token, second.id).await;
    assert!(log.checkpoints.iter().any(|c| c.seq == 1 && c.signed_at_ms == now), "signed before the export: {:?}", log.checkpoints);
}

#[tokio::test]
async fn an_entry_deleted_from_the_database_is_named() {
    let court = HeldHearing::new().await;
    let guarded = rusqlite::Connection::open(court.server.config.database_path()).unwrap();
    let refused = guarded.execute("DELETE FROM hearing_events WHERE seq = 3", []).unwrap_err();
    assert!(refused.to_string().contains("never deleted"), "{refused}");
    let refused = guarded.execute("UPDATE hearing_log_checkpoints SET seq = 1", []).unwrap_err();
    assert!(refused.to_string().contains("never changed"), "{refused}");
    drop(guarded);

    court.database().execute("DELETE FROM hearing_events WHERE hearing_id = ?1 AND seq = 3", [court.hearing.id]).unwrap();
    assert_eq!(court.verify().await, Err(LogError::Missing { seq: 3 }));
}

#[tokio::test]
async fn an_entry_edited_in_the_database_is_named() {
    let court = HeldHearing::new().await;
    let saved = seq_of(&court.export().await, "record_saved");
    let forged_hash = "0".repeat(64);
    court
        .database()
        .execute(
            "UPDATE hearing_events SET detail = json_set(detail, '$.sha256', ?2) WHERE hearing_id = ?1 AND seq = ?3",
            rusqlite::params![court.hearing.id, forged_hash, saved],
        )
        .unwrap();
    let log = court.export().await;
    assert_eq!(log.entries[saved as usize - 1].detail["sha256"], forged_hash, "the edit shows in the export");
    assert_eq!(hearing_log::verify(&log, &court.court_key), Err(LogError::Edited { seq: saved }));
}

#[tokio::test]
async fn entries_reordered_in_the_database_are_named() {
    let court = HeldHearing::new().await;
    let log = court.export().await;
    let (started, muted) = (seq_of(&log, "hearing_started"), seq_of(&log, "participant_muted"));
    let (a, b) = (log.entries[started as usize - 1].id, log.entries[muted as usize - 1].id);
    court
        .database()
        .execute_batch(&format!(
            "UPDATE hearing_events SET id = -1 WHERE id = {a};
             UPDATE hearing_events SET id = {a} WHERE id = {b};
             UPDATE hearing_events SET id = {b} WHERE id = -1;"
        ))
        .unwrap();
    let reordered = court.export().await;
    assert_eq!(reordered.entries[started as usize - 1].action, "participant_muted", "muted before the hearing started");
    assert_eq!(
        hearing_log::verify(&reordered, &court.court_key),
        Err(LogError::OutOfOrder { seq: muted, expected: started })
    );
}

#[tokio::test]
async fn removing_the_closing_and_what_followed_from_the_database_is_named() {
    let court = HeldHearing::new().await;
    let closed = seq_of(&court.export().await, "hearing_closed");
    court
        .database()
        .execute("DELETE FROM hearing_events WHERE hearing_id = ?1 AND seq >= ?2", [court.hearing.id, closed])
        .unwrap();
    let log = court.export().await;
    assert_eq!(log.entries.last().unwrap().action, "participant_muted");
    assert_eq!(
        hearing_log::verify(&log, &court.court_key),
        Err(LogError::Truncated { seq: closed, checkpoint_seq: closed })
    );
}

#[tokio::test]
async fn a_rewritten_chain_fails_the_courts_checkpoint_and_a_checkpoint_signed_with_another_key_is_named() {
    let court = HeldHearing::new().await;
    let db = court.database();
    let muted = seq_of(&court.export().await, "participant_muted");
    // Someone edits an entry and recomputes every hash after it, as the protocol says.
    db.execute(
        "UPDATE hearing_events SET detail = '{\"target\":null}' WHERE hearing_id = ?1 AND seq = ?2",
        [court.hearing.id, muted],
    )
    .unwrap();
    let mut log = court.export().await;
    let mut prev = GENESIS;
    for entry in &mut log.entries {
        let hash = hearing_log::entry_hash(&prev, court.hearing.id, &entry.fields());
        db.execute(
            "UPDATE hearing_events SET prev_hash = ?2, entry_hash = ?3 WHERE id = ?1",
            rusqlite::params![entry.id, prev.0, hash.0],
        )
        .unwrap();
        (entry.prev_hash, entry.entry_hash, prev) = (prev, hash, hash);
    }
    let closed = seq_of(&log, "hearing_closed");
    assert_eq!(court.verify().await, Err(LogError::CheckpointMismatch { seq: closed }), "the court signed the closing");

    // …and then signs the stored checkpoints again with a key of their own.
    let forger = SigningKey::from_bytes(&[9; 32]);
    let checkpoints: Vec<(i64, i64, i64)> = db
        .prepare("SELECT id, seq, signed_at_ms FROM hearing_log_checkpoints WHERE hearing_id = ?1")
        .unwrap()
        .query_map([court.hearing.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (id, seq, signed_at_ms) in checkpoints {
        let hash: LogHash = log.entries[seq as usize - 1].entry_hash;
        let signature = forger.sign(&hearing_log::checkpoint_message(court.hearing.id, seq, &hash, signed_at_ms));
        db.execute(
            "UPDATE hearing_log_checkpoints SET entry_hash = ?2, signature = ?3 WHERE id = ?1",
            rusqlite::params![id, hash.0, signature.to_bytes()],
        )
        .unwrap();
    }
    assert_eq!(court.verify().await, Err(LogError::ForgedCheckpoint { seq: closed }));
}

#[tokio::test]
async fn every_kind_of_tampering_with_an_exported_file_is_named() {
    let court = HeldHearing::new().await;
    let exported = serde_json::to_value(court.export().await).unwrap();
    let check = |tamper: &dyn Fn(&mut Value)| {
        let mut file = exported.clone();
        tamper(&mut file);
        hearing_log::verify(&serde_json::from_value(file).unwrap(), &court.court_key)
    };
    assert!(check(&|_| {}).is_ok());

    assert_eq!(
        check(&|f| {
            entries(f).remove(3);
        }),
        Err(LogError::Missing { seq: 4 })
    );
    assert_eq!(
        check(&|f| f["entries"][6]["detail"]["target"]["name"] = json!(DEFENDANT.1)),
        Err(LogError::Edited { seq: 7 }),
        "muting someone else"
    );
    assert_eq!(
        check(&|f| f["entries"][6]["detail_json"] = json!(r#"{"target":null}"#)),
        Err(LogError::Edited { seq: 7 })
    );
    assert_eq!(check(&|f| entries(f).swap(5, 6)), Err(LogError::OutOfOrder { seq: 7, expected: 6 }));
    assert_eq!(check(&|f| entries(f).truncate(7)), Err(LogError::Truncated { seq: 8, checkpoint_seq: 8 }));
    assert_eq!(
        check(&|f| {
            entries(f).clear();
            f["checkpoints"] = json!([]);
        }),
        Err(LogError::Missing { seq: 1 }),
        "everything taken out"
    );
    let forger = SigningKey::from_bytes(&[9; 32]);
    assert_eq!(
        check(&|f| {
            let checkpoint = &mut f["checkpoints"][0];
            let hash: LogHash = serde_json::from_value(checkpoint["entry_hash"].clone()).unwrap();
            let (seq, at) = (checkpoint["seq"].as_i64().unwrap(), checkpoint["signed_at_ms"].as_i64().unwrap());
            let message = hearing_log::checkpoint_message(court.hearing.id, seq, &hash, at);
            checkpoint["signature"] = serde_json::to_value(CheckpointSignature(forger.sign(&message).to_bytes())).unwrap();
        }),
        Err(LogError::ForgedCheckpoint { seq: 8 })
    );
    assert_eq!(
        check(&|f| f["checkpoints"][0]["signed_at_ms"] = json!(0)),
        Err(LogError::ForgedCheckpoint { seq: 8 }),
        "a checkpoint moved in time"
    );
}

#[tokio::test]
async fn verify_log_on_the_command_line_accepts_an_export_and_names_the_first_bad_entry() {
    let court = HeldHearing::new().await;
    let dir = tempfile::tempdir().unwrap();
    let mut exported = serde_json::to_value(court.export().await).unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, serde_json::to_vec_pretty(&exported).unwrap()).unwrap();
    let key = CourtKey(court.court_key).to_base64();
    let run = |file: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_cloudtrial-server"))
            .args(["verify-log", file.to_str().unwrap(), "--public-key", &key])
            .output()
            .unwrap()
    };

    let output = run(&good);
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{printed}{}", String::from_utf8_lossy(&output.stderr));
    assert!(printed.contains(&format!("The log of hearing {} verifies", court.hearing.id)), "{printed}");
    assert!(printed.contains("9 entries"), "{printed}");

    exported["entries"][8]["detail"]["sha256"] = json!("0".repeat(64));
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, serde_json::to_vec_pretty(&exported).unwrap()).unwrap();
    let output = run(&bad);
    let complaint = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(complaint.contains("does NOT verify: entry 9 was edited"), "{complaint}");
    assert!(String::from_utf8_lossy(&output.stdout).is_empty(), "no summary for a bad log");
}

#[tokio::test]
async fn a_log_written_before_the_chain_existed_is_chained_at_start_up() {
    let mut server = TestServer::start().await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let first = server.book(&clerk.token, "案5", &[JUDGE, CLERK, PLAINTIFF]).await;
    let second = server.book(&clerk.token, "案6", &[JUDGE, CLERK, DEFENDANT]).await;
    server.login(&clerk.token, &first, PLAINTIFF.2).await;
    server.login(&clerk.token, &second, DEFENDANT.2).await;
    server.stop().await;

    // Back to the schema before the chain: no chain columns, no checkpoints.
    let db = rusqlite::Connection::open(server.config.database_path()).unwrap();
    db.execute_batch(
        "DROP INDEX sessions_entered_from;
         ALTER TABLE sessions DROP COLUMN entered_from;
         ALTER TABLE staff DROP COLUMN disabled_at_ms;
         DROP TRIGGER hearing_events_chained_when_written;
         DROP TRIGGER hearing_events_never_change;
         DROP TRIGGER hearing_events_never_go;
         DROP INDEX hearing_events_chain;
         ALTER TABLE hearing_events DROP COLUMN seq;
         ALTER TABLE hearing_events DROP COLUMN prev_hash;
         ALTER TABLE hearing_events DROP COLUMN entry_hash;
         DROP TABLE hearing_log_checkpoints;
         DROP TABLE recognized_speech;
         DROP TABLE evidence_marks;
         DROP TABLE annotation_permissions;
         PRAGMA user_version = 6;",
    )
    .unwrap();
    drop(db);

    server.start_again().await;
    let (_, body) = server.get("/api/records/public-key", None).await;
    let key = CourtKey::from_base64(body["public_key"].as_str().unwrap()).unwrap();
    for hearing in [&first, &second] {
        let log = server.hearing_log(&clerk.token, hearing.id).await;
        let actions: Vec<_> = log.entries.iter().map(|e| (e.seq, e.action.as_str())).collect();
        assert_eq!(actions, [(1, "hearing_booked"), (2, "participant_logged_in")]);
        assert_eq!(hearing_log::verify(&log, &key.0).unwrap().entries, 2);
    }
}

/// An entry written into the database by anyone but the server (without its
/// place in the chain) is refused by the database itself, and a restart does
/// not chain one that got in anyway: the exported log fails verification.
#[tokio::test]
async fn an_entry_slipped_into_the_database_is_refused_and_never_chained() {
    let mut server = TestServer::start().await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let hearing = server.book(&clerk.token, "案7", &[JUDGE, CLERK, PLAINTIFF]).await;
    server.stop().await;
    let slip = "INSERT INTO hearing_events (hearing_id, at_ms, actor_kind, actor_id, actor_name, action, detail)
                VALUES (?1, 0, 'participant', NULL, '张三', 'evidence_withdrawn', '{}')";
    let db = rusqlite::Connection::open(server.config.database_path()).unwrap();
    let refused = db.execute(slip, [hearing.id]).unwrap_err();
    assert!(refused.to_string().contains("chained when written"), "{refused}");
    // Someone who can also drop the trigger gets the row in, unchained.
    db.execute_batch("DROP TRIGGER hearing_events_chained_when_written").unwrap();
    db.execute(slip, [hearing.id]).unwrap();
    drop(db);

    server.start_again().await;
    let (_, body) = server.get("/api/records/public-key", None).await;
    let key = CourtKey::from_base64(body["public_key"].as_str().unwrap()).unwrap();
    let log = server.hearing_log(&clerk.token, hearing.id).await;
    assert_eq!(log.entries.last().unwrap().seq, 0, "the slipped-in entry stays unchained");
    assert!(hearing_log::verify(&log, &key.0).is_err(), "and the log does not verify");
}
