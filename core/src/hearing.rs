//! The hearing room, live: one WebSocket kept open (and reopened with backoff
//! when the network drops), the room exposed as observable state, and the
//! judge's commands.

use cloudtrial_protocol::paths;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cloudtrial_protocol::annotation::{Mark, MarkDraft};
use cloudtrial_protocol::api::{DeviceKind, ParticipantSummary};
use cloudtrial_protocol::signalling::{
    ClientMessage, JudgeCommand, RoomNotice, RoomParticipant, RoomView, ServerMessage, Utterance,
};
use cloudtrial_protocol::{ErrorBody, ErrorCode, PROTOCOL_VERSION};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{Notify, broadcast, mpsc, oneshot, watch};
use tokio_tungstenite::tungstenite::Message;

use crate::client::Client;
use crate::error::{Error, Result};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);
const PING_EVERY: Duration = Duration::from_secs(10);
/// Nothing heard from the server for this long: the connection is dead.
const SILENCE_LIMIT: Duration = Duration::from_secs(30);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// The state of the connection to the room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionState {
    /// First connection under way.
    Connecting,
    Connected,
    /// The connection dropped; trying again (重新连接中).
    Reconnecting { attempt: u32 },
    /// The same participant joined from another device; this one stopped.
    Replaced,
    /// The participant may no longer be in the room; `reason` says why.
    Ended { reason: String },
}

impl ConnectionState {
    /// What the connection indicator shows.
    pub fn label(&self) -> &str {
        match self {
            Self::Connecting => "正在连接",
            Self::Connected => "已连接",
            Self::Reconnecting { .. } => "重新连接中",
            Self::Replaced => "您已在其他设备进入庭审",
            Self::Ended { reason } => reason,
        }
    }
}

/// The room as this participant sees it now.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomState {
    pub connection: ConnectionState,
    /// The last view the server sent; kept while reconnecting.
    pub room: Option<RoomView>,
    /// The recognition panel's lines (显示角色+语音识别内容): finished
    /// sentences in order, then the words so far of whoever is speaking.
    pub speech: Vec<Utterance>,
    /// Every current 圈注 mark of the hearing, in the server's order.
    pub marks: Vec<Mark>,
    /// Marks being drawn right now (this participant's own included), not yet committed.
    pub previews: Vec<LivePreview>,
}

/// Someone's mark while they draw it.
#[derive(Debug, Clone, PartialEq)]
pub struct LivePreview {
    pub author: ParticipantSummary,
    pub stroke: u32,
    pub draft: MarkDraft,
}

impl RoomState {
    /// `您已被屏蔽，请等待法官传唤` while the judge has blocked this participant.
    pub fn blocked_message(&self) -> Option<&str> {
        self.room.as_ref().and_then(|r| r.blocked_message.as_deref())
    }

    pub fn participant(&self, id: i64) -> Option<&RoomParticipant> {
        self.room.as_ref().and_then(|r| r.participants.iter().find(|p| p.id == id))
    }

    /// A line arrives: it replaces the line of the same sentence (the words
    /// so far become more words, then the final sentence).
    fn hear(&mut self, utterance: Utterance) {
        match self.speech.iter().position(|u| u.segment == utterance.segment) {
            Some(i) if self.speech[i].is_final && !utterance.is_final => {}
            Some(i) if utterance.is_final => {
                self.speech.remove(i);
                self.insert_final(utterance);
            }
            Some(i) => self.speech[i] = utterance,
            None if utterance.is_final => self.insert_final(utterance),
            None => self.speech.push(utterance),
        }
    }

    fn preview(&mut self, preview: LivePreview) {
        match self.previews.iter_mut().find(|p| p.author.id == preview.author.id && p.stroke == preview.stroke) {
            Some(existing) => *existing = preview,
            None => self.previews.push(preview),
        }
    }

