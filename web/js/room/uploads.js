// Uploading evidence from the browser with the server's resumable protocol:
// the whole file's SHA-256 is declared, then chunks go at the server's offset,
// each with its own checksum; a dropped connection is retried from where the
// server says it stopped.

import { api } from '../api.js';
import { HEADERS, PATHS, path } from '../protocol.js';
import { fileSha256, hex } from '../sha256.js';

const CHUNK = 512 * 1024;

/** @param {ArrayBuffer} data */
async function sha256(data) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data));
}

/** @param {Uint8Array} bytes */
const base64 = (bytes) => btoa(String.fromCharCode(...bytes));

/**
 * @typedef {{title: string, description: string, purpose: string, counter: boolean, answers: string|null}} EvidenceDetails
 */

/** The longest wait between tries while the network is down. */
const WAIT_MAX_MS = 10_000;
/** Where uploads under way are remembered (by what they send), so a submit again continues one. */
const UNDER_WAY = 'cloudtrial.uploads';

/**
 * The upload under way for `key`; `id` given: remembers it (null: forgets it).
 * @param {string} key
 * @param {string|null} [id]
 * @returns {string|null}
 */
function underWay(key, id) {
  try {
    /** @type {Record<string, string>} */
    const all = JSON.parse(localStorage.getItem(UNDER_WAY) ?? '{}');
    if (id === undefined) return all[key] ?? null;
    if (id === null) delete all[key];
    else all[key] = id;
    localStorage.setItem(UNDER_WAY, JSON.stringify(all));
  } catch {
    // Not kept (storage full or refused): a submit again starts afresh.
  }
  return id ?? null;
}

/**
 * Waits before a request is tried again, or throws `error` if it should not be: the network's
 * trouble is waited out however long it lasts (`offline` is told), a crossed write or a server
 * error a few times.
 * @param {any} error
 * @param {number} failures
 * @param {() => void} offline
 */
async function pause(error, failures, offline) {
  const networkDown = error?.status === 0;
  const passing = error?.status === 409 || error?.status === 460 || error?.status >= 500;
  if (!networkDown && !(passing && failures <= 8)) throw error;
  if (networkDown) offline();
  await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** Math.min(failures, 5), WAIT_MAX_MS)));
}

/**
 * `request`, tried again while the network is down.
 * @template T
 * @param {() => Promise<T>} request
 * @param {() => void} offline
 * @returns {Promise<T>}
 */
async function persistently(request, offline) {
  for (let failures = 1; ; failures++) {
    try {
      return await request();
    } catch (e) {
      await pause(e, failures, offline);
    }
  }
}

/**
 * Uploads `file` as evidence; `progress(done, total, stage)` as it goes: while the file is checked
 * (hashed), while it is sent, and while the network is down (sending goes on once it is back).
 * A submit again of the same file with the same details, after a failure or a reload, continues
 * the upload already under way. Resolves with the evidence.
 * @param {string} token
 * @param {number} hearingId
 * @param {File} file
 * @param {EvidenceDetails} details
 * @param {(done: number, total: number, stage: 'checking'|'sending'|'waiting') => void} progress
 */
export async function uploadEvidence(token, hearingId, file, details, progress) {
  const sha = hex(await fileSha256(file, (done, total) => progress(done, total, 'checking')));
  const key = JSON.stringify([hearingId, sha, file.size, details]);
  let sent = 0;
  const offline = () => progress(sent, file.size, 'waiting');
  const earlier = underWay(key);
  /** @type {any} */
  let status = earlier
    ? await persistently(() => api('GET', path(PATHS.upload, earlier), { token }), offline).catch(() => underWay(key, null))
    : null;
  if (!status) {
    const body = { length: file.size, sha256: sha, file_name: file.name, ...details };
    status = await persistently(() => api('POST', path(PATHS.uploads, hearingId), { token, body }), offline);
    underWay(key, status.upload_id);
  }
  const id = status.upload_id;
  for (let failures = 0; !status.evidence;) {
    sent = status.offset;
    progress(sent, file.size, 'sending');
    const end = Math.min(status.offset + Math.min(CHUNK, status.max_chunk), file.size);
    const chunk = await file.slice(status.offset, end).arrayBuffer();
    try {
      status = await api('PATCH', path(PATHS.upload, id), {
        token,
        raw: chunk,
        headers: {
          [HEADERS.uploadOffset]: String(status.offset),
          [HEADERS.uploadChecksum]: `sha256 ${base64(await sha256(chunk))}`,
          'content-type': HEADERS.uploadContentType,
        },
      });
      failures = 0;
    } catch (e) {
      // Network trouble or a crossed write: ask where the server is and go on from there.
      await pause(e, ++failures, offline);
      status = await persistently(() => api('GET', path(PATHS.upload, id), { token }), offline);
    }
  }
  underWay(key, null);
  progress(file.size, file.size, 'sending');
  return status.evidence;
}
