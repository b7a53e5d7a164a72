//! SRTP and SRTCP for the packets the SFU reads and writes itself, past str0m.
//!
//! str0m keeps each peer's DTLS, ICE and what it is not bypassed for. Its
//! crypto provider is pluggable; ours is the default with the DTLS factory
//! wrapped, so that when a peer's handshake exports its SRTP keying material,
//! a copy lands in that peer's [`KeySlot`]. From it this module derives the
//! same session keys str0m derives (RFC 3711 §4.3, RFC 5764 §4.2, RFC 7714),
//! with the provider's own ciphers: ours to send RTP ([`SrtpSender`]) and
//! RTCP ([`SrtcpSender`]), the peer's to read its RTP ([`SrtpReceiver`]) and
//! RTCP ([`SrtcpReceiver`]).

use std::cell::RefCell;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Instant;

use str0m::crypto::dtls::{
    DtlsCert, DtlsImplError, DtlsInstance, DtlsOutput, DtlsProvider, DtlsVersion, ProtocolVersion, SrtpProfile,
};
use str0m::crypto::{
    AeadAes128Gcm, AeadAes128GcmCipher, AeadAes256Gcm, AeadAes256GcmCipher, Aes128CmSha1_80, Aes128CmSha1_80Cipher,
    CryptoError, CryptoProvider, Sha1HmacProvider, SrtpProvider,
};
use str0m::{Rtc, RtcConfig};

/// RFC 3711 §4.3.1's labels for the RTP session keys; RTCP's are three above.
const LABEL_RTP_CIPHER: u8 = 0;
const LABEL_RTP_AUTH: u8 = 1;
const LABEL_RTP_SALT: u8 = 2;
const LABEL_RTCP_OFFSET: u8 = 3;
/// The SRTCP index and its E (encrypted) flag, after the RTCP packet (RFC 3711 §3.4).
const SRTCP_INDEX_LEN: usize = 4;
/// RTCP's first eight bytes (header and sender SSRC) are sent in the clear.
const RTCP_CLEAR_LEN: usize = 8;
/// How far behind the highest index received a packet may still arrive (RFC 3711 §3.3.2).
const REPLAY_WINDOW: u64 = 128;
/// The AES-CM cipher writes up to a block beyond its input (aws-lc-rs's counter mode).
const CTR_SLACK: usize = 15;

/// What a peer's DTLS handshake exported, once it has.
#[derive(Clone)]
struct Keying {
    material: Vec<u8>,
    profile: SrtpProfile,
    /// The DTLS client's keys come first in the material (RFC 5764 §4.2).
    active: bool,
}

/// Where one peer's keying material arrives.
#[derive(Clone, Default)]
pub struct KeySlot(Arc<Mutex<Option<Keying>>>);

impl KeySlot {
    fn keying(&self) -> Option<Keying> {
        self.0.lock().ok()?.clone()
    }

    /// The sender for this peer's outgoing RTP, once its handshake is done.
    pub fn sender(&self) -> Option<SrtpSender> {
        SrtpSender::new(&provider(), &self.keying()?)
    }

    /// The reader of this peer's RTP, once its handshake is done.
    pub fn receiver(&self) -> Option<SrtpReceiver> {
        SrtpReceiver::new(&provider(), &self.keying()?)
    }

    /// The sender for RTCP to this peer, once its handshake is done.
    pub fn rtcp_sender(&self) -> Option<SrtcpSender> {
        SrtcpSender::new(&provider(), &self.keying()?)
    }

    /// The reader of this peer's RTCP, once its handshake is done.
    pub fn rtcp_receiver(&self) -> Option<SrtcpReceiver> {
        SrtcpReceiver::new(&provider(), &self.keying()?)
    }
}

thread_local! {
    /// The slot the next DTLS instance made on this thread reports to.
    static NEXT_SLOT: RefCell<Option<KeySlot>> = const { RefCell::new(None) };
}

/// The provider every SFU peer is built with.
pub fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: LazyLock<Arc<CryptoProvider>> = LazyLock::new(|| {
        let default = str0m::crypto::from_feature_flags();
        let tapped: &'static TappedDtlsProvider = Box::leak(Box::new(TappedDtlsProvider(default.dtls_provider)));
        Arc::new(CryptoProvider { dtls_provider: tapped, ..default })
    });
    PROVIDER.clone()
}

/// Builds a peer whose keying material will reach the returned slot.
pub fn build(config: RtcConfig, now: Instant) -> (Rtc, KeySlot) {
    let slot = KeySlot::default();
    NEXT_SLOT.with(|next| *next.borrow_mut() = Some(slot.clone()));
    let rtc = config.set_crypto_provider(provider()).build(now);
    NEXT_SLOT.with(|next| next.borrow_mut().take());
    (rtc, slot)
}

#[derive(Debug)]
struct TappedDtlsProvider(&'static dyn DtlsProvider);

impl DtlsProvider for TappedDtlsProvider {
    fn generate_certificate(&self) -> Option<DtlsCert> {
        self.0.generate_certificate()
    }

    fn new_dtls(
        &self,
        cert: &DtlsCert,
        now: Instant,
        dtls_version: DtlsVersion,
        mtu: Option<usize>,
    ) -> Result<Box<dyn DtlsInstance>, CryptoError> {
        let inner = self.0.new_dtls(cert, now, dtls_version, mtu)?;
        let slot = NEXT_SLOT.with(|next| next.borrow_mut().take()).unwrap_or_default();
        Ok(Box::new(TappedDtls { inner, slot }))
    }

    fn is_test(&self) -> bool {
        self.0.is_test()
    }
}

struct TappedDtls {
    inner: Box<dyn DtlsInstance>,
    slot: KeySlot,
}

impl std::fmt::Debug for TappedDtls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TappedDtls").field("inner", &self.inner).finish_non_exhaustive()
    }
}

