//! Janus (Debian's `janus` package, VideoRoom plugin) as the server under
//! test: its configuration, its process, and its WebSocket API as a
//! [`Signalling`] for the lean client.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use async_trait::async_trait;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::signalling::{ServerOffer, Signalling};

const PLUGINS: &str = "/usr/lib/x86_64-linux-gnu/janus/plugins";
const TRANSPORTS: &str = "/usr/lib/x86_64-linux-gnu/janus/transports";
/// Janus ends a session after 60 s without a request.
const KEEPALIVE: Duration = Duration::from_secs(20);
const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

/// Every `.so` in `folder` except `keep`, for the `disable` lists.
fn all_but(folder: &str, keep: &str) -> anyhow::Result<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .with_context(|| format!("{folder} (is Debian's janus package installed? apt-get install -y janus)"))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".so") && n != keep)
        .collect();
    names.sort();
    Ok(names.join(","))
}

/// Writes Janus's configuration into `dir`: only the VideoRoom plugin and the
/// WebSocket transport, ICE gathered only on `interface`, otherwise defaults.
fn write_config(dir: &Path, ip: IpAddr, interface: &str, ws_port: u16) -> anyhow::Result<()> {
    let janus = format!(
        r#"general: {{
	configs_folder = "{dir}"
	plugins_folder = "{PLUGINS}"
	transports_folder = "{TRANSPORTS}"
	events_folder = "/usr/lib/x86_64-linux-gnu/janus/events"
	loggers_folder = "/usr/lib/x86_64-linux-gnu/janus/loggers"
	debug_level = 3
	session_timeout = 60
}}
certificates: {{
}}
media: {{
}}
nat: {{
	nice_debug = false
	full_trickle = false
	ice_lite = false
	ignore_mdns = true
	ice_enforce_list = "{interface}"
}}
plugins: {{
	disable = "{plugins}"
}}
transports: {{
	disable = "{transports}"
}}
loggers: {{
	disable = "libjanus_jsonlog.so"
}}
events: {{
	broadcast = false
}}
"#,
        dir = dir.display(),
        plugins = all_but(PLUGINS, "libjanus_videoroom.so")?,
        transports = all_but(TRANSPORTS, "libjanus_websockets.so")?,
    );
    std::fs::write(dir.join("janus.jcfg"), janus)?;
    std::fs::write(
        dir.join("janus.transport.websockets.jcfg"),
        format!(
            "general: {{\n\tjson = \"compact\"\n\tws = true\n\tws_port = {ws_port}\n\tws_ip = \"{ip}\"\n\twss = false\n}}\nadmin: {{\n\tadmin_ws = false\n\tadmin_wss = false\n}}\n"
        ),
    )?;
    std::fs::write(dir.join("janus.plugin.videoroom.jcfg"), "general: {\n}\n")?;
    Ok(())
}

/// A running Janus, started with its own configuration in a temporary folder.
pub struct JanusServer {
    child: Child,
    pub url: String,
    admin: Connection,
    admin_handle: u64,
    _dir: tempfile::TempDir,
}

