//! One task per live hearing owns the room's state; sockets talk to it over a
//! channel. Every change is written to the database (with the event log)
//! before anyone is told about it.

use std::sync::Arc;
use std::time::Duration;

use cloudtrial_protocol::api::{DeviceKind, HearingStatus};
use cloudtrial_protocol::signalling::{
    BLOCKED_MESSAGE, JudgeCommand, NetworkQuality, RecognitionPanel, RoomNotice, RoomParticipant, RoomView,
    ServerMessage, Utterance,
};
use cloudtrial_protocol::{ErrorBody, ErrorCode};
use serde_json::json;
use tokio::sync::{mpsc, oneshot};

mod annotation;
mod page_counts;

pub use annotation::AnnotationInput;
use annotation::Annotations;

use super::{RoomServices, ViewSlot, rules};
use crate::access::{self, Action, Facts, Who};
use crate::clock::Clock;
use crate::error::AppError;
use crate::hearing_log;
use crate::media::{HearingPolicy, MediaHandle, SfuCommand};
use crate::record::seal::RecordSeal;
use crate::speech::SpeechService;
use crate::store::events::EventActor;
use crate::store::annotation::OpenPermission;
use crate::store::room::RoomMember;
use crate::store::{self, Store, StoreError};

/// How long an empty room stays in memory.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub enum JoinError {
    /// The room is shutting down; ask the registry again.
    Retry,
    /// The participant may not be in this room (removed, hearing cancelled or gone).
    Ended(String),
}

pub enum RoomInput {
    Join {
        participant_id: i64,
        device: DeviceKind,
        outbox: mpsc::Sender<ServerMessage>,
        view: Arc<ViewSlot>,
        kick: Arc<tokio::sync::Notify>,
        reply: oneshot::Sender<Result<u64, JoinError>>,
    },
    DeviceState { participant_id: i64, camera_on: bool, microphone_on: bool },
    NetworkQuality { participant_id: i64, quality: Option<NetworkQuality> },
    /// Sent to everyone who is not blocked (evidence or record changed).
    Broadcast { notice: RoomNotice },
    /// The connection ended; `server_stopping` when the server closed it to stop.
    Leave { participant_id: i64, connection: u64, server_stopping: bool },
    Command { participant_id: i64, connection: u64, request_id: u64, command: JudgeCommand },
    /// The hearing or its participants changed outside the room (edited or cancelled by staff).
    Reload,
    /// Recognised speech (the words so far, or a finished sentence).
    Speech { utterance: Utterance },
    /// 圈注: a request, a preview, a mark or its removal.
    Annotation { participant_id: i64, connection: u64, input: AnnotationInput },
    /// The server is stopping: everyone still connected leaves, in the log too.
    Close { done: oneshot::Sender<()> },
}

/// Why the room let a connection go, as its departure is logged.
#[derive(Debug, Clone, Copy)]
enum Departure {
    /// Closed by the participant's side, or already gone when the room wrote to it.
    Gone,
    /// Still open, but not taking what the room sends.
    TooSlow,
    /// Closed by the server, to stop.
    ServerStopping,
}

impl Departure {
    fn detail(self) -> serde_json::Value {
        match self {
            Self::Gone => json!({}),
            Self::TooSlow => json!({"dropped": "too_slow"}),
            Self::ServerStopping => json!({"server_stopping": true}),
        }
    }
}

struct Connection {
    id: u64,
    device: DeviceKind,
    outbox: mpsc::Sender<ServerMessage>,
    /// The latest room view; a `Room` message in `outbox` marks where it goes out.
    view: Arc<ViewSlot>,
    /// Closes the socket when the room gives up on it.
    kick: Arc<tokio::sync::Notify>,
}

struct Member {
    record: RoomMember,
    connection: Option<Connection>,
    camera_on: bool,
    microphone_on: bool,
    network: Option<NetworkQuality>,
    /// A pending 申请圈注 or the judge's permission.
    annotation: Option<OpenPermission>,
}

