//! The few places where the SFU reads or rewrites SDP text around str0m,
//! because str0m 0.25 cannot be configured to be standards-clean there:
//!
//! - str0m answers an m-line with the offer's direction inverted, so a
//!   client's publishing (`sendrecv`) m-line is answered `sendrecv`, with
//!   SSRCs and the client's own msid: every client would see a phantom remote
//!   track with its own ids. The SFU never sends there (what it forwards goes
//!   on m-lines of its own, added by renegotiation), so it reads such an
//!   m-line as the client's `sendonly` and answers `recvonly` (RFC 3264 §6.1).
//! - str0m writes `a=msid` on every m-line, sending or not; `ufrag` (not an
//!   RFC 8839 attribute) on its candidates; `a=ice-options:trickle` but never
//!   `a=end-of-candidates`, though the SFU has all its candidates up front;
//!   and `a=extmap-allow-mixed` whether offered or not. [`tidy`] fixes these.
//! - str0m answers the rtcp-fb it is configured with, offered or not;
//!   [`offered_video_feedback`] tells the configuration what was offered.

/// Which RTCP feedback an offer has for its H.264 video (the only video codec
/// the SFU takes): each counts as offered only if every H.264 payload type has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VideoFeedback {
    pub nack: bool,
    pub pli: bool,
    pub fir: bool,
    pub remb: bool,
}

pub fn offered_video_feedback(offer: &str) -> VideoFeedback {
    let mut all = VideoFeedback { nack: true, pli: true, fir: true, remb: true };
    let mut any_h264 = false;
    for section in sections(offer).iter().filter(|s| s.first().is_some_and(|m| m.starts_with("m=video"))) {
        let h264: Vec<&str> = section
            .iter()
            .filter_map(|l| l.strip_prefix("a=rtpmap:"))
            .filter_map(|v| v.split_once(' '))
            .filter(|(_, codec)| codec.to_ascii_uppercase().starts_with("H264/"))
            .map(|(pt, _)| pt)
            .collect();
        for pt in h264 {
            any_h264 = true;
            let has = |value: &str| {
                section.iter().filter_map(|l| l.strip_prefix("a=rtcp-fb:")).any(|v| {
                    v.split_once(' ').is_some_and(|(p, v)| (p == pt || p == "*") && v.trim() == value)
                })
            };
            all.nack &= has("nack");
            all.pli &= has("nack pli");
            all.fir &= has("ccm fir");
            all.remb &= has("goog-remb");
        }
    }
    if any_h264 { all } else { VideoFeedback { nack: false, pli: false, fir: false, remb: false } }
}

/// The client's offer as the SFU takes it: an m-line the client offers
/// `sendrecv` is one it publishes on and the SFU only receives on, so it is
/// read as `sendonly` (and answered `recvonly`). `forwarded` are the mids of
/// the SFU's own m-lines (where it sends), which keep their direction.
pub fn publishing_as_sendonly(offer: &str, forwarded: &[String]) -> String {
    let mut out = String::with_capacity(offer.len());
    for section in sections(offer) {
        let mid = section.iter().find_map(|l| l.strip_prefix("a=mid:")).map(str::trim);
        let publishing = section.first().is_some_and(|m| m.starts_with("m=audio") || m.starts_with("m=video"))
            && !mid.is_some_and(|mid| forwarded.iter().any(|f| f == mid));
        for line in section {
            out.push_str(if publishing && line == "a=sendrecv" { "a=sendonly" } else { line });
            out.push_str("\r\n");
        }
    }
    out
}

/// An SDP str0m wrote (an answer to `offer`, or an offer when `offer` is
/// `None`), made standards-clean: no msid or SSRC on m-lines the SFU does not
/// send on; candidates with RFC 8839 attributes only, followed by
/// `a=end-of-candidates` (the SFU has no more to trickle); in an answer no
/// `a=extmap-allow-mixed` the offer did not have.
pub fn tidy(sdp: &str, offer: Option<&str>) -> String {
    let allow_mixed = offer.is_none_or(|o| o.lines().any(|l| l.trim_end() == "a=extmap-allow-mixed"));
    let mut sections = sections(sdp);
    let mut stream_ids: Vec<String> = Vec::new();
    for section in sections.iter_mut().skip(1) {
        let sending = section.iter().any(|l| *l == "a=sendrecv" || *l == "a=sendonly");
        section.retain(|l| sending || !(l.starts_with("a=msid:") || l.starts_with("a=ssrc:") || l.starts_with("a=ssrc-group:")));
        for line in section.iter().filter_map(|l| l.strip_prefix("a=msid:")) {
            let id = line.split(' ').next().unwrap_or_default().to_owned();
            if !stream_ids.contains(&id) {
                stream_ids.push(id);
            }
        }
    }
    let mut out = String::with_capacity(sdp.len());
    for (index, section) in sections.iter().enumerate() {
        let last_candidate = section.iter().rposition(|l| l.starts_with("a=candidate:"));
        let ended = section.contains(&"a=end-of-candidates");
        for (i, line) in section.iter().enumerate() {
            if index == 0 && *line == "a=extmap-allow-mixed" && !allow_mixed {
                continue;
            }
            if index == 0 && line.starts_with("a=msid-semantic:") {
                out.push_str(format!("a=msid-semantic: WMS {}", stream_ids.join(" ")).trim_end());
            } else if line.starts_with("a=candidate:") {
                out.push_str(&standard_candidate(line));
            } else {
                out.push_str(line);
            }
            out.push_str("\r\n");
            if Some(i) == last_candidate && !ended {
                out.push_str("a=end-of-candidates\r\n");
            }
        }
    }
    out
}