impl DtlsInstance for TappedDtls {
    fn set_active(&mut self, active: bool) {
        self.inner.set_active(active)
    }

    fn handle_packet(&mut self, packet: &[u8]) -> Result<(), DtlsImplError> {
        self.inner.handle_packet(packet)
    }

    fn poll_output<'a>(&mut self, buf: &'a mut [u8]) -> DtlsOutput<'a> {
        let output = self.inner.poll_output(buf);
        if let DtlsOutput::KeyingMaterial(material, profile) = &output
            && let Ok(mut slot) = self.slot.0.lock()
        {
            *slot = Some(Keying { material: material.to_vec(), profile: *profile, active: self.inner.is_active() });
        }
        output
    }

    fn handle_timeout(&mut self, now: Instant) -> Result<(), DtlsImplError> {
        self.inner.handle_timeout(now)
    }

    fn send_application_data(&mut self, data: &[u8]) -> Result<usize, DtlsImplError> {
        self.inner.send_application_data(data)
    }

    fn is_active(&self) -> bool {
        self.inner.is_active()
    }

    fn protocol_version(&self) -> Option<ProtocolVersion> {
        self.inner.protocol_version()
    }

    fn is_closing(&self) -> bool {
        self.inner.is_closing()
    }

    fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    fn close(&mut self) -> Result<(), DtlsImplError> {
        self.inner.close()
    }
}

enum Cipher {
    Cm { cipher: Box<dyn Aes128CmSha1_80Cipher>, auth: [u8; 20], salt: [u8; 14], hmac: &'static dyn Sha1HmacProvider },
    Gcm128 { cipher: Box<dyn AeadAes128GcmCipher>, salt: [u8; 12] },
    Gcm256 { cipher: Box<dyn AeadAes256GcmCipher>, salt: [u8; 12] },
}

/// The header of an RTP packet the SFU writes itself: no CSRCs, and at most
/// the transport-wide sequence number as an extension.
pub struct Header {
    pub pt: u8,
    pub marker: bool,
    /// The extended sequence number: rollover count and sequence number.
    pub index: u64,
    pub time: u32,
    pub ssrc: u32,
    /// The transport-wide sequence number and its extension's id, where the peer takes it.
    pub transport_seq: Option<(u8, u16)>,
}

/// The length of an RTP header without CSRCs and extensions.
const HEADER_LEN: usize = 12;
/// RFC 8285's one-byte extension header.
const ONE_BYTE_EXTENSIONS: [u8; 2] = [0xbe, 0xde];

/// Protects one peer's outgoing RTP.
pub struct SrtpSender {
    cipher: Cipher,
}

impl Cipher {
    /// The cipher for one direction and protocol: `ours` to protect what we send,
    /// otherwise to read what the peer sends.
    fn new(crypto: &CryptoProvider, keying: &Keying, ours: bool, rtcp: bool) -> Option<Self> {
        let srtp = crypto.srtp_provider;
        let label = |label: u8| if rtcp { label + LABEL_RTCP_OFFSET } else { label };
        Some(match keying.profile {
            SrtpProfile::AES128_CM_SHA1_80 => {
                let master = MasterKey::<16, 14>::of(keying, ours)?;
                Cipher::Cm {
                    cipher: srtp.aes_128_cm_sha1_80().create_cipher(master.derive(srtp, label(LABEL_RTP_CIPHER)), ours),
                    auth: master.derive(srtp, label(LABEL_RTP_AUTH)),
                    salt: master.derive(srtp, label(LABEL_RTP_SALT)),
                    hmac: crypto.sha1_hmac_provider,
                }
            }
            SrtpProfile::AEAD_AES_128_GCM => {
                let master = MasterKey::<16, 12>::of(keying, ours)?;
                Cipher::Gcm128 {
                    cipher: srtp.aead_aes_128_gcm().create_cipher(master.derive(srtp, label(LABEL_RTP_CIPHER)), ours),
                    salt: master.derive(srtp, label(LABEL_RTP_SALT)),
                }
            }
            SrtpProfile::AEAD_AES_256_GCM => {
                let master = MasterKey::<32, 12>::of(keying, ours)?;
                Cipher::Gcm256 {
                    cipher: srtp.aead_aes_256_gcm().create_cipher(master.derive(srtp, label(LABEL_RTP_CIPHER)), ours),
                    salt: master.derive(srtp, label(LABEL_RTP_SALT)),
                }
            }
            _ => return None,
        })
    }

    /// The authentication tag's length.
    fn tag_len(&self) -> usize {
        match self {
            Cipher::Cm { .. } => Aes128CmSha1_80::HMAC_TAG_LEN,
            Cipher::Gcm128 { .. } => AeadAes128Gcm::TAG_LEN,
            Cipher::Gcm256 { .. } => AeadAes256Gcm::TAG_LEN,
        }
    }
}

impl SrtpSender {
    fn new(crypto: &CryptoProvider, keying: &Keying) -> Option<Self> {
        Some(Self { cipher: Cipher::new(crypto, keying, true, false)? })
    }