impl Member {
    fn new(record: RoomMember) -> Self {
        Self { record, connection: None, camera_on: true, microphone_on: true, network: None, annotation: None }
    }

    fn summary(&self) -> cloudtrial_protocol::api::ParticipantSummary {
        cloudtrial_protocol::api::ParticipantSummary { id: self.record.id, name: self.record.name.clone(), role: self.record.role }
    }
}

pub struct Room {
    hearing_id: i64,
    status: HearingStatus,
    revision: u64,
    members: Vec<Member>,
    next_connection: u64,
    annotations: Annotations,
    store: Store,
    clock: Arc<dyn Clock>,
    media: MediaHandle,
    seal: Arc<RecordSeal>,
    recognizer: Option<Arc<SpeechService>>,
    evidence: Arc<crate::evidence::EvidenceStore>,
    /// Connections the room dropped, whose departure is not yet in the log.
    dropped: Vec<(i64, Departure)>,
}

impl Room {
    pub async fn load(hearing_id: i64, services: RoomServices) -> Result<Self, AppError> {
        let RoomServices { store, clock, media, seal, speech: recognizer, evidence } = services;
        let (hearing, members, (permissions, marks)) = store
            .call(move |conn| {
                let hearing = store::hearings::get(conn, hearing_id)?;
                let members = store::room::members(conn, hearing_id)?;
                let annotation = (
                    store::annotation::open_permissions(conn, hearing_id)?,
                    store::annotation::current_marks(conn, hearing_id)?,
                );
                Ok::<_, StoreError>((hearing, members, annotation))
            })
            .await?;
        let hearing = hearing.ok_or_else(AppError::not_found)?;
        if let Some(recognizer) = &recognizer {
            recognizer.set_context(hearing_id, members.iter().map(|m| m.name.clone()).collect());
        }
        let room = Self {
            hearing_id,
            status: hearing.status,
            revision: 0,
            members: members
                .into_iter()
                .map(|record| {
                    let annotation = permissions.iter().find(|p| p.participant_id == record.id).cloned();
                    Member { annotation, ..Member::new(record) }
                })
                .collect(),
            next_connection: 1,
            annotations: Annotations::new(marks),
            store,
            clock,
            media,
            seal,
            recognizer,
            evidence,
            dropped: Vec::new(),
        };
        room.media.send(SfuCommand::Policy(room.policy()));
        Ok(room)
    }

    /// Processes input until the room has been empty for a while, then
    /// returns; `on_idle` must unregister the room before it stops taking input.
    pub async fn run(mut self, mut input: mpsc::Receiver<RoomInput>, on_idle: impl FnOnce()) {
        loop {
            let idle = self.members.iter().all(|m| m.connection.is_none());
            let next = if idle {
                tokio::time::timeout(IDLE_TIMEOUT, input.recv()).await.unwrap_or_default()
            } else {
                input.recv().await
            };
            match next {
                Some(message) => {
                    self.handle(message).await;
                    self.log_dropped().await;
                }
                None => break,
            }
        }
        on_idle();
        input.close();
        while let Some(message) = input.recv().await {
            if let RoomInput::Join { reply, .. } = message {
                let _ = reply.send(Err(JoinError::Retry));
            }
        }
        tracing::debug!(hearing_id = self.hearing_id, "room closed");
    }

