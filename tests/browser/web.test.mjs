// The browser client end to end: a clerk books a hearing in the console, a
// party logs in with the SMS code and enters the room, the judge starts,
// blocks and summons, the party submits counter-evidence, tiles enlarge on
// double-click, and a native participant joins the same hearing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifacts, browser, partyJoins, startServer, until, wav, y4m } from './court.mjs';

const shot = (page, name) => page.screenshot({ path: join(artifacts, `${name}.png`) });

/** Whether a tile's video is showing moving pictures. */
async function playing(page, selector) {
  const times = await page.$$eval(`${selector} video`, (videos) => videos.map((v) => (v.videoWidth > 0 && !v.paused ? v.currentTime : -1)));
  return times.length > 0 && times.every((t) => t > 0);
}

/** How many video frames a tile has shown so far. */
const framesShown = (page, selector) => page.$eval(`${selector} video`, (v) => v.getVideoPlaybackQuality().totalVideoFrames);

/** Logs in as the judge in the console and enters the hearing with this case number. */
async function judgeEnters(chrome, court, caseNumber) {
  const context = await chrome.newContext({ viewport: { width: 1366, height: 768 } });
  const judge = await context.newPage();
  await judge.goto(`${court.url}/#/console`);
  await judge.fill('input[name=username]', 'judge');
  await judge.fill('input[name=password]', 'demo1234');
  await judge.click('button[name=login]');
  await judge.locator('tr', { hasText: caseNumber }).locator('a', { hasText: '查看' }).click();
  await judge.click('button[name=enter]');
  await judge.click('button[name=enter-hearing]');
  return judge;
}

