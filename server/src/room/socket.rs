//! One participant's WebSocket: authenticate with `hello`, join the room,
//! then relay commands in and room updates out. Bad frames get an error
//! message back; nothing a client sends can stop the server's task.

use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use cloudtrial_protocol::ErrorCode;
use cloudtrial_protocol::signalling::{ClientMessage, ServerMessage};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;

use super::{AnnotationInput, JoinError, ViewSlot};
use super::actor::error_message;
use crate::auth::{self, Caller, ParticipantCaller};
use crate::media::SfuCommand;
use crate::state::AppState;

const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
const PING_EVERY: Duration = Duration::from_secs(15);
/// A client that has not taken a frame in this long has stopped reading.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// A connection silent this long (no pong, no message) is dead.
const SILENCE_LIMIT: Duration = Duration::from_secs(45);
/// Largest text message the room reads.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
const OUTBOX_CAPACITY: usize = 64;
/// What a connection is told when its login ends (logged out or expired); the apps say the same.
const SESSION_ENDED: &str = "登录已失效，请重新登录";

/// Messages per second a client may send, with a burst allowance.
struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    const RATE: f64 = 20.0;
    const BURST: f64 = 40.0;

    fn new() -> Self {
        Self { tokens: Self::BURST, last: Instant::now() }
    }

    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * Self::RATE).min(Self::BURST);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Sends one frame; `false` once the connection is gone, or when a client
/// that stopped reading has let it wait [`SEND_TIMEOUT`].
async fn send_frame(socket: &mut WebSocket, frame: Message) -> bool {
    matches!(tokio::time::timeout(SEND_TIMEOUT, socket.send(frame)).await, Ok(Ok(())))
}

async fn send(socket: &mut WebSocket, message: &ServerMessage) -> bool {
    match serde_json::to_string(message) {
        Ok(text) => send_frame(socket, Message::Text(text.into())).await,
        Err(e) => {
            tracing::error!("could not encode a server message: {e}");
            true
        }
    }
}

async fn close(mut socket: WebSocket, message: Option<ServerMessage>) {
    if let Some(message) = message {
        send(&mut socket, &message).await;
    }
    send_frame(&mut socket, Message::Close(Some(CloseFrame { code: 1000, reason: "".into() }))).await;
}

/// Reads one client message from a frame; `Err` is the error to send back.
fn parse(message: &Message) -> Result<Option<ClientMessage>, Box<ServerMessage>> {
    match message {
        Message::Text(text) if text.len() > MAX_MESSAGE_BYTES => {
            Err(Box::new(error_message(ErrorCode::PayloadTooLarge, "消息过大")))
        }
        Message::Text(text) => serde_json::from_str(text)
            .map(Some)
            .map_err(|e| Box::new(error_message(ErrorCode::InvalidRequest, format!("无法识别的消息：{e}")))),
        Message::Binary(_) => Err(Box::new(error_message(ErrorCode::InvalidRequest, "只接受 JSON 文本消息"))),
        Message::Ping(_) | Message::Pong(_) | Message::Close(_) => Ok(None),
    }
}

/// Waits for `hello` and resolves its token to a participant.
async fn authenticate(socket: &mut WebSocket, state: &AppState) -> Result<(ParticipantCaller, cloudtrial_protocol::api::DeviceKind), ServerMessage> {
    let deadline = tokio::time::Instant::now() + HELLO_TIMEOUT;
    loop {
        let frame = match tokio::time::timeout_at(deadline, socket.recv()).await {
            Err(_) => return Err(error_message(ErrorCode::Unauthorized, "未在规定时间内完成身份验证")),
            Ok(None | Some(Err(_))) => return Err(error_message(ErrorCode::Unauthorized, "连接已断开")),
            Ok(Some(Ok(frame))) => frame,
        };
        let (token, version, device) = match parse(&frame).map_err(|e| *e)? {
            None => continue,
            Some(ClientMessage::Hello { token, protocol_version, device }) => (token, protocol_version, device),
            Some(_) => return Err(error_message(ErrorCode::Unauthorized, "请先发送 hello 消息完成身份验证")),
        };
        if version != cloudtrial_protocol::PROTOCOL_VERSION {
            return Err(error_message(ErrorCode::UpgradeRequired, ErrorCode::UpgradeRequired.default_message()));
        }
        return match auth::resolve(state, &token).await {
            Ok(Caller::Participant(p)) => Ok((p, device)),
            Ok(Caller::Staff(_)) => Err(error_message(ErrorCode::Forbidden, "请以庭审参与人身份进入庭审")),
            Err(e) => Err(ServerMessage::Error { error: e.body() }),
        };
    }
}

