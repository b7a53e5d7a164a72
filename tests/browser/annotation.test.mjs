// Issue 14: 圈注. The defendant asks to annotate the plaintiff's photo; the
// presiding judge, on the console, is told wherever they are in the room,
// opens the item and approves with the viewer open; the defendant draws
// in Chromium and the plaintiff, in another Chromium, sees the stroke while it
// is drawn, then the mark with the defendant's role and name; the clerk, a
// native participant through the core, gets it too, and its own mark reaches
// every browser; withdrawing mid-stroke clears the stroke everywhere; the
// judge clears a mark; a reload replays every mark; the export downloads.
// A stroke given up or left unfinished vanishes for everyone; 申请圈注 is
// offered only while the hearing runs; the viewer follows a withdrawal.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { artifacts, browser, partyJoins, staffEnters, startServer, until } from './court.mjs';

const DESKTOP = { width: 1366, height: 768 };

/** A PNG of a receipt-like picture: white with a dark block where a signature would be. */
function receipt(width = 800, height = 600) {
  const raw = Buffer.alloc((width * 3 + 1) * height, 255);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    for (let x = 0; x < width; x++) {
      if (x > 450 && x < 700 && y > 400 && y < 500) raw.fill(40, y * (width * 3 + 1) + 1 + x * 3, y * (width * 3 + 1) + 4 + x * 3);
    }
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buffer) => {
    let c = 0xffffffff;
    for (const b of buffer) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** A party on a PC, in the room; the 文字 tool's question is answered. */
async function partyEnters(chrome, court, mobile) {
  const page = await partyJoins(await chrome.newContext({ viewport: DESKTOP }), court, mobile);
  page.on('dialog', (d) => d.accept());
  return page;
}

async function opens(page, evidenceId) {
  await page.click('button[name=tab-evidence]');
  await page.locator(`li[data-evidence="${evidenceId}"] button[name=open-evidence]`).click();
  await until('the photo in the viewer', () => page.locator('#mark-layer').count(), (n) => n === 1);
}

/** Drags across the picture from one fraction of it to another, `steps` moves apart, without letting go. */
async function press(page, [x1, y1], [x2, y2], steps = 12) {
  const box = await page.locator('#mark-layer').boundingBox();
  await page.mouse.move(box.x + box.width * x1, box.y + box.height * y1);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * x2, box.y + box.height * y2, { steps });
}

const marksOf = (page, selector = '#mark-layer g.mark:not(.preview)') => page.locator(selector).count();