test('booking, login, the room, block and summon, counter-evidence, and a native participant', async () => {
  const court = await startServer();
  const camera = join(court.dir, 'camera.y4m');
  const microphone = join(court.dir, 'microphone.wav');
  y4m(camera, [220, 40, 40]);
  wav(microphone, 660);
  const chrome = await browser({ video: camera, audio: microphone });
  try {
    // ---- The clerk books a hearing in the console.
    // The clerk's computer is set to another time zone than the court's (UTC+8).
    const clerk = await chrome.newPage({ viewport: { width: 1366, height: 768 }, timezoneId: 'America/New_York' });
    await clerk.goto(`${court.url}/#/console`);
    await clerk.fill('input[name=username]', 'clerk');
    await clerk.fill('input[name=password]', 'demo1234');
    await clerk.click('button[name=login]');
    await clerk.click('a[name=book]');
    const courtTomorrow = new Date(Date.now() + (24 + 8) * 3600_000).toISOString().slice(0, 10);
    assert.equal(await clerk.inputValue('input[name=date]'), courtTomorrow, 'tomorrow on the court\'s calendar');
    await clerk.fill('input[name=case_number]', '（2026）津0101民初77号');
    await clerk.fill('input[name=case_title]', '张三诉李四买卖合同纠纷');
    await clerk.fill('input[name=courtroom]', '第三法庭');
    const rows = clerk.locator('tr.participant');
    const people = [
      ['赵法官', '13900000001'],
      ['李书记', '13900000002'],
      ['张三', '13800000011'],
      ['李四', '13800000012'],
    ];
    for (const [i, [name, mobile]] of people.entries()) {
      await rows.nth(i).locator('input[name=name]').fill(name);
      await rows.nth(i).locator('input[name=mobile]').fill(mobile);
    }
    const linked = (/** @type {number} */ i) => rows.nth(i).locator('select[name=staff]').evaluate((s) => /** @type {HTMLSelectElement} */ (s).selectedOptions[0].textContent);
    // A court seat named as a staff member is linked to their account; one that is not is asked about first.
    assert.equal(await linked(1), '李书记（书记员）');
    assert.equal(await linked(0), '（不关联）');
    /** @type {string[]} */
    const asked = [];
    clerk.once('dialog', (d) => {
      asked.push(d.message());
      d.dismiss();
    });
    await clerk.click('button[name=submit-booking]');
    await until('not booked unlinked', () => clerk.textContent('form .error'), (t) => t === '未提交：请为审判人员和书记员选择工作人员账号');
    assert.match(asked[0], /^审判长 赵法官未关联工作人员账号，将不能从控制台进入庭审或记录笔录/);
    await rows.nth(0).locator('input[name=name]').fill('王法官');
    assert.equal(await linked(0), '王法官（法官）');
    // A wrong mobile number is caught with a clear message, and nothing is booked.
    await rows.nth(3).locator('input[name=mobile]').fill('1234');
    await clerk.click('button[name=submit-booking]');
    await until('a validation message', () => clerk.textContent('form .error'), (t) => t.includes('手机号“1234”格式不正确'));
    // Written the way a phone's contacts show it (0086, spaces): taken as the same number.
    await rows.nth(3).locator('input[name=mobile]').fill('0086 138 0000 0012');
    // An impatient double click books one hearing.
    await clerk.dblclick('button[name=submit-booking]');
    await clerk.waitForSelector('#meeting-number');
    const booked = await court.api('GET', '/api/hearings?case_number=77', undefined, court.clerk);
    assert.equal(booked.length, 1, 'booked once');
    const meeting = (await clerk.textContent('#meeting-number')).trim();
    assert.match(meeting, /^\d{8}$/);
    const sent = await clerk.$$eval('.sms-text', (items) => items.map((i) => i.textContent));
    assert.equal(sent.length, 4, 'one notice per participant');
    assert.ok(sent.every((text) => text.includes(`会议号为：${meeting}`) && text.includes('张三诉李四买卖合同纠纷')), sent.join('\n'));
    await clerk.locator('button[name=resend]').nth(2).dblclick();
    await until('the resent notice listed', () => clerk.$$eval('.sms-text', (i) => i.length), (n) => n === 5);
    assert.equal((await court.outbox('13800000011')).length, 2, 'one notice, and one resent, however fast the clicks');
    await shot(clerk, 'console-hearing');

    // ---- The party (原告 张三) logs in with the meeting number and the SMS code.
    const partyContext = await chrome.newContext({ viewport: { width: 1366, height: 768 } });
    const party = await partyContext.newPage();
    await party.goto(`${court.url}/?meeting=${meeting}`);
    assert.equal(await party.inputValue('input[name=meeting]'), meeting, 'the SMS link fills in the meeting number');
    await party.fill('input[name=mobile]', '13800000011');
    const code = await court.askForCode(party, '13800000011');
    await until('the code button counting down', () => party.textContent('button[name=send-code]'), (t) => t.includes('秒后'));
    await party.fill('input[name=code]', code);
    await party.click('button[name=login]');
    await party.waitForSelector('ct-device-check video.preview');
    await until('the camera preview', () => party.$eval('ct-device-check video.preview', (v) => v.videoWidth), (w) => w > 0);
    await shot(party, 'device-check');
    assert.equal(await party.locator('#hearing-status').isVisible(), false, 'the room shows only once entered');
    await party.click('button[name=test-sound]');
    await party.click('button[name=enter-hearing]');
    await until('the recognition panel', () => party.textContent('#recognition'), (t) => t.includes('语音识别暂未开始'));

    // ---- The judge enters from the console.
    const judgeContext = await chrome.newContext({ viewport: { width: 1366, height: 768 } });
    const judge = await judgeContext.newPage();
    await judge.goto(`${court.url}/#/console`);
    await judge.fill('input[name=username]', 'judge');
    await judge.fill('input[name=password]', 'demo1234');
    await judge.click('button[name=login]');
    // Search by case number: only the matching hearing stays listed.
    await judge.fill('input[name=case-number]', '77号');
    await until('the search applied', () => judge.$$eval('tbody tr', (r) => r.map((x) => x.textContent)), (rows) => rows.length === 1 && rows[0].includes('77号'));
    await judge.locator('tr', { hasText: '（2026）津0101民初77号' }).locator('a', { hasText: '查看' }).click();
    await judge.click('button[name=enter]');
    await judge.click('button[name=enter-hearing]');
    const details = await court.api('GET', '/api/hearings?case_number=77', undefined, court.clerk);
    const ids = Object.fromEntries(details[0].participants.map((p) => [p.name, p.id]));

    await until('the judge sees the party', () => playing(judge, `[data-tile="${ids['张三']}"]`), Boolean, 60);
    await until('the party sees the judge', () => playing(party, `[data-tile="${ids['王法官']}"]`), Boolean, 60);
    assert.equal(await judge.textContent(`[data-tile="${ids['张三']}"] .caption`), '原告 张三', 'role and name at the bottom left');
    assert.equal(await judge.textContent(`li[data-participant="${ids['张三']}"] .device`), '电脑浏览器');
    assert.equal(await party.textContent('button[name=tab-evidence]'), '举证质证');
    // The clerk's console logs the login with the device it came from.
    await clerk.reload();
    await until('the login in the hearing\'s log', () => clerk.$$eval('ol.events li', (items) => items.map((i) => i.textContent)),
      (lines) => lines.some((l) => l.includes('张三　登录（电脑浏览器）')));

    // ---- 开始: the party's recognition panel changes.
    // A double click starts the hearing once: no refusal of a second 开始 pops up, and no 休庭 follows.
    const alerts = [];
    judge.on('dialog', (d) => {
      if (d.type() === 'alert') alerts.push(d.message());
      d.dismiss().catch(() => {});
    });
    // The second click of a double click lands on 休庭, which replaced 开始: it is not taken as 休庭.
    await judge.click('button[name=start]');
    await judge.click('button[name=adjourn]');
    await until('the hearing started for the party', () => party.textContent('#recognition'), (t) => !t.includes('语音识别暂未开始'));
    assert.equal(await party.textContent('#hearing-status'), '庭审中');
    await shot(judge, 'room-judge');

    // ---- Double-click enlarges a tile and restores it.
    const tile = judge.locator(`[data-tile="${ids['张三']}"]`);
    const before = await tile.boundingBox();
    await tile.dblclick();
    assert.ok(await tile.evaluate((t) => t.classList.contains('enlarged')));
    const enlarged = await tile.boundingBox();
    assert.ok(enlarged.width > before.width * 1.5, `enlarged ${before.width} → ${enlarged.width}`);
    await tile.dblclick();
    const restored = await tile.boundingBox();
    assert.ok(Math.abs(restored.width - before.width) < 2, 'restored');

    // ---- 屏蔽: the party sees only the block message and no video; 传唤 brings it back.
    await judge.click(`li[data-participant="${ids['张三']}"] button[name=block]`);
    await party.waitForSelector('#blocked:not([hidden])');
    assert.equal((await party.textContent('#blocked p')).trim(), '您已被屏蔽，请等待法官传唤');
    assert.equal(await party.locator('ct-tiles video').evaluateAll((v) => v.filter((x) => x.checkVisibility()).length), 0, 'no video');
    await shot(party, 'blocked');
    await judge.click(`li[data-participant="${ids['张三']}"] button[name=summon]`);
    await party.waitForSelector('#blocked', { state: 'hidden' });
    await until('video back after summon', () => playing(party, `[data-tile="${ids['王法官']}"]`), Boolean, 30);
    assert.deepEqual(alerts, [], 'nothing refused along the way');
    // The hearing's log says whom the judge blocked and summoned.
    await clerk.reload();
    await until('屏蔽 and 传唤 in the log, with whom', () => clerk.$$eval('ol.events li', (items) => items.map((i) => i.textContent)),
      (lines) => lines.some((l) => l.includes('王法官　屏蔽　原告 张三')) && lines.some((l) => l.includes('王法官　传唤　原告 张三')));
    assert.ok(!(await clerk.$$eval('ol.events li', (items) => items.map((i) => i.textContent))).some((l) => l.includes('　休庭')), 'no 休庭 from the double click');

    // ---- The party submits a photo as counter-evidence; the judge sees it with 反.
    const photo = join(court.dir, 'IMG_0042.jpg');
    await judge.screenshot({ path: photo, type: 'jpeg', quality: 80 });
    await party.click('button[name=tab-evidence]');
    await party.click('form.upload summary');
    await party.setInputFiles('form.upload input[name=file]', photo);
    await party.fill('form.upload input[name=title]', '付款截图');
    await party.fill('form.upload textarea[name=purpose]', '证明货款已经付清');
    // An emoji keyboard adds a variation selector, which nobody sees and the server refuses: the field leaves it out.
    await party.keyboard.insertText('\u2714\uFE0F');
    assert.equal(await party.inputValue('form.upload textarea[name=purpose]'), '证明货款已经付清\u2714');
    assert.equal(await party.locator('form.upload select[name=answers]').isVisible(), false, 'asked only of a 反证');
    await party.check('form.upload input[name=counter]');
    assert.ok(await party.locator('form.upload select[name=answers]').isVisible());
    await party.click('button[name=submit-evidence]');
    await until('the upload submitted', () => party.textContent('.upload-state'), (t) => t === '已提交');
    await judge.click('button[name=tab-evidence]');
    const item = judge.locator('li.evidence', { hasText: '付款截图' });
    await item.waitFor();
    assert.equal(await item.locator('.badge.counter').textContent(), '反');
    assert.equal(await item.locator('.purpose').textContent(), '证明目的：证明货款已经付清\u2714');
    await item.locator('button.title').click();
    await judge.waitForSelector('#viewer-image');
    await until('the preview shown in the page', () => judge.$eval('#viewer-image', (i) => i.naturalWidth), (w) => w > 0);
    await shot(judge, 'evidence');
    await judge.keyboard.press('Escape');

    // ---- A native participant (被告 李四) in the same hearing: each sees the other.
    const native = await court.participantProcessFor(meeting, '13800000012', 'blue', 880);
    await until('the judge sees the native participant', () => playing(judge, `[data-tile="${ids['李四']}"]`), Boolean, 60);
    await until('the native participant decodes the browsers', () => native.last, (last) => {
      const from = last?.received.find((r) => r.participant_id === ids['张三']);
      return from && from.video_frames > 20 && from.colour === 'red';
    }, 60);
    await shot(judge, 'room-with-native');
  } finally {
    await chrome.close();
    court.stop();
  }
});