/// A candidate line with only the attributes RFC 8839 (and RFC 6544's
/// `tcptype`) define: str0m appends `ufrag …`.
fn standard_candidate(line: &str) -> String {
    let fields: Vec<&str> = line.split(' ').collect();
    // foundation component transport priority address port "typ" type
    let Some((head, extensions)) = fields.split_at_checked(8) else { return line.to_owned() };
    let mut out = head.join(" ");
    for pair in extensions.chunks(2) {
        if let [name @ ("raddr" | "rport" | "tcptype"), value] = pair {
            out.push_str(&format!(" {name} {value}"));
        }
    }
    out
}

/// The session part and each m-section, as lines (without line endings).
fn sections(sdp: &str) -> Vec<Vec<&str>> {
    let mut sections = vec![Vec::new()];
    for line in sdp.lines().map(|l| l.trim_end_matches('\r')).filter(|l| !l.is_empty()) {
        if line.starts_with("m=") {
            sections.push(Vec::new());
        }
        sections.last_mut().expect("one at least").push(line);
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROMIUM_OFFER: &str = include_str!("testdata/chromium-offer.sdp");
    const CORE_OFFER: &str = include_str!("testdata/core-offer.sdp");

    #[test]
    fn chromium_offers_every_feedback_and_the_core_all_but_fir() {
        assert_eq!(offered_video_feedback(CHROMIUM_OFFER), VideoFeedback { nack: true, pli: true, fir: true, remb: true });
        assert_eq!(offered_video_feedback(CORE_OFFER), VideoFeedback { nack: true, pli: true, fir: false, remb: true });
        let wildcard = "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 H264/90000\r\na=rtcp-fb:* ccm fir\r\n";
        assert_eq!(offered_video_feedback(wildcard), VideoFeedback { nack: false, pli: false, fir: true, remb: false });
        assert!(!offered_video_feedback("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n").pli, "no video, no video feedback");
    }

    #[test]
    fn publishing_m_lines_are_read_as_sendonly_and_the_sfus_own_keep_their_direction() {
        let offer = "v=0\r\na=group:BUNDLE 0 1 x\r\nm=audio 9 P 111\r\na=mid:0\r\na=sendrecv\r\n\
                     m=video 9 P 102\r\na=mid:1\r\na=sendrecv\r\nm=audio 9 P 111\r\na=mid:x\r\na=sendrecv\r\n";
        let taken = publishing_as_sendonly(offer, &["x".to_owned()]);
        assert_eq!(
            taken,
            "v=0\r\na=group:BUNDLE 0 1 x\r\nm=audio 9 P 111\r\na=mid:0\r\na=sendonly\r\n\
             m=video 9 P 102\r\na=mid:1\r\na=sendonly\r\nm=audio 9 P 111\r\na=mid:x\r\na=sendrecv\r\n"
        );
        let core = publishing_as_sendonly(CORE_OFFER, &[]);
        assert_eq!(core.matches("a=sendonly").count(), 2);
        assert_eq!(core.replace("a=sendonly", "a=sendrecv"), CORE_OFFER, "nothing else changes");
    }

    #[test]
    fn tidy_drops_ids_of_m_lines_the_sfu_does_not_send_on_and_ends_its_candidates() {
        let answer = "v=0\r\na=group:BUNDLE 0 1\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS p7 p2\r\n\
            m=video 9 UDP/TLS/RTP/SAVPF 102\r\nc=IN IP4 0.0.0.0\r\n\
            a=candidate:fffe 1 udp 2130706175 127.0.0.1 37636 typ host ufrag zNBd\r\n\
            a=candidate:fffc 1 tcp 1526725887 127.0.0.1 9 typ host tcptype passive ufrag zNBd\r\n\
            a=ice-ufrag:zNBd\r\na=ice-options:trickle\r\na=mid:0\r\na=recvonly\r\na=msid:p7 p7-video\r\na=rtcp-mux\r\n\
            m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:1\r\na=sendonly\r\na=msid:p2 p2-audio\r\n\
            a=ssrc:1 cname:x\r\na=ssrc:1 msid:p2 p2-audio\r\n";
        let tidied = tidy(answer, Some("v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 102\r\na=sendrecv\r\n"));
        assert_eq!(
            tidied,
            "v=0\r\na=group:BUNDLE 0 1\r\na=msid-semantic: WMS p2\r\n\
            m=video 9 UDP/TLS/RTP/SAVPF 102\r\nc=IN IP4 0.0.0.0\r\n\
            a=candidate:fffe 1 udp 2130706175 127.0.0.1 37636 typ host\r\n\
            a=candidate:fffc 1 tcp 1526725887 127.0.0.1 9 typ host tcptype passive\r\n\
            a=end-of-candidates\r\n\
            a=ice-ufrag:zNBd\r\na=ice-options:trickle\r\na=mid:0\r\na=recvonly\r\na=rtcp-mux\r\n\
            m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:1\r\na=sendonly\r\na=msid:p2 p2-audio\r\n\
            a=ssrc:1 cname:x\r\na=ssrc:1 msid:p2 p2-audio\r\n"
        );
        assert!(tidy(answer, None).contains("a=extmap-allow-mixed"), "an offer may propose it");
        assert_eq!(tidy(&tidied, None), tidied, "tidying twice changes nothing");
    }

    #[test]
    fn a_candidate_keeps_raddr_rport_and_tcptype() {
        let line = "a=candidate:1 1 udp 1686052607 203.0.113.10 40000 typ srflx raddr 10.0.0.2 rport 40000 ufrag abc";
        assert_eq!(standard_candidate(line), "a=candidate:1 1 udp 1686052607 203.0.113.10 40000 typ srflx raddr 10.0.0.2 rport 40000");
    }
}
