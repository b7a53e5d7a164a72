//! Which SFU worker a packet from the network belongs to.
//!
//! Every hearing lives on one worker, and a peer connection's ICE username
//! fragment is registered for its worker. A client's STUN binding requests
//! name that fragment (USERNAME is `our-ufrag:their-ufrag`, RFC 8445 7.2.2),
//! so they are routed by it, and teach the socket's reader which worker the
//! sending address belongs to; DTLS, RTP and RTCP follow the address. ICE
//! always comes first. The one thing that may arrive from an address before
//! its client's own request is the answer to one of our checks: a STUN
//! message without USERNAME, which goes to every worker (the one whose check
//! it answers takes it). Anything else from an unknown address is dropped.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

/// Worker of each registered local ICE username fragment, shared by the
/// workers (who register) and the sockets' readers (who look up).
#[derive(Clone, Default)]
pub struct Ufrags(Arc<RwLock<HashMap<String, usize>>>);

impl Ufrags {
    pub fn register(&self, ufrag: &str, worker: usize) {
        self.0.write().unwrap_or_else(|p| p.into_inner()).insert(ufrag.to_owned(), worker);
    }

    pub fn unregister(&self, ufrag: &str) {
        self.0.write().unwrap_or_else(|p| p.into_inner()).remove(ufrag);
    }

    fn worker(&self, ufrag: &str) -> Option<usize> {
        self.0.read().unwrap_or_else(|p| p.into_inner()).get(ufrag).copied()
    }

    /// The worker of the fragment `data` names, if it is a STUN message with a
    /// USERNAME whose local fragment is registered.
    pub fn worker_named(&self, data: &[u8]) -> Option<usize> {
        stun_message(data).and_then(username_ufrag).and_then(|ufrag| self.worker(ufrag))
    }
}

/// Addresses remembered per socket before the table is cleared; clients
/// repeat their binding requests every few seconds, so they are relearnt.
const MAX_ADDRESSES: usize = 65_536;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Worker(usize),
    Everyone,
    Nobody,
}

/// One socket's (or one TCP connection's) view of the routing.
pub struct Router {
    workers: usize,
    ufrags: Ufrags,
    addresses: HashMap<SocketAddr, usize>,
}

impl Router {
    pub fn new(workers: usize, ufrags: Ufrags) -> Self {
        Self { workers, ufrags, addresses: HashMap::new() }
    }

    /// Where `data` from `source` goes.
    pub fn route(&mut self, source: SocketAddr, data: &[u8]) -> Route {
        if self.workers == 1 {
            return Route::Worker(0);
        }
        if let Some(worker) = self.ufrags.worker_named(data) {
            if self.addresses.len() >= MAX_ADDRESSES && !self.addresses.contains_key(&source) {
                self.addresses.clear();
            }
            self.addresses.insert(source, worker);
            return Route::Worker(worker);
        }
        match self.addresses.get(&source) {
            Some(worker) => Route::Worker(*worker),
            None if stun_message(data).is_some_and(|body| username_ufrag(body).is_none()) => Route::Everyone,
            None => Route::Nobody,
        }
    }
}

const STUN_MAGIC_COOKIE: [u8; 4] = [0x21, 0x12, 0xa4, 0x42];
const STUN_HEADER: usize = 20;
pub(super) const STUN_USERNAME: u16 = 0x0006;

/// A STUN message's attributes, if `data` is one (RFC 8489: the top two
/// bits zero, the magic cookie at bytes 4..8, the length within the datagram).
fn stun_message(data: &[u8]) -> Option<&[u8]> {
    if data.len() < STUN_HEADER || data[0] & 0xc0 != 0 || data[4..8] != STUN_MAGIC_COOKIE {
        return None;
    }
    let length = usize::from(u16::from_be_bytes([data[2], data[3]]));
    data.get(STUN_HEADER..STUN_HEADER + length)
}

/// The receiver's (our) ufrag in a STUN message's USERNAME attribute.
fn username_ufrag(attributes: &[u8]) -> Option<&str> {
    let mut at = 0;
    while at + 4 <= attributes.len() {
        let kind = u16::from_be_bytes([attributes[at], attributes[at + 1]]);
        let len = usize::from(u16::from_be_bytes([attributes[at + 2], attributes[at + 3]]));
        let value = attributes.get(at + 4..at + 4 + len)?;
        if kind == STUN_USERNAME {
            return std::str::from_utf8(value).ok()?.split(':').next();
        }
        at += 4 + len.next_multiple_of(4);
    }
    None
}

