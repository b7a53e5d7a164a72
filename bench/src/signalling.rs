//! How a lean client gets its media negotiated: one trait, and our room
//! WebSocket as its first implementation (Janus's is in `janus.rs`).

use anyhow::{Context, bail};
use async_trait::async_trait;
use cloudtrial_core::protocol::api::DeviceKind;
use cloudtrial_core::protocol::signalling::{ClientMessage, ServerMessage};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// An offer from the server: media for this participant to receive.
pub struct ServerOffer {
    pub sdp: String,
    /// On a new peer connection (Janus: one per subscription), or on the
    /// publishing one (ours: everything on one connection).
    pub new_connection: bool,
    /// Which subscription this is, for the answer.
    pub key: u64,
}

#[async_trait]
pub trait Signalling: Send {
    /// Sends the offer to publish audio and video; returns the server's answer.
    async fn publish(&mut self, offer: String) -> anyhow::Result<String>;
    /// Waits for the server's next offer (someone else's media to receive).
    async fn next_offer(&mut self) -> anyhow::Result<ServerOffer>;
    async fn answer(&mut self, offer: &ServerOffer, sdp: String) -> anyhow::Result<()>;
}

pub async fn send_json(socket: &mut Socket, value: &impl serde::Serialize) -> anyhow::Result<()> {
    socket.send(Message::Text(serde_json::to_string(value)?.into())).await?;
    Ok(())
}

/// Our hearing room's WebSocket, after the participant logged in over REST.
pub struct Ours {
    socket: Socket,
}

impl Ours {
    pub async fn connect(base_url: &str, token: &str) -> anyhow::Result<Self> {
        let url = format!("{}{}", base_url.replacen("http://", "ws://", 1), cloudtrial_core::protocol::paths::ROOM);
        let (mut socket, _) = tokio_tungstenite::connect_async(url).await?;
        let hello = ClientMessage::Hello {
            token: token.to_owned(),
            protocol_version: cloudtrial_core::protocol::PROTOCOL_VERSION,
            device: DeviceKind::Other,
        };
        send_json(&mut socket, &hello).await?;
        let mut ours = Self { socket };
        loop {
            match ours.receive().await? {
                ServerMessage::Welcome { .. } => return Ok(ours),
                ServerMessage::Error { error } => bail!("hello refused: {}", error.message),
                _ => {}
            }
        }
    }

    async fn receive(&mut self) -> anyhow::Result<ServerMessage> {
        loop {
            match self.socket.next().await.context("the room socket closed")?? {
                Message::Text(text) => return Ok(serde_json::from_str(&text)?),
                Message::Close(_) => bail!("the room socket closed"),
                _ => {}
            }
        }
    }
}

#[async_trait]
impl Signalling for Ours {
    async fn publish(&mut self, offer: String) -> anyhow::Result<String> {
        send_json(&mut self.socket, &ClientMessage::MediaJoin { sdp: offer }).await?;
        loop {
            match self.receive().await? {
                ServerMessage::MediaAnswer { sdp } => return Ok(sdp),
                ServerMessage::Error { error } => bail!("media_join refused: {}", error.message),
                _ => {}
            }
        }
    }

    async fn next_offer(&mut self) -> anyhow::Result<ServerOffer> {
        loop {
            match self.receive().await? {
                ServerMessage::MediaOffer { sdp } => return Ok(ServerOffer { sdp, new_connection: false, key: 0 }),
                ServerMessage::MediaReset => bail!("the server dropped the media connection"),
                _ => {}
            }
        }
    }

    async fn answer(&mut self, _offer: &ServerOffer, sdp: String) -> anyhow::Result<()> {
        send_json(&mut self.socket, &ClientMessage::MediaAnswer { sdp }).await
    }
}
