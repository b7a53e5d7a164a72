use rusqlite::Connection;

use super::StoreError;

/// Schema migrations, applied in order. `PRAGMA user_version` records how many
/// have run. Never edit one that has shipped; append a new one.
pub const MIGRATIONS: &[&str] = &[
    // 1: staff, hearings, participants, sessions, login codes, SMS, event log.
    r#"
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value BLOB NOT NULL
    );
    CREATE TABLE staff (
        id            INTEGER PRIMARY KEY,
        username      TEXT NOT NULL UNIQUE,
        name          TEXT NOT NULL,
        role          TEXT NOT NULL CHECK (role IN ('judge', 'clerk', 'admin')),
        mobile        TEXT,
        password_hash TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL
    );
    CREATE TABLE hearings (
        id             INTEGER PRIMARY KEY,
        meeting_number TEXT NOT NULL,
        case_number    TEXT NOT NULL,
        case_title     TEXT NOT NULL,
        courtroom      TEXT NOT NULL,
        scheduled_at   TEXT NOT NULL,
        status         TEXT NOT NULL,
        booked_by      INTEGER REFERENCES staff(id),
        created_at_ms  INTEGER NOT NULL,
        updated_at_ms  INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX hearings_live_meeting_number
        ON hearings(meeting_number) WHERE status NOT IN ('closed', 'cancelled');
    CREATE INDEX hearings_scheduled_at ON hearings(scheduled_at);
    CREATE TABLE participants (
        id            INTEGER PRIMARY KEY,
        hearing_id    INTEGER NOT NULL REFERENCES hearings(id),
        name          TEXT NOT NULL,
        role          TEXT NOT NULL,
        mobile        TEXT NOT NULL,
        staff_id      INTEGER REFERENCES staff(id),
        created_at_ms INTEGER NOT NULL,
        removed_at_ms INTEGER
    );
    CREATE INDEX participants_hearing ON participants(hearing_id);
    CREATE UNIQUE INDEX participants_live_mobile
        ON participants(hearing_id, mobile) WHERE removed_at_ms IS NULL;
    CREATE TABLE sessions (
        token_hash     BLOB PRIMARY KEY,
        kind           TEXT NOT NULL CHECK (kind IN ('staff', 'participant')),
        staff_id       INTEGER REFERENCES staff(id),
        participant_id INTEGER REFERENCES participants(id),
        hearing_id     INTEGER REFERENCES hearings(id),
        device         TEXT,
        created_at_ms  INTEGER NOT NULL,
        expires_at_ms  INTEGER NOT NULL,
        revoked_at_ms  INTEGER
    );
    CREATE INDEX sessions_participant ON sessions(participant_id);
    CREATE TABLE login_challenges (
        meeting_number  TEXT NOT NULL,
        mobile          TEXT NOT NULL,
        participant_id  INTEGER REFERENCES participants(id),
        code_hash       BLOB,
        sent_at_ms      INTEGER NOT NULL,
        expires_at_ms   INTEGER NOT NULL,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        locked_until_ms INTEGER,
        PRIMARY KEY (meeting_number, mobile)
    );
    CREATE TABLE sms_messages (
        id             INTEGER PRIMARY KEY,
        mobile         TEXT NOT NULL,
        text           TEXT NOT NULL,
        kind           TEXT NOT NULL,
        hearing_id     INTEGER REFERENCES hearings(id),
        participant_id INTEGER REFERENCES participants(id),
        gateway        TEXT NOT NULL,
        status         TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
        error          TEXT,
        created_at_ms  INTEGER NOT NULL
    );
    CREATE INDEX sms_messages_hearing ON sms_messages(hearing_id);
    CREATE INDEX sms_messages_mobile ON sms_messages(mobile);
    CREATE TABLE hearing_events (
        id         INTEGER PRIMARY KEY,
        hearing_id INTEGER NOT NULL REFERENCES hearings(id),
        at_ms      INTEGER NOT NULL,
        actor_kind TEXT NOT NULL,
        actor_id   INTEGER,
        actor_name TEXT NOT NULL,
        action     TEXT NOT NULL,
        detail     TEXT NOT NULL
    );
    CREATE INDEX hearing_events_hearing ON hearing_events(hearing_id, id);
    "#,
    // 2: the judge's block (屏蔽) and mute survive reconnects and restarts.
    r#"
    ALTER TABLE participants ADD COLUMN blocked INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE participants ADD COLUMN muted INTEGER NOT NULL DEFAULT 0;
    "#,
    // 3: evidence, its resumable uploads, and cross-examination opinions.
    r#"
    CREATE TABLE uploads (
        id             TEXT PRIMARY KEY,
        hearing_id     INTEGER NOT NULL REFERENCES hearings(id),
        participant_id INTEGER NOT NULL REFERENCES participants(id),
        length         INTEGER NOT NULL,
        sha256         TEXT NOT NULL,
        received       INTEGER NOT NULL DEFAULT 0,
        metadata       TEXT NOT NULL,
        created_at_ms  INTEGER NOT NULL,
        updated_at_ms  INTEGER NOT NULL,
        evidence_id    INTEGER REFERENCES evidence(id)
    );
    CREATE TABLE evidence (
        id             INTEGER PRIMARY KEY,
        public_id      TEXT NOT NULL UNIQUE,
        hearing_id     INTEGER NOT NULL REFERENCES hearings(id),
        participant_id INTEGER NOT NULL REFERENCES participants(id),
        title          TEXT NOT NULL,
        description    TEXT NOT NULL,
        purpose        TEXT NOT NULL,
        counter        INTEGER NOT NULL,
        answers        TEXT,
        file_name      TEXT NOT NULL,
        media_type     TEXT NOT NULL,
        kind           TEXT NOT NULL,
        size           INTEGER NOT NULL,
        sha256         TEXT NOT NULL,
        captured_at    TEXT,
        width          INTEGER,
        height         INTEGER,
        has_preview    INTEGER NOT NULL,
        submitted_at_ms INTEGER NOT NULL,
        withdrawn_at_ms INTEGER
    );
    CREATE INDEX evidence_hearing ON evidence(hearing_id, id);
    CREATE TABLE evidence_opinions (
        evidence_id    INTEGER NOT NULL REFERENCES evidence(id),
        participant_id INTEGER NOT NULL REFERENCES participants(id),
        authenticity   TEXT NOT NULL,
        legality       TEXT NOT NULL,
        relevance      TEXT NOT NULL,
        updated_at_ms  INTEGER NOT NULL,
        PRIMARY KEY (evidence_id, participant_id)
    );
    "#,
    // 4: the court record (笔录): versions, signing rounds, signatures, QR
    // signing tokens, and the signed PDFs handed out. Versions and signatures
    // are never changed or deleted.
    r#"
    CREATE TABLE record_versions (
        id          INTEGER PRIMARY KEY,
        hearing_id  INTEGER NOT NULL REFERENCES hearings(id),
        version     INTEGER NOT NULL,
        content     TEXT NOT NULL,
        sha256      TEXT NOT NULL UNIQUE,
        saved_by    TEXT NOT NULL,
        saved_at_ms INTEGER NOT NULL,
        UNIQUE (hearing_id, version)
    );
    CREATE TRIGGER record_versions_never_change BEFORE UPDATE ON record_versions
        BEGIN SELECT RAISE(ABORT, 'record versions are never changed'); END;
    CREATE TRIGGER record_versions_never_go BEFORE DELETE ON record_versions
        BEGIN SELECT RAISE(ABORT, 'record versions are never deleted'); END;
    CREATE TABLE signing_rounds (
        id               INTEGER PRIMARY KEY,
        hearing_id       INTEGER NOT NULL REFERENCES hearings(id),
        version_id       INTEGER NOT NULL REFERENCES record_versions(id),
        started_by       TEXT NOT NULL,
        started_at_ms    INTEGER NOT NULL,
        superseded_at_ms INTEGER
    );
    CREATE INDEX signing_rounds_hearing ON signing_rounds(hearing_id, id);
    CREATE TABLE signing_signers (
        round_id       INTEGER NOT NULL REFERENCES signing_rounds(id),
        participant_id INTEGER NOT NULL REFERENCES participants(id),
        PRIMARY KEY (round_id, participant_id)
    );
    CREATE TABLE signatures (
        id               INTEGER PRIMARY KEY,
        round_id         INTEGER NOT NULL REFERENCES signing_rounds(id),
        participant_id   INTEGER NOT NULL REFERENCES participants(id),
        image_png        BLOB NOT NULL,
        payload          TEXT NOT NULL,
        server_signature BLOB NOT NULL,
        UNIQUE (round_id, participant_id)
    );
    CREATE TRIGGER signatures_never_change BEFORE UPDATE ON signatures
        BEGIN SELECT RAISE(ABORT, 'signatures are never changed'); END;
    CREATE TRIGGER signatures_never_go BEFORE DELETE ON signatures
        BEGIN SELECT RAISE(ABORT, 'signatures are never deleted'); END;
    CREATE TABLE signing_tokens (
        token_hash     BLOB PRIMARY KEY,
        round_id       INTEGER NOT NULL REFERENCES signing_rounds(id),
        participant_id INTEGER NOT NULL REFERENCES participants(id),
        login          TEXT NOT NULL,
        created_at_ms  INTEGER NOT NULL,
        expires_at_ms  INTEGER NOT NULL,
        used_at_ms     INTEGER
    );
    CREATE TABLE record_pdfs (
        sha256        TEXT PRIMARY KEY,
        round_id      INTEGER NOT NULL REFERENCES signing_rounds(id),
        signature_ids TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL
    );
    "#,
    // 5: the judge may release an original (with a photo's location) to the other parties.
    r#"
    ALTER TABLE evidence ADD COLUMN original_released_at_ms INTEGER;
    "#,
    // 6: login codes are budgeted per hour (wrong guesses burn a code, never
    // lock a party out), and staff passwords lock per account.
    r#"
    ALTER TABLE login_challenges ADD COLUMN codes_in_window INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE login_challenges ADD COLUMN window_started_ms INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE staff_login_failures (
        username        TEXT PRIMARY KEY,
        failures        INTEGER NOT NULL,
        last_failure_ms INTEGER NOT NULL,
        locked_until_ms INTEGER
    );
    "#,
    // 7: the hearing log is hash-chained per hearing (entries written before
    // are chained by migration 10), and the court signs checkpoints of it.
    r#"
    ALTER TABLE hearing_events ADD COLUMN seq INTEGER;
    ALTER TABLE hearing_events ADD COLUMN prev_hash BLOB;
    ALTER TABLE hearing_events ADD COLUMN entry_hash BLOB;
    CREATE UNIQUE INDEX hearing_events_chain ON hearing_events(hearing_id, seq);
    CREATE TRIGGER hearing_events_never_change BEFORE UPDATE ON hearing_events WHEN OLD.seq IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'hearing log entries are never changed'); END;
    CREATE TRIGGER hearing_events_never_go BEFORE DELETE ON hearing_events
        BEGIN SELECT RAISE(ABORT, 'hearing log entries are never deleted'); END;
    CREATE TABLE hearing_log_checkpoints (
        id           INTEGER PRIMARY KEY,
        hearing_id   INTEGER NOT NULL REFERENCES hearings(id),
        seq          INTEGER NOT NULL,
        entry_hash   BLOB NOT NULL,
        signed_at_ms INTEGER NOT NULL,
        signature    BLOB NOT NULL
    );
    CREATE INDEX hearing_log_checkpoints_hearing ON hearing_log_checkpoints(hearing_id, seq);
    CREATE TRIGGER hearing_log_checkpoints_never_change BEFORE UPDATE ON hearing_log_checkpoints
        BEGIN SELECT RAISE(ABORT, 'checkpoints are never changed'); END;
    CREATE TRIGGER hearing_log_checkpoints_never_go BEFORE DELETE ON hearing_log_checkpoints
        BEGIN SELECT RAISE(ABORT, 'checkpoints are never deleted'); END;
    "#,
    // 8: sentences recognised from each participant's microphone.
    r#"
    CREATE TABLE recognized_speech (
        id             INTEGER PRIMARY KEY,
        hearing_id     INTEGER NOT NULL REFERENCES hearings(id),
        participant_id INTEGER NOT NULL REFERENCES participants(id),
        segment        INTEGER NOT NULL,
        start_ms       INTEGER NOT NULL,
        end_ms         INTEGER NOT NULL,
        text           TEXT NOT NULL,
        confidence     REAL NOT NULL,
        engine         TEXT NOT NULL,
        created_at_ms  INTEGER NOT NULL
    );
    CREATE INDEX recognized_speech_hearing ON recognized_speech(hearing_id, id);
    CREATE TRIGGER recognized_speech_never_changes BEFORE UPDATE ON recognized_speech
        BEGIN SELECT RAISE(ABORT, 'recognised speech is never changed'); END;
    "#,
    // 9: 圈注: the judge's permissions to annotate, and the marks drawn over
    // evidence files. A mark is never changed or deleted; taking one away is
    // recorded on it (and in the hearing log).
    r#"
    CREATE TABLE annotation_permissions (
        id              INTEGER PRIMARY KEY,
        hearing_id      INTEGER NOT NULL REFERENCES hearings(id),
        participant_id  INTEGER NOT NULL REFERENCES participants(id),
        evidence_id     TEXT,
        requested_at_ms INTEGER NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('requested', 'allowed', 'refused', 'withdrawn', 'ended')),
        decided_by      INTEGER REFERENCES participants(id),
        decided_at_ms   INTEGER,
        ended_at_ms     INTEGER,
        ended_because   TEXT
    );
    CREATE INDEX annotation_permissions_hearing ON annotation_permissions(hearing_id, participant_id, id);
    CREATE TABLE evidence_marks (
        id              INTEGER PRIMARY KEY,
        hearing_id      INTEGER NOT NULL REFERENCES hearings(id),
        evidence_id     INTEGER NOT NULL REFERENCES evidence(id),
        evidence_sha256 TEXT NOT NULL,
        page            INTEGER NOT NULL,
        colour          TEXT NOT NULL,
        shape           TEXT NOT NULL,
        author_id       INTEGER NOT NULL REFERENCES participants(id),
        permission_id   INTEGER REFERENCES annotation_permissions(id),
        created_at_ms   INTEGER NOT NULL,
        removed_at_ms   INTEGER,
        removed_by      INTEGER REFERENCES participants(id)
    );
    CREATE INDEX evidence_marks_hearing ON evidence_marks(hearing_id, id);
    CREATE INDEX evidence_marks_evidence ON evidence_marks(evidence_id, id);
    CREATE TRIGGER evidence_marks_never_change
        BEFORE UPDATE OF hearing_id, evidence_id, evidence_sha256, page, colour, shape, author_id, permission_id, created_at_ms
        ON evidence_marks
        BEGIN SELECT RAISE(ABORT, 'marks are never changed'); END;
    CREATE TRIGGER evidence_marks_removed_once BEFORE UPDATE OF removed_at_ms, removed_by ON evidence_marks
        WHEN OLD.removed_at_ms IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'a mark is taken away only once'); END;
    CREATE TRIGGER evidence_marks_never_go BEFORE DELETE ON evidence_marks
        BEGIN SELECT RAISE(ABORT, 'marks are never deleted'); END;
    "#,
    // 10: an entry is chained as it is written, never later. (Entries from
    // before version 7 are chained once, when the database reaches this one.)
    r#"
    CREATE TRIGGER hearing_events_chained_when_written BEFORE INSERT ON hearing_events WHEN NEW.seq IS NULL
        BEGIN SELECT RAISE(ABORT, 'hearing log entries are chained when written'); END;
    "#,
    // 11: a judge's or clerk's room session remembers the console session it
    // was entered from, and ends with it.
    r#"
    ALTER TABLE sessions ADD COLUMN entered_from BLOB;
    CREATE INDEX sessions_entered_from ON sessions(entered_from);
    "#,
    // 12: each code asked for is its own challenge, held by whoever asked for
    // it: guesses against one cannot use up another, and a new code does not
    // replace one already on its way. (Codes waiting in the old table lapse.)
    r#"
    DROP TABLE IF EXISTS login_challenges;
    CREATE TABLE IF NOT EXISTS login_codes (
        challenge_hash BLOB PRIMARY KEY,
        meeting_number TEXT NOT NULL,
        mobile TEXT NOT NULL,
        network TEXT NOT NULL,
        participant_id INTEGER,
        code_hash BLOB,
        sent_at_ms INTEGER NOT NULL,
        expires_at_ms INTEGER NOT NULL,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        used INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS login_codes_pair ON login_codes(meeting_number, mobile, sent_at_ms);
    "#,
    // 13: an administrator can stop an account (someone who left the court).
    r#"
    ALTER TABLE staff ADD COLUMN disabled_at_ms INTEGER;
    "#,
];

pub fn schema_version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// The version from which every hearing log entry is chained as it is written.
pub const CHAINED_WHEN_WRITTEN: usize = 10;

/// Brings the schema up to date; the version it was at before.
pub(super) fn run(conn: &mut Connection) -> Result<usize, StoreError> {
    let applied = schema_version(conn)? as usize;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (index + 1) as i64)?;
        tx.commit()?;
        tracing::info!(version = index + 1, "applied database migration");
    }
    Ok(applied)
}
