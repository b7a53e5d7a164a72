// A browser and a native participant in the same hearing see and hear each other.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, browser, startServer, until, wav, y4m } from './court.mjs';

test('a browser and a native participant see and hear each other', async () => {
  const court = await startServer();
  const chrome = await browser({
    video: (y4m(join(court.dir, 'red.y4m'), [220, 40, 40]), join(court.dir, 'red.y4m')),
    audio: (wav(join(court.dir, 'tone660.wav'), 660), join(court.dir, 'tone660.wav')),
  });
  try {
    const plaintiff = court.participant('13800000001');
    const defendant = court.participant('13800000002');
    const native = await court.participantProcess('13800000002', 'blue', 880);
    const page = await chrome.newPage();
    page.on('console', (m) => m.type() === 'error' && console.log('page:', m.text()));
    await page.goto(`${court.url}/test/media.html#token=${await court.token('13800000001')}`);

    // The browser decodes the native participant's blue picture and hears its 880 Hz tone: all
    // of its audio (50 packets a second, against 15 pictures), not a packet now and then.
    const seen = await until(
      'the browser to see and hear the native participant',
      () => page.evaluate(() => window.testState),
      (state) => {
        const r = state.remote[defendant.id];
        return r && r.frames > 30 && r.colour === 'blue' && r.tone && Math.abs(r.tone - 880) < 15 && state.framesDecoded > 30
          && state.audioPackets > 2 * state.framesDecoded;
      },
      60,
    );
    assert.equal(seen.error, null);
    assert.equal(seen.media, 'connected');

    // The native participant decodes the browser's red picture and hears its 660 Hz tone.
    const status = await until(
      'the native participant to see and hear the browser',
      () => native.last,
      (last) => {
        const r = last?.received.find((x) => x.participant_id === plaintiff.id);
        return r && r.video_frames > 30 && r.colour === 'red' && Math.abs(r.tone_hz - 660) < 15;
      },
      60,
    );
    assert.equal(status.received.find((x) => x.participant_id === plaintiff.id).label, '原告 张三');
    await page.screenshot({ path: join(artifacts, 'media-browser.png') });
  } finally {
    await chrome.close();
    court.stop();
  }
});
