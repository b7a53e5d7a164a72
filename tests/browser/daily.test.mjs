// Issue 12: the hearing room and the console as a court uses them every day,
// walked by a judge on a 1920×1080 screen, a clerk and a party on 1366×768
// PCs and a party on a 390×844 phone: the judge's controls on every tab and
// the confirmations, the large evidence viewer beside the video, muted tiles,
// what 闭庭 disables, a blocked party whose page recovers when summoned,
// login messages, the landing page, the clerk's wide record view, the
// incomplete PDF, and the QR signing page that does not punish a slow reader.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { artifacts, browser, partyJoins, staffEnters, staffOpensHearing, startServer, until, wav, y4m } from './court.mjs';

const shot = (page, name) => page.screenshot({ path: join(artifacts, `${name}.png`) });
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
const DESKTOP = { width: 1366, height: 768 };
const WIDE = { width: 1920, height: 1080 };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, userAgent: IPHONE };

/** A real PDF of `pages` pages with a line of text each (uncompressed, as a scanner might write it). */
function pdf(pages) {
  const objects = ['<< /Type /Catalog /Pages 2 0 R >>'];
  const kids = Array.from({ length: pages }, (_, i) => `${4 + i * 2} 0 R`).join(' ');
  objects.push(`<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`);
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  for (let i = 0; i < pages; i++) {
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${5 + i * 2} 0 R >>`);
    const text = `BT /F1 36 Tf 72 700 Td (IOU page ${i + 1}) Tj ET`;
    objects.push(`<< /Length ${text.length} >>\nstream\n${text}\nendstream`);
  }
  let out = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** Texts that run past the edge of their column (or of the page). */
function overflowing(page) {
  return page.evaluate(() => {
    const bad = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width + 1) bad.push(`the page is ${document.documentElement.scrollWidth}px wide in ${width}px`);
    for (const element of document.querySelectorAll('.room-head *, .room aside *, .room .center *, .card *, ct-evidence-viewer *')) {
      if (!element.checkVisibility() || !element.childNodes.length || getComputedStyle(element).position === 'fixed') continue;
      const column = element.closest('.room-head, aside, .center, .card, ct-evidence-viewer');
      // What a strip scrolls sideways on purpose is not running past an edge.
      let scroller = element.parentElement;
      while (scroller && scroller !== column && !['auto', 'scroll'].includes(getComputedStyle(scroller).overflowX)) scroller = scroller.parentElement;
      if (scroller && scroller !== column) continue;
      const box = element.getBoundingClientRect();
      const edge = column.getBoundingClientRect();
      if (box.width && (box.right > edge.right + 1 || box.left < edge.left - 1)) {
        bad.push(`${element.tagName.toLowerCase()}.${element.className} "${element.textContent.slice(0, 30)}" ${Math.round(box.left)}–${Math.round(box.right)} outside ${Math.round(edge.left)}–${Math.round(edge.right)}`);
      }
    }
    return bad.slice(0, 8);
  });
}

const visible = (page, selector) => page.locator(selector).isVisible();

test('the judge: controls on every tab, the evidence viewer beside the video, muted tiles, and 闭庭 confirmed and final', async () => {
  const court = await startServer();
  const camera = join(court.dir, 'camera.y4m');
  y4m(camera, [40, 60, 220], 640, 360);
  const microphone = join(court.dir, 'microphone.wav');
  wav(microphone, 550);
  const chrome = await browser({ video: camera, audio: microphone });
  const ids = Object.fromEntries(court.hearing.participants.map((p) => [p.name, p.id]));
  try {
    // The parties' evidence, from the app: a photo, a two-page IOU, and the defendant's counter-evidence to the photo.
    const plaintiff = await court.token('13800000001');
    const defendant = await court.token('13800000002');
    const judge = await staffEnters(chrome, court, 'judge', WIDE);
    // A phone photo of a delivery note.
    const photoFile = join(court.dir, 'photo.jpg');
    const camera = await chrome.newPage({ viewport: { width: 1600, height: 1200 } });
    await camera.setContent(`<body style="margin:0;background:#7a6a55;display:flex;align-items:center;justify-content:center;height:100vh">
      <div style="background:#fbf8ef;width:1000px;height:1000px;transform:rotate(-4deg);padding:60px;box-sizing:border-box;font:40px serif;box-shadow:0 20px 40px #0008">
      <h1 style="text-align:center;letter-spacing:20px">送货单</h1><p>收货单位：李四商贸有限公司</p><p>货物：办公桌椅 二十套</p><p>金额：人民币伍万元整</p>
      <p>送货日期：2025年3月8日</p><p style="margin-top:160px;text-align:right">收货人签字：李四</p></div></body>`);
    await camera.screenshot({ path: photoFile, type: 'jpeg', quality: 80 });
    await camera.close();
    const photo = await court.submitEvidence(plaintiff, (await import('node:fs')).readFileSync(photoFile), { title: '现场照片', purpose: '证明交货现场的情况', file_name: 'IMG_0001.jpg' });
    const iou = await court.submitEvidence(plaintiff, pdf(2), { title: '借条', purpose: '证明被告借款五万元', file_name: 'jietiao.pdf' });
    const hash = 'f'.repeat(0);
    const answer = await court.submitEvidence(defendant, pdf(1), {
      title: '收条', purpose: '证明借款已部分归还', file_name: 'shoutiao.pdf', counter: true, answers: photo.id, description: hash,
    });

    const pc = await partyJoins(await chrome.newContext({ viewport: DESKTOP }), court, '13800000001');
    const phone = await partyJoins(await chrome.newContext(PHONE), court, '13800000002');

    // ---- The judge's controls stay in view whatever tab is open.
    for (const tab of ['evidence', 'record', 'people']) {
      await judge.click(`button[name=tab-${tab}]`);
      assert.ok(await visible(judge, '#judge-controls button[name=start]'), `开始 visible on the ${tab} tab`);
    }
    await judge.click('button[name=start]');
    await until('庭审中', () => pc.textContent('#hearing-status'), (t) => t === '庭审中');
    await judge.click('button[name=tab-evidence]');
    assert.ok(await visible(judge, '#judge-controls button[name=adjourn]') && await visible(judge, '#judge-controls button[name=close]'));

    // ---- Counter-evidence says what it answers, with a link to it.
    const counter = judge.locator(`li[data-evidence="${answer.id}"]`);
    await counter.waitFor();
    assert.equal((await counter.locator('.answers').textContent()).trim(), '针对：原告证据「现场照片」');

    // ---- The evidence viewer: most of the window, the video wall beside it.
    await counter.locator('button[name=answered]').click();
    await until('the photo in the viewer', () => judge.textContent('#viewer-title'), (t) => t === '现场照片');
    await until('the picture loaded', () => judge.$eval('#viewer-image', (i) => i.naturalWidth).catch(() => 0), (w) => w > 0);
    await shot(judge, 'evidence-viewer-image');
    const viewer = await judge.locator('ct-evidence-viewer').boundingBox();
    assert.ok(viewer.width > WIDE.width * 0.7 && viewer.height > WIDE.height * 0.8, `a large viewer: ${JSON.stringify(viewer)}`);
    const tiles = await judge.locator('ct-tiles .tile:not([hidden])').evaluateAll((ts) => ts.map((t) => t.getBoundingClientRect().toJSON()));
    assert.ok(tiles.length >= 2, 'the video wall is there');
    for (const tile of tiles) {
      assert.ok(tile.width > 100 && tile.left >= viewer.x + viewer.width && tile.bottom <= WIDE.height, `a tile beside the viewer, not under it: ${JSON.stringify(tile)}`);
    }
    await judge.click('button[name=zoom-in]');
    await judge.click('button[name=zoom-in]');
    assert.equal(await judge.textContent('#zoom-level'), '156%');
    const before = await judge.locator('#viewer-image').boundingBox();
    await judge.mouse.move(before.x + before.width / 2, before.y + before.height / 2);
    await judge.mouse.down();
    await judge.mouse.move(before.x + before.width / 2 + 120, before.y + before.height / 2 + 40, { steps: 5 });
    await judge.mouse.up();
    const panned = await judge.locator('#viewer-image').boundingBox();
    assert.ok(Math.abs(panned.x - before.x - 120) < 3, `dragging pans: ${before.x} → ${panned.x}`);
    assert.ok(await visible(judge, 'ct-evidence-viewer button[name=release-original]'), '公开原件 for the judge');
    await shot(judge, 'evidence-viewer-zoomed');
    // Next and previous item with the keyboard; a PDF pages through.
    await judge.keyboard.press('ArrowRight');
    await until('the next item', () => judge.textContent('#viewer-title'), (t) => t === '借条');
    await until('the PDF shown', () => judge.textContent('#page-number').catch(() => ''), (t) => t === '第 1 / 2 页');
    await judge.click('button[name=next-page]');
    await until('page 2', () => judge.textContent('#page-number'), (t) => t === '第 2 / 2 页');
    assert.equal(await judge.getAttribute('#viewer-page', 'alt'), '借条 第2页');
    await until('the page drawn', () => judge.locator('#viewer-page').evaluate((img) => img.complete && img.naturalWidth), (w) => w > 0);
    await shot(judge, 'evidence-viewer-pdf');
    await judge.keyboard.press('ArrowLeft');
    await until('the previous item', () => judge.textContent('#viewer-title'), (t) => t === '现场照片');
    await judge.keyboard.press('Escape');
    await judge.locator('ct-evidence-viewer').waitFor({ state: 'hidden' });
    assert.ok(!(await judge.locator('.room').getAttribute('class')).includes('viewing'), 'the wall is back in place');

    // Everyone in the hearing can use it: a party on a phone, the video in a strip above.
    await phone.click('button[name=tab-evidence]');
    await phone.locator(`li[data-evidence="${iou.id}"] button[name=open-evidence]`).click();
    await until('the IOU on the phone, as page pictures like the PC', () => phone.textContent('#page-number').catch(() => ''), (t) => t === '第 1 / 2 页');
    const strip = await phone.locator('ct-tiles').boundingBox();
    const phoneViewer = await phone.locator('ct-evidence-viewer').boundingBox();
    assert.ok(strip.height > 60 && Math.abs(strip.y + strip.height - phoneViewer.y) <= 1, 'the video strip right above the viewer, nothing of the room between them');
    assert.deepEqual(await overflowing(phone), []);
    await until('the page picture drawn', () => phone.$eval('ct-evidence-viewer img.evidence-image', (img) => img.complete && img.naturalWidth).catch(() => 0), (w) => w > 0);
    await shot(phone, 'evidence-viewer-phone');
    await phone.click('button[name=close-viewer]');
    // The other side's photo: the copy without metadata, not the original.
    await pc.click('button[name=tab-evidence]');
    await pc.locator(`li[data-evidence="${answer.id}"] button[name=open-evidence]`).click();
    await until('the counter-evidence for the plaintiff', () => pc.textContent('#viewer-title'), (t) => t === '收条');
    await pc.keyboard.press('Escape');
    await phone.locator(`li[data-evidence="${photo.id}"] button[name=open-evidence]`).click();
    await until('the photo on the phone', () => phone.textContent('#viewer-title'), (t) => t === '现场照片');
    assert.ok(await visible(phone, 'button[name=download-copy]') && !(await visible(phone, 'button[name=download-original]')));
    // Two fingers spread on the photo zoom it in, as a phone's own photo viewer does.
    assert.equal(await phone.textContent('ct-evidence-viewer .hint'), '双指缩放，拖动平移');
    const stage = await phone.locator('ct-evidence-viewer .viewer-stage').boundingBox();
    const [cx, cy] = [stage.x + stage.width / 2, stage.y + stage.height / 2];
    const touch = await phone.context().newCDPSession(phone);
    const fingers = (type, apart) => touch.send('Input.dispatchTouchEvent', {
      type, touchPoints: type === 'touchEnd' ? [] : [{ id: 1, x: cx - apart / 2, y: cy }, { id: 2, x: cx + apart / 2, y: cy }],
    });
    await fingers('touchStart', 40);
    for (const apart of [80, 120, 160]) await fingers('touchMove', apart);
    await fingers('touchEnd');
    await until('pinched in', () => phone.textContent('#zoom-level'), (t) => parseInt(t, 10) >= 300);
    // 圈注 comes first under the picture on a phone, the details after it.
    const tools = await phone.locator('#annotation-tools').boundingBox();
    const purpose = await phone.locator('ct-evidence-viewer .viewer-info p', { hasText: '证明目的' }).boundingBox();
    assert.ok(tools.y < purpose.y, '圈注 above the details');
    await phone.click('button[name=close-viewer]');

    // ---- Long hashes and texts stay inside their columns.
    assert.deepEqual(await overflowing(pc), [], 'the PC at 1366×768');
    assert.deepEqual(await overflowing(phone), [], 'the phone');
    assert.deepEqual(await overflowing(judge), [], 'the judge at 1920×1080');
    assert.equal(await pc.locator(`li[data-evidence="${iou.id}"] .hash-view`).getAttribute('title'), iou.sha256, 'the whole hash on hover');

    // ---- An enlarged tile keeps its picture whole, the others in a strip.
    const tile = judge.locator(`[data-tile="${ids['张三']}"]`);
    await until('the plaintiff on the wall', () => tile.isVisible(), Boolean, 60);
    await tile.dblclick();
    assert.equal(await tile.locator('video').evaluate((v) => getComputedStyle(v).objectFit), 'contain');
    const big = await tile.boundingBox();
    const others = await judge.locator('ct-tiles .tile:not(.enlarged):not([hidden])').evaluateAll((ts) => ts.map((t) => t.getBoundingClientRect().toJSON()));
    assert.ok(others.length >= 1 && others.every((o) => o.width > 80 && o.top >= big.y + big.height - 1), `the others in a strip: ${JSON.stringify(others)}`);
    await shot(judge, 'room-enlarged');
    await tile.dblclick();

    // ---- 静音: the judge sees the muted icon; the party is told and their button says so.
    await judge.click('button[name=tab-people]');
    await judge.click(`li[data-participant="${ids['张三']}"] button[name=mute]`);
    await until('the muted icon on the tile', () => tile.locator('.mic-off').isVisible(), Boolean);
    assert.equal(await tile.locator('.mic-off').getAttribute('title'), '已被法官静音');
    await until('the party told', () => visible(pc, '#muted-notice'), Boolean);
    assert.equal(await pc.textContent('#muted-notice'), '您已被法官静音');
    assert.equal(await pc.textContent('button[name=toggle-audio]'), '已被法官静音');
    assert.ok(await pc.locator('button[name=toggle-audio]').isDisabled());
    await shot(pc, 'room-muted-party');
    await judge.click(`li[data-participant="${ids['张三']}"] button[name=unmute]`);
    await until('unmuted', () => pc.textContent('button[name=toggle-audio]'), (t) => t === '关闭麦克风');
    await shot(judge, 'room-judge-wide');

    // ---- 闭庭 asks first, and cannot be undone; after it, nothing offered that cannot be done.
    await judge.click('button[name=close]');
    await judge.locator('#confirm-dialog').waitFor();
    assert.match(await judge.textContent('#confirm-dialog'), /不能再继续开庭/);
    await shot(judge, 'close-confirmation');
    await judge.click('#confirm-dialog button[name=cancel]');
    assert.equal(await pc.textContent('#hearing-status'), '庭审中', 'cancelled: still in session');
    await judge.click('button[name=close]');
    await judge.click('#confirm-dialog button[name=confirm]');
    await until('已闭庭', () => pc.textContent('#hearing-status'), (t) => t === '已闭庭');
    await until('no more judge controls', () => judge.locator('#judge-controls button').count(), (n) => n === 0);
    assert.equal(await judge.locator('#participants button').count(), 0, 'no 屏蔽 or 静音 after 闭庭');
    assert.equal(await pc.textContent('#upload-closed'), '庭审已结束，不能再提交证据。');
    assert.equal(await pc.locator('form.upload').count(), 0);
    assert.equal(await pc.locator('#evidence .opinion-form, #evidence button', { hasText: '撤回' }).count(), 0, 'no 撤回 after 闭庭');
    assert.equal(await phone.locator('#evidence .opinion-form').count(), 0, 'no 质证意见 after 闭庭');
    assert.equal(await judge.textContent('#banner'), '庭审已结束（已闭庭）。', 'the court signs nothing');
    assert.equal(await pc.textContent('#banner'), '庭审已结束（已闭庭）：不能再提交证据；笔录可在“庭审笔录”中阅读，需要您签名时会提示。');
    // Media ends for good: no pictures, the camera and microphone let go, and no reconnecting to a hearing that is over.
    for (const page of [judge, pc, phone]) {
      await until('media ended', () => page.textContent('#media-ended').catch(() => ''), (t) => t === '庭审已结束，音视频已关闭');
      assert.equal(await page.textContent('#connection'), '已连接');
      assert.equal(await page.locator('#tiles .tile').count(), 0, 'no pictures after 闭庭');
      assert.ok(await page.$eval('ct-room', (room) => !room.media && (room.stream?.getTracks() ?? []).every((t) => t.readyState === 'ended')),
        'no media link; camera and microphone stopped');
    }
    await shot(pc, 'room-closed-party');

    // 退出 asks too.
    await pc.click('button[name=leave]');
    await pc.locator('#confirm-dialog').waitFor();
    await pc.click('#confirm-dialog button[name=cancel]');
    assert.ok(await visible(pc, '#hearing-status'), 'still in the room');
    // Leaving lands on 会议号登录 with the meeting number still filled in.
    await pc.click('button[name=leave]');
    await pc.click('#confirm-dialog button[name=confirm]');
    await until('会议号登录', () => pc.inputValue('input[name=meeting]').catch(() => ''), (v) => v === String(court.meeting));
  } finally {
    await chrome.close();
    court.stop();
  }
});

test('a party who reloads while blocked gets every panel back when summoned', async () => {
  const court = await startServer();
  const chrome = await browser();
  const ids = Object.fromEntries(court.hearing.participants.map((p) => [p.name, p.id]));
  try {
    const plaintiff = await court.token('13800000001');
    await court.submitEvidence(plaintiff, pdf(1), { title: '借条', purpose: '证明被告借款五万元', file_name: 'jietiao.pdf' });
    await court.api('PUT', `/api/hearings/${court.hearing.id}/record`, {
      base_version: null,
      content: { header: { case_number: court.hearing.case_number, case_title: '', time: '', place: '', judges: [], clerk: '', present: [] }, paragraphs: [{ speaker: '审判长', text: '现在开庭。' }] },
    }, court.clerk);
    const judge = await court.participantProcess('13900000001', 'red', 440);
    await until('the judge in the room', () => judge.last?.room_connection, (c) => c === '已连接', 60);
    judge.send('start');

    const party = await partyJoins(await chrome.newContext({ viewport: DESKTOP }), court, '13800000002');
    judge.send(`block ${ids['李四']}`);
    await party.waitForSelector('#blocked:not([hidden])');
    // The page is reloaded while blocked: still blocked, nothing of the hearing.
    await party.reload();
    await party.click('button[name=enter-hearing]');
    await until('blocked after the reload', () => party.textContent('#blocked p').catch(() => ''), (t) => t.trim() === '您已被屏蔽，请等待法官传唤');
    assert.ok(await visible(party, '#blocked button[name=leave-blocked]'), 'a blocked party can still leave');
    await shot(party, 'blocked-after-reload');

    // 传唤: every panel comes back without a reload.
    judge.send(`summon ${ids['李四']}`);
    await party.waitForSelector('#blocked', { state: 'hidden' });
    await party.click('button[name=tab-record]');
    await until('the record', () => party.locator('#record .record-document').textContent().catch(() => ''), (t) => t.includes('审判长：现在开庭。'));
    await party.click('button[name=tab-evidence]');
    await party.locator('li.evidence', { hasText: '借条' }).waitFor();
    await until('the case in the header', () => party.textContent('.room-head .case'), (t) => t.includes(court.hearing.case_number));
    await shot(party, 'summoned-after-reload');
    judge.send('quit');
  } finally {
    await chrome.close();
    court.stop();
  }
});

test('logging in: one message at a time, and how long a lockout lasts; login codes on the console in a trial', async () => {
  const court = await startServer();
  const chrome = await browser();
  try {
    // A wrong meeting number: the code "sent" notice gives way to the error.
    const pc = await (await chrome.newContext({ viewport: DESKTOP })).newPage();
    const wrong = court.meeting === '12345678' ? '12345679' : '12345678';
    await pc.goto(`${court.url}/?meeting=${wrong}`);
    await pc.fill('input[name=mobile]', '13800000001');
    await pc.click('button[name=send-code]');
    await until('the notice', () => pc.textContent('form .notice'), (t) => t.includes('验证码已发送'));
    await pc.fill('input[name=code]', '123456');
    await pc.click('button[name=login]');
    await until('the error', () => pc.textContent('form .error'), (t) => t === '会议号、手机号或验证码不正确，或验证码已失效');
    assert.equal(await pc.textContent('form .notice'), '', 'not 已发送 and an error at once');
    await shot(pc, 'login-wrong-meeting');

    // Five wrong codes: the lockout says how long it lasts. The code belongs to the
    // challenge this tab was given, which a reload keeps.
    await pc.goto(`${court.url}/?meeting=${court.meeting}`);
    await pc.fill('input[name=mobile]', '13800000001');
    await pc.click('button[name=send-code]');
    await until('the notice', () => pc.textContent('form .notice'), (t) => t.includes('验证码已发送'));
    await pc.reload();
    await pc.fill('input[name=mobile]', '13800000001');
    for (let i = 0; i < 5; i++) {
      await pc.fill('input[name=code]', '000000');
      // Each attempt is answered before the next is made.
      await Promise.all([pc.waitForResponse((r) => r.url().endsWith('/api/login/verify')), pc.click('button[name=login]')]);
    }
    await until('the lockout', () => pc.textContent('form .error'), (t) => /^验证码错误次数过多，该验证码已失效，请于\d+秒后重新获取验证码$/.test(t));
    await shot(pc, 'login-locked');

    // The console's hearing page shows what the outbox holds: in a trial, the code itself.
    const clerk = await (await chrome.newContext({ viewport: DESKTOP })).newPage();
    await clerk.goto(`${court.url}/#/console`);
    await clerk.fill('input[name=username]', 'clerk');
    await clerk.fill('input[name=password]', 'demo1234');
    await clerk.click('button[name=login]');
    await clerk.locator('tr', { hasText: court.hearing.case_number }).locator('a', { hasText: '查看' }).click();
    const codeSms = clerk.locator('.sms-item', { hasText: '登录验证码' }).first();
    await codeSms.waitFor();
    assert.match(await codeSms.locator('.sms-text').textContent(), /验证码为：\d{6}/, 'the trial code is readable, as the README says');
    // A party asks for a code while the page is open: 刷新 shows it, without reloading the page.
    const before = await clerk.locator('.sms-item').count();
    await court.code('13800000002');
    await clerk.click('button[name=refresh-hearing]');
    await until('the new code listed', () => clerk.locator('.sms-item').count(), (n) => n === before + 1);
    assert.deepEqual(await overflowing(clerk), []);
    await shot(clerk, 'console-sms-codes');
  } finally {
    await chrome.close();
    court.stop();
  }
});