    /// Writes the SRTP packet of `header` and `payload` into `out`: the
    /// payload is encrypted straight from `payload`, and the tag appended.
    pub fn seal(&mut self, header: &Header, payload: &[u8], out: &mut Vec<u8>) -> Result<(), CryptoError> {
        out.clear();
        let extension = u8::from(header.transport_seq.is_some()) << 4;
        out.extend_from_slice(&[0x80 | extension, u8::from(header.marker) << 7 | header.pt]);
        out.extend_from_slice(&(header.index as u16).to_be_bytes());
        out.extend_from_slice(&header.time.to_be_bytes());
        out.extend_from_slice(&header.ssrc.to_be_bytes());
        if let Some((id, seq)) = header.transport_seq {
            // One word of extensions: the id with a length of two bytes, the number, a byte of padding.
            out.extend_from_slice(&ONE_BYTE_EXTENSIONS);
            out.extend_from_slice(&1u16.to_be_bytes());
            out.extend_from_slice(&[id << 4 | 1]);
            out.extend_from_slice(&seq.to_be_bytes());
            out.push(0);
        }
        let header_len = out.len();
        let (ssrc, index) = (header.ssrc, header.index);
        let (roc, seq) = ((index >> 16) as u32, index as u16);
        let end = header_len + payload.len();
        match &mut self.cipher {
            Cipher::Cm { cipher, auth, salt, hmac } => {
                out.resize(end + Aes128CmSha1_80::HMAC_TAG_LEN.max(CTR_SLACK), 0);
                let iv = Aes128CmSha1_80::rtp_iv(*salt, ssrc, index);
                cipher.encrypt(&iv, payload, &mut out[header_len..])?;
                let sha1_hmac = |key: &[u8], parts: &[&[u8]]| hmac.sha1_hmac(key, parts);
                Aes128CmSha1_80::rtp_hmac(sha1_hmac, auth, out, index, end);
                out.truncate(end + Aes128CmSha1_80::HMAC_TAG_LEN);
            }
            Cipher::Gcm128 { cipher, salt } => {
                out.resize(end + AeadAes128Gcm::TAG_LEN, 0);
                let iv = AeadAes128Gcm::rtp_iv(*salt, ssrc, roc, seq);
                let (aad, body) = out.split_at_mut(header_len);
                cipher.encrypt(&iv, aad, payload, body)?;
            }
            Cipher::Gcm256 { cipher, salt } => {
                out.resize(end + AeadAes256Gcm::TAG_LEN, 0);
                let iv = AeadAes256Gcm::rtp_iv(*salt, ssrc, roc, seq);
                let (aad, body) = out.split_at_mut(header_len);
                cipher.encrypt(&iv, aad, payload, body)?;
            }
        }
        Ok(())
    }
}

/// Why a packet read past str0m was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("not a whole SRTP or SRTCP packet")]
    Malformed,
    #[error("a packet already received, or too old to tell")]
    Replayed,
    #[error("authentication failed")]
    Unauthentic,
}

/// Which indices of one SSRC have arrived: the highest, and a window below it.
struct Replay {
    highest: u64,
    /// Bit `i` set: index `highest - i` arrived.
    seen: u128,
}

/// RFC 3711 Appendix A: the extended sequence number (rollover count and sequence
/// number) with the low 16 bits `seq` nearest `highest`.
pub fn nearest_index(highest: u64, seq: u16) -> u64 {
    let (roc, last) = (highest >> 16, highest as u16);
    let (seq_i, last_i) = (i32::from(seq), i32::from(last));
    let roc = if last < 0x8000 {
        if seq_i - last_i > 0x8000 { roc.saturating_sub(1) } else { roc }
    } else if last_i - 0x8000 > seq_i {
        roc + 1
    } else {
        roc
    };
    roc << 16 | u64::from(seq)
}

impl Replay {
    /// The index of `seq` nearest the highest so far.
    fn guess(&self, seq: u16) -> u64 {
        nearest_index(self.highest, seq)
    }

    fn fresh(&self, index: u64) -> bool {
        index > self.highest || (self.highest - index < REPLAY_WINDOW && self.seen >> (self.highest - index) & 1 == 0)
    }

    fn mark(&mut self, index: u64) {
        if index > self.highest {
            let shift = index - self.highest;
            self.seen = if shift >= REPLAY_WINDOW { 0 } else { self.seen << shift };
            self.seen |= 1;
            self.highest = index;
        } else {
            self.seen |= 1 << (self.highest - index);
        }
    }
}

/// SSRCs one peer may send on that are tracked for replays; a peer sends a handful.
const MAX_STREAMS: usize = 64;

/// Reads one peer's SRTP: authenticates, decrypts, and refuses replays (RFC 3711 §3.3).
pub struct SrtpReceiver {
    cipher: Cipher,
    streams: std::collections::HashMap<u32, Replay>,
}

impl SrtpReceiver {
    fn new(crypto: &CryptoProvider, keying: &Keying) -> Option<Self> {
        Some(Self { cipher: Cipher::new(crypto, keying, false, false)?, streams: Default::default() })
    }

