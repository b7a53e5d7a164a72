"""A hearing participant built on aiortc, a WebRTC implementation independent
of the browser's, the core's (webrtc-rs) and the server's (str0m).

It logs in as the app does (会议号登录), opens the room WebSocket, offers a
solid-colour camera and a sine-tone microphone (`media_join`), answers the
server's offers, and prints one JSON line a second about what it receives:

  {"type": "status", "received": [{"participant_id", "video_frames", "rgb",
   "audio_frames", "tone_hz"}], "tracks": [...], "own_ids_echoed": [...]}

`tracks` lists every remote track aiortc created, with the stream and track
ids the server gave it; `own_ids_echoed` lists any of this participant's own
SSRCs or msid the server's SDP carried back on an m-line it sends on (a
phantom track). Both must show only the other participants.

  with-aiortc.sh aiortc_participant.py --server URL --meeting N --mobile M
      [--code C --challenge X | --staff clerk:demo1234] [--rgb 230,220,40] [--tone 660]
"""

import argparse
import asyncio
import fractions
import json
import re
import sys
import time
import urllib.request

import numpy as np
import websockets
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription, VideoStreamTrack
from av import AudioFrame, VideoFrame

PROTOCOL_VERSION = 1
AUDIO_RATE = 48000
WIDTH, HEIGHT = 320, 240


def api(server, method, path, body=None, token=None):
    request = urllib.request.Request(
        server + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"content-type": "application/json", **({"authorization": f"Bearer {token}"} if token else {})},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode()
        return json.loads(text) if text else None


def login(args):
    """A participant session token: a code by SMS (read from the demo court's outbox as staff), then its verification."""
    code, challenge = args.code, args.challenge
    if code is None:
        user, password = args.staff.split(":", 1)
        staff = api(args.server, "POST", "/api/staff/login", {"username": user, "password": password})["token"]
        sent = api(args.server, "POST", "/api/login/code", {"meeting_number": args.meeting, "mobile": args.mobile})
        challenge = sent["challenge"]
        outbox = api(args.server, "GET", f"/api/sms?mobile={args.mobile}", token=staff)
        text = next(m["text"] for m in outbox if m["kind"] == "login_code")
        code = re.search(r"验证码为：(\d{6})", text).group(1)
    session = api(
        args.server,
        "POST",
        "/api/login/verify",
        {"meeting_number": args.meeting, "mobile": args.mobile, "code": code, "challenge": challenge, "device": "other"},
    )
    return session["token"]


class SolidColour(VideoStreamTrack):
    """A camera that sees one colour."""

    def __init__(self, rgb):
        super().__init__()
        self.picture = np.empty((HEIGHT, WIDTH, 3), np.uint8)
        self.picture[:] = rgb

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        frame = VideoFrame.from_ndarray(self.picture, format="rgb24")
        frame.pts, frame.time_base = pts, time_base
        return frame


class Tone(MediaStreamTrack):
    """A microphone that hears a sine tone, in 20 ms frames at real time."""

    kind = "audio"

    def __init__(self, hz):
        super().__init__()
        self.hz = hz
        self.sent = 0
        self.start = None

    async def recv(self):
        samples = AUDIO_RATE // 50
        if self.start is None:
            self.start = time.monotonic()
        wait = self.start + self.sent / AUDIO_RATE - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        t = (np.arange(samples) + self.sent) / AUDIO_RATE
        pcm = (0.3 * 32767 * np.sin(2 * np.pi * self.hz * t)).astype(np.int16)
        frame = AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = AUDIO_RATE
        frame.pts, frame.time_base = self.sent, fractions.Fraction(1, AUDIO_RATE)
        self.sent += samples
        return frame


def dominant_frequency(pcm, rate):
    spectrum = np.abs(np.fft.rfft(pcm * np.hanning(len(pcm))))
    spectrum[0] = 0
    return float(np.argmax(spectrum)) * rate / len(pcm)


class Received:
    def __init__(self):
        self.video_frames = 0
        self.rgb = None
        self.audio_frames = 0
        self.audio = np.zeros(0, np.int16)
        self.audio_rate = AUDIO_RATE

    def report(self, participant_id):
        tone = None
        if len(self.audio) >= self.audio_rate // 10 and np.sqrt(np.mean(self.audio.astype(np.float64) ** 2)) > 200:
            tone = round(dominant_frequency(self.audio.astype(np.float64), self.audio_rate), 1)
        return {
            "participant_id": participant_id,
            "video_frames": self.video_frames,
            "rgb": self.rgb,
            "audio_frames": self.audio_frames,
            "tone_hz": tone,
        }


def sections(sdp):
    """Each m-section's lines."""
    out = []
    for line in sdp.splitlines():
        if line.startswith("m="):
            out.append([])
        if out:
            out[-1].append(line)
    return out


def msid_of(sdp, mid):
    for section in sections(sdp):
        if f"a=mid:{mid}" in section:
            for line in section:
                if line.startswith("a=msid:"):
                    return line[len("a=msid:"):].split()
    return None


