//! The client core against a real server on a loopback port.

mod annotation;
mod evidence;
mod hearing_room;
mod login;
mod media;
mod record;
mod speech;