impl Drop for JanusServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl JanusServer {
    /// Starts `janus` on `ip`, gathering ICE candidates on `interface` only.
    pub async fn start(ip: IpAddr, interface: &str) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let port = std::net::TcpListener::bind(SocketAddr::new(ip, 0))?.local_addr()?.port();
        write_config(dir.path(), ip, interface, port)?;
        let log = std::fs::File::create(dir.path().join("janus.log"))?;
        let child = Command::new("janus")
            .arg("-F")
            .arg(dir.path())
            .arg("-C")
            .arg(dir.path().join("janus.jcfg"))
            .args(["--disable-colors", "--interface"])
            .arg(ip.to_string())
            .stdout(log.try_clone()?)
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .context("starting janus (apt-get install -y janus)")?;
        let url = format!("ws://{ip}:{port}");
        let started = Instant::now();
        let admin = loop {
            match Connection::open(&url).await {
                Ok(connection) => break connection,
                Err(e) if started.elapsed() > Duration::from_secs(15) => {
                    let log = std::fs::read_to_string(dir.path().join("janus.log")).unwrap_or_default();
                    bail!("janus did not start: {e}\n{log}");
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        };
        let admin_handle = admin.attach().await?;
        Ok(Self { child, url, admin, admin_handle, _dir: dir })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A VideoRoom for `publishers` participants, H.264 constrained baseline and Opus.
    pub async fn create_room(&self, room: u64, publishers: usize) -> anyhow::Result<()> {
        let body = json!({
            "request": "create", "room": room, "publishers": publishers,
            "videocodec": "h264", "h264_profile": "42e01f", "audiocodec": "opus",
            "bitrate": 0, "fir_freq": 0, "notify_joining": false, "audiolevel_event": false,
        });
        let reply = self.admin.message(self.admin_handle, body, None).await?;
        if reply["plugindata"]["data"]["videoroom"] != "created" {
            bail!("room {room} not created: {reply}");
        }
        Ok(())
    }
}

/// A Janus API session over one WebSocket: requests matched to replies by
/// transaction; everything else is an event.
struct Connection {
    outgoing: mpsc::UnboundedSender<Value>,
    waiting: Arc<Mutex<HashMap<String, oneshot::Sender<Value>>>>,
    events: mpsc::UnboundedReceiver<Value>,
    session: u64,
    next: std::sync::atomic::AtomicU64,
}

impl Connection {
    async fn open(url: &str) -> anyhow::Result<Self> {
        let mut request = url.into_client_request()?;
        request.headers_mut().insert("Sec-WebSocket-Protocol", HeaderValue::from_static("janus-protocol"));
        let (socket, _) = tokio_tungstenite::connect_async(request).await?;
        let (mut sink, mut stream) = socket.split();
        let (outgoing, mut to_send) = mpsc::unbounded_channel::<Value>();
        let (event_tx, events) = mpsc::unbounded_channel();
        let waiting: Arc<Mutex<HashMap<String, oneshot::Sender<Value>>>> = Arc::default();
        tokio::spawn(async move {
            while let Some(value) = to_send.recv().await {
                if sink.send(Message::Text(value.to_string().into())).await.is_err() {
                    break;
                }
            }
        });
        let replies = waiting.clone();
        tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                let Message::Text(text) = message else { continue };
                let Ok(value) = serde_json::from_str::<Value>(&text) else { continue };
                if value["janus"] == "ack" {
                    continue;
                }
                let waiter = value["transaction"].as_str().and_then(|t| replies.lock().unwrap().remove(t));
                match waiter {
                    Some(waiter) => {
                        let _ = waiter.send(value);
                    }
                    None => {
                        let _ = event_tx.send(value);
                    }
                }
            }
        });
        let mut connection = Self { outgoing, waiting, events, session: 0, next: Default::default() };
        let created = connection.request(json!({"janus": "create"})).await?;
        connection.session = created["data"]["id"].as_u64().context("session id")?;
        Ok(connection)
    }

    /// Sends a request and waits for its reply (for asynchronous plugin
    /// requests: the event after the ack).
    async fn request(&self, mut body: Value) -> anyhow::Result<Value> {
        let transaction = format!("t{}", self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        body["transaction"] = json!(transaction);
        if self.session != 0 {
            body["session_id"] = json!(self.session);
        }
        let (tx, rx) = oneshot::channel();
        self.waiting.lock().unwrap().insert(transaction.clone(), tx);
        self.outgoing.send(body).context("the Janus socket closed")?;
        let reply = tokio::time::timeout(REPLY_TIMEOUT, rx)
            .await
            .context("no reply from Janus within 10 s")?
            .context("the Janus socket closed")?;
        if reply["janus"] == "error" {
            bail!("Janus: {}", reply["error"]);
        }
        Ok(reply)
    }

    fn keepalive(&self) {
        let _ = self.outgoing.send(json!({"janus": "keepalive", "session_id": self.session, "transaction": "keepalive"}));
    }

    async fn attach(&self) -> anyhow::Result<u64> {
        let reply = self.request(json!({"janus": "attach", "plugin": "janus.plugin.videoroom"})).await?;
        reply["data"]["id"].as_u64().context("handle id")
    }

    async fn message(&self, handle: u64, body: Value, jsep: Option<Value>) -> anyhow::Result<Value> {
        let mut request = json!({"janus": "message", "handle_id": handle, "body": body});
        if let Some(jsep) = jsep {
            request["jsep"] = jsep;
        }
        let reply = self.request(request).await?;
        if let Some(error) = reply["plugindata"]["data"]["error"].as_str() {
            bail!("VideoRoom: {error}");
        }
        Ok(reply)
    }
}

