use super::{DeliveryFuture, SmsGateway};

/// The default gateway: a message is delivered by being stored in the
/// database, where staff read it through the API (login codes only in a trial).
/// Used where no SMS provider is configured, and in tests.
pub struct OutboxGateway;

impl SmsGateway for OutboxGateway {
    fn name(&self) -> &'static str {
        "outbox"
    }

    fn deliver<'a>(&'a self, _mobile: &'a str, _text: &'a str) -> DeliveryFuture<'a> {
        Box::pin(async { Ok(()) })
    }

    fn is_immediate(&self) -> bool {
        true
    }
}
