//! Text messages: notices to participants and login codes.
//!
//! Every message is stored in `sms_messages` before it is handed to the
//! gateway, so the court can always see what was sent to whom.

mod http;
mod outbox;
pub mod templates;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use cloudtrial_protocol::api::{SmsKind, SmsStatus};

pub use http::HttpGateway;
pub use outbox::OutboxGateway;

use crate::clock::Clock;
use crate::error::AppError;
use crate::store::{self, Store};

pub type DeliveryFuture<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// A way of getting a text to a phone.
pub trait SmsGateway: Send + Sync + 'static {
    /// Short name recorded with each message ("outbox", "http").
    fn name(&self) -> &'static str;

    /// Delivers one message; `Err` carries the provider's reason.
    fn deliver<'a>(&'a self, mobile: &'a str, text: &'a str) -> DeliveryFuture<'a>;

    /// Whether delivery completes at once (then it is done before `send` returns).
    fn is_immediate(&self) -> bool {
        false
    }
}

/// A message to send.
#[derive(Debug, Clone)]
pub struct OutgoingSms {
    pub mobile: String,
    pub text: String,
    pub kind: SmsKind,
    pub hearing_id: Option<i64>,
    pub participant_id: Option<i64>,
    /// A secret inside `text` (a login code): delivered, but never kept in
    /// the outbox, where staff could read it and log in as the party.
    pub secret: Option<String>,
}

#[derive(Clone)]
pub struct SmsService {
    store: Store,
    gateway: Arc<dyn SmsGateway>,
    clock: Arc<dyn Clock>,
    /// A trial without an SMS provider: the outbox keeps login codes, since
    /// it is the only way to read them.
    keep_secrets: bool,
}

impl SmsService {
    pub fn new(store: Store, gateway: Arc<dyn SmsGateway>, clock: Arc<dyn Clock>, keep_secrets: bool) -> Self {
        Self { store, gateway, clock, keep_secrets }
    }

    /// The text as the outbox keeps it.
    fn kept_text(&self, message: &OutgoingSms) -> String {
        match &message.secret {
            Some(secret) if !self.keep_secrets && !secret.is_empty() => {
                message.text.replace(secret.as_str(), &"*".repeat(secret.chars().count()))
            }
            _ => message.text.clone(),
        }
    }

    /// Stores messages inside the caller's transaction; deliver them with
    /// `deliver_stored` once it is committed.
    pub fn store_in(&self, conn: &rusqlite::Connection, messages: &[OutgoingSms]) -> Result<Vec<i64>, store::StoreError> {
        let now = self.clock.now_ms();
        messages
            .iter()
            .map(|m| {
                let text = self.kept_text(m);
                let new = store::sms::NewSms {
                    mobile: &m.mobile,
                    text: &text,
                    kind: m.kind,
                    hearing_id: m.hearing_id,
                    participant_id: m.participant_id,
                    gateway: self.gateway.name(),
                };
                store::sms::insert(conn, &new, now)
            })
            .collect()
    }

    /// Hands stored messages to the gateway.
    pub async fn deliver_stored(&self, ids: Vec<i64>, messages: Vec<OutgoingSms>) {
        for (id, message) in ids.into_iter().zip(messages) {
            tracing::info!(sms_id = id, kind = ?message.kind, mobile = %mask_mobile(&message.mobile), "SMS stored");
            if self.gateway.is_immediate() {
                self.deliver(id, message.mobile, message.text, message.secret).await;
            } else {
                let this = self.clone();
                tokio::spawn(async move { this.deliver(id, message.mobile, message.text, message.secret).await });
            }
        }
    }

    /// Stores the messages, then delivers them. Returns once they are stored
    /// (and, for an immediate gateway, delivered).
    pub async fn send(&self, messages: Vec<OutgoingSms>) -> Result<(), AppError> {
        if messages.is_empty() {
            return Ok(());
        }
        let (this, stored) = (self.clone(), messages.clone());
        let ids: Vec<i64> = self
            .store
            .call(move |conn| {
                let tx = conn.transaction().map_err(store::StoreError::from)?;
                let ids = this.store_in(&tx, &stored)?;
                tx.commit().map_err(store::StoreError::from)?;
                Ok::<_, AppError>(ids)
            })
            .await?;
        self.deliver_stored(ids, messages).await;
        Ok(())
    }

    /// Delivers messages left queued by an earlier run (the server stopped before delivery).
    pub async fn resume_queued(&self) -> Result<(), AppError> {
        let queued = self.store.call(|conn| store::sms::queued(conn).map_err(AppError::from)).await?;
        for record in queued {
            if record.kind == SmsKind::LoginCode {
                // The code itself was never kept; the party asks for a new one.
                let id = record.id;
                self.store
                    .call(move |conn| store::sms::set_status(conn, id, SmsStatus::Failed, Some("服务器重启，验证码未发出")))
                    .await?;
                continue;
            }
            let this = self.clone();
            tokio::spawn(async move { this.deliver(record.id, record.mobile, record.text, None).await });
        }
        Ok(())
    }

    /// A provider's error may quote the message: the secret in it is masked there too.
    async fn deliver(&self, id: i64, mobile: String, text: String, secret: Option<String>) {
        let secret = secret.filter(|s| !s.is_empty() && !self.keep_secrets);
        let mask = |reason: &str| match &secret {
            Some(secret) => reason.replace(secret.as_str(), &"*".repeat(secret.chars().count())),
            None => reason.to_owned(),
        };
        const ATTEMPTS: u32 = 3;
        let mut outcome = Err(String::new());
        for attempt in 1..=ATTEMPTS {
            outcome = self.gateway.deliver(&mobile, &text).await;
            match &outcome {
                Ok(()) => break,
                Err(reason) => {
                    tracing::warn!(sms_id = id, attempt, reason = %mask(reason), "SMS delivery failed");
                    if attempt < ATTEMPTS {
                        tokio::time::sleep(std::time::Duration::from_millis(500 << attempt)).await;
                    }
                }
            }
        }
        let (status, error) = match outcome {
            Ok(()) => (SmsStatus::Sent, None),
            Err(reason) => (SmsStatus::Failed, Some(mask(&reason))),
        };
        let result = self
            .store
            .call(move |conn| store::sms::set_status(conn, id, status, error.as_deref()))
            .await;
        if let Err(e) = result {
            tracing::error!(sms_id = id, "could not record SMS status: {e}");
        }
    }
}

/// "138****5678": enough for a log reader, not enough to harvest numbers.
pub fn mask_mobile(mobile: &str) -> String {
    if mobile.len() == 11 && mobile.is_ascii() {
        format!("{}****{}", &mobile[..3], &mobile[7..])
    } else {
        "***".to_owned()
    }
}
