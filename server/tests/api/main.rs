//! The server's REST API, driven over HTTP against a real server on a loopback
//! port with its SQLite database in a temporary directory.

mod harness;

mod abuse;
mod annotation;
mod access;
mod annotation_export;
mod bad_input;
mod binary;
mod booking;
mod evidence;
mod evidence_crash;
mod hearing_log;
mod login;
mod meeting_numbers;
mod permissions;
mod record;
mod restart;
mod room;
mod sms_gateway;
