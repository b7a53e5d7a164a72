//! The Cloud Trial client core: everything the Android and iPhone apps share.
//! It speaks to the server, keeps the session and local data in SQLite, and
//! exposes the hearing as state. No FFI types live here; `bindings/` wraps it.

mod client;
mod error;
pub mod annotation;
pub mod evidence;
mod hearing;
mod http;
pub mod media;
pub mod record;
mod session;
mod store;

pub use client::Client;
pub use cloudtrial_protocol as protocol;
pub use error::{ClientError, Error, Result};
pub use hearing::{ConnectionState, HearingSession, LivePreview, RoomState};
pub use http::ApiClient;
pub use session::{Session, SessionState};
pub use store::LocalStore;
