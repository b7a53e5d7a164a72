// Uploading evidence from the browser with the server's resumable protocol:
// the whole file's SHA-256 is declared, then chunks go at the server's offset,
// each with its own checksum; a dropped connection is retried from where the
// server says it stopped.

import { api } from '../api.js';
import { HEADERS, PATHS, path } from '../protocol.js';
import { Sha256 } from '../sha256.js';

const CHUNK = 512 * 1024;
/** Files up to this size are hashed whole by the browser; larger ones piece by piece, never held whole. */
const HASH_WHOLE = 64 * 1024 * 1024;
const HASH_PIECE = 4 * 1024 * 1024;

/** @param {ArrayBuffer} data */
async function sha256(data) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data));
}

/**
 * The file's SHA-256, with `progress(hashed, total)` as it goes.
 * @param {Blob} file
 * @param {(done: number, total: number) => void} progress
 */
export async function fileSha256(file, progress) {
  if (file.size <= HASH_WHOLE) return sha256(await file.arrayBuffer());
  const hasher = new Sha256();
  for (let at = 0; at < file.size; at += HASH_PIECE) {
    progress(at, file.size);
    hasher.update(new Uint8Array(await file.slice(at, at + HASH_PIECE).arrayBuffer()));
  }
  return hasher.digest();
}

/** @param {Uint8Array} bytes */
const hex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
/** @param {Uint8Array} bytes */
const base64 = (bytes) => btoa(String.fromCharCode(...bytes));

/**
 * @typedef {{title: string, description: string, purpose: string, counter: boolean, answers: string|null}} EvidenceDetails
 */

/**
 * Uploads `file` as evidence; `progress(done, total, stage)` as it goes, first while the file is
 * checked (hashed), then while it is sent. Resolves with the evidence.
 * @param {string} token
 * @param {number} hearingId
 * @param {File} file
 * @param {EvidenceDetails} details
 * @param {(done: number, total: number, stage: 'checking'|'sending') => void} progress
 */
export async function uploadEvidence(token, hearingId, file, details, progress) {
  const digest = await fileSha256(file, (done, total) => progress(done, total, 'checking'));
  const created = await api('POST', path(PATHS.uploads, hearingId), {
    token,
    body: { length: file.size, sha256: hex(digest), file_name: file.name, ...details },
  });
  let status = created;
  let failures = 0;
  while (!status.evidence) {
    progress(status.offset, file.size, 'sending');
    const end = Math.min(status.offset + Math.min(CHUNK, status.max_chunk), file.size);
    const chunk = await file.slice(status.offset, end).arrayBuffer();
    try {
      status = await api('PATCH', path(PATHS.upload, created.upload_id), {
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
      const error = /** @type {any} */ (e);
      // Network trouble or a crossed write: ask where the server is and go on from there.
      if ((error.status === 0 || error.status === 409 || error.status === 460 || error.status >= 500) && failures < 8) {
        failures += 1;
        await new Promise((r) => setTimeout(r, 500 * 2 ** Math.min(failures, 5)));
        status = await api('GET', path(PATHS.upload, created.upload_id), { token }).catch(() => status);
        continue;
      }
      throw e;
    }
  }
  progress(file.size, file.size, 'sending');
  return status.evidence;
}