test('a party on a phone: seen as a phone browser, network quality, cross-examination, and reconnection after a drop', async () => {
  const court = await startServer();
  const camera = join(court.dir, 'camera.y4m');
  const microphone = join(court.dir, 'microphone.wav');
  y4m(camera, [40, 160, 60]);
  wav(microphone, 440);
  const chrome = await browser({ video: camera, audio: microphone });
  const ids = Object.fromEntries(court.hearing.participants.map((p) => [p.name, p.id]));
  try {
    // 原告 张三 has submitted a receipt from the app.
    const plaintiff = await court.token('13800000001');
    const pdf = (text) => Buffer.from(`%PDF-1.4\n% ${text}\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`);
    const receipt = await court.submitEvidence(plaintiff, pdf('jietiao'), { title: '借条', purpose: '证明被告借款五万元', file_name: 'jietiao.pdf' });

    const judge = await judgeEnters(chrome, court, court.hearing.case_number);

    // 被告 李四 joins on a phone-sized screen, through a connection the test can cut.
    const relay = await court.relay();
    const phoneContext = await chrome.newContext({
      viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
      userAgent: 'Mozilla/5.0 (Linux; Android 13; Redmi Note 12) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
    });
    const phone = await phoneContext.newPage();
    await phone.goto(`${relay.url}/?meeting=${court.meeting}`);
    await phone.fill('input[name=mobile]', '13800000002');
    await phone.fill('input[name=code]', await court.askForCode(phone, '13800000002'));
    await phone.click('button[name=login]');
    await phone.click('button[name=enter-hearing]');
    const judgeTile = `[data-tile="${ids['王法官']}"]`;
    await until('the phone sees the judge', () => playing(phone, judgeTile), Boolean, 60);
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'nothing wider than the phone screen');
    await until('network quality on the judge\'s tile', () => phone.textContent(`${judgeTile} .network`), (t) => /^网络(良好|一般|较差)$/.test(t));
    await shot(phone, 'room-phone');
    // The court sees where the party joined from, in the room and in the hearing's log.
    await until('the judge sees a phone browser', () => judge.textContent(`li[data-participant="${ids['李四']}"] .device`).catch(() => ''), (t) => t === '手机浏览器');
    const { entries } = await court.api('GET', `/api/hearings/${court.hearing.id}/events`, undefined, court.clerk);
    const login = entries.filter((e) => e.action === 'participant_logged_in' && e.actor_name === '李四').at(-1);
    assert.equal(login?.detail.device, 'phone_browser');
    // The phone says 证据材料, as the manual's mobile screens do.
    assert.equal(await phone.textContent('button[name=tab-evidence]'), '证据材料');

    // 质证: the defendant disputes the receipt's authenticity, with a reason.
    await phone.click('button[name=tab-evidence]');
    const entry = phone.locator(`li[data-evidence="${receipt.id}"]`);
    await entry.locator('summary').click();
    await entry.locator(`input[name="${receipt.id}-authenticity"][value=dispute]`).check();
    await entry.locator('input[name=authenticity-reason]').fill('签名不是本人所写');
    // Meanwhile the other side submits more: the list is drawn again, and what is being typed stays, in focus.
    const pledge = await court.submitEvidence(plaintiff, pdf('chengnuo'), { title: '还款承诺书', purpose: '证明被告承诺还款', file_name: 'chengnuo.pdf' });
    await phone.locator(`li[data-evidence="${pledge.id}"]`).waitFor();
    assert.ok(await entry.locator('details.opinion-form').evaluate((d) => /** @type {HTMLDetailsElement} */ (d).open), 'the form stays open');
    assert.equal(await entry.locator('input[name=authenticity-reason]').inputValue(), '签名不是本人所写');
    assert.ok(await entry.locator('input[name=authenticity-reason]').evaluate((input) => input === document.activeElement), 'still typing there');
    await entry.locator('form button[type=submit]').click();
    await until('the opinion listed on the phone', () => entry.locator('.opinions').textContent().catch(() => ''), (t) => t.includes('真实性有异议（签名不是本人所写）'));
    const [stored] = (await court.api('GET', `/api/hearings/${court.hearing.id}/evidence`, undefined, plaintiff)).find((e) => e.id === receipt.id).opinions;
    assert.equal(stored.by.id, ids['李四']);
    assert.deepEqual([stored.authenticity.stance, stored.legality.stance, stored.relevance.stance], ['dispute', 'accept', 'accept']);
    await judge.click('button[name=tab-evidence]');
    await until('the judge sees the opinion', () => judge.locator(`li[data-evidence="${receipt.id}"] .opinions`).textContent().catch(() => ''), (t) => t.includes('被告 李四'));

    // The phone's network drops: it says so, and what happened meanwhile is there when it is back.
    relay.cut();
    await until('the phone notices the drop', () => phone.textContent('#connection'), (t) => t === '重新连接中');
    await shot(phone, 'reconnecting');
    await judge.click('button[name=start]');
    await court.submitEvidence(plaintiff, pdf('zhuanzhang'), { title: '转账记录', purpose: '证明款项已交付', file_name: 'zhuanzhang.pdf' });
    relay.mend();
    await until('the phone reconnected', () => phone.textContent('#connection'), (t) => t === '已连接', 30);
    await until('the start it missed', () => phone.textContent('#hearing-status'), (t) => t === '庭审中');
    await phone.locator('li.evidence', { hasText: '转账记录' }).waitFor();
    assert.ok(!(await phone.textContent('#recognition')).includes('语音识别暂未开始'));
    const frames = await framesShown(phone, judgeTile);
    await until('the judge\'s video still arriving', () => framesShown(phone, judgeTile), (n) => n > frames + 15, 30);
  } finally {
    await chrome.close();
    court.stop();
  }
});