test('a party annotates the evidence with the judge\'s approval and everyone sees it as it is drawn', async () => {
  const court = await startServer();
  const chrome = await browser();
  const id = (mobile) => court.participant(mobile).id;
  const defendantId = id('13800000002');
  try {
    const photo = await court.submitEvidence(await court.token('13800000001'), receipt(), {
      file_name: '收条.png', title: '收条', purpose: '证明已付款',
    });
    const judge = await staffEnters(chrome, court, 'judge', DESKTOP);
    await judge.click('button[name=start]');
    await until('庭审中', () => judge.textContent('#hearing-status'), (t) => t === '庭审中');
    const clerk = await court.participantProcess('13900000002', 'red', 440);
    await until('the clerk in the room', () => clerk.last?.room_connection, (c) => c === '已连接', 60);
    const told = (page) => page.locator('#annotation-told p').textContent().catch(() => '');

    const plaintiff = await partyEnters(chrome, court, '13800000001');
    const defendant = await partyEnters(chrome, court, '13800000002');
    await opens(plaintiff, photo.id);
    await opens(defendant, photo.id);

    // 申请圈注: the judge is told whichever tab is open, of who asks and for which item; until approved the defendant has no tools.
    assert.equal(await defendant.locator('button[name=tool-rectangle]').count(), 0);
    await judge.click('button[name=tab-record]');
    await defendant.click('button[name=request-annotation]');
    await until('waiting for the judge', () => defendant.locator('#annotation-waiting').count(), (n) => n === 1);
    const request = judge.locator(`#annotation-requests li[data-participant="${defendantId}"]`);
    await until('the request, wherever the judge is', () => request.locator('p').textContent().catch(() => ''), (t) => t === '被告 李四 申请圈注「收条」');
    assert.equal(await judge.locator(`li[data-participant="${defendantId}"] .flag.annotation`).first().textContent(), '申请圈注', 'and under 参与人');
    assert.equal(await plaintiff.locator('#annotation-requests').count(), 0, 'only the judge is asked');
    assert.equal(await plaintiff.locator(`li[data-participant="${defendantId}"] button[name=allow-annotation]`).count(), 0, 'only the judge approves');
    // The judge looks at the item and answers with the viewer open.
    await request.locator('button[name=view-requested-evidence]').click();
    await until('the photo in the judge\'s viewer', () => judge.locator('#mark-layer').count(), (n) => n === 1);
    assert.equal(await judge.textContent('#viewer-title'), '收条');
    await judge.screenshot({ path: join(artifacts, 'annotation-request.png') });
    await request.locator('button[name=allow-annotation]').click();
    await until('the tools', () => defendant.locator('button[name=tool-rectangle]').count(), (n) => n === 1);
    await until('the defendant told', () => told(defendant), (t) => t.startsWith('法官已同意您圈注'));
    await defendant.screenshot({ path: join(artifacts, 'annotation-allowed.png') });
    await until('the request answered', () => judge.locator('#annotation-requests').count(), (n) => n === 0);
    // The toolbar may be drawn again meanwhile: a replaced button, no longer in the page, has no style.
    const blue = await until('the blue button in the page', () => defendant.locator('button[name=colour-blue]').evaluate((b) => (b.isConnected ? getComputedStyle(b).backgroundColor : '')), (c) => c !== '');
    assert.equal(blue, 'rgb(31, 95, 214)', 'the colour buttons show their colour');

    // A rectangle around the signature: the plaintiff watches it grow, then it is a mark with its author.
    await defendant.click('button[name=tool-rectangle]');
    await defendant.click('button[name=colour-blue]');
    await press(defendant, [0.55, 0.62], [0.9, 0.86]);
    await until('the stroke while it is drawn', () => marksOf(plaintiff, `#mark-layer g.preview[data-author="${defendantId}"]`), (n) => n === 1);
    await defendant.mouse.up();
    await until('the mark', () => marksOf(plaintiff), (n) => n === 1);
    assert.equal(await marksOf(plaintiff, '#mark-layer g.preview'), 0, 'the preview gave way to the mark');
    assert.equal(await plaintiff.locator('#mark-layer g.mark .mark-author').textContent(), '被告 李四');
    assert.match(await plaintiff.locator('#mark-list li').first().textContent(), /被告 李四\s+矩形/);
    const rect = await plaintiff.locator('#mark-layer g.mark rect').boundingBox();
    const layer = await plaintiff.locator('#mark-layer').boundingBox();
    assert.ok(Math.abs((rect.x - layer.x) / layer.width - 0.55) < 0.02, 'drawn where the defendant drew it, in the picture\'s own coordinates');
    await until('the native participant has it too', () => clerk.last?.marks ?? [], (marks) => marks.length === 1 && marks[0].author === '被告 李四');

    // The clerk's own mark (no request needed) reaches the browsers.
    clerk.send(`mark ${photo.id}`);
    await until('the clerk\'s arrow for the plaintiff', () => marksOf(plaintiff), (n) => n === 2);
    await until('and for the defendant', () => marksOf(defendant), (n) => n === 2);
    await plaintiff.screenshot({ path: join(artifacts, 'annotation.png') });
    await defendant.screenshot({ path: join(artifacts, 'annotation-tools.png') });

    // While a stroke is drawn only the stroke is drawn again, for the drawer and for those watching:
    // the marks already there, and their list, stay as they are.
    const probe = (page) => page.evaluate(() => {
      window.probes = [document.querySelector('#mark-layer g.mark[data-mark]'), document.querySelector('#mark-list li')];
    });
    const untouched = (page) => page.evaluate(() => window.probes.every((e) => e?.isConnected));
    await probe(defendant);
    await probe(plaintiff);
    await defendant.click('button[name=tool-ink]');
    await press(defendant, [0.1, 0.1], [0.3, 0.2]);
    await until('the ink for the plaintiff', () => marksOf(plaintiff, '#mark-layer g.preview'), (n) => n === 1);
    const box = await defendant.locator('#mark-layer').boundingBox();
    let x = 0.3;
    await until('the stroke grown for the plaintiff', async () => {
      x += 0.005;
      await defendant.mouse.move(box.x + box.width * x, box.y + box.height * 0.3);
      return plaintiff.locator('#mark-layer g.preview polyline').getAttribute('points');
    }, (p) => p.split(' ').length > 13);
    assert.ok(await untouched(defendant), 'the drawer\'s marks were not drawn again as the pointer moved');
    assert.ok(await untouched(plaintiff), 'nor the plaintiff\'s as the stroke came');

    // Withdrawn mid-stroke (from the judge's viewer): the rest is refused and the stroke vanishes everywhere.
    await judge.locator(`#annotation-permissions li[data-participant="${defendantId}"] button[name=withdraw-annotation]`).click();
    await until('the preview gone for the plaintiff', () => marksOf(plaintiff, '#mark-layer g.preview'), (n) => n === 0);
    await until('and for the drawer', () => marksOf(defendant, '#mark-layer g.preview'), (n) => n === 0);
    await until('the tools gone', () => defendant.locator('button[name=request-annotation]').count(), (n) => n === 1);
    await until('the defendant told why', () => told(defendant), (t) => t === '法官已收回您的圈注权限。');
    await defendant.mouse.move(10, 10);
    await defendant.mouse.up();
    assert.equal(await marksOf(defendant), 2, 'nothing was committed after the withdrawal');

    // The defendant asks again and is refused, with the viewer open on the judge's side.
    await defendant.click('button[name=request-annotation]');
    await until('waiting again', () => defendant.locator('#annotation-waiting').count(), (n) => n === 1);
    await request.locator('button[name=refuse-annotation]').click();
    await until('refused', () => defendant.locator('button[name=request-annotation]').count(), (n) => n === 1);
    await until('the defendant told', () => told(defendant), (t) => t === '法官拒绝了您的圈注申请。');
    await defendant.click('button[name=dismiss-annotation-notice]');
    assert.equal(await defendant.locator('#annotation-notices').isHidden(), true, '知道了 puts it away');

    // The judge clears the clerk's arrow from the viewer's list of marks.
    await until('the marks for the judge', () => marksOf(judge), (n) => n === 2);
    await judge.locator('#mark-list li', { hasText: '书记员' }).locator('button[name=clear-mark]').click();
    await until('cleared for the plaintiff', () => marksOf(plaintiff), (n) => n === 1);
    await until('and for the clerk', () => clerk.last?.marks ?? [], (marks) => marks.length === 1);

    // A reload (a dropped browser, a late joiner) gets every mark back.
    await plaintiff.reload();
    await plaintiff.click('button[name=enter-hearing]');
    await until('connected', () => plaintiff.textContent('#connection'), (t) => t === '已连接');
    await opens(plaintiff, photo.id);
    await until('the mark replayed', () => marksOf(plaintiff), (n) => n === 1);

    // The annotated picture for the case file.
    const download = plaintiff.waitForEvent('download');
    await plaintiff.click('button[name=export-marks]');
    const file = await download;
    assert.equal(file.suggestedFilename(), '收条-圈注.png');
    const saved = await file.path();
    const bytes = (await import('node:fs')).readFileSync(saved);
    assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
    assert.ok(bytes.readUInt32BE(20) > 600, 'taller than the photo: the legend of who drew what is below it');
  } finally {
    await chrome.close();
    court.stop();
  }
});