    async fn handle(&mut self, message: RoomInput) {
        match message {
            RoomInput::Join { participant_id, device, outbox, view, kick, reply } => {
                let result = self.join(participant_id, device, outbox, view, kick).await;
                let _ = reply.send(result);
            }
            RoomInput::DeviceState { participant_id, camera_on, microphone_on } => {
                if let Some(member) = self.member_mut(participant_id)
                    && (member.camera_on, member.microphone_on) != (camera_on, microphone_on) {
                        member.camera_on = camera_on;
                        member.microphone_on = microphone_on;
                        self.changed(None);
                    }
            }
            RoomInput::Broadcast { notice } => {
                if let RoomNotice::EvidenceChanged { evidence_id } = &notice {
                    self.annotations.forget_evidence(evidence_id);
                }
                self.broadcast_message(ServerMessage::Notice { notice });
            }
            RoomInput::NetworkQuality { participant_id, quality } => {
                if let Some(member) = self.member_mut(participant_id)
                    && member.network != quality {
                        member.network = quality;
                        self.changed(None);
                    }
            }
            RoomInput::Leave { participant_id, connection, server_stopping } => {
                let departure = if server_stopping { Departure::ServerStopping } else { Departure::Gone };
                self.leave(participant_id, connection, departure).await
            }
            RoomInput::Command { participant_id, connection, .. } if !self.is_current(participant_id, connection) => {
                tracing::info!(hearing_id = self.hearing_id, participant_id, "a command from a replaced connection is ignored");
            }
            RoomInput::Command { participant_id, connection, request_id, command } => {
                let error = self.command(participant_id, command).await.err();
                if let Some(error) = &error {
                    tracing::info!(hearing_id = self.hearing_id, participant_id, ?command, "command refused: {error}");
                }
                self.send_to(participant_id, connection, ServerMessage::CommandResult {
                    request_id,
                    error: error.map(|e| e.body()),
                });
            }
            // Stored before it is sent: a newcomer's history comes from the store.
            RoomInput::Speech { utterance } => self.broadcast_message(ServerMessage::Speech { utterance }),
            RoomInput::Annotation { participant_id, connection, input } => {
                if self.is_current(participant_id, connection) {
                    self.annotation(participant_id, connection, input).await;
                }
            }
            RoomInput::Close { done } => {
                let connected: Vec<i64> =
                    self.members.iter().filter(|m| m.connection.is_some()).map(|m| m.record.id).collect();
                for participant_id in connected {
                    self.let_go(participant_id, Some(Departure::ServerStopping));
                }
                self.log_dropped().await;
                let _ = done.send(());
            }
            RoomInput::Reload => {
                if let Err(e) = self.reload().await {
                    tracing::error!(hearing_id = self.hearing_id, "room reload failed: {e}");
                }
            }
        }
    }

    /// To everyone who may see the room. Only the words so far of someone
    /// still speaking may be lost on the way: a connection that cannot take
    /// anything else (a mark, a notice, a finished sentence) is dropped, and
    /// its client reconnects and gets the whole room again.
    fn broadcast_message(&mut self, message: ServerMessage) {
        let droppable = matches!(&message, ServerMessage::Speech { utterance } if !utterance.is_final);
        let dropped: Vec<i64> = self
            .members
            .iter()
            .filter(|m| !self.kept_out(m))
            .filter(|m| m.connection.as_ref().is_some_and(|c| c.outbox.try_send(message.clone()).is_err()))
            .map(|m| m.record.id)
            .collect();
        if !droppable {
            self.drop_connections(&dropped);
        }
    }

    fn member(&self, participant_id: i64) -> Option<&Member> {
        self.members.iter().find(|m| m.record.id == participant_id)
    }

    fn facts(&self, member: &RoomMember) -> Facts {
        Facts { who: Who::Participant { id: member.id, role: member.role, blocked: member.blocked }, status: self.status }
    }

    /// Whether this member may not see the others (a block, while it lasts).
    fn kept_out(&self, member: &Member) -> bool {
        access::decide(&self.facts(&member.record), Action::SeeRoom).is_err()
    }

    fn member_mut(&mut self, participant_id: i64) -> Option<&mut Member> {
        self.members.iter_mut().find(|m| m.record.id == participant_id)
    }

    async fn log(&self, actor: EventActor, action: &'static str, detail: serde_json::Value) {
        let hearing_id = self.hearing_id;
        let now = self.clock.now_ms();
        let result = self
            .store
            .call(move |conn| store::events::append(conn, hearing_id, &actor, action, &detail, now))
            .await;
        if let Err(e) = result {
            tracing::error!(hearing_id, action, "could not record event: {e}");
        }
    }

