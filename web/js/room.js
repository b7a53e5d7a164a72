// The hearing room's WebSocket: authenticates with `hello`, keeps the room's
// latest view, reconnects with backoff when the network drops, and relays
// media signalling. Message shapes are those of protocol/src/signalling.rs.

import { browserDevice } from './device.js';
import { PATHS, PROTOCOL_VERSION } from './protocol.js';

/** How long a request waits for the server's answer before the connection is taken as dropped. */
const ANSWER_TIMEOUT_MS = 10_000;
const MAX_BACKOFF_MS = 5000;

/**
 * @typedef {import('./protocol.js').RoomParticipant} RoomParticipant
 * @typedef {import('./protocol.js').RoomView} RoomView
 * @typedef {'connecting'|'connected'|'reconnecting'|'replaced'|'ended'} RoomConnectionState
 */

/** Labels the room's connection states for people. */
export const CONNECTION_LABELS = {
  connecting: '正在连接',
  connected: '已连接',
  reconnecting: '重新连接中',
  replaced: '您已在其他设备进入庭审',
  ended: '已离开庭审',
};

export class RoomConnection extends EventTarget {
  /**
   * @param {string} token participant session token
   * @param {import('./protocol.js').DeviceKind} [device] device kind sent in hello
   */
  constructor(token, device = browserDevice()) {
    super();
    this.token = token;
    this.device = device;
    /** @type {RoomConnectionState} */
    this.state = 'connecting';
    /** @type {RoomView|null} */
    this.room = null;
    /** @type {string|null} why the room ended, when it did */
    this.endReason = null;
    /** Whether it ended because the login behind it ended (the party must log in again). */
    this.loginEnded = false;
    /** @type {WebSocket|null} */
    this.socket = null;
    this.attempt = 0;
    this.nextRequest = 1;
    /** @type {Map<number, {resolve: (v: number|null) => void, reject: (e: Error) => void}>} */
    this.pending = new Map();
    /** @type {object|null} device state to send again after every reconnect */
    this.deviceState = null;
    this.closed = false;
  }

  connect() {
    const url = new URL(PATHS.room, window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url);
    this.socket = socket;
    let welcomed = false;
    socket.onopen = () => {
      socket.send(JSON.stringify({ type: 'hello', token: this.token, protocol_version: PROTOCOL_VERSION, device: this.device }));
    };
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      switch (message.type) {
        case 'welcome':
          welcomed = true;
          this.attempt = 0;
          if (this.deviceState) socket.send(JSON.stringify(this.deviceState));
          this.setState('connected');
          break;
        case 'room':
          this.room = message.room;
          this.dispatchEvent(new CustomEvent('room', { detail: message.room }));
          break;
        case 'notice':
          this.dispatchEvent(new CustomEvent('notice', { detail: message.notice }));
          break;
        case 'speech':
        case 'speech_history':
          this.dispatchEvent(new CustomEvent('speech', { detail: message }));
          break;
        case 'marks':
        case 'mark_added':
        case 'mark_removed':
        case 'mark_preview':
        case 'preview_cleared':
          this.dispatchEvent(new CustomEvent('marks', { detail: message }));
          break;
        case 'command_result':
        case 'annotation_result': {
          const waiter = this.pending.get(message.request_id);
          this.pending.delete(message.request_id);
          if (waiter) {
            if (message.error) waiter.reject(new Error(message.error.message));
            else waiter.resolve(message.mark_id ?? null);
          }
          break;
        }
        case 'error':
          if (!welcomed) {
            this.finish('ended', message.error.message);
          }
          this.dispatchEvent(new CustomEvent('media', { detail: message }));
          break;
        case 'replaced':
          this.finish('replaced', CONNECTION_LABELS.replaced);
          break;
        case 'ended':
          this.loginEnded = message.code === 'session_expired';
          this.finish('ended', message.reason);
          break;
        case 'media_answer':
        case 'media_offer':
        case 'media_reset':
          this.dispatchEvent(new CustomEvent('media', { detail: message }));
          break;
      }
    };
    socket.onclose = () => this.lost(socket);
  }

  /**
   * The connection `socket` is gone (closed, or taken as dropped): try again, unless this
   * connection ended for good.
   * @param {WebSocket} socket
   */
  lost(socket) {
    if (this.socket !== socket) return;
    this.socket = null;
    this.failPending();
    if (this.closed || this.state === 'replaced' || this.state === 'ended') return;
    this.attempt += 1;
    this.setState('reconnecting');
    const backoff = Math.min(250 * 2 ** Math.min(this.attempt, 5), MAX_BACKOFF_MS);
    setTimeout(() => {
      if (!this.closed) this.connect();
    }, backoff * (1 + Math.random() / 4));
  }

  /** @param {RoomConnectionState} state */
  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.dispatchEvent(new CustomEvent('state', { detail: state }));
  }

  /**
   * @param {RoomConnectionState} state
   * @param {string} reason
   */
  finish(state, reason) {
    this.endReason = reason;
    this.setState(state);
    this.socket?.close();
  }

  failPending() {
    // The request may have reached the server and only its answer been lost.
    for (const waiter of this.pending.values()) waiter.reject(new Error('网络连接已断开，操作可能未完成，请在重新连接后查看'));
    this.pending.clear();
  }

  /**
   * Sends a message if connected.
   * @param {object} message
   * @returns {boolean}
   */
  send(message) {
    if (this.state !== 'connected' || !this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /**
   * Gives a judge command; rejects with the server's reason when refused.
   * @param {object} command e.g. {action: 'block', participant_id: 3}
   * @returns {Promise<void>}
   */
  command(command) {
    return this.ask({ type: 'command', command }).then(() => undefined);
  }

  /**
   * Sends a request (its `request_id` added) and waits for the server's answer:
   * a mark's id or null; rejects with the server's reason when refused.
   * @param {object} message
   * @returns {Promise<number|null>}
   */
  ask(message) {
    const request_id = this.nextRequest++;
    const socket = this.socket;
    return new Promise((resolve, reject) => {
      if (!this.send({ ...message, request_id })) {
        reject(new Error('未连接到庭审'));
        return;
      }
      this.pending.set(request_id, { resolve, reject });
      // No answer: the network stopped delivering without closing the connection. It is
      // taken as dropped (重新连接中), rather than left showing 已连接 while nothing arrives.
      setTimeout(() => {
        if (!this.pending.has(request_id) || !socket || this.socket !== socket) return;
        socket.close();
        this.lost(socket);
      }, ANSWER_TIMEOUT_MS);
    });
  }

  /**
   * Reports the camera and microphone switches (sent again after reconnects).
   * @param {boolean} cameraOn
   * @param {boolean} microphoneOn
   */
  setDeviceState(cameraOn, microphoneOn) {
    this.deviceState = { type: 'device_state', camera_on: cameraOn, microphone_on: microphoneOn, camera_facing: 'front' };
    this.send(this.deviceState);
  }

  close() {
    this.closed = true;
    this.failPending();
    this.socket?.close();
  }
}