#[cfg(test)]
fn stun_local_ufrag(data: &[u8]) -> Option<&str> {
    stun_message(data).and_then(username_ufrag)
}

/// A STUN binding request with the given attributes (type, value), as clients send them.
#[cfg(test)]
pub(super) fn binding_request(attributes: &[(u16, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (kind, value) in attributes {
        body.extend_from_slice(&kind.to_be_bytes());
        body.extend_from_slice(&(value.len() as u16).to_be_bytes());
        body.extend_from_slice(value);
        body.resize(body.len().next_multiple_of(4), 0);
    }
    let mut message = vec![0x00, 0x01];
    message.extend_from_slice(&(body.len() as u16).to_be_bytes());
    message.extend_from_slice(&STUN_MAGIC_COOKIE);
    message.extend_from_slice(&[7; 12]);
    message.extend_from_slice(&body);
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_ufrag_is_read_from_username_after_other_attributes() {
        // PRIORITY (4 bytes), then a USERNAME whose length needs padding.
        let message = binding_request(&[(0x0024, &[0, 0, 1, 0]), (STUN_USERNAME, b"w1abc:remote7")]);
        assert_eq!(stun_local_ufrag(&message), Some("w1abc"));
    }

    #[test]
    fn what_is_not_a_stun_request_with_a_username_has_no_ufrag() {
        assert_eq!(stun_local_ufrag(&binding_request(&[(0x0024, &[0, 0, 1, 0])])), None);
        // RTP (version 2 in the top bits), DTLS (content type 22), garbage, truncated.
        let mut rtp = binding_request(&[(STUN_USERNAME, b"a:b")]);
        rtp[0] = 0x80;
        assert_eq!(stun_local_ufrag(&rtp), None);
        assert_eq!(stun_local_ufrag(&[22, 254, 253, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), None);
        assert_eq!(stun_local_ufrag(&[0; 8]), None);
        let whole = binding_request(&[(STUN_USERNAME, b"local:remote")]);
        assert_eq!(stun_local_ufrag(&whole[..whole.len() - 4]), None, "length says more than arrived");
        let mut lying = whole.clone();
        lying[STUN_HEADER + 3] = 200;
        assert_eq!(stun_local_ufrag(&lying), None, "an attribute longer than the message");
    }

    #[test]
    fn stun_teaches_the_address_and_the_rest_follows_it() {
        let ufrags = Ufrags::default();
        ufrags.register("one", 1);
        ufrags.register("two", 2);
        let mut router = Router::new(3, ufrags.clone());
        let (a, b): (SocketAddr, SocketAddr) = ("10.0.0.1:5000".parse().unwrap(), "10.0.0.2:5000".parse().unwrap());
        let rtp = [0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1];
        assert_eq!(router.route(a, &rtp), Route::Nobody, "no STUN from this address yet");
        let mut response = binding_request(&[(0x0020, &[0, 1, 2, 3, 4, 5, 6, 7])]);
        response[..2].copy_from_slice(&[0x01, 0x01]);
        assert_eq!(router.route(a, &response), Route::Everyone, "an answer to one of our checks, whoever's it is");
        assert_eq!(router.route(a, &binding_request(&[(STUN_USERNAME, b"one:x")])), Route::Worker(1));
        assert_eq!(router.route(b, &binding_request(&[(STUN_USERNAME, b"two:y")])), Route::Worker(2));
        assert_eq!(router.route(a, &rtp), Route::Worker(1));
        assert_eq!(router.route(b, &rtp), Route::Worker(2));
        assert_eq!(router.route(a, &response), Route::Worker(1), "now the address is known");
        // After an ICE restart the same address speaks for another fragment (another peer).
        ufrags.unregister("one");
        ufrags.register("three", 2);
        assert_eq!(router.route(a, &binding_request(&[(STUN_USERNAME, b"three:x")])), Route::Worker(2));
        assert_eq!(router.route(a, &rtp), Route::Worker(2));
        let unknown = binding_request(&[(STUN_USERNAME, b"unknown:y")]);
        assert_eq!(router.route(b, &unknown), Route::Worker(2), "an unknown fragment changes nothing");
        let stranger: SocketAddr = "10.0.0.3:5000".parse().unwrap();
        assert_eq!(router.route(stranger, &unknown), Route::Nobody, "a request for nobody's fragment");
    }

    #[test]
    fn one_worker_takes_everything() {
        let mut router = Router::new(1, Ufrags::default());
        assert_eq!(router.route("10.0.0.1:5000".parse().unwrap(), b"anything"), Route::Worker(0));
    }
}