    fn actor(&self, participant_id: i64) -> EventActor {
        let name = self.member(participant_id).map(|m| m.record.name.clone()).unwrap_or_default();
        EventActor::Participant { id: participant_id, name }
    }

    async fn join(
        &mut self,
        participant_id: i64,
        device: DeviceKind,
        outbox: mpsc::Sender<ServerMessage>,
        view: Arc<ViewSlot>,
        kick: Arc<tokio::sync::Notify>,
    ) -> Result<u64, JoinError> {
        if self.status == HearingStatus::Cancelled {
            return Err(JoinError::Ended("庭审已取消".into()));
        }
        let id = self.next_connection;
        self.next_connection += 1;
        let hearing_id = self.hearing_id;
        let member = self
            .member_mut(participant_id)
            .ok_or_else(|| JoinError::Ended("您已不在本次庭审的参与人名单中".into()))?;
        if let Some(old) = member.connection.replace(Connection { id, device, outbox: outbox.clone(), view, kick }) {
            let _ = old.outbox.try_send(ServerMessage::Replaced);
            tracing::info!(hearing_id, participant_id, "connection replaced by a new one");
        }
        self.media.send(SfuCommand::Attach { hearing_id, participant_id, outbox: outbox.clone() });
        let _ = outbox.try_send(ServerMessage::Welcome {
            protocol_version: cloudtrial_protocol::PROTOCOL_VERSION,
            participant_id,
            hearing_id,
        });
        // A stroke the replaced connection was drawing will never be finished.
        self.clear_shown_preview(participant_id);
        self.log(self.actor(participant_id), "participant_joined", json!({"device": device})).await;
        self.changed(Some(RoomNotice::Joined { participant_id, device }));
        self.send_history(participant_id).await;
        Ok(id)
    }

    async fn leave(&mut self, participant_id: i64, connection: u64, departure: Departure) {
        let Some(member) = self.member_mut(participant_id) else { return };
        if member.connection.as_ref().is_none_or(|c| c.id != connection) {
            return; // an older connection, already replaced
        }
        member.connection = None;
        self.clear_shown_preview(participant_id);
        self.log(self.actor(participant_id), "participant_left", departure.detail()).await;
        self.changed(Some(RoomNotice::Left { participant_id }));
    }

    /// Whether `connection` is the participant's current one (not replaced, not dropped).
    fn is_current(&self, participant_id: i64, connection: u64) -> bool {
        self.member(participant_id).and_then(|m| m.connection.as_ref()).is_some_and(|c| c.id == connection)
    }

    /// A dropped connection is a departure like any other: the log and the
    /// others learn of it (its socket's own leave comes too late to count).
    async fn log_dropped(&mut self) {
        while !self.dropped.is_empty() {
            for (participant_id, departure) in std::mem::take(&mut self.dropped) {
                self.clear_shown_preview(participant_id);
                self.log(self.actor(participant_id), "participant_left", departure.detail()).await;
                self.changed(Some(RoomNotice::Left { participant_id }));
            }
        }
    }