/// A participant in a VideoRoom: one publisher handle, and one subscriber
/// handle (and peer connection) per other publisher.
pub struct Janus {
    connection: Connection,
    room: u64,
    display: String,
    publisher: u64,
    me: Option<u64>,
    to_subscribe: VecDeque<u64>,
    subscribed: HashSet<u64>,
    keepalive: tokio::time::Interval,
}

impl Janus {
    pub async fn connect(url: &str, room: u64, display: String) -> anyhow::Result<Self> {
        let connection = Connection::open(url).await?;
        let publisher = connection.attach().await?;
        let keepalive = tokio::time::interval_at((Instant::now() + KEEPALIVE).into(), KEEPALIVE);
        Ok(Self {
            connection,
            room,
            display,
            publisher,
            me: None,
            to_subscribe: VecDeque::new(),
            subscribed: HashSet::new(),
            keepalive,
        })
    }

    fn learn_publishers(&mut self, data: &Value) {
        for feed in data["publishers"].as_array().into_iter().flatten().filter_map(|p| p["id"].as_u64()) {
            if Some(feed) != self.me && self.subscribed.insert(feed) {
                self.to_subscribe.push_back(feed);
            }
        }
    }
}

fn jsep(kind: &str, sdp: String) -> Value {
    // Every candidate is in the SDP: no trickling.
    json!({"type": kind, "sdp": sdp, "trickle": false})
}

#[async_trait]
impl Signalling for Janus {
    async fn publish(&mut self, offer: String) -> anyhow::Result<String> {
        let body = json!({"request": "joinandconfigure", "room": self.room, "ptype": "publisher",
            "display": self.display, "audio": true, "video": true});
        let reply = self.connection.message(self.publisher, body, Some(jsep("offer", offer))).await?;
        let data = &reply["plugindata"]["data"];
        self.me = data["id"].as_u64();
        self.learn_publishers(data);
        reply["jsep"]["sdp"].as_str().map(str::to_owned).with_context(|| format!("no answer from Janus: {reply}"))
    }

    async fn next_offer(&mut self) -> anyhow::Result<ServerOffer> {
        loop {
            if let Some(feed) = self.to_subscribe.pop_front() {
                let handle = self.connection.attach().await?;
                let body = json!({"request": "join", "room": self.room, "ptype": "subscriber", "streams": [{"feed": feed}]});
                let reply = self.connection.message(handle, body, None).await?;
                let sdp = reply["jsep"]["sdp"].as_str().with_context(|| format!("no offer from Janus: {reply}"))?;
                return Ok(ServerOffer { sdp: sdp.to_owned(), new_connection: true, key: handle });
            }
            tokio::select! {
                event = self.connection.events.recv() => {
                    let event = event.context("the Janus socket closed")?;
                    if event["sender"].as_u64() == Some(self.publisher) {
                        let data = event["plugindata"]["data"].clone();
                        self.learn_publishers(&data);
                    }
                }
                _ = self.keepalive.tick() => self.connection.keepalive(),
            }
        }
    }

    async fn answer(&mut self, offer: &ServerOffer, sdp: String) -> anyhow::Result<()> {
        let body = json!({"request": "start", "room": self.room});
        self.connection.message(offer.key, body, Some(jsep("answer", sdp))).await?;
        Ok(())
    }
}
