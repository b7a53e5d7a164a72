// Test support: a real Cloud Trial server (the --demo court), real
// command-line participants, and Debian's Chromium with fake devices.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '../..');
const bin = (name) => join(process.env.CARGO_TARGET_DIR ?? join(root, 'target'), 'debug', name);
export const artifacts = join(root, 'tests', 'artifacts');
mkdirSync(artifacts, { recursive: true });

/**
 * Waits (polling every 100 ms, up to `seconds`) until `ok(value)` holds for the
 * value `read` returns, and returns that value.
 */
export async function until(what, read, ok, seconds = 30) {
  const deadline = Date.now() + seconds * 1000;
  let last;
  while (Date.now() < deadline) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

/** The Whisper model `scripts/install-speech-model` installs. */
export const speechModel = process.env.CLOUDTRIAL_WHISPER_MODEL ?? '/var/tmp/cloudtrial-models/whisper-base';
/** The real Mandarin recording in shared/speech and what is said in it. */
export const speechRecording = join(root, '..', 'shared', 'speech', 'aishell1-BAC009S0764W0121.wav');
export const SPEECH_TRANSCRIPT = '甚至出现交易几乎停滞的情况';

/** Starts `cloudtrial-server --demo` on a free port with a fresh data directory (plus `extra` flags). */
export async function startServer(extra = []) {
  const dir = mkdtempSync(join(tmpdir(), 'cloudtrial-browser-'));
  const child = spawn(bin('cloudtrial-server'), ['--demo', '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'data'), ...extra], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
  });
  let printed = '';
  const url = await new Promise((resolveUrl, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      printed += line + '\n';
      const match = /^Cloud Trial server listening on (\S+)/.exec(line);
      if (match) resolveUrl(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${printed}`)));
  });
  const meeting = /Meeting number \(会议号\): (\d{8})/.exec(printed)[1];
  const court = new Court(url, meeting, dir, child);
  await court.init();
  return court;
}

class Court {
  constructor(url, meeting, dir, child) {
    Object.assign(this, { url, meeting, dir, child, children: [] });
  }

  async api(method, path, body, token) {
    const response = await fetch(this.url + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const value = text ? JSON.parse(text) : null;
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return value;
  }

  async init() {
    this.clerk = (await this.api('POST', '/api/staff/login', { username: 'clerk', password: 'demo1234' })).token;
    const hearings = await this.api('GET', '/api/hearings', undefined, this.clerk);
    this.hearing = hearings.find((h) => h.meeting_number === this.meeting);
  }

  /** The participant with this mobile number. */
  participant(mobile) {
    return this.hearing.participants.find((p) => p.mobile === mobile);
  }

  /**
   * Asks for a login code, as the app does: the challenge the request was
   * answered, and the code read from the SMS outbox.
   */
  async code(mobile, meeting = this.meeting) {
    const newest = (await this.outbox(mobile))[0]?.id ?? 0;
    const { challenge } = await this.api('POST', '/api/login/code', { meeting_number: meeting, mobile });
    return { challenge, code: await this.sentCode(mobile, newest) };
  }

  /**
   * The code in the newest login SMS to `mobile`, as the participant reads it
   * off their phone; waits for one newer than the message `after` (an id).
   */
  async sentCode(mobile, after = 0) {
    const fresh = (m) => m.kind === 'login_code' && m.id > after;
    const outbox = await until(`a login code for ${mobile}`, () => this.outbox(mobile), (messages) => messages.some(fresh));
    return /验证码为：(\d{6})/.exec(outbox.find(fresh).text)[1];
  }

  /** The text messages sent to `mobile`, newest first. */
  async outbox(mobile) {
    return this.api('GET', `/api/sms?mobile=${mobile}`, undefined, this.clerk);
  }

  /**
   * Presses 获取验证码 on `page` and returns the code it sends: never an older
   * one still in the outbox, which the click may reach before the new one.
   */
  async askForCode(page, mobile) {
    const newest = (await this.outbox(mobile))[0]?.id ?? 0;
    await page.click('button[name=send-code]');
    return this.sentCode(mobile, newest);
  }

  /** A participant session token, through 会议号登录. */
  async token(mobile) {
    const { challenge, code } = await this.code(mobile);
    const session = await this.api('POST', '/api/login/verify', { meeting_number: this.meeting, mobile, code, challenge, device: 'pc_browser' });
    return session.token;
  }

  /** The judge (a command-line participant) opens and closes the hearing, then leaves. */
  async closeHearing() {
    const judge = await this.participantProcess('13900000001', 'red', 440);
    await until('the judge in the room', () => judge.last?.room_connection, (c) => c === '已连接', 60);
    judge.send('start');
    await until('庭审中', () => judge.last?.hearing_status, (s) => s === '庭审中');
    judge.send('close');
    await until('已闭庭', () => judge.last?.hearing_status, (s) => s === '已闭庭');
    judge.send('quit');
  }

  /** Starts a `cloudtrial-participant` process in the demo hearing; its JSON status lines are kept. */
  async participantProcess(mobile, colour, tone, extra = []) {
    return this.participantProcessFor(this.meeting, mobile, colour, tone, extra);
  }

  /** The same, in any hearing. */
  async participantProcessFor(meeting, mobile, colour, tone, extra = []) {
    const { challenge, code } = await this.code(mobile, meeting);
    const child = spawn(
      bin('cloudtrial-participant'),
      ['--server', this.url, '--meeting', meeting, '--mobile', mobile, '--code', code, `--challenge=${challenge}`, '--json',
        '--colour', colour, '--tone', String(tone), '--size', '320x240', '--bind', '127.0.0.1',
        '--data-dir', join(this.dir, `cli-${mobile}`), ...extra],
      { stdio: ['pipe', 'pipe', 'ignore'] },
    );
    this.children.push(child);
    const handle = { child, last: null, send: (line) => child.stdin.write(line + '\n') };
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const value = JSON.parse(line);
        if (value.type === 'status') handle.last = value;
      } catch {}
    });
    return handle;
  }

  /**
   * Submits evidence as the app does: declare the file's SHA-256, then send it
   * in one checksummed chunk. Returns the evidence.
   */
  async submitEvidence(token, bytes, details) {
    const created = await this.api('POST', `/api/hearings/${this.hearing.id}/uploads`, {
      length: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), answers: null, description: '', counter: false, ...details,
    }, token);
    const response = await fetch(`${this.url}/api/uploads/${created.upload_id}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/offset+octet-stream',
        'upload-offset': '0',
        'upload-checksum': `sha256 ${createHash('sha256').update(bytes).digest('base64')}`,
      },
      body: bytes,
    });
    const status = await response.json();
    if (!response.ok || !status.evidence) throw new Error(`upload: ${response.status} ${JSON.stringify(status)}`);
    return status.evidence;
  }

  /**
   * A TCP relay in front of the server, so a test can drop a browser's
   * connections: `cut()` closes them all and refuses new ones until `mend()`;
   * `stall()` leaves the ones open now open but carries nothing more on them
   * (a network that stops delivering without a word), while new ones work.
   */
  async relay() {
    const target = new URL(this.url);
    const sockets = new Set();
    const pairs = new Set();
    let open = true;
    const server = createServer((inbound) => {
      if (!open) return inbound.destroy();
      const outbound = connect(Number(target.port), target.hostname);
      pairs.add([inbound, outbound]);
      for (const s of [inbound, outbound]) {
        sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => {
          sockets.delete(s);
          inbound.destroy();
          outbound.destroy();
        });
      }
      inbound.pipe(outbound);
      outbound.pipe(inbound);
    });
    await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
    this.relays = [...(this.relays ?? []), server];
    return {
      url: `http://127.0.0.1:${server.address().port}`,
      cut() {
        open = false;
        for (const s of sockets) s.destroy();
      },
      mend() {
        open = true;
      },
      stall() {
        for (const [inbound, outbound] of pairs) {
          inbound.unpipe(outbound);
          outbound.unpipe(inbound);
          inbound.pause();
          outbound.pause();
        }
        pairs.clear();
      },
    };
  }

  stop() {
    for (const relay of this.relays ?? []) relay.close();
    for (const child of this.children) child.kill();
    this.child.kill('SIGTERM');
  }
}