    async fn command(&mut self, judge_id: i64, command: JudgeCommand) -> Result<(), AppError> {
        let judge = self.member(judge_id).ok_or_else(AppError::forbidden)?;
        access::decide(&self.facts(&judge.record), Action::CommandRoom)?;
        let records: Vec<RoomMember> = self.members.iter().map(|m| m.record.clone()).collect();
        rules::check_presides(&records, judge_id)?;
        let next = rules::next_status(self.status, &command)?;
        let target = rules::check_target(&records, judge_id, &command)?.cloned();
        let allowing = self.check_annotation_command(&command)?;
        let endings = self.endings(&command);
        let ending = endings.clone();

        let hearing_id = self.hearing_id;
        let from = self.status;
        let now = self.clock.now_ms();
        let actor = self.actor(judge_id);
        let (action, detail) = describe(&command, target.as_ref());
        let seal = self.seal.clone();
        let moved = self
            .store
            .call(move |conn| {
                let tx = conn.transaction().map_err(StoreError::from)?;
                if let Some(to) = next
                    && !store::room::transition(&tx, hearing_id, from, to, now)? {
                        return Ok(false);
                    }
                match command {
                    JudgeCommand::Block { participant_id } => store::room::set_blocked(&tx, participant_id, true)?,
                    JudgeCommand::Summon { participant_id } => store::room::set_blocked(&tx, participant_id, false)?,
                    JudgeCommand::SetMuted { participant_id, muted } => {
                        store::room::set_muted(&tx, participant_id, muted)?
                    }
                    JudgeCommand::AllowAnnotation { .. } => {
                        let permission = allowing.ok_or_else(AppError::forbidden)?;
                        if !store::annotation::allow(&tx, permission, judge_id, now)? {
                            return Err(AppError::with_message(ErrorCode::Conflict, "该当事人没有待处理的圈注申请"));
                        }
                    }
                    _ => {}
                }
                store::events::append(&tx, hearing_id, &actor, action, &detail, now)?;
                for (permission, participant_id, ending) in &ending {
                    if store::annotation::end(&tx, *permission, *ending, Some(judge_id), now)? {
                        let detail = json!({"permission_id": permission, "participant_id": participant_id, "because": ending.reason()});
                        store::events::append(&tx, hearing_id, &actor, "annotation_ended", &detail, now)?;
                    }
                }
                if matches!(command, JudgeCommand::Close) {
                    hearing_log::checkpoint(&tx, &seal, hearing_id, now)?;
                }
                // Signing started at 休庭 covers the record so far: once the hearing goes on, it is void.
                if matches!(command, JudgeCommand::Resume) {
                    let rounds = store::record::supersede_open_rounds(&tx, hearing_id, now)?;
                    if !rounds.is_empty() {
                        let detail = json!({"rounds": rounds, "because": "hearing_resumed"});
                        store::events::append(&tx, hearing_id, &actor, "record_signing_superseded", &detail, now)?;
                    }
                }
                tx.commit().map_err(StoreError::from)?;
                Ok::<_, AppError>(true)
            })
            .await?;
        if !moved {
            // Someone changed the hearing behind the room's back (staff cancelled it): catch up.
            self.reload().await?;
            return Err(AppError::with_message(ErrorCode::Conflict, "庭审状态已变化，请重试"));
        }

        let notice = match command {
            JudgeCommand::Block { participant_id } => {
                self.set_flag(participant_id, |r| r.blocked = true);
                RoomNotice::Blocked { participant_id, by: judge_id }
            }
            JudgeCommand::Summon { participant_id } => {
                self.set_flag(participant_id, |r| r.blocked = false);
                // What was said before they were kept out (not while), and the marks.
                self.send_history(participant_id).await;
                RoomNotice::Summoned { participant_id, by: judge_id }
            }
            JudgeCommand::AllowAnnotation { participant_id } => {
                if let Some(p) = self.member_mut(participant_id).and_then(|m| m.annotation.as_mut()) {
                    p.allowed = true;
                }
                RoomNotice::AnnotationAllowed { participant_id, by: judge_id }
            }
            JudgeCommand::RefuseAnnotation { participant_id } => RoomNotice::AnnotationRefused { participant_id, by: judge_id },
            JudgeCommand::WithdrawAnnotation { participant_id } => {
                RoomNotice::AnnotationWithdrawn { participant_id, by: judge_id }
            }
            JudgeCommand::SetMuted { participant_id, muted } => {
                self.set_flag(participant_id, |r| r.muted = muted);
                RoomNotice::MuteChanged { participant_id, muted, by: judge_id }
            }
            _ => {
                let status = next.expect("state commands change the status");
                self.status = status;
                RoomNotice::StatusChanged { status, by: judge_id }
            }
        };
        self.apply_endings(&endings);
        tracing::info!(hearing_id, judge_id, ?command, "judge command");
        self.changed(Some(notice));
        Ok(())
    }