    /// Finals stay in the order they were said, ahead of the words still being spoken.
    /// (A long sentence finishes after a short one said while it went on, and still comes first.)
    fn insert_final(&mut self, utterance: Utterance) {
        let at = self
            .speech
            .iter()
            .position(|u| !u.is_final || u.start_ms > utterance.start_ms)
            .unwrap_or(self.speech.len());
        self.speech.insert(at, utterance);
    }
}

/// Requests waiting for their answer: a mark's id, or nothing, or the refusal.
type Pending = Mutex<HashMap<u64, oneshot::Sender<std::result::Result<Option<i64>, ErrorBody>>>>;

struct Shared {
    state: watch::Sender<RoomState>,
    pending: Pending,
    next_request: AtomicU64,
    outgoing: mpsc::Sender<ClientMessage>,
    reconnect_now: Notify,
    leave: Notify,
    /// Media signalling from the server, for the media session.
    media: broadcast::Sender<ServerMessage>,
    /// What happens in the room (joins, evidence changes, ...).
    notices: broadcast::Sender<RoomNotice>,
    /// The participant's camera and microphone switches, sent again after every reconnect.
    device_state: Mutex<Option<ClientMessage>>,
}

/// What the media session needs of the room: its signalling and its state.
#[derive(Clone)]
pub(crate) struct RoomLink {
    shared: Arc<Shared>,
}

impl RoomLink {
    pub fn send(&self, message: ClientMessage) -> Result<()> {
        if self.shared.state.borrow().connection != ConnectionState::Connected {
            return Err(Error::NotConnected);
        }
        self.shared.outgoing.try_send(message).map_err(|_| Error::NotConnected)
    }

    /// Sends a request and waits for the server's answer: a mark's id, or nothing.
    pub async fn ask(&self, message: impl FnOnce(u64) -> ClientMessage) -> Result<Option<i64>> {
        if self.shared.state.borrow().connection != ConnectionState::Connected {
            return Err(Error::NotConnected);
        }
        let request_id = self.shared.next_request.fetch_add(1, Ordering::Relaxed);
        let (reply, answer) = oneshot::channel();
        self.shared.pending.lock().unwrap_or_else(|p| p.into_inner()).insert(request_id, reply);
        if self.shared.outgoing.send(message(request_id)).await.is_err() {
            return Err(Error::NotConnected);
        }
        let result = tokio::time::timeout(COMMAND_TIMEOUT, answer).await;
        self.shared.pending.lock().unwrap_or_else(|p| p.into_inner()).remove(&request_id);
        match result {
            Ok(Ok(Ok(id))) => Ok(id),
            Ok(Ok(Err(error))) => Err(Error::Api { status: error.code.http_status(), code: error.code, message: error.message }),
            Ok(Err(_)) | Err(_) => Err(Error::NotConnected),
        }
    }

    /// Shows a mark still being drawn to everyone (and in this room state).
    /// Not stored; dropped when the connection is busy.
    pub fn preview(&self, stroke: u32, draft: MarkDraft) -> Result<()> {
        let me = self.shared.state.borrow().room.as_ref().map(|r| r.me.clone()).ok_or(Error::NotConnected)?;
        self.send(ClientMessage::PreviewMark { stroke, draft: draft.clone() })?;
        let author = ParticipantSummary { id: me.id, name: me.name, role: me.role };
        self.shared.state.send_modify(|s| s.preview(LivePreview { author, stroke, draft }));
        Ok(())
    }

    /// Takes this participant's stroke in progress back from everyone (and
    /// from this room state at once, not when the server's answer comes back).
    pub fn clear_preview(&self) -> Result<()> {
        let me = self.shared.state.borrow().room.as_ref().map(|r| r.me.id);
        if let Some(me) = me {
            self.shared.state.send_if_modified(|s| {
                let before = s.previews.len();
                s.previews.retain(|p| p.author.id != me);
                s.previews.len() != before
            });
        }
        self.send(ClientMessage::ClearPreview)
    }