test('the console lists what the latest search found, even when an earlier list arrives after it', async () => {
  const court = await startServer();
  const chrome = await browser();
  try {
    const clerk = await (await chrome.newContext({ viewport: DESKTOP })).newPage();
    // Counts the hearing lists the page has read: once the count says so, the page has handled them.
    await clerk.addInitScript(() => {
      const text = Response.prototype.text;
      Response.prototype.text = function () {
        const list = new URL(this.url).pathname === '/api/hearings';
        return text.call(this).then((body) => {
          if (list) window.listsRead = (window.listsRead ?? 0) + 1;
          return body;
        });
      };
    });
    // The list the console asks for when it opens is held back.
    let hold;
    const opening = new Promise((resolve) => { hold = resolve; });
    let held = false;
    await clerk.route((url) => url.pathname === '/api/hearings' && !url.searchParams.has('case_number'), (route) => {
      if (held) return route.continue();
      held = true;
      hold(route);
    });
    await clerk.goto(`${court.url}/#/console`);
    await clerk.fill('input[name=username]', 'clerk');
    await clerk.fill('input[name=password]', 'demo1234');
    await clerk.click('button[name=login]');
    const stale = await opening;
    // Meanwhile the clerk searches for a case number no hearing has, and is answered first.
    await clerk.fill('input[name=case-number]', '（2099）津0101民初1号');
    await until('the search answered', () => clerk.textContent('.list'), (t) => t === '没有庭审');
    // Then the opening list arrives, with the demo's hearing in it.
    const response = await stale.fetch();
    assert.ok((await response.json()).some((h) => h.meeting_number === court.meeting), 'the held list has a hearing to show');
    await stale.fulfill({ response });
    await until('the held list read', () => clerk.evaluate(() => window.listsRead), (n) => n === 2);
    assert.equal(await clerk.textContent('.list'), '没有庭审', 'the older list did not replace the search\'s');
    assert.equal(await clerk.locator('tbody tr').count(), 0);

    // A list as long as the server gives says so, and a long 案由 keeps each hearing on one line.
    const [real] = await court.api('GET', '/api/hearings?filter=all', undefined, court.clerk);
    const long = '北京某某科技股份有限公司诉天津某某投资管理有限公司、上海某某贸易有限公司、张某某买卖合同纠纷';
    const many = Array.from({ length: 500 }, (_, i) => ({ ...real, id: real.id + i, case_title: i % 2 ? real.case_title : long }));
    await clerk.route((url) => url.pathname === '/api/hearings' && url.searchParams.get('filter') === 'all', (route) => route.fulfill({ json: many }));
    await clerk.fill('input[name=case-number]', '');
    await clerk.locator('button.tab', { hasText: '全部' }).click();
    await until('the limit said', () => clerk.textContent('#list-limit').catch(() => ''), (t) => t === '仅列出500场庭审，请输入案号查找其余的庭审');
    const heights = await clerk.$$eval('table.hearing-list tbody tr', (rows) => rows.slice(0, 4).map((r) => r.getBoundingClientRect().height));
    assert.ok(Math.max(...heights) - Math.min(...heights) < 1, `one line each: ${heights}`);
  } finally {
    await chrome.close();
    court.stop();
  }
});