/** The judge as a command-line participant, the hearing started. */
async function judgeStarts(court) {
  const judge = await court.participantProcess('13900000001', 'red', 440);
  await until('the judge in the room', () => judge.last?.room_connection, (c) => c === '已连接', 60);
  judge.send('start');
  await until('庭审中', () => judge.last?.hearing_status, (s) => s === '庭审中');
  return judge;
}

/** 申请圈注 in the viewer and the judge's 通过: the tools appear. */
async function allowed(page, judge, participantId) {
  await page.click('#annotation-tools button[name=request-annotation]');
  await until('waiting for the judge', () => page.locator('#annotation-waiting').count(), (n) => n === 1);
  judge.send(`allow-annotation ${participantId}`);
  await until('the tools', () => page.locator('button[name=tool-rectangle]').count(), (n) => n === 1);
}

test('a stroke its drawer gives up or leaves unfinished vanishes for everyone', async () => {
  const court = await startServer();
  const chrome = await browser();
  const defendantId = court.participant('13800000002').id;
  const previews = (page) => marksOf(page, `#mark-layer g.preview[data-author="${defendantId}"]`);
  try {
    const photo = await court.submitEvidence(await court.token('13800000001'), receipt(), {
      file_name: '收条.png', title: '收条', purpose: '证明已付款',
    });
    const judge = await judgeStarts(court);
    const plaintiff = await partyEnters(chrome, court, '13800000001');
    const defendant = await partyEnters(chrome, court, '13800000002');
    await opens(plaintiff, photo.id);
    await opens(defendant, photo.id);
    await allowed(defendant, judge, defendantId);

    // A rectangle dragged out and back to where it began is too small to keep: it goes for the watcher too.
    await defendant.click('button[name=tool-rectangle]');
    await press(defendant, [0.2, 0.2], [0.5, 0.5]);
    await until('the rectangle for the plaintiff', () => previews(plaintiff), (n) => n === 1);
    const box = await defendant.locator('#mark-layer').boundingBox();
    await defendant.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.2, { steps: 12 });
    await defendant.mouse.up();
    await until('the rectangle gone for the plaintiff', () => previews(plaintiff), (n) => n === 0);

    // The pointer or touch cancelled mid-stroke (a call coming in, the palm on the screen).
    await defendant.click('button[name=tool-ink]');
    await press(defendant, [0.1, 0.6], [0.4, 0.7]);
    await until('the ink for the plaintiff', () => previews(plaintiff), (n) => n === 1);
    await defendant.locator('#mark-layer').dispatchEvent('pointercancel');
    await until('the ink gone for the plaintiff', () => previews(plaintiff), (n) => n === 0);
    assert.equal(await marksOf(defendant, '#mark-layer g.preview'), 0, 'and for the drawer');
    await defendant.mouse.up();

    // The drawer's tab closed mid-stroke: the server takes the stroke away.
    await press(defendant, [0.1, 0.3], [0.6, 0.4]);
    await until('the last ink for the plaintiff', () => previews(plaintiff), (n) => n === 1);
    await defendant.close();
    await until('the stroke gone with its drawer', () => previews(plaintiff), (n) => n === 0);
    assert.equal(await marksOf(plaintiff), 0, 'none of it became a mark');
  } finally {
    await chrome.close();
    court.stop();
  }
});