    fn set_flag(&mut self, participant_id: i64, change: impl FnOnce(&mut RoomMember)) {
        if let Some(member) = self.member_mut(participant_id) {
            change(&mut member.record);
        }
    }

    async fn reload(&mut self) -> Result<(), AppError> {
        let hearing_id = self.hearing_id;
        let (status, records) = self
            .store
            .call(move |conn| {
                let status = store::room::status(conn, hearing_id)?;
                let members = store::room::members(conn, hearing_id)?;
                Ok::<_, StoreError>((status, members))
            })
            .await?;
        self.status = status.ok_or_else(AppError::not_found)?;
        let mut old: Vec<Member> = std::mem::take(&mut self.members);
        for record in records {
            let member = match old.iter_mut().position(|m| m.record.id == record.id) {
                Some(i) => Member { record, ..old.swap_remove(i) },
                None => Member::new(record),
            };
            self.members.push(member);
        }
        let reason = if self.status == HearingStatus::Cancelled { "庭审已取消" } else { "您已不在本次庭审的参与人名单中" };
        for gone in old.into_iter().filter_map(|m| m.connection) {
            let _ = gone.outbox.try_send(ServerMessage::Ended { reason: reason.into(), code: None });
        }
        if self.status == HearingStatus::Cancelled {
            for member in &mut self.members {
                if let Some(connection) = member.connection.take() {
                    let _ = connection.outbox.try_send(ServerMessage::Ended { reason: reason.into(), code: None });
                }
            }
        }
        self.changed(Some(RoomNotice::DetailsChanged));
        Ok(())
    }

    /// What was said (all but what was said while this participant was kept
    /// out) and the marks, to someone who just came in.
    async fn send_history(&self, participant_id: i64) {
        let Some(member) = self.member(participant_id) else { return };
        if self.kept_out(member) {
            return;
        }
        let hearing_id = self.hearing_id;
        match self.store.call(move |conn| store::speech::list_for(conn, hearing_id, participant_id)).await {
            Ok(utterances) => self.send_to_member(participant_id, ServerMessage::SpeechHistory { utterances }),
            Err(e) => tracing::error!(hearing_id, participant_id, "speech history unavailable: {e}"),
        }
        self.send_to_member(participant_id, ServerMessage::Marks { marks: self.annotations.marks.clone() });
    }

    fn send_to_member(&self, participant_id: i64, message: ServerMessage) {
        if let Some(connection) = self.member(participant_id).and_then(|m| m.connection.as_ref()) {
            let _ = connection.outbox.try_send(message);
        }
    }

    fn send_to(&self, participant_id: i64, connection: u64, message: ServerMessage) {
        if let Some(c) = self.member(participant_id).and_then(|m| m.connection.as_ref()).filter(|c| c.id == connection) {
            let _ = c.outbox.try_send(message);
        }
    }

    fn view_for(&self, me: &Member) -> RoomView {
        let participant = |m: &Member| RoomParticipant {
            id: m.record.id,
            name: m.record.name.clone(),
            role: m.record.role,
            online: m.connection.is_some(),
            device: m.connection.as_ref().map(|c| c.device),
            blocked: m.record.blocked,
            muted: m.record.muted,
            camera_on: m.camera_on,
            microphone_on: m.microphone_on,
            network: m.network,
            annotating: annotation::standing(m),
            annotation_request: m.annotation.as_ref().filter(|p| !p.allowed).and_then(|p| p.evidence_id.clone()),
        };
        let blocked = self.kept_out(me);
        RoomView {
            hearing_id: self.hearing_id,
            revision: self.revision,
            status: self.status,
            recognition: RecognitionPanel::for_status(self.status, self.recognizer.is_some()),
            participants: if blocked { vec![participant(me)] } else { self.members.iter().map(participant).collect() },
            me: participant(me),
            blocked_message: blocked.then(|| BLOCKED_MESSAGE.to_owned()),
        }
    }