test('取消庭审, 修改庭审 and 重发通知 are offered only to staff who booked the hearing or sit in it, and 预定 only to those who may book, as the server allows', async () => {
  const court = await startServer();
  const chrome = await browser();
  try {
    const admin = (await court.api('POST', '/api/staff/login', { username: 'admin', password: 'demo1234' })).token;
    await court.api('POST', '/api/staff', { username: 'judge2', name: '赵法官', role: 'judge', password: 'another good one' }, admin);
    const [hearing] = await court.api('GET', '/api/hearings?filter=all', undefined, court.clerk);
    for (const [username, password, manages] of [['judge', 'demo1234', true], ['judge2', 'another good one', false], ['admin', 'demo1234', false]]) {
      const page = await (await chrome.newContext({ viewport: DESKTOP })).newPage();
      await page.goto(`${court.url}/#/console`);
      await page.fill('input[name=username]', username);
      await page.fill('input[name=password]', password);
      await page.click('button[name=login]');
      await page.waitForSelector('tbody tr');
      assert.equal(await page.locator('a[name=book]').count(), username === 'admin' ? 0 : 1, `${username}: 预定网上开庭 only for those who may book`);
      await page.goto(`${court.url}/#/console/hearing/${hearing.id}`);
      await page.waitForSelector('#meeting-number');
      assert.equal(await page.locator('button[name=cancel-hearing]').count(), manages ? 1 : 0, username);
      assert.equal(await page.locator('a[name=edit-hearing]').count(), manages ? 1 : 0, username);
      assert.equal(await page.locator('button[name=resend]').count(), manages ? hearing.participants.length : 0, username);
      assert.equal(await page.locator('button[name=enter]').count(), manages ? 1 : 0, `${username}: enters only a hearing they sit in`);
    }
    const judge2 = (await court.api('POST', '/api/staff/login', { username: 'judge2', password: 'another good one' })).token;
    await assert.rejects(court.api('POST', `/api/hearings/${hearing.id}/cancel`, {}, judge2), /403/);
    await assert.rejects(court.api('PATCH', `/api/hearings/${hearing.id}`, { courtroom: '第九法庭' }, judge2), /403/);

    // 工作人员账号: the administrator lists accounts, adds one, and unlocks a username locked by wrong passwords
    // (the lock message says 联系管理员解锁).
    for (let i = 0; i < 5; i++) await assert.rejects(court.api('POST', '/api/staff/login', { username: 'judge2', password: 'wrong' }));
    await assert.rejects(court.api('POST', '/api/staff/login', { username: 'judge2', password: 'another good one' }), /锁定/);
    const page = await (await chrome.newContext({ viewport: DESKTOP })).newPage();
    page.on('dialog', (d) => d.accept());
    await page.goto(`${court.url}/#/console`);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', 'demo1234');
    await page.click('button[name=login]');
    await page.click('a[name=staff]');
    await page.locator('tr[data-username="judge2"]').waitFor();
    assert.match(await page.textContent('li[data-username="judge2"]'), /错误5次　锁定至/);
    await page.click('li[data-username="judge2"] button[name=unlock]');
    await until('unlocked', () => page.locator('li[data-username="judge2"]').count(), (n) => n === 0);
    await court.api('POST', '/api/staff/login', { username: 'judge2', password: 'another good one' });
    await page.fill('form input[name=username]', 'clerk2');
    await page.fill('form input[name=name]', '周书记');
    await page.selectOption('form select[name=role]', 'clerk');
    await page.fill('form input[name=password]', 'a good long password');
    await page.click('button[name=create-staff]');
    await page.locator('tr[data-username="clerk2"]').waitFor();
    assert.equal(await page.textContent('tr[data-username="clerk2"] td:nth-child(3)'), '书记员');
    const { token } = await court.api('POST', '/api/staff/login', { username: 'clerk2', password: 'a good long password' });
    // 停用: the account's open session ends and it cannot log in; 启用 lets it in again; 重设密码 ends its sessions too.
    await page.click('tr[data-username="clerk2"] button[name=disable]');
    await until('stopped', () => page.textContent('tr[data-username="clerk2"]'), (t) => t.includes('已停用'));
    await assert.rejects(court.api('GET', '/api/staff/me', undefined, token), /401/);
    await assert.rejects(court.api('POST', '/api/staff/login', { username: 'clerk2', password: 'a good long password' }), /该账号已停用/);
    assert.equal(await page.locator('tr[data-username="admin"] button[name=disable]').count(), 0, 'no 停用 for oneself');
    await page.click('tr[data-username="clerk2"] button[name=enable]');
    await until('in use again', () => page.textContent('tr[data-username="clerk2"]'), (t) => t.includes('正常'));
    const again = await court.api('POST', '/api/staff/login', { username: 'clerk2', password: 'a good long password' });
    page.removeAllListeners('dialog');
    page.on('dialog', (d) => (d.type() === 'prompt' ? d.accept('a brand new password') : d.accept()));
    await page.click('tr[data-username="clerk2"] button[name=reset-password]');
    await until('the old session over', () => court.api('GET', '/api/staff/me', undefined, again.token).then(() => 'open', () => 'over'), (t) => t === 'over');
    await court.api('POST', '/api/staff/login', { username: 'clerk2', password: 'a brand new password' });
    await shot(page, 'console-staff');
  } finally {
    await chrome.close();
    court.stop();
  }
});