    pub fn state(&self) -> RoomState {
        self.shared.state.borrow().clone()
    }

    pub fn subscribe_media(&self) -> broadcast::Receiver<ServerMessage> {
        self.shared.media.subscribe()
    }

    pub fn subscribe_state(&self) -> watch::Receiver<RoomState> {
        self.shared.state.subscribe()
    }

    pub fn set_device_state(&self, message: ClientMessage) {
        *self.shared.device_state.lock().unwrap_or_else(|p| p.into_inner()) = Some(message.clone());
        let _ = self.send(message);
    }
}

/// A participant's live connection to their hearing's room.
pub struct HearingSession {
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl HearingSession {
    /// Starts connecting. Must be called within a tokio runtime.
    pub fn start(client: &Client, device: DeviceKind) -> Result<Self> {
        client.session()?;
        let (outgoing, commands) = mpsc::channel(32);
        let shared = Arc::new(Shared {
            state: watch::Sender::new(RoomState {
                connection: ConnectionState::Connecting,
                room: None,
                speech: Vec::new(),
                marks: Vec::new(),
                previews: Vec::new(),
            }),
            pending: Mutex::new(HashMap::new()),
            next_request: AtomicU64::new(1),
            outgoing,
            reconnect_now: Notify::new(),
            leave: Notify::new(),
            media: broadcast::channel(64).0,
            notices: broadcast::channel(64).0,
            device_state: Mutex::new(None),
        });
        let task = tokio::spawn(run(client.clone(), device, shared.clone(), commands));
        Ok(Self { shared, task })
    }

    pub fn state(&self) -> RoomState {
        self.shared.state.borrow().clone()
    }

    /// The current state at once, then every change.
    pub fn subscribe(&self) -> watch::Receiver<RoomState> {
        self.shared.state.subscribe()
    }

    pub(crate) fn link(&self) -> RoomLink {
        RoomLink { shared: self.shared.clone() }
    }

    /// What happens in the room, as it happens (no history).
    pub fn subscribe_notices(&self) -> broadcast::Receiver<RoomNotice> {
        self.shared.notices.subscribe()
    }

    /// The device's network changed (Wi-Fi → 4G): reconnect now rather than wait to notice.
    pub fn network_changed(&self) {
        self.shared.reconnect_now.notify_one();
    }

    /// Leaves the room and stops reconnecting.
    pub fn leave(&self) {
        self.shared.leave.notify_one();
    }

    /// Gives a judge command; the server decides whether this participant may.
    pub async fn command(&self, command: JudgeCommand) -> Result<()> {
        self.ask(|request_id| ClientMessage::Command { request_id, command }).await.map(|_| ())
    }

    /// Sends a request and waits for the server's answer.
    pub(crate) async fn ask(&self, message: impl FnOnce(u64) -> ClientMessage) -> Result<Option<i64>> {
        self.link().ask(message).await
    }


    /// 申请圈注, optionally for one evidence item.
    pub async fn request_annotation(&self, evidence_id: Option<String>) -> Result<()> {
        self.ask(|request_id| ClientMessage::RequestAnnotation { request_id, evidence_id }).await.map(|_| ())
    }

    /// Marks over one evidence item: watch them, draw, undo.
    pub fn annotation(&self, evidence_id: impl Into<String>) -> crate::annotation::AnnotationSession {
        crate::annotation::AnnotationSession::new(self.link(), evidence_id.into())
    }

    /// 通过 a party's 申请圈注 (judges only).
    pub async fn allow_annotation(&self, participant_id: i64) -> Result<()> {
        self.command(JudgeCommand::AllowAnnotation { participant_id }).await
    }
    /// 拒绝 a party's 申请圈注.
    pub async fn refuse_annotation(&self, participant_id: i64) -> Result<()> {
        self.command(JudgeCommand::RefuseAnnotation { participant_id }).await
    }
    /// 收回圈注.
    pub async fn withdraw_annotation(&self, participant_id: i64) -> Result<()> {
        self.command(JudgeCommand::WithdrawAnnotation { participant_id }).await
    }

    pub async fn start_hearing(&self) -> Result<()> {
        self.command(JudgeCommand::Start).await
    }
    pub async fn adjourn(&self) -> Result<()> {
        self.command(JudgeCommand::Adjourn).await
    }
    pub async fn resume(&self) -> Result<()> {
        self.command(JudgeCommand::Resume).await
    }
    pub async fn close_hearing(&self) -> Result<()> {
        self.command(JudgeCommand::Close).await
    }
    pub async fn block(&self, participant_id: i64) -> Result<()> {
        self.command(JudgeCommand::Block { participant_id }).await
    }
    pub async fn summon(&self, participant_id: i64) -> Result<()> {
        self.command(JudgeCommand::Summon { participant_id }).await
    }
    pub async fn set_muted(&self, participant_id: i64, muted: bool) -> Result<()> {
        self.command(JudgeCommand::SetMuted { participant_id, muted }).await
    }
}

impl Drop for HearingSession {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// How one connection ended.
enum Outcome {
    /// Dropped; `connected` says whether it got as far as the room.
    Dropped { connected: bool },
    Final(ConnectionState),
    SessionExpired,
    Left,
}

async fn run(client: Client, device: DeviceKind, shared: Arc<Shared>, mut commands: mpsc::Receiver<ClientMessage>) {
    let mut attempt = 0u32;
    loop {
        let token = client.session().ok().map(|s| s.token().to_owned());
        let outcome = connect_and_serve(&client, device, &shared, &mut commands).await;
        fail_pending(&shared);
        let final_state = match outcome {
            Outcome::Dropped { connected } => {
                attempt = if connected { 1 } else { attempt + 1 };
                shared.state.send_modify(|s| s.connection = ConnectionState::Reconnecting { attempt });
                let backoff = backoff(attempt);
                tracing::info!(attempt, ?backoff, "room connection dropped; reconnecting");
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = shared.reconnect_now.notified() => {}
                    _ = shared.leave.notified() => return,
                }
                continue;
            }
            Outcome::Final(state) => state,
            Outcome::SessionExpired => {
                if let Some(token) = token
                    && let Err(e) = client.expire(&token)
                {
                    tracing::warn!("could not forget the expired session: {e}");
                }
                ConnectionState::Ended { reason: "登录已失效，请重新登录".into() }
            }
            Outcome::Left => ConnectionState::Ended { reason: "已离开庭审".into() },
        };
        shared.state.send_modify(|s| s.connection = final_state);
        return;
    }
}

fn backoff(attempt: u32) -> Duration {
    let base = Duration::from_millis(250u64 << attempt.min(5)).min(MAX_BACKOFF);
    // Up to a quarter more, at random, so a court full of phones does not reconnect in step.
    let random = std::hash::BuildHasher::hash_one(&std::hash::RandomState::new(), attempt);
    base + Duration::from_millis(random % (base.as_millis() as u64 / 4 + 1))
}

fn fail_pending(shared: &Shared) {
    shared.pending.lock().unwrap_or_else(|p| p.into_inner()).clear();
}

fn room_url(base_url: &str) -> String {
    let ws = base_url.replacen("https://", "wss://", 1).replacen("http://", "ws://", 1);
    format!("{ws}{}", paths::ROOM)
}

async fn connect_and_serve(
    client: &Client,
    device: DeviceKind,
    shared: &Shared,
    commands: &mut mpsc::Receiver<ClientMessage>,
) -> Outcome {
    let session = match client.session() {
        Ok(session) => session,
        Err(_) => return Outcome::SessionExpired,
    };
    let connecting = tokio::time::timeout(CONNECT_TIMEOUT, tokio_tungstenite::connect_async(room_url(client.base_url())));
    let mut ws = match connecting.await {
        Ok(Ok((ws, _))) => ws,
        Ok(Err(e)) => {
            tracing::debug!("room connection failed: {e}");
            return Outcome::Dropped { connected: false };
        }
        Err(_) => return Outcome::Dropped { connected: false },
    };
    let hello = ClientMessage::Hello { token: session.token().to_owned(), protocol_version: PROTOCOL_VERSION, device };
    if send(&mut ws, &hello).await.is_err() {
        return Outcome::Dropped { connected: false };
    }
    // Commands queued while disconnected are stale; they were already failed.
    while commands.try_recv().is_ok() {}

    let mut connected = false;
    let mut ping = tokio::time::interval(PING_EVERY);
    let mut last_heard = tokio::time::Instant::now();
    loop {
        tokio::select! {
            frame = ws.next() => {
                let text = match frame {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Outcome::Dropped { connected },
                    Some(Ok(_)) => { last_heard = tokio::time::Instant::now(); continue }
                };
                last_heard = tokio::time::Instant::now();
                let message: ServerMessage = match serde_json::from_str(&text) {
                    Ok(message) => message,
                    Err(e) => { tracing::warn!("unreadable message from the room: {e}"); continue }
                };
                match message {
                    ServerMessage::Welcome { .. } => {
                        connected = true;
                        let device = shared.device_state.lock().unwrap_or_else(|p| p.into_inner()).clone();
                        if let Some(device) = device
                            && send(&mut ws, &device).await.is_err()
                        {
                            return Outcome::Dropped { connected };
                        }
                        shared.state.send_modify(|s| {
                            s.connection = ConnectionState::Connected;
                            // Whoever was drawing before the drop has finished or will start again.
                            s.previews.clear();
                        });
                    }
                    message @ (ServerMessage::MediaAnswer { .. } | ServerMessage::MediaOffer { .. } | ServerMessage::MediaReset) => {
                        let _ = shared.media.send(message);
                    }
                    ServerMessage::Room { room } => shared.state.send_modify(|s| {
                        if room.blocked_message.is_some() {
                            s.speech.clear();
                            s.marks.clear();
                            s.previews.clear();
                        }
                        if !room.me.annotating.may_draw() {
                            s.previews.retain(|p| p.author.id != room.me.id);
                        }
                        s.room = Some(room);
                    }),
                    ServerMessage::Marks { marks } => shared.state.send_modify(|s| s.marks = marks),
                    ServerMessage::MarkAdded { mark } => shared.state.send_modify(|s| {
                        if !s.marks.iter().any(|m| m.id == mark.id) {
                            s.marks.push(mark);
                        }
                    }),
                    ServerMessage::MarkRemoved { mark_id, .. } => shared.state.send_modify(|s| s.marks.retain(|m| m.id != mark_id)),
                    ServerMessage::MarkPreview { author, stroke, draft } => {
                        shared.state.send_modify(|s| s.preview(LivePreview { author, stroke, draft }));
                    }
                    ServerMessage::PreviewCleared { participant_id } => {
                        shared.state.send_modify(|s| s.previews.retain(|p| p.author.id != participant_id));
                    }
                    ServerMessage::AnnotationResult { request_id, mark_id, error } => {
                        let reply = shared.pending.lock().unwrap_or_else(|p| p.into_inner()).remove(&request_id);
                        if let Some(reply) = reply {
                            let _ = reply.send(error.map_or(Ok(mark_id), Err));
                        }
                    }
                    ServerMessage::Speech { utterance } => shared.state.send_modify(|s| s.hear(utterance)),
                    ServerMessage::SpeechHistory { utterances } => shared.state.send_modify(|s| {
                        let live: Vec<Utterance> = s.speech.drain(..).filter(|u| !u.is_final).collect();
                        s.speech = utterances;
                        for line in live {
                            s.hear(line);
                        }
                    }),
                    ServerMessage::Notice { notice } => {
                        let _ = shared.notices.send(notice);
                    }
                    ServerMessage::CommandResult { request_id, error } => {
                        let reply = shared.pending.lock().unwrap_or_else(|p| p.into_inner()).remove(&request_id);
                        if let Some(reply) = reply {
                            let _ = reply.send(error.map_or(Ok(None), Err));
                        }
                    }
                    ServerMessage::Error { error } if !connected => {
                        return match error.code {
                            ErrorCode::Unauthorized | ErrorCode::SessionExpired => Outcome::SessionExpired,
                            // A busy or failing server (or a code this side does not know): try again.
                            ErrorCode::Internal | ErrorCode::RateLimited | ErrorCode::Interrupted | ErrorCode::Unknown => {
                                tracing::info!(?error, "the room refused the connection for now");
                                Outcome::Dropped { connected: false }
                            }
                            _ => Outcome::Final(ConnectionState::Ended { reason: error.message }),
                        };
                    }
                    ServerMessage::Error { error } => {
                        tracing::warn!(?error, "the room refused a message");
                        let _ = shared.media.send(ServerMessage::Error { error });
                    }
                    ServerMessage::Replaced => return Outcome::Final(ConnectionState::Replaced),
                    ServerMessage::Ended { code: Some(ErrorCode::SessionExpired | ErrorCode::Unauthorized), .. } => {
                        return Outcome::SessionExpired;
                    }
                    ServerMessage::Ended { reason, .. } => return Outcome::Final(ConnectionState::Ended { reason }),
                }
            }
            Some(command) = commands.recv(), if connected => {
                if send(&mut ws, &command).await.is_err() {
                    return Outcome::Dropped { connected };
                }
            }
            _ = ping.tick() => {
                if last_heard.elapsed() > SILENCE_LIMIT {
                    tracing::info!("no word from the room for {SILENCE_LIMIT:?}; reconnecting");
                    return Outcome::Dropped { connected };
                }
                if ws.send(Message::Ping(Default::default())).await.is_err() {
                    return Outcome::Dropped { connected };
                }
            }
            _ = shared.reconnect_now.notified() => return Outcome::Dropped { connected },
            _ = shared.leave.notified() => {
                let _ = ws.close(None).await;
                return Outcome::Left;
            }
        }
    }
}

async fn send<S>(ws: &mut S, message: &ClientMessage) -> std::result::Result<(), ()>
where
    S: futures_util::Sink<Message> + Unpin,
{
    let text = serde_json::to_string(message).map_err(|_| ())?;
    ws.send(Message::Text(text.into())).await.map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudtrial_protocol::ParticipantRole;

    fn said(segment: u64, start_ms: i64, is_final: bool) -> Utterance {
        let speaker = ParticipantSummary { id: segment as i64, name: format!("参与人{segment}"), role: ParticipantRole::Plaintiff };
        Utterance { segment, speaker, start_ms, end_ms: start_ms + 1_000, text: format!("第{segment}句"), confidence: None, is_final }
    }

    #[test]
    fn finished_sentences_stand_in_the_order_they_were_said_ahead_of_words_still_spoken() {
        let mut state = RoomState { connection: ConnectionState::Connecting, room: None, speech: Vec::new(), marks: Vec::new(), previews: Vec::new() };
        state.hear(said(1, 25_000, false));
        state.hear(said(2, 44_000, false));
        // The short one said at 0:44 finishes first; the long one begun at 0:25 after it.
        state.hear(said(2, 44_000, true));
        state.hear(said(3, 50_000, false));
        state.hear(said(1, 25_000, true));
        let order: Vec<(u64, bool)> = state.speech.iter().map(|u| (u.segment, u.is_final)).collect();
        assert_eq!(order, [(1, true), (2, true), (3, false)]);
    }
}
