// Live video and audio in the browser: one RTCPeerConnection to the server's
// SFU. The browser offers first (media_join); the server offers every change
// after that (new participants' tracks). ICE restarts after network trouble,
// a fresh join when the connection is lost for good.

/** @typedef {import('./room.js').RoomConnection} RoomConnection */

const ICE_RESTART_AFTER_MS = 2000;
const REJOIN_AFTER_MS = 15000;

/** The participant a remote stream belongs to: the SFU names streams `p{id}`. */
export function participantOfStream(/** @type {string} */ streamId) {
  const match = /^p(\d+)$/.exec(streamId);
  return match ? Number(match[1]) : null;
}

export class MediaLink extends EventTarget {
  /**
   * @param {RoomConnection} room
   * @param {MediaStream} localStream camera and microphone
   */
  constructor(room, localStream) {
    super();
    this.room = room;
    this.localStream = localStream;
    /** @type {RTCPeerConnection|null} */
    this.pc = null;
    /** @type {Map<number, MediaStream>} remote streams by participant id */
    this.remote = new Map();
    /** @type {'connecting'|'connected'|'reconnecting'|'stopped'} */
    this.state = 'connecting';
    this.awaitingAnswer = false;
    /** A join is sent and not yet answered. */
    this.joining = false;
    /** @type {number|null} */
    this.troubleSince = null;
    this.restartedIce = false;
    this.stopped = false;
    /** Signalling is handled strictly in order: each message waits for the one before. */
    this.queue = Promise.resolve();
    this.onMedia = (/** @type {Event} */ event) => {
      const message = /** @type {CustomEvent} */ (event).detail;
      this.queue = this.queue.then(() => this.handle(message));
    };
    this.onRoomState = () => {
      if (this.room.state === 'connected' && !this.pc && !this.stopped) this.join();
    };
    this.timer = setInterval(() => this.watch(), 500);
  }

  start() {
    this.room.addEventListener('media', this.onMedia);
    this.room.addEventListener('state', this.onRoomState);
    if (this.room.state === 'connected') this.join();
  }

  /** @param {'connecting'|'connected'|'reconnecting'|'stopped'} state */
  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.dispatchEvent(new CustomEvent('state', { detail: state }));
  }

  async join() {
    this.teardown();
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    this.pc = pc;
    for (const track of this.localStream.getTracks()) pc.addTrack(track, this.localStream);
    // Without a camera or microphone the offer still needs one m-line; the server adds the others'.
    if (!this.localStream.getTracks().length) pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.onicecandidate = (event) => {
      if (event.candidate && event.candidate.candidate) {
        this.room.send({ type: 'media_candidate', candidate: event.candidate.candidate });
      }
    };
    pc.ontrack = (event) => {
      const stream = event.streams[0];
      const id = stream ? participantOfStream(stream.id) : null;
      if (id === null || !stream) return;
      this.remote.set(id, stream);
      this.dispatchEvent(new CustomEvent('track', { detail: { participantId: id, stream, track: event.track } }));
    };
    pc.onconnectionstatechange = () => {
      if (pc !== this.pc) return;
      switch (pc.connectionState) {
        case 'connected':
          this.troubleSince = null;
          this.restartedIce = false;
          this.setState('connected');
          break;
        case 'disconnected':
          this.troubleSince ??= Date.now();
          this.setState('reconnecting');
          break;
        case 'failed':
          this.setState('reconnecting');
          this.rejoinSoon();
          break;
      }
    };
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    this.awaitingAnswer = true;
    this.joining = true;
    this.answerDeadline = Date.now() + 10000;
    if (!this.room.send({ type: 'media_join', sdp: pc.localDescription?.sdp })) this.rejoinSoon();
  }

  /** @param {any} message */
  async handle(message) {
    const pc = this.pc;
    if (!pc) return;
    try {
      if (message.type === 'media_answer' && this.awaitingAnswer) {
        await pc.setRemoteDescription({ type: 'answer', sdp: message.sdp });
        this.awaitingAnswer = false;
        this.joining = false;
      } else if (message.type === 'media_offer' && !this.awaitingAnswer && pc.signalingState === 'stable') {
        // An offer crossing ours is ignored: the server offers again after answering.
        await pc.setRemoteDescription({ type: 'offer', sdp: message.sdp });
        const answer = await pc.createAnswer();
        await pc.setLocalDescription(answer);
        this.room.send({ type: 'media_answer', sdp: pc.localDescription?.sdp });
      } else if (message.type === 'media_reset' && !this.joining) {
        // The server answers a join before it says anything else about that
        // peer: a reset before the answer is about an earlier one (the core's rule).
        this.rejoinSoon();
      } else if (message.type === 'error' && this.awaitingAnswer) {
        this.rejoinSoon();
      }
    } catch (error) {
      console.warn('media signalling failed', error);
      this.rejoinSoon();
    }
  }

  /** The network changed: restart ICE on the same peer connection. */
  async restartIce() {
    const pc = this.pc;
    if (!pc || this.awaitingAnswer || pc.signalingState !== 'stable') return;
    this.restartedIce = true;
    pc.restartIce();
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    this.awaitingAnswer = true;
    this.answerDeadline = Date.now() + 10000;
    this.room.send({ type: 'media_offer', sdp: pc.localDescription?.sdp });
  }

  watch() {
    if (!this.pc || this.stopped) return;
    if (this.awaitingAnswer && Date.now() > (this.answerDeadline ?? 0)) {
      this.rejoinSoon();
      return;
    }
    if (this.troubleSince !== null) {
      const elapsed = Date.now() - this.troubleSince;
      if (elapsed > REJOIN_AFTER_MS) this.rejoinSoon();
      else if (elapsed > ICE_RESTART_AFTER_MS && !this.restartedIce) this.restartIce();
    }
  }

  rejoinSoon() {
    if (this.stopped) return;
    this.teardown();
    this.setState('reconnecting');
    setTimeout(() => {
      if (!this.stopped && this.room.state === 'connected' && !this.pc) this.join();
    }, 1000);
  }

  teardown() {
    this.awaitingAnswer = false;
    this.joining = false;
    if (this.pc) {
      this.pc.onconnectionstatechange = null;
      this.pc.close();
      this.pc = null;
    }
  }

  stop() {
    this.stopped = true;
    clearInterval(this.timer);
    this.room.removeEventListener('media', this.onMedia);
    this.room.removeEventListener('state', this.onRoomState);
    this.room.send({ type: 'media_leave' });
    this.teardown();
    this.setState('stopped');
  }
}