/// Media signalling for this participant's own peer connection only.
fn media_command(
    hearing_id: i64,
    participant_id: i64,
    outbox: &mpsc::Sender<ServerMessage>,
    message: ClientMessage,
) -> SfuCommand {
    let outbox = outbox.clone();
    match message {
        ClientMessage::MediaJoin { sdp } => SfuCommand::Join { hearing_id, participant_id, outbox, sdp },
        ClientMessage::MediaOffer { sdp } => SfuCommand::Offer { hearing_id, participant_id, outbox, sdp },
        ClientMessage::MediaAnswer { sdp } => SfuCommand::Answer { hearing_id, participant_id, sdp },
        ClientMessage::MediaCandidate { candidate } => SfuCommand::Candidate { hearing_id, participant_id, candidate },
        _ => SfuCommand::Leave { hearing_id, participant_id },
    }
}

/// Whether the session behind a room connection still holds: not logged out,
/// revoked or expired.
async fn session_holds(state: &AppState, caller: &ParticipantCaller) -> bool {
    if state.clock.now_ms() >= caller.expires_at_ms {
        return false;
    }
    let hash = caller.token_hash.clone();
    let row = state.store.call(move |conn| crate::store::sessions::find(conn, &hash)).await;
    matches!(row, Ok(Some(row)) if !row.revoked)
}