test('修改庭审: the clerk moves the hearing, removes a party and adds one; each is told by SMS, and the log records the edit', async () => {
  const court = await startServer();
  const chrome = await browser();
  try {
    // The plaintiff is in the room meanwhile.
    const party = await partyJoins(await chrome.newContext({ viewport: DESKTOP }), court, '13800000001');
    await until('the room header', () => party.textContent('.room-head .meta'), (t) => t.includes(court.hearing.courtroom));
    const clerk = await staffOpensHearing(chrome, court, 'clerk', DESKTOP);
    await clerk.waitForSelector('#meeting-number');
    await clerk.click('a[name=edit-hearing]');
    await clerk.waitForSelector('button[name=save-edit]');
    assert.equal(await clerk.inputValue('input[name=courtroom]'), court.hearing.courtroom, 'the form starts from the hearing as booked');

    // Nothing changed: nothing is sent.
    await clerk.click('button[name=save-edit]');
    await until('told there is nothing to save', () => clerk.textContent('form .error'), (t) => t.includes('没有需要保存的修改'));

    await clerk.fill('input[name=courtroom]', '第五法庭');
    await clerk.fill('input[name=date]', '2027-01-15');
    await clerk.fill('input[name=time]', '14:30');
    const defendant = court.hearing.participants.find((p) => p.name === '李四');
    await clerk.check(`tr[data-participant="${defendant.id}"] input[name=remove]`);
    await clerk.click('button[name=add-participant]');
    const added = clerk.locator('tr.participant').last();
    await added.locator('select[name=role]').selectOption('defendant');
    await added.locator('input[name=name]').fill('李五');
    await added.locator('input[name=mobile]').fill('1380000');
    await clerk.click('button[name=save-edit]');
    await until('a wrong number caught before sending', () => clerk.textContent('form .error'), (t) => t.includes('手机号“1380000”格式不正确'));
    await added.locator('input[name=mobile]').fill('13800000077');
    await clerk.click('button[name=save-edit]');

    await clerk.waitForSelector('#meeting-number');
    await until('the new courtroom and time', () => clerk.textContent('section.card'), (t) => t.includes('2027-01-15 14:30') && t.includes('第五法庭'));
    await until('the party in the room sees them too', () => party.textContent('.room-head .meta'), (t) => t.includes('2027-01-15 14:30') && t.includes('第五法庭'));
    const names = await clerk.$$eval('table.participants tbody tr', (rows) => rows.map((r) => r.children[1].textContent));
    assert.deepEqual(names.sort(), ['张三', '李书记', '李五', '王法官'].sort());
    const sms = await clerk.$$eval('.sms-item', (items) => items.map((i) => i.textContent));
    const sent = (/** @type {string} */ kind, /** @type {string} */ mobile) => sms.filter((t) => t.includes(kind) && t.includes(mobile));
    assert.equal(sent('移除通知', '13800000002').length, 1, sms.join('\n'));
    assert.equal(sent('庭审通知', '13800000077').length, 1, 'the one added gets the meeting number');
    assert.ok(sent('庭审通知', '13800000077')[0].includes(court.meeting));
    for (const mobile of ['13900000001', '13900000002', '13800000001']) {
      const changed = sent('变更通知', mobile);
      assert.equal(changed.length, 1, `${mobile}: ${sms.join('\n')}`);
      assert.ok(changed[0].includes('第五法庭'), changed[0]);
    }
    assert.equal(sms.filter((t) => t.includes('变更通知')).length, 3, 'no change notice to the one removed or the one added');
    await clerk.click('details summary');
    assert.ok((await clerk.textContent('ol.events')).includes('修改庭审'));
  } finally {
    await chrome.close();
    court.stop();
  }
});