class Participant:
    def __init__(self, args):
        self.args = args
        self.pc = RTCPeerConnection()
        self.received = {}
        self.tracks = []
        self.own_ids_echoed = []
        self.own_stream = None
        self.own_ssrcs = set()
        self.own_track_ids = set()
        # The remote description being applied (track events come while it is).
        self.remote_sdp = ""

    def on_track(self, track, transceiver):
        msid = msid_of(self.remote_sdp, transceiver.mid) or [None, track.id]
        stream = msid[0]
        self.tracks.append({"kind": track.kind, "mid": transceiver.mid, "stream_id": stream, "track_id": msid[1]})
        match = re.fullmatch(r"p(\d+)", stream or "")
        if match is None:
            return
        received = self.received.setdefault(int(match.group(1)), Received())
        asyncio.ensure_future(self.read(track, received))

    async def read(self, track, received):
        while True:
            try:
                frame = await track.recv()
            except Exception:
                return
            if track.kind == "video":
                rgb = frame.to_ndarray(format="rgb24")
                received.video_frames += 1
                received.rgb = [int(round(c)) for c in rgb.reshape(-1, 3).mean(axis=0)]
            else:
                pcm = frame.to_ndarray().reshape(-1, len(frame.layout.channels))[:, 0]
                received.audio_frames += 1
                received.audio_rate = frame.sample_rate
                received.audio = np.concatenate([received.audio, pcm])[-frame.sample_rate:]

    def check_remote(self, sdp):
        """Notes any of our own ids on an m-line the server says it sends on."""
        for section in sections(sdp):
            if not any(line in ("a=sendrecv", "a=sendonly") for line in section):
                continue
            for line in section:
                if line.startswith("a=ssrc:") and int(line[len("a=ssrc:"):].split()[0]) in self.own_ssrcs:
                    self.own_ids_echoed.append(line)
                if line.startswith("a=msid:") and (
                    line.split()[0][len("a=msid:"):] == self.own_stream or line.split()[-1] in self.own_track_ids
                ):
                    self.own_ids_echoed.append(line)

    def status(self):
        return {
            "type": "status",
            "connection": self.pc.connectionState,
            "received": [r.report(pid) for pid, r in sorted(self.received.items())],
            "tracks": self.tracks,
            "own_ids_echoed": self.own_ids_echoed,
        }

    async def run(self):
        args = self.args
        token = login(args)

        @self.pc.on("track")
        def _(track):
            transceiver = next(t for t in self.pc.getTransceivers() if t.receiver.track is track)
            self.on_track(track, transceiver)

        self.pc.addTrack(SolidColour(tuple(int(c) for c in args.rgb.split(","))))
        self.pc.addTrack(Tone(args.tone))
        url = "ws" + args.server[len("http"):] + "/api/room"
        async with websockets.connect(url, max_size=None) as ws:
            await ws.send(json.dumps({"type": "hello", "token": token, "protocol_version": PROTOCOL_VERSION, "device": "other"}))
            reporter = asyncio.ensure_future(self.report())
            joined = False
            try:
                async for text in ws:
                    message = json.loads(text)
                    kind = message["type"]
                    if kind == "room" and not joined:
                        joined = True
                        await self.pc.setLocalDescription(await self.pc.createOffer())
                        self.remember_own_ids(self.pc.localDescription.sdp)
                        await ws.send(json.dumps({"type": "media_join", "sdp": self.pc.localDescription.sdp}))
                    elif kind == "media_answer":
                        self.check_remote(message["sdp"])
                        self.remote_sdp = message["sdp"]
                        await self.pc.setRemoteDescription(RTCSessionDescription(message["sdp"], "answer"))
                    elif kind == "media_offer":
                        self.check_remote(message["sdp"])
                        self.remote_sdp = message["sdp"]
                        await self.pc.setRemoteDescription(RTCSessionDescription(message["sdp"], "offer"))
                        await self.pc.setLocalDescription(await self.pc.createAnswer())
                        await ws.send(json.dumps({"type": "media_answer", "sdp": self.pc.localDescription.sdp}))
                    elif kind in ("media_reset", "ended", "replaced"):
                        print(json.dumps({"type": "error", "message": kind}), flush=True)
                        return
                    elif kind == "error" and not joined:
                        print(json.dumps({"type": "error", "message": message["error"]}), flush=True)
            finally:
                reporter.cancel()
                await self.pc.close()

    def remember_own_ids(self, sdp):
        for section in sections(sdp):
            for line in section:
                if line.startswith("a=ssrc:"):
                    self.own_ssrcs.add(int(line[len("a=ssrc:"):].split()[0]))
                if line.startswith("a=msid:"):
                    stream, track = line[len("a=msid:"):].split()
                    self.own_stream = stream
                    self.own_track_ids.add(track)

    async def report(self):
        while True:
            await asyncio.sleep(1)
            print(json.dumps(self.status()), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", required=True)
    parser.add_argument("--meeting", required=True)
    parser.add_argument("--mobile", required=True)
    parser.add_argument("--code")
    parser.add_argument("--challenge", help="with --code: the challenge the code's request was answered")
    parser.add_argument("--staff", default="clerk:demo1234", help="user:password of staff who may read the SMS outbox")
    parser.add_argument("--rgb", default="230,220,40", help="the camera's colour")
    parser.add_argument("--tone", default=660.0, type=float, help="the microphone's tone in Hz")
    parser.add_argument("--duration", type=float, help="leave after this many seconds")
    args = parser.parse_args()
    participant = Participant(args)
    try:
        if args.duration:
            asyncio.run(asyncio.wait_for(participant.run(), args.duration))
        else:
            asyncio.run(participant.run())
    except (asyncio.TimeoutError, KeyboardInterrupt):
        pass
    print(json.dumps(participant.status()), flush=True)


if __name__ == "__main__":
    sys.exit(main())
