//! Hearings with real command-line participants (child processes) against a
//! real server on loopback: who sees and hears whom, and what the judge's
//! block does to media, on good and bad networks.

mod harness;

mod aiortc;
mod block;
mod bad_networks;
mod garbage;
mod speech;
mod three_participants;
