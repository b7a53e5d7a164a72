//! The wire protocol of Cloud Trial: every REST request and response body and
//! every signalling message (and where a keyframe starts in media), defined
//! once and shared by the server and the clients so they cannot drift apart.

pub mod annotation;
pub mod api;
pub mod error;
pub mod evidence;
pub mod hearing_log;
pub mod js;
pub mod meeting_number;
pub mod mobile;
pub mod paths;
pub mod record;
pub mod role;
pub mod rtp;
pub mod schedule;
pub mod signalling;
pub mod text;

pub use error::{ErrorBody, ErrorCode};
pub use meeting_number::MeetingNumber;
pub use mobile::normalize_mobile;
pub use role::{ParticipantRole, Side, StaffRole};
pub use schedule::CourtDateTime;

/// Version of the REST and signalling protocol. Bumped on incompatible changes.
pub const PROTOCOL_VERSION: u32 = 1;