test('after 闭庭 a party with nothing to sign is told so at login; the landing page offers what is configured, and the phone\'s way on a phone', async () => {
  const court = await startServer();
  const chrome = await browser();
  try {
    const pc = await (await chrome.newContext({ viewport: DESKTOP })).newPage();
    // 闭庭 with nothing to sign: the defendant logging in is told so, not left waiting for an SMS.
    await court.closeHearing();
    const phone = await (await chrome.newContext(PHONE)).newPage();
    await phone.goto(`${court.url}/?meeting=${court.meeting}`);
    assert.equal(await phone.textContent('#join-hint'), '登录后先进行设备检测，再进入庭审。请允许浏览器使用摄像头和麦克风，并保持网络畅通。', 'no PC hint on a phone');
    await phone.fill('input[name=mobile]', '13800000002');
    await phone.fill('input[name=code]', await court.askForCode(phone, '13800000002'));
    await phone.click('button[name=login]');
    await until('told it is over', () => phone.textContent('form .error'), (t) => t === '本次庭审已闭庭，您没有待签名的笔录，无需再登录');
    assert.deepEqual(await overflowing(phone), []);
    await shot(phone, 'login-after-close');

    // The landing page: only what is configured; on a phone, the phone's way.
    await pc.goto(`${court.url}/ots/download/${court.meeting}`);
    const pcText = await pc.textContent('body');
    assert.ok(pcText.includes('电脑（浏览器）') && !pcText.includes('下载安卓客户端') && !pcText.includes('App Store'), pcText);
    await shot(pc, 'landing-pc');
    await phone.goto(`${court.url}/ots/download/${court.meeting}`);
    const phoneText = await phone.textContent('body');
    assert.ok(phoneText.includes('用手机浏览器进入网上庭审') && !phoneText.includes('电脑'), phoneText);
    await shot(phone, 'landing-phone');
    await phone.click('a.button');
    assert.equal(await phone.inputValue('input[name=meeting]'), court.meeting);
  } finally {
    await chrome.close();
    court.stop();
  }
});