    /// Writes the plain RTP packet of the SRTP `packet` into `out` and returns its
    /// extended sequence number (rollover count and sequence number).
    pub fn open(&mut self, packet: &[u8], out: &mut Vec<u8>) -> Result<u64, Refused> {
        let header_len = rtp_header_len(packet).ok_or(Refused::Malformed)?;
        let tag_len = self.cipher.tag_len();
        if packet.len() < header_len + tag_len {
            return Err(Refused::Malformed);
        }
        let ssrc = u32::from_be_bytes(packet[8..12].try_into().expect("a whole header"));
        let seq = u16::from_be_bytes([packet[2], packet[3]]);
        let index = match self.streams.get(&ssrc) {
            Some(replay) => replay.guess(seq),
            None if self.streams.len() < MAX_STREAMS => u64::from(seq),
            None => return Err(Refused::Replayed),
        };
        if self.streams.get(&ssrc).is_some_and(|replay| !replay.fresh(index)) {
            return Err(Refused::Replayed);
        }
        let (roc, body) = ((index >> 16) as u32, packet.len() - tag_len);
        out.clear();
        out.extend_from_slice(&packet[..header_len]);
        match &mut self.cipher {
            Cipher::Cm { cipher, auth, salt, hmac } => {
                let sha1_hmac = |key: &[u8], parts: &[&[u8]]| hmac.sha1_hmac(key, parts);
                if !Aes128CmSha1_80::rtp_verify(sha1_hmac, auth, &packet[..body], index, &packet[body..]) {
                    return Err(Refused::Unauthentic);
                }
                let iv = Aes128CmSha1_80::rtp_iv(*salt, ssrc, index);
                out.resize(body + CTR_SLACK, 0);
                cipher.decrypt(&iv, &packet[header_len..body], &mut out[header_len..]).map_err(|_| Refused::Unauthentic)?;
                out.truncate(body);
            }
            Cipher::Gcm128 { cipher, salt } => {
                let iv = AeadAes128Gcm::rtp_iv(*salt, ssrc, roc, seq);
                out.resize(body, 0);
                let (aad, input) = packet.split_at(header_len);
                cipher.decrypt(&iv, &[aad], input, &mut out[header_len..]).map_err(|_| Refused::Unauthentic)?;
            }
            Cipher::Gcm256 { cipher, salt } => {
                let iv = AeadAes256Gcm::rtp_iv(*salt, ssrc, roc, seq);
                out.resize(body, 0);
                let (aad, input) = packet.split_at(header_len);
                cipher.decrypt(&iv, &[aad], input, &mut out[header_len..]).map_err(|_| Refused::Unauthentic)?;
            }
        }
        self.streams.entry(ssrc).or_insert(Replay { highest: index, seen: 0 }).mark(index);
        Ok(index)
    }
}

/// The length of an RTP packet's header: fixed part, CSRCs and extension (RFC 3550 §5.1).
pub fn rtp_header_len(packet: &[u8]) -> Option<usize> {
    let first = *packet.first()?;
    let mut len = HEADER_LEN + 4 * usize::from(first & 0x0f);
    if first & 0x10 != 0 {
        let words = packet.get(len + 2..len + 4)?;
        len += 4 + 4 * usize::from(u16::from_be_bytes([words[0], words[1]]));
    }
    (packet.len() >= len && first >> 6 == 2).then_some(len)
}

/// Protects the RTCP the SFU writes to one peer itself. Its packets carry a sender
/// SSRC of their own, so their SRTCP index counts apart from str0m's.
pub struct SrtcpSender {
    cipher: Cipher,
    index: u32,
}

impl SrtcpSender {
    fn new(crypto: &CryptoProvider, keying: &Keying) -> Option<Self> {
        Some(Self { cipher: Cipher::new(crypto, keying, true, true)?, index: 0 })
    }

    /// Writes the SRTCP packet of the (compound) RTCP packet `plain` into `out`.
    pub fn seal(&mut self, plain: &[u8], out: &mut Vec<u8>) -> Result<(), CryptoError> {
        if plain.len() < RTCP_CLEAR_LEN {
            return Err(CryptoError::Other("an RTCP packet is at least eight bytes".into()));
        }
        let index = self.index;
        self.index = (self.index + 1) & 0x7fff_ffff;
        let e_and_index = (0x8000_0000 | index).to_be_bytes();
        let ssrc = u32::from_be_bytes(plain[4..8].try_into().expect("checked above"));
        out.clear();
        out.extend_from_slice(&plain[..RTCP_CLEAR_LEN]);
        match &mut self.cipher {
            Cipher::Cm { cipher, auth, salt, hmac } => {
                let iv = Aes128CmSha1_80::rtp_iv(*salt, ssrc, u64::from(index));
                out.resize(plain.len() + CTR_SLACK, 0);
                cipher.encrypt(&iv, &plain[RTCP_CLEAR_LEN..], &mut out[RTCP_CLEAR_LEN..])?;
                out.truncate(plain.len());
                out.extend_from_slice(&e_and_index);
                let end = out.len();
                out.resize(end + Aes128CmSha1_80::HMAC_TAG_LEN, 0);
                let sha1_hmac = |key: &[u8], parts: &[&[u8]]| hmac.sha1_hmac(key, parts);
                Aes128CmSha1_80::rtcp_hmac(sha1_hmac, auth, out, end);
            }
            Cipher::Gcm128 { cipher, salt } => {
                let iv = AeadAes128Gcm::rtcp_iv(*salt, ssrc, index);
                let aad = [&plain[..RTCP_CLEAR_LEN], &e_and_index[..]].concat();
                out.resize(plain.len() + AeadAes128Gcm::TAG_LEN, 0);
                cipher.encrypt(&iv, &aad, &plain[RTCP_CLEAR_LEN..], &mut out[RTCP_CLEAR_LEN..])?;
                out.extend_from_slice(&e_and_index);
            }
            Cipher::Gcm256 { cipher, salt } => {
                let iv = AeadAes256Gcm::rtcp_iv(*salt, ssrc, index);
                let aad = [&plain[..RTCP_CLEAR_LEN], &e_and_index[..]].concat();
                out.resize(plain.len() + AeadAes256Gcm::TAG_LEN, 0);
                cipher.encrypt(&iv, &aad, &plain[RTCP_CLEAR_LEN..], &mut out[RTCP_CLEAR_LEN..])?;
                out.extend_from_slice(&e_and_index);
            }
        }
        Ok(())
    }
}

/// Reads one peer's SRTCP (only encrypted packets, as WebRTC sends them), and refuses
/// replays: each sender SSRC counts its SRTCP index apart (RFC 3711 §3.4). str0m reads
/// it too.
pub struct SrtcpReceiver {
    cipher: Cipher,
    senders: std::collections::HashMap<u32, Replay>,
}

