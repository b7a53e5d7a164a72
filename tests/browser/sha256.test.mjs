// The browser's piecewise SHA-256 (web/js/sha256.js), against Node's.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Sha256, padding } from '../../web/js/sha256.js';

const hex = (/** @type {Uint8Array} */ bytes) => Buffer.from(bytes).toString('hex');

test('every length around a block boundary, fed whole', () => {
  for (let length = 0; length <= 200; length++) {
    const data = randomBytes(length);
    assert.equal(hex(new Sha256().update(data).digest()), createHash('sha256').update(data).digest('hex'), `${length} bytes`);
  }
});

test('a file fed in pieces of any size gives the same hash as fed whole', () => {
  const data = randomBytes(300_007);
  const expected = createHash('sha256').update(data).digest('hex');
  for (const piece of [1, 7, 63, 64, 65, 1000, 4096, 65_537]) {
    const hasher = new Sha256();
    for (let at = 0; at < data.length; at += piece) hasher.update(data.subarray(at, at + piece));
    assert.equal(hex(hasher.digest()), expected, `pieces of ${piece}`);
  }
});

test('the length in bits is written as 64 bits, for files of 512 MB and more', () => {
  // 2^29 + 3 bytes: 2^32 + 24 bits, which no longer fits the low 32 bits.
  const tail = padding(2 ** 29 + 3);
  assert.equal(tail.length, 61);
  assert.equal(tail[0], 0x80);
  assert.deepEqual([...tail.subarray(tail.length - 8)], [0, 0, 0, 1, 0, 0, 0, 24]);
  assert.ok(tail.subarray(1, tail.length - 8).every((b) => b === 0));
  // A tail that does not fit the last block takes another.
  assert.equal(padding(56).length, 72);
  assert.equal(padding(55).length, 9);
});
