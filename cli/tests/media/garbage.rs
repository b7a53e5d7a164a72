
use cloudtrial_testkit::{JUDGE, PLAINTIFF, TestCourt};
use tokio::io::AsyncWriteExt;

use crate::harness::*;

/// Datagrams that look like STUN, DTLS, RTP and RTCP but are not, and plain
/// junk, at the media ports: no panic, and the hearing's media carries on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_at_the_media_ports_harms_nobody() {
    let _turn = one_at_a_time().await;
    let court = TestCourt::start().await;
    let mut judge = Cli::join(&court, &JUDGE, Options { colour: "red", tone: 440, extra: &["--bind", "127.0.0.1"] }).await;
    let mut plaintiff = Cli::join(&court, &PLAINTIFF, Options { colour: "green", tone: 660, extra: &["--bind", "127.0.0.1"] }).await;
    let p = plaintiff.id;
    let before = judge.until("media flowing", 40, |s| video_frames(s, p) > 15).await;
    plaintiff.until("media flowing", 40, |s| video_frames(s, judge.id) > 15).await;

    let media = court.server().state.media.clone();
    // Every media socket (with ephemeral ports, one per worker).
    let udps = media.udp_addrs.clone();
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let mut seed = 0x1234_5678_9abc_def1_u64;
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..3000u32 {
        let len = (random() % 1400) as usize + 1;
        let mut packet: Vec<u8> = (0..len).map(|_| random() as u8).collect();
        match round % 6 {
            // STUN: type, length, magic cookie, then junk.
            0 if len > 20 => packet[..8].copy_from_slice(&[0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42]),
            // DTLS handshake record header.
            1 if len > 13 => packet[..3].copy_from_slice(&[22, 0xfe, 0xfd]),
            // RTP version 2 with a dynamic payload type.
            2 if len > 12 => packet[..2].copy_from_slice(&[0x80, 108]),
            // RTCP sender report / PLI.
            3 if len > 8 => packet[..2].copy_from_slice(&[0x81, if round % 2 == 0 { 200 } else { 206 }]),
            // Empty and one-byte datagrams.
            4 => packet.truncate(round as usize % 2),
            _ => {}
        }
        let _ = socket.send_to(&packet, udps[round as usize % udps.len()]).await;
    }
    // The ICE-TCP port: junk framing, an oversized length, a connection closed mid-frame.
    let tcp = media.tcp_addr.unwrap();
    for junk in [vec![0xff; 5000], vec![0x00, 0x00], vec![0x05, 0xdc, 1, 2, 3]] {
        if let Ok(mut stream) = tokio::net::TcpStream::connect(tcp).await {
            let _ = stream.write_all(&junk).await;
        }
    }

    let after = judge.until("media still flowing", 20, |s| video_frames(s, p) > video_frames(&before, p) + 30).await;
    assert_eq!(received(&after, p).unwrap()["colour"], "green");
    plaintiff.until("both ways", 20, |s| video_frames(s, judge.id) > 45).await;
    let snapshot = media.snapshot().await.expect("the SFU loop is alive");
    assert_eq!(snapshot.peers.len(), 2);
    assert!(snapshot.peers.iter().all(|x| x.connected));
}
