// A browser and a native participant in the same hearing see and hear each
// other; the browser's media starts over on a reset only when it is its own.

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

    // The server reads the browser's packets itself: its reception reports answer the browser's
    // sender reports, so the browser measures its round trip from them.
    await until(
      'the browser to measure round trips from the server\'s reception reports',
      () => page.evaluate(() => window.testState.reportedRoundTrips),
      (measured) => measured >= 2,
      30,
    );
    // The server writes what the browser receives itself, and reports it: the browser reads
    // sender reports of the native participant's audio and video.
    await until(
      'the browser to read the server\'s sender reports of its audio and video',
      () => page.evaluate(() => window.testState.senderReports),
      (reports) => reports.audio >= 2 && reports.video >= 2,
      30,
    );

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

// The server answers a join before it says anything else about that peer, so
// a media_reset that reaches the page before the answer is about an earlier
// peer (one closed just before, whose end the server noticed late): it must
// not start the media over. One after the answer still does.
test('a reset about an earlier peer does not start the media over, and a reset after the answer does', async () => {
  const court = await startServer();
  const chrome = await browser();
  try {
    const defendant = court.participant('13800000002');
    await court.participantProcess('13800000002', 'blue', 880);
    const context = await chrome.newContext();
    // Between the page and the server: right after each media_join the page is told media_reset.
    let joins = 0;
    let toPage = null;
    await context.routeWebSocket(/\/api\/room/, (page) => {
      toPage = page;
      const server = page.connectToServer();
      page.onMessage((message) => {
        server.send(message);
        if (JSON.parse(String(message)).type === 'media_join') {
          joins += 1;
          page.send(JSON.stringify({ type: 'media_reset' }));
        }
      });
      server.onMessage((message) => page.send(message));
    });
    const page = await context.newPage();
    await page.goto(`${court.url}/test/media.html#token=${await court.token('13800000001')}`);
    const seeing = (frames) => (state) => state.media === 'connected' && state.remote[defendant.id]?.frames > frames;
    await until('the native participant seen', () => page.evaluate(() => window.testState), seeing(10), 60);
    assert.equal(joins, 1, 'joined once: the reset before the answer was left alone');

    // The server dropped the peer: the page closes it, joins again, and sees again.
    toPage.send(JSON.stringify({ type: 'media_reset' }));
    await until('joined again', () => joins, (n) => n === 2);
    const frames = await page.evaluate((id) => window.testState.remote[id].frames, defendant.id);
    await until('seen again after the reset', () => page.evaluate(() => window.testState), seeing(frames + 10), 60);
    assert.equal(joins, 2);
  } finally {
    await chrome.close();
    court.stop();
  }
});