test('a file larger than a phone should hold at once is checked piece by piece, waits out a dropped network, continues after a reload, and is kept byte for byte', async () => {
  const court = await startServer();
  const chrome = await browser();
  try {
    // 70 MB: past the size the browser hashes whole.
    const bytes = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(70 << 20), Buffer.from('\n%%EOF\n')]);
    const file = join(court.dir, '庭审录像截图合集.pdf');
    writeFileSync(file, bytes);
    const network = await court.relay();
    const party = await partyJoins(await chrome.newContext({ viewport: { width: 1280, height: 900 } }), court, '13800000001', network.url);
    party.on('dialog', (d) => d.accept());
    const submit = async () => {
      await party.click('button[name=tab-evidence]');
      await party.click('form.upload summary');
      await party.setInputFiles('form.upload input[name=file]', file);
      await party.fill('form.upload input[name=title]', '截图合集');
      await party.fill('form.upload textarea[name=purpose]', '证明双方的沟通经过');
      await party.click('button[name=submit-evidence]');
    };
    const sent = () => party.$eval('progress.upload-progress', (p) => /** @type {HTMLProgressElement} */ (p).value);
    await submit();
    await until('told it is being checked first', () => party.textContent('.upload-state'), (t) => t === '正在校验文件' || t === '上传中');
    await until('a tenth sent', sent, (v) => v >= 10 && v < 60, 60);

    // The network drops for longer than any retry count would allow: the page waits it out.
    network.cut();
    await until('told it waits for the network', () => party.textContent('.upload-state'), (t) => t === '网络中断，等待恢复后继续上传', 60);
    network.mend();
    const before = await sent();
    await until('sending again', sent, (v) => v > before, 60);

    // A reload in the middle (the page asked first): the same file submitted again goes on from where the server is.
    const offsets = /** @type {number[]} */ ([]);
    party.on('request', (r) => r.method() === 'PATCH' && offsets.push(Number(r.headers()['upload-offset'])));
    await party.reload();
    await party.click('button[name=enter-hearing]');
    await until('connected', () => party.textContent('#connection'), (t) => t === '已连接');
    await submit();
    await until('the upload submitted', () => party.textContent('.upload-state'), (t) => t === '已提交', 120);
    assert.ok(offsets[0] > 0, `continued, not started again: ${offsets.slice(0, 3)}`);
    const kept = await court.api('GET', `/api/hearings/${court.hearing.id}/evidence`, undefined, court.clerk);
    assert.equal(kept.length, 1, 'one piece of evidence');
    assert.equal(kept[0].sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(kept[0].size, bytes.length);
  } finally {
    await chrome.close();
    court.stop();
  }
});
