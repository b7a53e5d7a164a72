//! Reading another participant's track: reassemble, decode, hand to the shell.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};

use super::assembler::{Assembled, H264Assembler, ReorderBuffer, RtpPiece};
use super::codec::{AudioDecoder, VideoDecoder};
use super::repair::{RepairWait, Repairs};
use super::session::{Shared, VideoDecoding};

/// Keyframe requests for one track at most this often.
const PLI_INTERVAL: Duration = Duration::from_millis(150);

/// The participant a remote stream belongs to: the SFU names streams `p{participant id}`.
pub fn participant_of(stream_id: &str) -> Option<i64> {
    stream_id.strip_prefix('p')?.parse().ok()
}

pub async fn read(track: Arc<dyn TrackRemote>, shared: Arc<Shared>, repairs: Arc<Repairs>) {
    let Some(participant_id) = participant_of(&track.stream_id().await) else {
        tracing::warn!("a remote track without a participant");
        return;
    };
    match track.kind().await {
        RtpCodecKind::Video => read_video(track, participant_id, shared, repairs).await,
        RtpCodecKind::Audio => read_audio(track, participant_id, shared).await,
        _ => {}
    }
}

async fn read_video(track: Arc<dyn TrackRemote>, participant_id: i64, shared: Arc<Shared>, repairs: Arc<Repairs>) {
    // Decoding is CPU work: it runs on its own thread, fed frames in order.
    let (frames, decoding) = std::sync::mpsc::sync_channel::<bytes::Bytes>(8);
    let decoder_shared = shared.clone();
    let decoder = std::thread::Builder::new().name(format!("decode-p{participant_id}")).spawn(move || {
        let Ok(mut decoder) = VideoDecoder::new() else { return };
        let mut decoded_one = false;
        while let Ok(access_unit) = decoding.recv() {
            decoder_shared.count_video_frame(participant_id);
            if decoded_one && decoder_shared.decoding() == VideoDecoding::FirstFrameOnly {
                continue;
            }
            match decoder.decode(&access_unit) {
                Ok(Some(frame)) => {
                    decoded_one = true;
                    decoder_shared.deliver_video(participant_id, &frame);
                }
                Ok(None) => {}
                Err(e) => tracing::debug!(participant_id, "undecodable frame: {e}"),
            }
        }
    });
    if decoder.is_err() {
        return;
    }
    let mut reorder = ReorderBuffer::default();
    let mut assembler = H264Assembler::new();
    // The stream's SSRC, and how long its picture waits for a missing packet.
    let mut stream: Option<(u32, Arc<RepairWait>)> = None;
    let mut last_pli: Option<Instant> = None;
    loop {
        let picture_wait = stream.as_ref().map_or(Duration::ZERO, |(_, w)| w.get());
        let deadline = reorder.deadline(picture_wait);
        let ready = tokio::select! {
            event = track.poll() => match event {
                Some(TrackRemoteEvent::OnRtpPacket(packet)) => {
                    shared.count_packet(participant_id);
                    let ssrc = packet.header.ssrc;
                    let picture_wait = match &stream {
                        Some((known, w)) if *known == ssrc => w.get(),
                        _ => stream.insert((ssrc, repairs.wait_for(ssrc))).1.get(),
                    };
                    let piece = RtpPiece { seq: packet.header.sequence_number, marker: packet.header.marker, payload: packet.payload };
                    reorder.push(piece, Instant::now(), picture_wait)
                }
                Some(_) => continue,
                None => break,
            },
            () = sleep_until(deadline) => reorder.release(Instant::now(), picture_wait),
        };
        let mut need_keyframe = false;
        for piece in ready {
            match assembler.push(piece.seq, piece.marker, &piece.payload) {
                Some(Assembled::Frame(access_unit)) => {
                    let sent = frames.try_send(access_unit);
                    if sent.is_err() {
                        tracing::debug!(participant_id, "decoder behind; frame dropped");
                    }
                }
                Some(Assembled::NeedKeyframe) => need_keyframe = true,
                None => {}
            }
        }
        // Asked once all that was ready is in: a keyframe among it makes asking moot.
        if need_keyframe
            && assembler.waiting_for_keyframe()
            && last_pli.is_none_or(|at| at.elapsed() > PLI_INTERVAL)
            && let Some((ssrc, _)) = &stream
        {
            last_pli = Some(Instant::now());
            shared.count_keyframe_asked();
            let pli = PictureLossIndication { sender_ssrc: 0, media_ssrc: *ssrc };
            let _ = track.write_rtcp(vec![Box::new(pli)]).await;
        }
    }
}

/// Sleeps until `deadline`; forever if there is none.
async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

async fn read_audio(track: Arc<dyn TrackRemote>, participant_id: i64, shared: Arc<Shared>) {
    let Ok(mut decoder) = AudioDecoder::new() else { return };
    while let Some(event) = track.poll().await {
        let TrackRemoteEvent::OnRtpPacket(packet) = event else { continue };
        shared.count_packet(participant_id);
        match decoder.decode(&packet.payload) {
            Ok(samples) => shared.deliver_audio(participant_id, &samples),
            Err(e) => tracing::debug!(participant_id, "undecodable audio: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn streams_name_their_participant() {
        assert_eq!(super::participant_of("p42"), Some(42));
        assert_eq!(super::participant_of("camera"), None);
    }
}
