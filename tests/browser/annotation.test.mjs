// Issue 14: 圈注. The defendant asks to annotate the plaintiff's photo; the
// presiding judge, on the console, approves under 参与人; the defendant draws
// in Chromium and the plaintiff, in another Chromium, sees the stroke while it
// is drawn, then the mark with the defendant's role and name; the clerk, a
// native participant through the core, gets it too, and its own mark reaches
// every browser; withdrawing mid-stroke clears the stroke everywhere; the
// judge clears a mark; a reload replays every mark; the export downloads.

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
    const approve = (action) => judge.click(`li[data-participant="${defendantId}"] button[name=${action}]`);

    const plaintiff = await partyEnters(chrome, court, '13800000001');
    const defendant = await partyEnters(chrome, court, '13800000002');
    await opens(plaintiff, photo.id);
    await opens(defendant, photo.id);

    // 申请圈注: the judge's side sees the request; until approved the defendant has no tools.
    assert.equal(await defendant.locator('button[name=tool-rectangle]').count(), 0);
    await defendant.click('button[name=request-annotation]');
    await until('waiting for the judge', () => defendant.locator('#annotation-waiting').count(), (n) => n === 1);
    await until('the request in the judge\'s list of people', () => judge.locator(`li[data-participant="${defendantId}"] .flag.annotation`).first().textContent().catch(() => ''), (t) => t === '申请圈注');
    assert.equal(await plaintiff.locator(`li[data-participant="${defendantId}"] button[name=allow-annotation]`).count(), 0, 'only the judge approves');
    await approve('allow-annotation');
    await until('the tools', () => defendant.locator('button[name=tool-rectangle]').count(), (n) => n === 1);
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

    // Withdrawn mid-stroke: the rest is refused and the stroke vanishes everywhere.
    await defendant.click('button[name=tool-ink]');
    await press(defendant, [0.1, 0.1], [0.3, 0.2]);
    await until('the ink for the plaintiff', () => marksOf(plaintiff, '#mark-layer g.preview'), (n) => n === 1);
    await approve('withdraw-annotation');
    await until('the preview gone for the plaintiff', () => marksOf(plaintiff, '#mark-layer g.preview'), (n) => n === 0);
    await until('and for the drawer', () => marksOf(defendant, '#mark-layer g.preview'), (n) => n === 0);
    await until('the tools gone', () => defendant.locator('button[name=request-annotation]').count(), (n) => n === 1);
    await defendant.mouse.move(10, 10);
    await defendant.mouse.up();
    assert.equal(await marksOf(defendant), 2, 'nothing was committed after the withdrawal');

    // 撤销 is one's own only: the defendant asks again and is refused.
    await defendant.click('button[name=request-annotation]');
    await until('waiting again', () => defendant.locator('#annotation-waiting').count(), (n) => n === 1);
    await approve('refuse-annotation');
    await until('refused', () => defendant.locator('button[name=request-annotation]').count(), (n) => n === 1);

    // The judge clears the clerk's arrow from the viewer's list of marks.
    await opens(judge, photo.id);
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