test('a hearing cancelled with a party in the room lets go of the camera and microphone at once, and logging in again says it was cancelled', async () => {
  const court = await startServer();
  const chrome = await browser();
  try {
    const party = await partyJoins(await chrome.newContext({ viewport: DESKTOP }), court, '13800000001');
    await until('the camera on', () => party.$eval('ct-room', (room) => (room.stream?.getTracks() ?? []).filter((t) => t.readyState === 'live').length), (n) => n === 2);
    await court.api('POST', `/api/hearings/${court.hearing.id}/cancel`, {}, court.clerk);
    await until('told', () => party.textContent('#banner'), (t) => t === '庭审已取消');
    await until('media ended', () => party.textContent('#media-ended').catch(() => ''), (t) => t === '庭审已取消');
    assert.ok(await party.$eval('ct-room', (room) => !room.media && (room.stream?.getTracks() ?? []).every((t) => t.readyState === 'ended')),
      'no media link; camera and microphone stopped');
    assert.equal(await party.locator('#tiles .tile').count(), 0, 'not even their own picture');
    assert.ok(!(await visible(party, '#hearing-status')), 'no 未开庭 beside 庭审已取消');

    // Logging in again: told once the code is proven, not that the code was wrong.
    const again = await (await chrome.newContext({ viewport: DESKTOP })).newPage();
    await again.goto(`${court.url}/?meeting=${court.meeting}`);
    await again.fill('input[name=mobile]', '13800000001');
    await again.fill('input[name=code]', await court.askForCode(again, '13800000001'));
    await again.click('button[name=login]');
    await until('told it was cancelled', () => again.textContent('form .error'), (t) => t === '本次庭审已取消，无需再登录');
  } finally {
    await chrome.close();
    court.stop();
  }
});

