//! SRTP for the audio packets the SFU sends itself, past str0m's send path.
//!
//! str0m keeps each peer's DTLS, ICE, RTCP and video. Its crypto provider is
//! pluggable; ours is the default with the DTLS factory wrapped, so that when
//! a peer's handshake exports its SRTP keying material, a copy lands in that
//! peer's [`KeySlot`]. From it [`SrtpSender`] derives the same outgoing RTP
//! keys str0m derives (RFC 3711 §4.3, RFC 5764 §4.2, RFC 7714), with the
//! provider's own ciphers.

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

/// RFC 3711 §4.3.1's labels for the outgoing RTP session keys.
const LABEL_RTP_CIPHER: u8 = 0;
const LABEL_RTP_AUTH: u8 = 1;
const LABEL_RTP_SALT: u8 = 2;
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
    /// The sender for this peer's outgoing RTP, once its handshake is done.
    pub fn sender(&self) -> Option<SrtpSender> {
        let keying = self.0.lock().ok()?.clone()?;
        SrtpSender::new(&provider(), &keying)
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

/// The header of an RTP packet the SFU writes itself: no CSRCs, no extensions.
pub struct Header {
    pub pt: u8,
    pub marker: bool,
    /// The extended sequence number: rollover count and sequence number.
    pub index: u64,
    pub time: u32,
    pub ssrc: u32,
}

/// The length of such a header.
const HEADER_LEN: usize = 12;

/// Protects one peer's outgoing RTP.
pub struct SrtpSender {
    cipher: Cipher,
}

impl SrtpSender {
    fn new(crypto: &CryptoProvider, keying: &Keying) -> Option<Self> {
        let srtp = crypto.srtp_provider;
        let cipher = match keying.profile {
            SrtpProfile::AES128_CM_SHA1_80 => {
                let master = MasterKey::<16, 14>::ours(keying)?;
                Cipher::Cm {
                    cipher: srtp.aes_128_cm_sha1_80().create_cipher(master.derive(srtp, LABEL_RTP_CIPHER), true),
                    auth: master.derive(srtp, LABEL_RTP_AUTH),
                    salt: master.derive(srtp, LABEL_RTP_SALT),
                    hmac: crypto.sha1_hmac_provider,
                }
            }
            SrtpProfile::AEAD_AES_128_GCM => {
                let master = MasterKey::<16, 12>::ours(keying)?;
                Cipher::Gcm128 {
                    cipher: srtp.aead_aes_128_gcm().create_cipher(master.derive(srtp, LABEL_RTP_CIPHER), true),
                    salt: master.derive(srtp, LABEL_RTP_SALT),
                }
            }
            SrtpProfile::AEAD_AES_256_GCM => {
                let master = MasterKey::<32, 12>::ours(keying)?;
                Cipher::Gcm256 {
                    cipher: srtp.aead_aes_256_gcm().create_cipher(master.derive(srtp, LABEL_RTP_CIPHER), true),
                    salt: master.derive(srtp, LABEL_RTP_SALT),
                }
            }
            _ => return None,
        };
        Some(Self { cipher })
    }

    /// Writes the SRTP packet of `header` and `payload` into `out`: the
    /// payload is encrypted straight from `payload`, and the tag appended.
    pub fn seal(&mut self, header: &Header, payload: &[u8], out: &mut Vec<u8>) -> Result<(), CryptoError> {
        out.clear();
        out.extend_from_slice(&[0x80, u8::from(header.marker) << 7 | header.pt]);
        out.extend_from_slice(&(header.index as u16).to_be_bytes());
        out.extend_from_slice(&header.time.to_be_bytes());
        out.extend_from_slice(&header.ssrc.to_be_bytes());
        let (ssrc, index) = (header.ssrc, header.index);
        let (roc, seq) = ((index >> 16) as u32, index as u16);
        let end = HEADER_LEN + payload.len();
        match &mut self.cipher {
            Cipher::Cm { cipher, auth, salt, hmac } => {
                out.resize(end + Aes128CmSha1_80::HMAC_TAG_LEN.max(CTR_SLACK), 0);
                let iv = Aes128CmSha1_80::rtp_iv(*salt, ssrc, index);
                cipher.encrypt(&iv, payload, &mut out[HEADER_LEN..])?;
                let sha1_hmac = |key: &[u8], parts: &[&[u8]]| hmac.sha1_hmac(key, parts);
                Aes128CmSha1_80::rtp_hmac(sha1_hmac, auth, out, index, end);
                out.truncate(end + Aes128CmSha1_80::HMAC_TAG_LEN);
            }
            Cipher::Gcm128 { cipher, salt } => {
                out.resize(end + AeadAes128Gcm::TAG_LEN, 0);
                let iv = AeadAes128Gcm::rtp_iv(*salt, ssrc, roc, seq);
                let (aad, body) = out.split_at_mut(HEADER_LEN);
                cipher.encrypt(&iv, aad, payload, body)?;
            }
            Cipher::Gcm256 { cipher, salt } => {
                out.resize(end + AeadAes256Gcm::TAG_LEN, 0);
                let iv = AeadAes256Gcm::rtp_iv(*salt, ssrc, roc, seq);
                let (aad, body) = out.split_at_mut(HEADER_LEN);
                cipher.encrypt(&iv, aad, payload, body)?;
            }
        }
        Ok(())
    }
}

/// The master key and salt this side sends with.
struct MasterKey<const K: usize, const S: usize> {
    key: [u8; K],
    salt: [u8; S],
}

impl<const K: usize, const S: usize> MasterKey<K, S> {
    /// RFC 5764 §4.2: client key, server key, client salt, server salt.
    fn ours(keying: &Keying) -> Option<Self> {
        let material = &keying.material;
        if material.len() != 2 * (K + S) {
            return None;
        }
        let (key_at, salt_at) = if keying.active { (0, 2 * K) } else { (K, 2 * K + S) };
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
        let client = MasterKey::<16, 12>::ours(&client).unwrap();
        let server = MasterKey::<16, 12>::ours(&server).unwrap();
        assert_eq!(client.key.to_vec(), material[0..16]);
        assert_eq!(server.key.to_vec(), material[16..32]);
        assert_eq!(client.salt.to_vec(), material[32..44]);
        assert_eq!(server.salt.to_vec(), material[44..56]);
        let short = Keying { material: material[..50].to_vec(), profile: SrtpProfile::AEAD_AES_128_GCM, active: true };
        assert!(MasterKey::<16, 12>::ours(&short).is_none(), "material of the wrong length is refused");
    }

    /// The plain RTP packet: version 2, the marker bit, payload type 111.
    fn rtp(seq: u16, marker: bool, time: u32, ssrc: u32, payload: &[u8]) -> Vec<u8> {
        let mut packet = vec![0x80, 111 | if marker { 0x80 } else { 0 }];
        packet.extend_from_slice(&seq.to_be_bytes());
        packet.extend_from_slice(&time.to_be_bytes());
        packet.extend_from_slice(&ssrc.to_be_bytes());
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
                let plain = rtp(index as u16, marker, time, ssrc, &payload);
                let header = Header { pt: 111, marker, index, time, ssrc };
                sender.seal(&header, &payload, &mut packet).unwrap();
                assert_ne!(packet[12..12 + payload.len()], payload[..], "{ours:?}: the payload is encrypted");
                let decrypted = receiver
                    .decrypt_rtp(&packet)
                    .unwrap_or_else(|e| panic!("{ours:?}, index {index:#x}: webrtc-rs refused the packet: {e}"));
                assert_eq!(decrypted.to_vec(), plain, "{ours:?}, index {index:#x}");
            }
            // One changed bit, in the header or in the payload, and the packet is refused.
            for (bit, index) in [(14, 0x1_0101), (20, 0x1_0102)] {
                let header = Header { pt: 111, marker: false, index, time: 0, ssrc };
                sender.seal(&header, b"altered payload", &mut packet).unwrap();
                packet[bit] ^= 1;
                assert!(receiver.decrypt_rtp(&packet).is_err(), "{ours:?}: a packet altered at byte {bit} is refused");
            }
        }
    }
}