impl SrtcpReceiver {
    fn new(crypto: &CryptoProvider, keying: &Keying) -> Option<Self> {
        Some(Self { cipher: Cipher::new(crypto, keying, false, true)?, senders: Default::default() })
    }

    /// Writes the plain (compound) RTCP packet of the SRTCP `packet` into `out`. True if
    /// it is the newest of its sender's so far (the peer sent it from where it now is),
    /// false if it came late.
    pub fn open(&mut self, packet: &[u8], out: &mut Vec<u8>) -> Result<bool, Refused> {
        let tag_len = match self.cipher {
            Cipher::Cm { .. } => Aes128CmSha1_80::HMAC_TAG_LEN,
            _ => 0,
        };
        // CM: header, payload, E and index, tag. GCM: header, payload and tag, E and index.
        let index_at = packet.len().checked_sub(SRTCP_INDEX_LEN + tag_len).ok_or(Refused::Malformed)?;
        let e_and_index: [u8; 4] = packet[index_at..index_at + SRTCP_INDEX_LEN].try_into().expect("four bytes");
        let index = u32::from_be_bytes(e_and_index);
        if index_at < RTCP_CLEAR_LEN || index & 0x8000_0000 == 0 {
            return Err(Refused::Malformed);
        }
        let index = index & 0x7fff_ffff;
        let ssrc = u32::from_be_bytes(packet[4..8].try_into().expect("eight bytes checked"));
        out.clear();
        out.extend_from_slice(&packet[..RTCP_CLEAR_LEN]);
        match &mut self.cipher {
            Cipher::Cm { cipher, auth, salt, hmac } => {
                let sha1_hmac = |key: &[u8], parts: &[&[u8]]| hmac.sha1_hmac(key, parts);
                let body = index_at + SRTCP_INDEX_LEN;
                if !Aes128CmSha1_80::rtcp_verify(sha1_hmac, auth, &packet[..body], &packet[body..]) {
                    return Err(Refused::Unauthentic);
                }
                let iv = Aes128CmSha1_80::rtp_iv(*salt, ssrc, u64::from(index));
                out.resize(index_at + CTR_SLACK, 0);
                cipher.decrypt(&iv, &packet[RTCP_CLEAR_LEN..index_at], &mut out[RTCP_CLEAR_LEN..]).map_err(|_| Refused::Unauthentic)?;
                out.truncate(index_at);
            }
            Cipher::Gcm128 { cipher, salt } => {
                let input = &packet[RTCP_CLEAR_LEN..index_at];
                let plain = input.len().checked_sub(AeadAes128Gcm::TAG_LEN).ok_or(Refused::Malformed)?;
                let iv = AeadAes128Gcm::rtcp_iv(*salt, ssrc, index);
                out.resize(RTCP_CLEAR_LEN + plain, 0);
                cipher
                    .decrypt(&iv, &[&packet[..RTCP_CLEAR_LEN], &e_and_index], input, &mut out[RTCP_CLEAR_LEN..])
                    .map_err(|_| Refused::Unauthentic)?;
            }
            Cipher::Gcm256 { cipher, salt } => {
                let input = &packet[RTCP_CLEAR_LEN..index_at];
                let plain = input.len().checked_sub(AeadAes256Gcm::TAG_LEN).ok_or(Refused::Malformed)?;
                let iv = AeadAes256Gcm::rtcp_iv(*salt, ssrc, index);
                out.resize(RTCP_CLEAR_LEN + plain, 0);
                cipher
                    .decrypt(&iv, &[&packet[..RTCP_CLEAR_LEN], &e_and_index], input, &mut out[RTCP_CLEAR_LEN..])
                    .map_err(|_| Refused::Unauthentic)?;
            }
        }
        // Authentic first: what is refused as a replay is one of the peer's own.
        match self.senders.get(&ssrc) {
            Some(replay) if !replay.fresh(u64::from(index)) => return Err(Refused::Replayed),
            None if self.senders.len() >= MAX_STREAMS => return Err(Refused::Replayed),
            _ => {}
        }
        let replay = self.senders.entry(ssrc).or_insert(Replay { highest: u64::from(index), seen: 0 });
        let newest = u64::from(index) >= replay.highest;
        replay.mark(u64::from(index));
        Ok(newest)
    }
}

/// The master key and salt of one side.
struct MasterKey<const K: usize, const S: usize> {
    key: [u8; K],
    salt: [u8; S],
}

impl<const K: usize, const S: usize> MasterKey<K, S> {
    /// RFC 5764 §4.2: client key, server key, client salt, server salt. The DTLS
    /// client sends with the client's, and reads with the server's.
    fn of(keying: &Keying, ours: bool) -> Option<Self> {
        let material = &keying.material;
        if material.len() != 2 * (K + S) {
            return None;
        }
        let (key_at, salt_at) = if keying.active == ours { (0, 2 * K) } else { (K, 2 * K + S) };
        Some(Self { key: material[key_at..key_at + K].try_into().ok()?, salt: material[salt_at..salt_at + S].try_into().ok()? })
    }

    /// RFC 3711 §4.3.1's key derivation (a key derivation rate of zero): AES in
    /// counter mode over the salt with the label in its eighth byte.
    fn derive<const N: usize>(&self, srtp: &dyn SrtpProvider, label: u8) -> [u8; N] {
        let mut out = [0u8; N];
        let mut input = [0u8; 16];
        input[..S].copy_from_slice(&self.salt);
        input[7] ^= label;
        for (round, chunk) in out.chunks_mut(16).enumerate() {
            input[14..].copy_from_slice(&(round as u16).to_be_bytes());
            let mut block = [0u8; 32];
            match K {
                16 => srtp.srtp_aes_128_ecb_round(&self.key, &input, &mut block),
                _ => srtp.srtp_aes_256_ecb_round(&self.key, &input, &mut block),
            }
            chunk.copy_from_slice(&block[..chunk.len()]);
        }
        out
    }
}