test('the clerk writes in a wide room view; 发起签名 after 休庭; an incomplete PDF says so; the signing page keeps a slow reader signing', async () => {
  const court = await startServer();
  const chrome = await browser();
  try {
    const clerk = await staffEnters(chrome, court, 'clerk', DESKTOP);
    await clerk.click('button[name=tab-record]');
    await clerk.locator('#paragraphs .paragraph-row').first().waitFor();
    const column = await clerk.locator('.room aside.right').boundingBox();
    assert.ok(column.width > 680, `wide enough to write in: ${column.width}`);
    // The video stays: the clerk's own tile is shown once the camera starts (it may still be starting here).
    await clerk.locator('ct-tiles .tile').first().waitFor({ state: 'visible', timeout: 10_000 });
    const row = clerk.locator('#paragraphs .paragraph-row').first();
    await row.locator('textarea').fill('现在开庭。请原告陈述诉讼请求。');
    await until('saved', () => clerk.getAttribute('#save-status', 'data-version'), (v) => v === '1');
    for (let i = 0; i < 12; i++) {
      await clerk.click('button[name=add-paragraph]');
      const next = clerk.locator('#paragraphs .paragraph-row').last();
      await next.locator('input[name=speaker]').fill(i % 2 ? '被告' : '原告');
      await next.locator('textarea').fill(`第${i + 1}段：双方就借款的时间、金额和还款情况发表意见。`);
    }
    await until('saved again', () => clerk.getAttribute('#save-status', 'data-version'), (v) => Number(v) >= 2);
    await until('all of it saved', () => clerk.textContent('#save-status'), (t) => t.startsWith('已保存'));
    // Saved elsewhere (the clerk's other tab): the room's editor, with nothing unsaved, shows it at once.
    const latest = (await court.api('GET', `/api/hearings/${court.hearing.id}/record`, undefined, court.clerk)).latest;
    const elsewhere = { ...latest.content, paragraphs: [...latest.content.paragraphs, { speaker: '审判长', text: '另一窗口记下的一段。' }] };
    await court.api('PUT', `/api/hearings/${court.hearing.id}/record`, { base_version: latest.version, content: elsewhere }, court.clerk);
    await until('the editor follows', () => clerk.getAttribute('#save-status', 'data-version'), (v) => v === String(latest.version + 1));
    assert.equal(await clerk.locator('#paragraphs textarea').last().inputValue(), '另一窗口记下的一段。');
    // Signed: that version, and the plaintiff added to 到庭人员 below.
    const signed = latest.version + 2;
    // 发起签名 is not offered as if it would work before 休庭.
    assert.ok(await clerk.locator('button[name=start-signing]').isDisabled());
    assert.equal(await clerk.textContent('#signing-hint'), '休庭或闭庭后才能发起签名');

    const party = await partyJoins(await chrome.newContext({ viewport: DESKTOP }), court, '13800000001');
    await party.click('button[name=tab-record]');
    const judge = await court.participantProcess('13900000001', 'red', 440);
    await until('the judge in the room', () => judge.last?.room_connection, (c) => c === '已连接', 60);
    judge.send('start');
    await until('庭审中', () => judge.last?.hearing_status, (s) => s === '庭审中');
    judge.send('adjourn');
    await until('offered after 休庭', () => clerk.locator('button[name=start-signing]').isEnabled(), Boolean);
    const booked = await clerk.inputValue('input[name=header-time]');
    await clerk.click('button[name=start-signing]');
    // The plaintiff came after the clerk wrote the header: offered (and accepted) for 到庭人员 before signing.
    // Only those who came sign: the defendant never did, and is not asked.
    await until('signing', () => clerk.textContent('.signing-state').catch(() => ''), (t) => t.startsWith(`第${signed}版签名中（0/1）`));
    assert.ok(!(await clerk.textContent('#signing')).includes('李四'), 'the absent defendant is not among the signers');
    assert.equal(await clerk.inputValue('input[name=header-present]'), '原告 张三');
    // Held from 开始, an hour before the booked time the header was written with: offered (and accepted) too.
    const held = (await court.api('GET', `/api/hearings/${court.hearing.id}/record`, undefined, court.clerk)).suggested_header.time;
    assert.notEqual(held, booked);
    assert.equal(await clerk.inputValue('input[name=header-time]'), held);
    // The signing status is in view without scrolling, above a long record.
    const status = await until('the signing status shown', () => clerk.locator('#signing .signing-status').boundingBox(), Boolean);
    assert.ok(status.y >= 0 && status.y + status.height <= DESKTOP.height, `signing status in view: ${JSON.stringify(status)}`);
    await clerk.locator('#paragraphs .paragraph-row').last().locator('textarea').focus();
    const still = await until('the signing status still shown', () => clerk.locator('#signing .signing-status').boundingBox(), Boolean);
    assert.ok(still.y >= 0 && still.y + still.height <= DESKTOP.height, `still in view while writing at the end: ${JSON.stringify(still)}`);
    await shot(clerk, 'record-editor-room');
    assert.deepEqual(await overflowing(clerk), []);

    // Before everyone has signed, the PDF says so: in its name and on every page.
    const [download] = await Promise.all([clerk.waitForEvent('download'), clerk.click('button[name=download-pdf]')]);
    assert.match(download.suggestedFilename(), /签名未完成\.pdf$/);
    const file = join(artifacts, 'record-incomplete-browser.pdf');
    await download.saveAs(file);
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file]).toString())[1]);
    for (let page = 1; page <= pages; page++) {
      const text = execFileSync('pdftotext', ['-f', String(page), '-l', String(page), '-enc', 'UTF-8', file, '-']).toString().replace(/\s/g, '');
      assert.ok(text.includes('签名未完成') && text.includes('原告张三') && text.includes('未签名'), `page ${page}: ${text.slice(0, 200)}`);
    }

    // ---- The QR code pops up on the party's PC; the phone shows how long it has.
    const dialog = party.locator('dialog#record-dialog[data-url]');
    await dialog.waitFor();
    const first = await dialog.getAttribute('data-url');
    const phoneContext = await chrome.newContext(PHONE);
    const phone = await phoneContext.newPage();
    await phone.clock.install();
    await phone.goto(first);
    await until('time left shown', () => phone.textContent('#time-left').catch(() => ''), (t) => /^二维码剩余有效时间 [45]分\d\d秒/.test(t));
    await phone.locator('canvas.signature-canvas').scrollIntoViewIfNeeded();
    const box = await phone.locator('canvas.signature-canvas').boundingBox();
    await phone.mouse.move(box.x + 40, box.y + 60);
    await phone.mouse.down();
    await phone.mouse.move(box.x + 200, box.y + 120, { steps: 10 });
    await phone.mouse.up();
    assert.ok(await phone.locator('button[name=confirm-signature]').isEnabled());
    // Reading slowly: with little time left, using the page renews the link.
    await phone.clock.fastForward('02:30');
    const [renewal] = await Promise.all([
      phone.waitForResponse((r) => r.url().endsWith('/api/sign/renew')),
      phone.mouse.click(box.x + 10, box.y - 40),
    ]);
    assert.equal(renewal.status(), 200);
    await shot(phone, 'sign-page-time-left');

    // A new QR code opened in the same tab takes over, with the drawing kept.
    await party.click('dialog#record-dialog button[name=new-qr]');
    await until('a new code', () => party.getAttribute('dialog#record-dialog', 'data-url').catch(() => first), (u) => u && u !== first);
    const second = await party.getAttribute('dialog#record-dialog', 'data-url');
    await phone.goto(second);
    await until('the new link opened', () => phone.textContent('#time-left'), (t) => t.startsWith('二维码剩余有效时间'));
    assert.ok(await phone.locator('button[name=confirm-signature]').isEnabled(), 'the drawing is kept');
    await phone.click('button[name=confirm-signature]');
    await phone.locator('#sign-done').waitFor();
    await until('the PC sees the signature', () => party.locator('#signature-received').textContent().catch(() => ''), (t) => t.startsWith('已收到您的签名'));
    await until('all who came signed', () => clerk.textContent('.signing-state'), (t) => t.startsWith(`第${signed}版已全部签名`));

    // Scanning a code again after signing says 您已签名.
    const rescan = await phoneContext.newPage();
    await rescan.goto(second);
    await until('您已签名', () => rescan.textContent('#sign-already').catch(() => ''), (t) => t === '您已签名，无需再次签名');
    await shot(rescan, 'sign-page-already-signed');
    judge.send('quit');
  } finally {
    await chrome.close();
    court.stop();
  }
});