test('申请圈注 is offered while the hearing runs, messages stay until acted on, and the viewer follows a withdrawal', async () => {
  const court = await startServer();
  const chrome = await browser();
  const plaintiffId = court.participant('13800000001').id;
  const defendantId = court.participant('13800000002').id;
  try {
    const plaintiffToken = await court.token('13800000001');
    const photo = await court.submitEvidence(plaintiffToken, receipt(), { file_name: '收条.png', title: '收条', purpose: '证明已付款' });
    const defendant = await partyEnters(chrome, court, '13800000002');
    const told = () => defendant.locator('#annotation-told p').textContent().catch(() => '');
    const request = defendant.locator('#annotation-tools button[name=request-annotation]');
    const later = () => defendant.locator('#annotation-later').textContent().catch(() => '');

    // Before 开始 the server would refuse a request: none is offered, and the party reads why.
    await opens(defendant, photo.id);
    assert.equal(await later(), '庭审开始后可申请圈注。');
    assert.equal(await request.count(), 0);
    const judge = await judgeStarts(court);
    await until('申请圈注 once the hearing runs', () => request.count(), (n) => n === 1);
    await allowed(defendant, judge, defendantId);

    // A message stays through changes of the room that do not concern it, until the party acts.
    await defendant.click('button[name=undo-mark]');
    const message = () => defendant.textContent('#annotation-notice');
    assert.equal(await message(), '没有可撤销的圈注');
    judge.send(`mute ${plaintiffId}`);
    await until('the room changed', () => defendant.locator(`li[data-participant="${plaintiffId}"] .flag.muted`).count(), (n) => n === 1);
    assert.equal(await message(), '没有可撤销的圈注', 'still there after the room changed');
    await defendant.click('button[name=tool-rectangle]');
    assert.equal(await message(), '', 'gone once the party acts');

    // 休庭 ends the permission: the party is told why the tools went, and asks again after 继续.
    judge.send('adjourn');
    await until('the tools gone', () => defendant.locator('button[name=tool-rectangle]').count(), (n) => n === 0);
    await until('told why', told, (t) => t === '已休庭，您的圈注权限已结束；继续开庭后可重新申请圈注。');
    assert.equal(await later(), '休庭中，继续开庭后可申请圈注。');
    assert.equal(await request.count(), 0);
    judge.send('resume');
    await until('申请圈注 again', () => request.count(), (n) => n === 1);
    await until('the 休庭 message gone with the 休庭', () => defendant.locator('#annotation-notices').isHidden(), (hidden) => hidden);

    // The plaintiff withdraws the photo while the defendant draws on it: the viewer says so and the tools go.
    await allowed(defendant, judge, defendantId);
    await court.api('POST', `/api/evidence/${photo.id}/withdraw`, {}, plaintiffToken);
    await until('已撤回 in the viewer', () => defendant.locator('#viewer-withdrawn').isVisible(), (v) => v);
    await until('no tools on a withdrawn item', () => defendant.locator('button[name=tool-rectangle]').count(), (n) => n === 0);
    assert.equal(await defendant.textContent('#annotation-withdrawn'), '该证据已撤回，不能圈注。');

    // Opened again, a withdrawn item offers no 申请圈注.
    judge.send(`withdraw-annotation ${defendantId}`);
    await until('told', told, (t) => t === '法官已收回您的圈注权限。');
    await defendant.click('button[name=close-viewer]');
    await opens(defendant, photo.id);
    assert.equal(await defendant.locator('#viewer-withdrawn').isVisible(), true);
    assert.equal(await defendant.textContent('#annotation-withdrawn'), '该证据已撤回，不能圈注。');
    assert.equal(await request.count(), 0);
  } finally {
    await chrome.close();
    court.stop();
  }
});