pub async fn serve(mut socket: WebSocket, state: AppState) {
    // Listening before the token is checked, so a logout meanwhile is not missed.
    let mut ended_sessions = state.ended_sessions.subscribe();
    let (caller, device) = match authenticate(&mut socket, &state).await {
        Ok(ok) => ok,
        Err(error) => return close(socket, Some(error)).await,
    };
    let (hearing_id, participant_id) = (caller.hearing_id, caller.participant_id);
    let (outbox_tx, mut outbox) = mpsc::channel(OUTBOX_CAPACITY);
    let view = std::sync::Arc::new(ViewSlot::default());
    let kick = std::sync::Arc::new(tokio::sync::Notify::new());
    let connection = match state.rooms.join(hearing_id, participant_id, device, outbox_tx.clone(), view.clone(), kick.clone()).await {
        Ok(connection) => connection,
        Err(JoinError::Ended(reason)) => return close(socket, Some(ServerMessage::Ended { reason, code: None })).await,
        Err(JoinError::Retry) => {
            return close(socket, Some(error_message(ErrorCode::Internal, "服务器繁忙，请稍后重试"))).await;
        }
    };
    tracing::info!(hearing_id, participant_id, connection, ?device, "joined the room");

    let mut shutting_down = state.shutting_down.subscribe();
    let mut bucket = Bucket::new();
    let mut last_heard = Instant::now();
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let session_ended = || ServerMessage::Ended { reason: SESSION_ENDED.into(), code: Some(ErrorCode::SessionExpired) };
    let expired = || state.clock.now_ms() >= caller.expires_at_ms;
    let (mut farewell, mut listening, mut server_stopping) = (None, true, false);
    loop {
        tokio::select! {
            biased;
            ended = ended_sessions.recv(), if listening => {
                let ours = match ended {
                    Ok(hash) => *hash == *caller.token_hash,
                    // Logouts were missed: ask the store about this one.
                    Err(RecvError::Lagged(_)) => !session_holds(&state, &caller).await,
                    Err(RecvError::Closed) => {
                        listening = false;
                        false
                    }
                };
                if ours {
                    tracing::info!(hearing_id, participant_id, "the session behind this connection was logged out");
                    farewell = Some(session_ended());
                    break;
                }
            }
            _ = kick.notified() => {
                tracing::info!(hearing_id, participant_id, "the room dropped this connection");
                break;
            }
            out = outbox.recv() => {
                let Some(mut message) = out else { break };
                if let ServerMessage::Room { room } = &mut message {
                    // The newest view goes out where the first waiting one was queued.
                    match view.take() {
                        Some(latest) => *room = latest,
                        None => continue,
                    }
                }
                let last = matches!(message, ServerMessage::Replaced | ServerMessage::Ended { .. });
                if !send(&mut socket, &message).await { break }
                if last {
                    return close(socket, None).await;
                }
            }
            frame = socket.recv() => {
                let frame = match frame {
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(frame)) => frame,
                };
                last_heard = Instant::now();
                if expired() {
                    farewell = Some(session_ended());
                    break;
                }
                if !bucket.take() {
                    if !send(&mut socket, &error_message(ErrorCode::RateLimited, "消息过于频繁")).await { break }
                    continue;
                }
                match parse(&frame) {
                    Ok(None) => {}
                    Ok(Some(ClientMessage::Command { request_id, command })) => {
                        state.rooms.command(hearing_id, participant_id, connection, request_id, command).await;
                    }
                    Ok(Some(ClientMessage::DeviceState { camera_on, microphone_on, .. })) => {
                        state.rooms.device_state(hearing_id, participant_id, camera_on, microphone_on).await;
                    }
                    Ok(Some(message @ (ClientMessage::MediaJoin { .. }
                        | ClientMessage::MediaOffer { .. }
                        | ClientMessage::MediaAnswer { .. }
                        | ClientMessage::MediaCandidate { .. }
                        | ClientMessage::MediaLeave))) => {
                        state.media.send(media_command(hearing_id, participant_id, &outbox_tx, message));
                    }
                    Ok(Some(ClientMessage::RequestAnnotation { request_id, evidence_id })) => {
                        state.rooms.annotation(hearing_id, participant_id, connection, AnnotationInput::Request { request_id, evidence_id }).await;
                    }
                    Ok(Some(ClientMessage::PreviewMark { stroke, draft })) => {
                        state.rooms.annotation(hearing_id, participant_id, connection, AnnotationInput::Preview { stroke, draft }).await;
                    }
                    Ok(Some(ClientMessage::ClearPreview)) => {
                        state.rooms.annotation(hearing_id, participant_id, connection, AnnotationInput::ClearPreview).await;
                    }
                    Ok(Some(ClientMessage::DrawMark { request_id, draft })) => {
                        state.rooms.annotation(hearing_id, participant_id, connection, AnnotationInput::Draw { request_id, draft }).await;
                    }
                    Ok(Some(ClientMessage::RemoveMark { request_id, mark_id })) => {
                        state.rooms.annotation(hearing_id, participant_id, connection, AnnotationInput::Remove { request_id, mark_id }).await;
                    }
                    Ok(Some(ClientMessage::Hello { .. })) => {
                        if !send(&mut socket, &error_message(ErrorCode::InvalidRequest, "已完成身份验证")).await { break }
                    }
                    Err(error) => {
                        if !send(&mut socket, &error).await { break }
                    }
                }
            }
            _ = async { shutting_down.wait_for(|down| *down).await.is_ok() } => {
                send_frame(&mut socket, Message::Close(Some(CloseFrame { code: 1012, reason: "server restarting".into() }))).await;
                server_stopping = true;
                break;
            }
            _ = ping.tick() => {
                if last_heard.elapsed() > SILENCE_LIMIT {
                    tracing::info!(hearing_id, participant_id, "connection silent too long");
                    break;
                }
                if expired() {
                    farewell = Some(session_ended());
                    break;
                }
                if !send_frame(&mut socket, Message::Ping(Default::default())).await { break }
            }
        }
    }
    state.rooms.leave(hearing_id, participant_id, connection, server_stopping).await;
    tracing::info!(hearing_id, participant_id, connection, "left the room");
    if let Some(message) = farewell {
        close(socket, Some(message)).await;
    }
}