/// A slot holding made-up keys, as a peer's handshake with the SFU (the DTLS server) would
/// leave them, with webrtc-rs's contexts for the peer: the first protects what the peer
/// sends, the second reads what the SFU sends.
#[cfg(test)]
pub(super) fn test_peer() -> (KeySlot, rtc_srtp::context::Context, rtc_srtp::context::Context) {
    let (_, keying, peer, sfu_side) = tests::contexts().remove(0);
    (KeySlot(Arc::new(Mutex::new(Some(keying)))), peer, sfu_side)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn session_keys_follow_rfc_3711s_key_derivation_test_vectors() {
        // RFC 3711 appendix B.3.
        let master = MasterKey::<16, 14> {
            key: hex("E1F97A0D3E018BE0D64FA32C06DE4139").try_into().unwrap(),
            salt: hex("0EC675AD498AFEEBB6960B3AABE6").try_into().unwrap(),
        };
        let srtp = provider().srtp_provider;
        assert_eq!(master.derive::<16>(srtp, LABEL_RTP_CIPHER).to_vec(), hex("C61E7A93744F39EE10734AFE3FF7A087"));
        assert_eq!(master.derive::<14>(srtp, LABEL_RTP_SALT).to_vec(), hex("30CBBC08863D8C85D49DB34A9AE1"));
        assert_eq!(
            master.derive::<20>(srtp, LABEL_RTP_AUTH).to_vec(),
            hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4")
        );
    }

    #[test]
    fn the_dtls_client_sends_with_the_first_key_and_salt_and_the_server_with_the_second() {
        let material: Vec<u8> = (0..2 * (16 + 12)).map(|i| i as u8).collect();
        let client = Keying { material: material.clone(), profile: SrtpProfile::AEAD_AES_128_GCM, active: true };
        let server = Keying { active: false, ..client.clone() };
        let client = MasterKey::<16, 12>::of(&client, true).unwrap();
        let server = MasterKey::<16, 12>::of(&server, true).unwrap();
        assert_eq!(client.key.to_vec(), material[0..16]);
        assert_eq!(server.key.to_vec(), material[16..32]);
        assert_eq!(client.salt.to_vec(), material[32..44]);
        assert_eq!(server.salt.to_vec(), material[44..56]);
        let short = Keying { material: material[..50].to_vec(), profile: SrtpProfile::AEAD_AES_128_GCM, active: true };
        assert!(MasterKey::<16, 12>::of(&short, true).is_none(), "material of the wrong length is refused");
    }

    /// The plain RTP packet: version 2, the marker bit, payload type 111.
    /// An RTP packet, with a transport-wide sequence number (id, number) in a one-byte
    /// extension written as RFC 8285 lays it out.
    fn rtp(seq: u16, marker: bool, time: u32, ssrc: u32, transport_seq: Option<(u8, u16)>, payload: &[u8]) -> Vec<u8> {
        let mut packet = vec![0x80 | if transport_seq.is_some() { 0x10 } else { 0 }, 111 | if marker { 0x80 } else { 0 }];
        packet.extend_from_slice(&seq.to_be_bytes());
        packet.extend_from_slice(&time.to_be_bytes());
        packet.extend_from_slice(&ssrc.to_be_bytes());
        if let Some((id, number)) = transport_seq {
            let [high, low] = number.to_be_bytes();
            packet.extend_from_slice(&[0xbe, 0xde, 0, 1, id << 4 | 1, high, low, 0]);
        }
        packet.extend_from_slice(payload);
        packet
    }

    #[test]
    fn webrtc_rs_decrypts_what_the_sfu_protects_in_every_profile_and_across_a_rollover() {
        use rtc_crypto::RTCCryptoProvider;
        use rtc_srtp::protection_profile::ProtectionProfile;

        let webrtc_rs = rtc_crypto::providers::RingProvider::new();
        let profiles = [
            (SrtpProfile::AES128_CM_SHA1_80, ProtectionProfile::Aes128CmHmacSha1_80),
            (SrtpProfile::AEAD_AES_128_GCM, ProtectionProfile::AeadAes128Gcm),
            (SrtpProfile::AEAD_AES_256_GCM, ProtectionProfile::AeadAes256Gcm),
        ];
        let ssrc = 0x5eed_0001;
        for (ours, theirs) in profiles {
            let (key_len, salt_len) = (theirs.key_len(), theirs.salt_len());
            let material: Vec<u8> = (0..2 * (key_len + salt_len)).map(|i| (i * 7 + 3) as u8).collect();
            // The SFU is the DTLS server: it sends with the second key and salt.
            let server_key = &material[key_len..2 * key_len];
            let server_salt = &material[2 * key_len + salt_len..];
            let mut sender = SrtpSender::new(&provider(), &Keying { material: material.clone(), profile: ours, active: false })
                .expect("a sender for the profile");
            let mut receiver =
                rtc_srtp::context::Context::new(server_key, server_salt, theirs, None, None, webrtc_rs.crypto()).unwrap();
            // Across the sequence number's rollover: the index carries it on.
            let mut packet = Vec::new();
            for index in (0xfffa_u64..0x1_0006).chain([0x1_0100]) {
                let payload: Vec<u8> = (0..(index % 97) as u8 + 20).collect();
                let (marker, time) = (index % 2 == 0, index as u32 * 960);
                // Every third packet carries a transport-wide sequence number.
                let transport_seq = (index % 3 == 0).then_some((3, index as u16 ^ 0x1234));
                let plain = rtp(index as u16, marker, time, ssrc, transport_seq, &payload);
                let header = Header { pt: 111, marker, index, time, ssrc, transport_seq };
                sender.seal(&header, &payload, &mut packet).unwrap();
                let at = plain.len() - payload.len();
                assert_eq!(packet[..at], plain[..at], "{ours:?}: the header is sent in the clear");
                assert_ne!(packet[at..at + payload.len()], payload[..], "{ours:?}: the payload is encrypted");
                let decrypted = receiver
                    .decrypt_rtp(&packet)
                    .unwrap_or_else(|e| panic!("{ours:?}, index {index:#x}: webrtc-rs refused the packet: {e}"));
                assert_eq!(decrypted.to_vec(), plain, "{ours:?}, index {index:#x}");
            }
            // One changed bit, in the header or in the payload, and the packet is refused.
            for (bit, index) in [(14, 0x1_0101), (20, 0x1_0102)] {
                let header = Header { pt: 111, marker: false, index, time: 0, ssrc, transport_seq: None };
                sender.seal(&header, b"altered payload", &mut packet).unwrap();
                packet[bit] ^= 1;
                assert!(receiver.decrypt_rtp(&packet).is_err(), "{ours:?}: a packet altered at byte {bit} is refused");
            }
        }
    }

    /// webrtc-rs's SRTP contexts with the keys of the peer (the DTLS client) and of the SFU
    /// (the server), per profile: the first protects what the peer sends, the second reads
    /// what the SFU sends.
    pub(super) fn contexts() -> Vec<(SrtpProfile, Keying, rtc_srtp::context::Context, rtc_srtp::context::Context)> {
        use rtc_crypto::RTCCryptoProvider;
        use rtc_srtp::protection_profile::ProtectionProfile;
        let webrtc_rs = rtc_crypto::providers::RingProvider::new();
        [
            (SrtpProfile::AES128_CM_SHA1_80, ProtectionProfile::Aes128CmHmacSha1_80),
            (SrtpProfile::AEAD_AES_128_GCM, ProtectionProfile::AeadAes128Gcm),
            (SrtpProfile::AEAD_AES_256_GCM, ProtectionProfile::AeadAes256Gcm),
        ]
        .into_iter()
        .map(|(ours, theirs)| {
            let (key_len, salt_len) = (theirs.key_len(), theirs.salt_len());
            let material: Vec<u8> = (0..2 * (key_len + salt_len)).map(|i| (i * 11 + 5) as u8).collect();
            let client = rtc_srtp::context::Context::new(
                &material[..key_len],
                &material[2 * key_len..2 * key_len + salt_len],
                theirs,
                None,
                None,
                webrtc_rs.crypto(),
            )
            .unwrap();
            let server = rtc_srtp::context::Context::new(
                &material[key_len..2 * key_len],
                &material[2 * key_len + salt_len..],
                theirs,
                None,
                None,
                webrtc_rs.crypto(),
            )
            .unwrap();
            (ours, Keying { material, profile: ours, active: false }, client, server)
        })
        .collect()
    }

    /// An RTP packet as browsers send it: a CSRC and a one-byte header extension.
    fn rich_rtp(seq: u16, ssrc: u32, payload: &[u8]) -> Vec<u8> {
        let mut packet = vec![0x91, 96];
        packet.extend_from_slice(&seq.to_be_bytes());
        packet.extend_from_slice(&(u32::from(seq) * 3000).to_be_bytes());
        packet.extend_from_slice(&ssrc.to_be_bytes());
        packet.extend_from_slice(&0xc5c5_0001_u32.to_be_bytes());
        packet.extend_from_slice(&[0xbe, 0xde, 0, 1, 0x31, seq as u8, (seq >> 8) as u8, 0]);
        packet.extend_from_slice(payload);
        packet
    }

    #[test]
    fn what_webrtc_rs_protects_the_sfu_reads_back_in_every_profile_across_a_rollover() {
        let ssrc = 0x0bad_cafe;
        for (profile, keying, mut peer, _) in contexts() {
            let mut receiver = SrtpReceiver::new(&provider(), &keying).expect("a receiver for the profile");
            let mut plain = Vec::new();
            for (n, seq) in (0xfff0_u16..=0xffff).chain(0..0x20).enumerate() {
                let sent = rich_rtp(seq, ssrc, &vec![n as u8; 30 + n]);
                let packet = peer.encrypt_rtp(&sent).unwrap();
                let index = receiver.open(&packet, &mut plain).unwrap_or_else(|e| panic!("{profile:?}, seq {seq}: {e}"));
                assert_eq!(plain, sent, "{profile:?}, seq {seq}");
                assert_eq!(index, if seq >= 0xfff0 { u64::from(seq) } else { 0x1_0000 + u64::from(seq) }, "{profile:?}");
            }
        }
    }

    #[test]
    fn a_replayed_altered_or_truncated_packet_is_refused_and_changes_nothing() {
        let ssrc = 0x5eed_0002;
        for (profile, keying, mut peer, _) in contexts() {
            let mut receiver = SrtpReceiver::new(&provider(), &keying).unwrap();
            let mut plain = Vec::new();
            let packets: Vec<Vec<u8>> = (100u16..400).map(|seq| peer.encrypt_rtp(&rich_rtp(seq, ssrc, b"evidence")).unwrap().to_vec()).collect();
            // Out of order within the window is fine; the same packet twice is not.
            receiver.open(&packets[1], &mut plain).unwrap();
            receiver.open(&packets[0], &mut plain).unwrap();
            assert_eq!(receiver.open(&packets[1], &mut plain), Err(Refused::Replayed), "{profile:?}");
            for packet in &packets[2..200] {
                receiver.open(packet, &mut plain).unwrap();
            }
            assert_eq!(receiver.open(&packets[5], &mut plain), Err(Refused::Replayed), "{profile:?}: far behind");
            // Any changed bit, in the header or the payload, is found out.
            for byte in [1, 9, 17, 24, packets[200].len() - 1] {
                let mut altered = packets[200].clone();
                altered[byte] ^= 0x04;
                assert!(receiver.open(&altered, &mut plain).is_err(), "{profile:?}: altered at byte {byte}");
            }
            for len in 0..packets[200].len() {
                assert!(receiver.open(&packets[200][..len], &mut plain).is_err(), "{profile:?}: cut to {len} bytes");
            }
            let index = receiver.open(&packets[200], &mut plain).expect("the genuine packet after all that");
            assert_eq!(index, 300, "{profile:?}");
        }
    }

    #[test]
    fn rtcp_the_sfu_protects_webrtc_rs_reads_and_rtcp_webrtc_rs_protects_the_sfu_reads() {
        // A receiver report from sender SSRC 0x1234 with one block, and a PLI after it.
        let mut rtcp = vec![0x81, 201, 0, 7, 0, 0, 0x12, 0x34];
        rtcp.extend((0..24).map(|i| i as u8));
        rtcp.extend_from_slice(&[0x81, 206, 0, 2, 0, 0, 0x12, 0x34, 0xab, 0xcd, 0xef, 0x01]);
        for (profile, keying, mut peer, mut sfu_side) in contexts() {
            let mut sender = SrtcpSender::new(&provider(), &keying).unwrap();
            let mut receiver = SrtcpReceiver::new(&provider(), &keying).unwrap();
            let (mut sealed, mut plain) = (Vec::new(), Vec::new());
            for round in 0..3 {
                sender.seal(&rtcp, &mut sealed).unwrap();
                assert_ne!(sealed[8..rtcp.len()], rtcp[8..], "{profile:?}: encrypted");
                let read = sfu_side.decrypt_rtcp(&sealed).unwrap_or_else(|e| panic!("{profile:?}, round {round}: {e}"));
                assert_eq!(read.to_vec(), rtcp, "{profile:?}, round {round}");
                let theirs = peer.encrypt_rtcp(&rtcp).unwrap();
                let newest = receiver.open(&theirs, &mut plain).unwrap_or_else(|e| panic!("{profile:?}, round {round}: {e}"));
                assert!(newest, "{profile:?}, round {round}: the newest of its sender");
                assert_eq!(plain, rtcp, "{profile:?}, round {round}");
                assert_eq!(receiver.open(&theirs, &mut plain), Err(Refused::Replayed), "{profile:?}: a replay");
                let mut altered = theirs.to_vec();
                altered[12] ^= 1;
                assert_eq!(receiver.open(&altered, &mut plain), Err(Refused::Unauthentic), "{profile:?}");
                for len in 0..theirs.len() {
                    assert!(receiver.open(&theirs[..len], &mut plain).is_err(), "{profile:?}: cut to {len} bytes");
                }
            }
        }
    }

    #[test]
    fn srtcp_replays_are_told_per_sender_from_late_packets() {
        let (_, keying, mut peer, _) = contexts().remove(0);
        let mut receiver = SrtcpReceiver::new(&provider(), &keying).unwrap();
        let rr = |sender: u8| vec![0x80, 201, 0, 1, 0, 0, 0, sender];
        let mut plain = Vec::new();
        // webrtc-rs counts one index per sender SSRC, as browsers do.
        let first: Vec<Vec<u8>> = (0..3).map(|_| peer.encrypt_rtcp(&rr(1)).unwrap().to_vec()).collect();
        let other = peer.encrypt_rtcp(&rr(2)).unwrap().to_vec();
        assert_eq!(receiver.open(&first[0], &mut plain), Ok(true));
        assert_eq!(receiver.open(&first[2], &mut plain), Ok(true));
        assert_eq!(receiver.open(&other, &mut plain), Ok(true), "another sender's low index is new");
        assert_eq!(receiver.open(&first[1], &mut plain), Ok(false), "late, not seen: read, but not the newest");
        assert_eq!(receiver.open(&first[1], &mut plain), Err(Refused::Replayed));
        assert_eq!(receiver.open(&first[2], &mut plain), Err(Refused::Replayed), "a replay of the newest");
    }

    #[test]
    fn the_rollover_guess_follows_rfc_3711s_appendix() {
        let at = |highest: u64| Replay { highest, seen: 1 };
        assert_eq!(at(0x1_fff0).guess(0x0005), 0x2_0005, "just past a rollover");
        assert_eq!(at(0x2_0005).guess(0xfff0), 0x1_fff0, "just before one, late");
        assert_eq!(at(0x2_4000).guess(0x4100), 0x2_4100);
        assert_eq!(at(0x0_0005).guess(0xfff0), 0x0_fff0, "nothing before the first rollover");
        // As a NACK's sequence numbers are placed among what was sent.
        assert_eq!(nearest_index(0x1_0005, 0xfffe), 0xfffe);
        assert_eq!(nearest_index(0xfffe, 0x0003), 0x1_0003);
        assert_eq!(nearest_index(0x2_1234, 0x1230), 0x2_1230);
        assert_eq!(nearest_index(5, 0xfff0), 0xfff0, "nothing before zero");
    }
}
