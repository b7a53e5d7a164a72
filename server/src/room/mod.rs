//! The live hearing room: presence, hearing state and the judge's controls,
//! over one WebSocket per participant.

mod actor;

pub use actor::error_message;
pub mod rules;
pub mod socket;
mod view_slot;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cloudtrial_protocol::api::DeviceKind;
use cloudtrial_protocol::signalling::{JudgeCommand, NetworkQuality, RoomNotice, ServerMessage};
use tokio::sync::{mpsc, oneshot};

pub use actor::{AnnotationInput, JoinError};
use actor::{Room, RoomInput};
pub use view_slot::ViewSlot;

use crate::clock::Clock;
use crate::media::MediaHandle;
use crate::record::seal::RecordSeal;
use crate::speech::SpeechService;
use crate::store::Store;

/// Each live room's generation and input, by hearing id.
type LiveRooms = Arc<Mutex<HashMap<i64, (u64, mpsc::Sender<RoomInput>)>>>;

/// What every room works with.
#[derive(Clone)]
pub struct RoomServices {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub media: MediaHandle,
    /// Signs the log's checkpoint when the hearing is closed.
    pub seal: Arc<RecordSeal>,
    /// Speech recognition, when the court runs an engine.
    pub speech: Option<Arc<SpeechService>>,
    /// The evidence files (a PDF's page count, for marks on its pages).
    pub evidence: Arc<crate::evidence::EvidenceStore>,
}

/// The rooms that are live in memory, by hearing id.
pub struct RoomRegistry {
    rooms: LiveRooms,
    next_generation: std::sync::atomic::AtomicU64,
    services: RoomServices,
}

impl RoomRegistry {
    pub fn new(services: RoomServices) -> Self {
        Self { rooms: Default::default(), next_generation: Default::default(), services }
    }

    fn room(&self, hearing_id: i64) -> mpsc::Sender<RoomInput> {
        let mut rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, sender)) = rooms.get(&hearing_id).filter(|(_, s)| !s.is_closed()) {
            return sender.clone();
        }
        let generation = self.next_generation.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (sender, receiver) = mpsc::channel(256);
        rooms.insert(hearing_id, (generation, sender.clone()));
        let registry = self.rooms.clone();
        let services = self.services.clone();
        tokio::spawn(async move {
            let unregister = move || {
                let mut rooms = registry.lock().unwrap_or_else(|p| p.into_inner());
                if rooms.get(&hearing_id).is_some_and(|(g, _)| *g == generation) {
                    rooms.remove(&hearing_id);
                }
            };
            match Room::load(hearing_id, services).await {
                Ok(room) => room.run(receiver, unregister).await,
                Err(e) => {
                    tracing::warn!(hearing_id, "room could not load: {e}");
                    unregister();
                    let mut receiver = receiver;
                    receiver.close();
                    while let Some(input) = receiver.recv().await {
                        if let RoomInput::Join { reply, .. } = input {
                            let _ = reply.send(Err(JoinError::Ended("庭审不存在".into())));
                        }
                    }
                }
            }
        });
        sender
    }

    /// Puts a participant's connection in the room, replacing an older one.
    /// Returns the connection's id, for `leave` and `command`.
    pub async fn join(
        &self,
        hearing_id: i64,
        participant_id: i64,
        device: DeviceKind,
        outbox: mpsc::Sender<ServerMessage>,
        view: Arc<ViewSlot>,
        kick: Arc<tokio::sync::Notify>,
    ) -> Result<u64, JoinError> {
        for _ in 0..8 {
            let (reply, answer) = oneshot::channel();
            let input =
                RoomInput::Join { participant_id, device, outbox: outbox.clone(), view: view.clone(), kick: kick.clone(), reply };
            if self.room(hearing_id).send(input).await.is_err() {
                continue;
            }
            match answer.await {
                Ok(Err(JoinError::Retry)) | Err(_) => continue,
                Ok(result) => return result,
            }
        }
        Err(JoinError::Ended("服务器繁忙，请稍后重试".into()))
    }

    pub async fn leave(&self, hearing_id: i64, participant_id: i64, connection: u64, server_stopping: bool) {
        self.send_if_live(hearing_id, RoomInput::Leave { participant_id, connection, server_stopping }).await;
    }

    pub async fn command(&self, hearing_id: i64, participant_id: i64, connection: u64, request_id: u64, command: JudgeCommand) {
        self.send_if_live(hearing_id, RoomInput::Command { participant_id, connection, request_id, command }).await;
    }

    pub async fn device_state(&self, hearing_id: i64, participant_id: i64, camera_on: bool, microphone_on: bool) {
        self.send_if_live(hearing_id, RoomInput::DeviceState { participant_id, camera_on, microphone_on }).await;
    }

    pub async fn network_quality(&self, hearing_id: i64, participant_id: i64, quality: Option<NetworkQuality>) {
        self.send_if_live(hearing_id, RoomInput::NetworkQuality { participant_id, quality }).await;
    }

    /// 圈注: a request, a preview, a mark or its removal, from one connection.
    pub async fn annotation(&self, hearing_id: i64, participant_id: i64, connection: u64, input: AnnotationInput) {
        self.send_if_live(hearing_id, RoomInput::Annotation { participant_id, connection, input }).await;
    }

    /// Evidence was submitted, withdrawn or cross-examined: everyone refreshes their list.
    pub async fn evidence_changed(&self, hearing_id: i64, evidence_id: String) {
        self.broadcast(hearing_id, RoomNotice::EvidenceChanged { evidence_id }).await;
    }

    /// A line of recognised speech: everyone who is not blocked sees it.
    pub async fn speech(&self, hearing_id: i64, utterance: cloudtrial_protocol::signalling::Utterance) {
        self.send_if_live(hearing_id, RoomInput::Speech { utterance }).await;
    }

    /// Tells everyone in the room who is not blocked.
    pub async fn broadcast(&self, hearing_id: i64, notice: RoomNotice) {
        self.send_if_live(hearing_id, RoomInput::Broadcast { notice }).await;
    }

    /// The hearing changed outside the room (edited or cancelled by staff).
    pub async fn reload(&self, hearing_id: i64) {
        self.send_if_live(hearing_id, RoomInput::Reload).await;
    }

    /// The server is stopping: every live room logs the departure of everyone
    /// still connected. Returns once all have.
    pub async fn close_all(&self) {
        let senders: Vec<_> = {
            let rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
            rooms.values().map(|(_, s)| s.clone()).collect()
        };
        let mut closing = Vec::new();
        for sender in senders {
            let (done, closed) = oneshot::channel();
            if sender.send(RoomInput::Close { done }).await.is_ok() {
                closing.push(closed);
            }
        }
        for closed in closing {
            let _ = closed.await;
        }
    }

    async fn send_if_live(&self, hearing_id: i64, input: RoomInput) {
        let sender = {
            let rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
            rooms.get(&hearing_id).map(|(_, s)| s.clone())
        };
        if let Some(sender) = sender {
            let _ = sender.send(input).await;
        }
    }
}
