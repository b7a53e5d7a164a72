//! The one thing server and clients must agree on inside media payloads:
//! where an H.264 keyframe starts in an RTP packet (RFC 6184), so the SFU
//! starts a receiver's stream there and the load tool times its arrival.

/// The H.264 RTP payload (RFC 6184) starts a keyframe: an IDR slice or the SPS
/// before one, alone, first in an aggregate (STAP-A), or as a fragment's start (FU-A).
pub fn starts_keyframe(payload: &[u8]) -> bool {
    let Some(&first) = payload.first() else { return false };
    let is_key = |nal_type: u8| nal_type == 5 || nal_type == 7;
    match first & 0x1f {
        24 => {
            let mut rest = &payload[1..];
            while rest.len() > 2 {
                let size = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
                if size == 0 || rest.len() < 2 + size {
                    break;
                }
                if is_key(rest[2] & 0x1f) {
                    return true;
                }
                rest = &rest[2 + size..];
            }
            false
        }
        28 => payload.get(1).is_some_and(|fu| fu & 0x80 != 0 && is_key(fu & 0x1f)),
        nal_type => is_key(nal_type),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyframes_are_found_alone_aggregated_and_fragmented() {
        assert!(starts_keyframe(&[0x65, 1, 2]), "an IDR slice");
        assert!(starts_keyframe(&[0x67, 1]), "an SPS");
        assert!(!starts_keyframe(&[0x41, 1]), "a P slice");
        assert!(starts_keyframe(&[0x78, 0, 2, 0x67, 1, 0, 1, 0x68]), "STAP-A with an SPS");
        assert!(!starts_keyframe(&[0x78, 0, 2, 0x06, 1]), "STAP-A with SEI only");
        assert!(starts_keyframe(&[0x7c, 0x85, 9]), "FU-A start of an IDR");
        assert!(!starts_keyframe(&[0x7c, 0x05, 9]), "FU-A middle of an IDR");
        assert!(!starts_keyframe(&[0x78, 0, 200, 0x67]), "a truncated aggregate");
        assert!(!starts_keyframe(&[]));
    }
}
