// A minimal page that joins a hearing's media with the browser's camera and
// microphone and measures what it receives, for the end-to-end tests.
// Usage: /test/media.html#token=<participant session token>

import { RoomConnection } from '../js/room.js';
import { MediaLink } from '../js/media.js';
import { AudioProbe, meanColour, nearestColour } from '../js/analysis.js';

/**
 * @typedef {{frames: number, colour: string|null, tone: number|null}} Seen
 * @type {{room: string, media: string, remote: Record<number, Seen>, framesDecoded: number, audioPackets: number, reportedRoundTrips: number, senderReports: {audio: number, video: number}, error: string|null}}
 */
const state = { room: 'connecting', media: 'connecting', remote: {}, framesDecoded: 0, audioPackets: 0, reportedRoundTrips: 0, senderReports: { audio: 0, video: 0 }, error: null };
Object.assign(window, { testState: state });

const token = new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';
const tiles = /** @type {HTMLElement} */ (document.getElementById('tiles'));
const scratch = /** @type {HTMLCanvasElement} */ (document.getElementById('scratch'));
const status = /** @type {HTMLElement} */ (document.getElementById('status'));
const audio = new AudioContext();

/** @param {number} id */
function seen(id) {
  state.remote[id] ??= { frames: 0, colour: null, tone: null };
  return state.remote[id];
}

/**
 * @param {number} id
 * @param {MediaStream} stream
 * @param {MediaStreamTrack} track
 */
function attach(id, stream, track) {
  if (track.kind === 'video') {
    const tile = document.createElement('div');
    tile.className = 'tile';
    const video = document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([track]);
    const label = document.createElement('span');
    label.textContent = `参与人 ${id}`;
    tile.append(video, label);
    tiles.append(tile);
    const onFrame = () => {
      seen(id).frames += 1;
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
    setInterval(() => {
      const rgb = meanColour(video, scratch);
      if (rgb) seen(id).colour = nearestColour(rgb);
    }, 500);
  } else {
    // Remote audio flows into Web Audio only while a media element plays it.
    const element = document.createElement('audio');
    element.srcObject = new MediaStream([track]);
    element.muted = true;
    element.autoplay = true;
    document.body.append(element);
    const probe = new AudioProbe(audio, track);
    setInterval(() => {
      seen(id).tone = probe.dominantFrequency();
    }, 500);
  }
}

async function main() {
  const camera = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 }, audio: true });
  const room = new RoomConnection(token);
  room.addEventListener('state', () => {
    state.room = room.state;
    status.textContent = room.endReason ?? room.state;
  });
  room.connect();
  const media = new MediaLink(room, camera);
  media.addEventListener('state', () => (state.media = media.state));
  media.addEventListener('track', (event) => {
    const { participantId, stream, track } = /** @type {CustomEvent} */ (event).detail;
    attach(participantId, stream, track);
  });
  media.start();
  setInterval(async () => {
    if (!media.pc) return;
    const report = await media.pc.getStats();
    let decoded = 0;
    let audioPackets = 0;
    let reportedRoundTrips = 0;
    const senderReports = { audio: 0, video: 0 };
    report.forEach((entry) => {
      if (entry.type === 'inbound-rtp' && entry.kind === 'video') decoded += entry.framesDecoded ?? 0;
      if (entry.type === 'inbound-rtp' && entry.kind === 'audio') audioPackets += entry.packetsReceived ?? 0;
      // Round trips the browser measured from the server's reception reports of what it sends.
      if (entry.type === 'remote-inbound-rtp') reportedRoundTrips += entry.roundTripTimeMeasurements ?? 0;
      // The server's sender reports of what the browser receives (they line audio up with video).
      if (entry.type === 'remote-outbound-rtp' && (entry.kind === 'audio' || entry.kind === 'video')) {
        senderReports[/** @type {'audio'|'video'} */ (entry.kind)] += entry.reportsSent ?? 0;
      }
    });
    state.framesDecoded = decoded;
    state.audioPackets = audioPackets;
    state.reportedRoundTrips = reportedRoundTrips;
    state.senderReports = senderReports;
  }, 500);
}

main().catch((error) => {
  state.error = String(error);
  status.textContent = String(error);
});