    /// The hearing's media rules, for the SFU.
    fn policy(&self) -> HearingPolicy {
        HearingPolicy {
            hearing_id: self.hearing_id,
            open: !self.status.is_over(),
            members: self.members.iter().map(|m| m.record.id).collect(),
            blocked: self.members.iter().filter(|m| m.record.blocked).map(|m| m.record.id).collect(),
            muted: self.members.iter().filter(|m| m.record.muted).map(|m| m.record.id).collect(),
            recognizing: self.status == HearingStatus::InSession,
        }
    }

    /// Tells everyone connected what the room looks like now. A connection
    /// that cannot keep up is dropped (its socket closes and the client reconnects).
    fn changed(&mut self, notice: Option<RoomNotice>) {
        self.revision += 1;
        self.media.send(SfuCommand::Policy(self.policy()));
        let mut dropped = Vec::new();
        for member in &self.members {
            let Some(connection) = &member.connection else { continue };
            let view = self.view_for(member);
            let mut ok = !connection.view.put(view.clone()) || connection.outbox.try_send(ServerMessage::Room { room: view }).is_ok();
            if let (true, Some(notice), false) = (ok, &notice, self.kept_out(member)) {
                ok = connection.outbox.try_send(ServerMessage::Notice { notice: notice.clone() }).is_ok();
            }
            if !ok {
                dropped.push(member.record.id);
            }
        }
        self.drop_connections(&dropped);
    }

    fn drop_connections(&mut self, dropped: &[i64]) {
        if dropped.is_empty() {
            return;
        }
        for id in dropped {
            tracing::warn!(hearing_id = self.hearing_id, participant_id = id, "dropping a connection that cannot keep up");
            self.let_go(*id, None);
        }
        self.changed(None);
    }

    /// Takes a participant's connection away and closes its socket; the
    /// departure is logged by `log_dropped`. `None`: why is told by the connection.
    fn let_go(&mut self, participant_id: i64, departure: Option<Departure>) {
        if let Some(connection) = self.member_mut(participant_id).and_then(|m| m.connection.take()) {
            connection.kick.notify_one();
            let departure = departure.unwrap_or(if connection.outbox.is_closed() { Departure::Gone } else { Departure::TooSlow });
            self.dropped.push((participant_id, departure));
        }
    }
}

fn describe(command: &JudgeCommand, target: Option<&RoomMember>) -> (&'static str, serde_json::Value) {
    let target = target.map(|t| json!({"participant_id": t.id, "name": t.name, "role": t.role}));
    match command {
        JudgeCommand::Start => ("hearing_started", json!({})),
        JudgeCommand::Adjourn => ("hearing_adjourned", json!({})),
        JudgeCommand::Resume => ("hearing_resumed", json!({})),
        JudgeCommand::Close => ("hearing_closed", json!({})),
        JudgeCommand::Block { .. } => ("participant_blocked", json!({"target": target})),
        JudgeCommand::Summon { .. } => ("participant_summoned", json!({"target": target})),
        JudgeCommand::SetMuted { muted: true, .. } => ("participant_muted", json!({"target": target})),
        JudgeCommand::SetMuted { muted: false, .. } => ("participant_unmuted", json!({"target": target})),
        JudgeCommand::AllowAnnotation { .. } => ("annotation_allowed", json!({"target": target})),
        JudgeCommand::RefuseAnnotation { .. } => ("annotation_refused", json!({"target": target})),
        JudgeCommand::WithdrawAnnotation { .. } => ("annotation_withdrawn", json!({"target": target})),
    }
}

pub fn error_message(code: ErrorCode, message: impl Into<String>) -> ServerMessage {
    ServerMessage::Error { error: ErrorBody::with_message(code, message) }
}