test('a recording plays on a phone as it loads, through a link for the party\'s session, and its original saves as it arrives', async () => {
  const court = await startServer();
  const chrome = await browser();
  try {
    const { readFileSync } = await import('node:fs');
    const plaintiff = await court.token('13800000001');
    const file = join(court.dir, 'call.wav');
    wav(file, 440, 3, 8000);
    const recording = await court.submitEvidence(plaintiff, readFileSync(file), { title: '通话录音', purpose: '证明催款经过', file_name: 'call.wav' });
    const phone = await partyJoins(await chrome.newContext({ ...PHONE, acceptDownloads: true }), court, '13800000001');
    /** @type {{range: string|undefined, authorization: string|undefined}[]} */
    const requests = [];
    phone.on('request', (r) => {
      if (r.url().includes('/stream?ticket=')) requests.push({ range: r.headers().range, authorization: r.headers().authorization });
    });

    await phone.click('button[name=tab-evidence]');
    await phone.locator(`li[data-evidence="${recording.id}"] button[name=open-evidence]`).click();
    await until('the recording ready to play', () => phone.$eval('#viewer-media', (a) => a.readyState).catch(() => 0), (state) => state >= 1);
    const player = await phone.$eval('#viewer-media', (a) => ({ tag: a.tagName, src: a.getAttribute('src'), duration: a.duration }));
    assert.equal(player.tag, 'AUDIO');
    assert.ok(player.src.startsWith(`/api/evidence/${recording.id}/stream?ticket=`), player.src);
    assert.ok(Math.abs(player.duration - 3) < 0.1, `three seconds: ${player.duration}`);
    assert.ok(requests.length > 0 && requests.every((r) => r.authorization === undefined), 'the player reads it without the token');
    assert.ok(requests.some((r) => r.range?.startsWith('bytes=')), `the player asks in ranges: ${JSON.stringify(requests)}`);
    await shot(phone, 'evidence-viewer-recording-phone');

    const [download] = await Promise.all([phone.waitForEvent('download'), phone.click('button[name=download-original]')]);
    assert.equal(download.suggestedFilename(), 'call.wav');
    assert.deepEqual(readFileSync(await download.path()), readFileSync(file), 'the original, byte for byte');
  } finally {
    await chrome.close();
    court.stop();
  }
});

test('a judge whose network stops delivering is told, reconnected, and nothing applies twice', async () => {
  const court = await startServer();
  const chrome = await browser();
  try {
    const network = await court.relay();
    const judge = await staffEnters(chrome, court, 'judge', DESKTOP, network.url);
    /** @type {string[]} */
    const alerts = [];
    judge.removeAllListeners('dialog');
    judge.on('dialog', (d) => {
      alerts.push(d.message());
      d.accept();
    });

    // The connection stays open but nothing gets through: 开始 is not answered.
    network.stall();
    await judge.click('#judge-controls button[name=start]');
    await until('told, once no answer came', () => alerts, (a) => a.length === 1, 30);
    assert.equal(alerts[0], '网络连接已断开，操作可能未完成，请在重新连接后查看');
    await until('connected again', () => judge.textContent('#connection'), (t) => t === '已连接', 30);
    assert.equal(await judge.textContent('#hearing-status'), '未开庭', 'the command never arrived');
    await judge.click('#judge-controls button[name=start]');
    await until('庭审中', () => judge.textContent('#hearing-status'), (t) => t === '庭审中');
    const { entries } = await court.api('GET', `/api/hearings/${court.hearing.id}/events`, undefined, court.clerk);
    assert.equal(entries.filter((e) => e.action === 'hearing_started').length, 1);
  } finally {
    await chrome.close();
    court.stop();
  }
});

test('a login ended on the server ends the room with 登录已失效, and a reload asks for 会议号登录', async () => {
  const court = await startServer();
  const chrome = await browser();
  try {
    const phone = await partyJoins(await chrome.newContext(PHONE), court, '13800000001');
    const token = await phone.evaluate(() => JSON.parse(sessionStorage.getItem('cloudtrial.participant') ?? 'null')?.token);
    assert.ok(token, 'the tab holds the party\'s login');
    await court.api('POST', '/api/session/logout', {}, token);
    await until('the reason shown', () => phone.textContent('body'), (t) => t.includes('登录已失效，请重新登录'));
    assert.equal(await phone.evaluate(() => sessionStorage.getItem('cloudtrial.participant')), null, 'the login is forgotten');
    await phone.reload();
    await phone.locator('input[name=mobile]').waitFor();
  } finally {
    await chrome.close();
    court.stop();
  }
});

test('recognised sentences stand in the order they were said, ahead of the words still being spoken', async () => {
  const court = await startServer();
  const chrome = await browser();
  try {
    const page = await partyJoins(await chrome.newContext({ viewport: DESKTOP }), court, '13800000001');
    // The panel as the room feeds it: a long sentence begun at 0:25 finishes after a short one said at 0:44.
    const order = await page.evaluate(() => {
      const panel = /** @type {any} */ (document.querySelector('ct-speech-panel'));
      const said = (segment, start, final) => ({
        type: 'speech',
        utterance: { segment, speaker: { id: segment, name: `参与人${segment}`, role: 'plaintiff' }, start_ms: start, end_ms: start + 1000, text: `第${segment}句`, confidence: null, is_final: final },
      });
      for (const message of [said(1, 25000, false), said(2, 44000, false), said(2, 44000, true), said(3, 50000, false), said(1, 25000, true)]) panel.receive(message);
      return [...document.querySelectorAll('#speech .speech-line')].map((li) => `${li.dataset.segment}${li.dataset.final === 'true' ? '' : '…'}`);
    });
    assert.deepEqual(order, ['1', '2', '3…']);
  } finally {
    await chrome.close();
    court.stop();
  }
});