/** A Y4M clip of one colour (BT.601 studio range), for Chromium's fake camera. */
export function y4m(file, [r, g, b], width = 320, height = 240, frames = 30) {
  const y = Math.round(16 + 0.257 * r + 0.504 * g + 0.098 * b);
  const u = Math.round(128 - 0.148 * r - 0.291 * g + 0.439 * b);
  const v = Math.round(128 + 0.439 * r - 0.368 * g - 0.071 * b);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F15:1 Ip A1:1 C420jpeg\n`);
  const frame = Buffer.concat([
    Buffer.from('FRAME\n'),
    Buffer.alloc(width * height, y),
    Buffer.alloc((width / 2) * (height / 2), u),
    Buffer.alloc((width / 2) * (height / 2), v),
  ]);
  writeFileSync(file, Buffer.concat([header, ...Array(frames).fill(frame)]));
}

/** A WAV file of a sine tone, for Chromium's fake microphone. */
export function wav(file, frequency, seconds = 2, rate = 48000) {
  const samples = rate * seconds;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * frequency * i) / rate) * 8000), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  writeFileSync(file, Buffer.concat([header, data]));
}

/** Debian's Chromium, headless, with fake camera and microphone fed from files. */
export async function browser({ video, audio } = {}) {
  const args = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
    '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required',
  ];
  if (video) args.push(`--use-file-for-fake-video-capture=${video}`);
  if (audio) args.push(`--use-file-for-fake-audio-capture=${audio}`);
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args });
}

/** Logs in with the meeting number on a page and enters the room. */
export async function partyJoins(context, court, mobile, url = court.url) {
  const page = await context.newPage();
  await page.goto(`${url}/?meeting=${court.meeting}`);
  await page.fill('input[name=mobile]', mobile);
  await page.fill('input[name=code]', await court.askForCode(page, mobile));
  await page.click('button[name=login]');
  await page.click('button[name=enter-hearing]');
  await until('connected', () => page.textContent('#connection'), (t) => t === '已连接');
  return page;
}

/** A staff member logs in to the console (at `url`) and opens the demo hearing's page; confirmations are accepted. */
export async function staffOpensHearing(chrome, court, username, viewport, url = court.url) {
  const page = await (await chrome.newContext({ viewport })).newPage();
  page.on('dialog', (d) => d.accept());
  await staffOpensHearingOn(page, court, username, url);
  return page;
}

/** The same on a page of the caller's (a new tab of a browser already in use, say). */
export async function staffOpensHearingOn(page, court, username, url = court.url) {
  await page.goto(`${url}/#/console`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', 'demo1234');
  await page.click('button[name=login]');
  await page.locator('tr', { hasText: court.hearing.case_number }).locator('a', { hasText: '查看' }).click();
}

/** A staff member logs in to the console and enters the demo hearing's room. */
export async function staffEnters(chrome, court, username, viewport, url = court.url) {
  const page = await staffOpensHearing(chrome, court, username, viewport, url);
  await page.click('button[name=enter]');
  await page.click('button[name=enter-hearing]');
  await until('connected', () => page.textContent('#connection'), (t) => t === '已连接');
  return page;
}
