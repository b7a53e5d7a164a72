// The court record (笔录) in the browser: the clerk writes three paragraphs in
// the console; a party with 笔录自动刷新 sees each save as it happens, the
// other party only after 刷新; a paragraph pasted from a Word file leaves out
// the characters nobody sees (which the server refuses); a save that fails
// while the clerk's network is down is retried until it is kept. After 闭庭
// the clerk starts signing; each party's PC pops up a QR code, which a
// phone-sized page opens to sign with a finger; the PC sees the signature
// arrive and shows it under 查看签名; the signed PDF has both signatures on
// every page.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifacts, browser, partyJoins, staffEnters, staffOpensHearing, staffOpensHearingOn, startServer, until } from './court.mjs';

const shot = (page, name) => page.screenshot({ path: join(artifacts, `${name}.png`) });

const SPOKEN = [
  ['审判长', '现在开庭。请原告陈述诉讼请求。'],
  ['原告', '请求判令被告偿还借款人民币五万元。'],
  ['被告', '借款属实，但已经归还两万元。'],
];
const CLOSING = '今天庭审到此结束，现在闭庭。';

/** A party logs in with the meeting number on a PC and opens 庭审笔录. */
async function partyOpensRecord(chrome, court, mobile) {
  const page = await partyJoins(await chrome.newContext({ viewport: { width: 1366, height: 768 } }), court, mobile);
  await page.click('button[name=tab-record]');
  await page.locator('#record-state').waitFor();
  return page;
}

/** The text of the record a page shows. */
const shown = (page) => page.evaluate(() => document.querySelector('#record .record-document')?.textContent ?? '');

/**
 * The clerk has typed the start and the end of `text` and pastes the middle
 * from a Word file, with what it carries inside (a soft hyphen, a zero-width
 * space, a direction mark): the field leaves those out and the caret stays
 * after the pasted words.
 */
async function pasteFromWord(field, text) {
  const [start, middle, end] = [text.slice(0, 4), text.slice(4, 10), text.slice(10)];
  await field.fill(start + end);
  await field.evaluate((element, at) => element.setSelectionRange(at, at), start.length);
  await field.page().keyboard.insertText(`\u00AD${middle.slice(0, 3)}\u200B${middle.slice(3)}\u200E`);
  assert.equal(await field.inputValue(), text, 'pasted without the characters nobody sees');
  assert.equal(await field.evaluate((element) => element.selectionEnd), start.length + middle.length, 'the caret after the pasted words');
}

/** Draws a signature with the pointer, as a finger would. */
async function drawSignature(page) {
  const box = await page.locator('canvas.signature-canvas').boundingBox();
  const at = (fx, fy) => [box.x + box.width * fx, box.y + box.height * fy];
  await page.mouse.move(...at(0.15, 0.6));
  await page.mouse.down();
  for (let i = 1; i <= 20; i += 1) await page.mouse.move(...at(0.15 + i * 0.035, 0.6 - Math.sin(i / 3) * 0.25));
  await page.mouse.up();
  await page.mouse.move(...at(0.3, 0.25));
  await page.mouse.down();
  await page.mouse.move(...at(0.35, 0.85), { steps: 8 });
  await page.mouse.up();
}

/** The QR code pops up on the PC; a phone "scans" it (opens its link) and signs. */
async function signOnPhone(chrome, pc, who, { answerLost = false } = {}) {
  const dialog = pc.locator('dialog#record-dialog[data-url]');
  await dialog.waitFor();
  assert.ok(await dialog.locator('img.qr-code').evaluate((img) => img.complete && img.naturalWidth > 0), 'the QR code is shown');
  assert.equal(await dialog.locator('p.qr-how').textContent(), '请使用手机微信或相机扫码，在手机上阅读笔录并签名', 'the manual\'s 手机微信扫码签名');
  const url = await dialog.getAttribute('data-url');
  assert.match(url, /\/sign\.html#[A-Za-z0-9_-]{20,}$/);
  const phoneContext = await chrome.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const phone = await phoneContext.newPage();
  await phone.goto(url);
  await until('the signing page', () => phone.textContent('#signer').catch(() => ''), (t) => t === `签名人：${who}`);
  assert.ok((await phone.locator('.record-document').textContent()).includes(CLOSING), 'the phone shows the record to sign');
  assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'fits the phone screen');
  assert.ok(await phone.locator('button[name=confirm-signature]').isDisabled(), 'nothing to confirm before drawing');
  await drawSignature(phone);
  await shot(phone, `sign-page-${who.split(' ')[0]}`);
  if (answerLost) {
    // The signature reaches the server but its answer is lost: the page asks, and says it is signed.
    await phone.route('**/api/sign/submit', async (route) => {
      await route.fetch();
      await route.abort('connectionreset');
    });
  }
  await phone.click('button[name=confirm-signature]');
  await phone.locator('#sign-done').waitFor();
  assert.equal(await phone.textContent('#sign-done'), '签名成功');
  // Whether the page was opened by scanning from a PC or on the phone in the room, the way back is the same.
  assert.equal(await phone.textContent('#sign-next'), '可回到庭审页面，在“庭审笔录”中点击“查看签名”查看。');
  await until('the PC sees the signature arrive', () => pc.locator('#signature-received').textContent().catch(() => ''), (t) => t.startsWith('已收到您的签名'));

  // The same QR code a second time: the party is told they have signed.
  const again = await phoneContext.newPage();
  await again.goto(url);
  await until('the rescan answered', () => again.textContent('#sign-already').catch(() => ''), (t) => t === '您已签名，无需再次签名');
  await phoneContext.close();
  await pc.click('dialog#record-dialog button[name=close-dialog]');
}

test('the record followed live, refreshed, and signed through QR codes on phones', async () => {
  const court = await startServer();
  const chrome = await browser();
  try {
    const plaintiff = await partyOpensRecord(chrome, court, '13800000001');
    const defendant = await partyOpensRecord(chrome, court, '13800000002');
    assert.equal(await plaintiff.textContent('#record-state'), '书记员尚未记录笔录');
    await plaintiff.check('input[name=auto-refresh]');

    // ---- The clerk writes in the console; every pause in typing saves a version.
    // The clerk's PC reaches the server through a connection the test can cut.
    const clerkNetwork = await court.relay();
    const clerk = await staffOpensHearing(chrome, court, 'clerk', { width: 1366, height: 768 }, clerkNetwork.url);
    await clerk.click('a[name=record]');
    await clerk.locator('#paragraphs .paragraph-row').first().waitFor();
    assert.equal(await clerk.inputValue('input[name=header-case_number]'), court.hearing.case_number, 'the header is filled from the hearing');

    for (const [index, [speaker, text]] of SPOKEN.entries()) {
      if (index > 0) await clerk.click('button[name=add-paragraph]');
      const row = clerk.locator('#paragraphs .paragraph-row').nth(index);
      await row.locator('input[name=speaker]').fill(speaker);
      if (index === 1) await pasteFromWord(row.locator('textarea'), text);
      else await row.locator('textarea').fill(text);
      const version = String(index + 1);
      await until(`autosave ${version}`, () => clerk.getAttribute('#save-status', 'data-version'), (v) => v === version);
      await until(`the following party sees paragraph ${version}`, () => shown(plaintiff), (t) => t.includes(`${speaker}：${text}`));
      await until('the other party is told there is more', () => defendant.textContent('#record-state'), (t) => t === `笔录已更新（第${version}版），点击“刷新”查看`);
      assert.ok(!(await shown(defendant)).includes(text), `without auto-refresh paragraph ${version} waits for 刷新`);
    }
    await defendant.click('button[name=refresh-record]');
    await until('刷新 brings all three', () => shown(defendant), (t) => SPOKEN.every(([s, x]) => t.includes(`${s}：${x}`)));
    assert.match(await defendant.textContent('#record-state'), /^第3版/);
    // 版本记录: every version saved so far, and the first as it was saved.
    await defendant.click('#record details.versions summary');
    await until('the versions listed', () => defendant.locator('#record-history li').allTextContents(), (items) => items.length === 3);
    const listed = await defendant.locator('#record-history li').allTextContents();
    assert.deepEqual(listed.map((t) => t.split('　')[0]), ['第1版', '第2版', '第3版']);
    assert.ok(listed.every((t) => t.includes('书记员')), `who saved each: ${listed}`);
    await defendant.click('#record-history li[data-version="1"] button[name=open-version]');
    const first = defendant.locator('dialog#record-dialog .record-document');
    await first.waitFor();
    const firstText = await first.textContent();
    assert.ok(firstText.includes(`${SPOKEN[0][0]}：${SPOKEN[0][1]}`) && !firstText.includes(SPOKEN[1][1]), `version 1 as saved: ${firstText}`);
    assert.equal(await first.getAttribute('data-version'), '1');
    await defendant.click('dialog#record-dialog button[name=close-dialog]');
    await shot(plaintiff, 'record-following');
    await shot(clerk, 'record-editor');

    // The clerk's network drops while typing: nothing typed is lost, and it
    // is saved as soon as the network is back.
    clerkNetwork.cut();
    await clerk.click('button[name=add-paragraph]');
    const last = clerk.locator('#paragraphs .paragraph-row').nth(3);
    await last.locator('input[name=speaker]').fill('审判长');
    await last.locator('textarea').fill(CLOSING);
    await until('the failed save said', () => clerk.textContent('#save-status'), (t) => t === '保存失败，正在重试…');
    assert.equal(await clerk.getAttribute('#save-status', 'data-version'), '3');
    clerkNetwork.mend();
    await until('saved once the network is back', () => clerk.getAttribute('#save-status', 'data-version'), (v) => v === '4');
    await until('and followed', () => shown(plaintiff), (t) => t.includes(`审判长：${CLOSING}`));

    // ---- Signing waits for the end of the hearing: not offered before it.
    assert.ok(await clerk.locator('button[name=start-signing]').isDisabled(), '发起签名 is not offered during the hearing');
    assert.equal(await clerk.textContent('#signing-hint'), '休庭或闭庭后才能发起签名');
    await court.closeHearing();
    // 发起签名 offers the time the hearing was held for the header, accepted: version 5 is signed.
    await clerk.click('button[name=start-signing]');
    await until('signing started', () => clerk.locator('.signing-state').textContent().catch(() => ''), (t) => t.startsWith('第5版签名中'));
    assert.ok(await clerk.locator('#paragraphs textarea').first().evaluate((t) => t.readOnly), 'the version being signed is not edited by a stray keystroke');
    assert.ok(await clerk.locator('button[name=edit-signed]').isVisible(), '修改笔录 is offered instead');
    const rows = await clerk.locator('#paragraphs .paragraph-row').count();
    await clerk.locator('#paragraphs textarea').first().press('Control+Enter');
    assert.equal(await clerk.locator('#paragraphs .paragraph-row').count(), rows, 'nor a paragraph added with Ctrl+Enter');

    // ---- After 闭庭 the hearing's page offers 重发签名通知 to those who sign, and it sends the 签名通知.
    await clerk.goto(`${clerkNetwork.url}/#/console/hearing/${court.hearing.id}`);
    await clerk.waitForSelector('#meeting-number');
    const resendButtons = clerk.locator('button[name=resend]');
    assert.deepEqual(await resendButtons.allTextContents(), ['重发签名通知', '重发签名通知'], 'the two parties, not the court');
    const signingRequests = async () => (await court.outbox('13800000001')).filter((m) => m.kind === 'signing_request').length;
    assert.equal(await signingRequests(), 1);
    await clerk.locator('tr', { hasText: '张三' }).locator('button[name=resend]').click();
    await until('签名通知 sent again', signingRequests, (n) => n === 2);
    await clerk.click('a[name=record]');
    await until('back at the record', () => clerk.locator('.signing-state').textContent().catch(() => ''), (t) => t.startsWith('第5版签名中'));

    // ---- 书记员发起签名后，弹出二维码: each party signs on a phone.
    await signOnPhone(chrome, plaintiff, '原告 张三');
    await signOnPhone(chrome, defendant, '被告 李四', { answerLost: true });

    // 查看签名: the plaintiff's own signature image.
    await plaintiff.click('button[name=my-signature]');
    await until('查看签名', () => plaintiff.locator('#my-signature-image').evaluate((img) => img.complete && img.naturalWidth).catch(() => 0), (w) => w > 100);
    await shot(plaintiff, 'record-my-signature');

    // The clerk sees both signed, and downloads the signed record.
    await clerk.click('button[name=refresh-signing]');
    await until('all signed', () => clerk.locator('.signing-state').textContent(), (t) => t.startsWith('第5版已全部签名'));
    const [download] = await Promise.all([clerk.waitForEvent('download'), clerk.click('button[name=download-pdf]')]);
    const pdf = join(artifacts, 'signed-record-browser.pdf');
    await download.saveAs(pdf);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-']).toString();
    for (const spoken of [...SPOKEN.map(([, x]) => x), CLOSING]) assert.ok(text.replace(/\s/g, '').includes(spoken), `the PDF has: ${spoken}`);
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf]).toString())[1]);
    const images = execFileSync('pdfimages', ['-list', pdf]).toString().trim().split('\n').slice(2)
      .filter((line) => line.trim().split(/\s+/)[2] === 'image');
    assert.equal(images.length, 2 * pages, 'both signatures on every page');

    // 笔录核验: anyone holding the PDF checks it against the court's record, without logging in; a copy changed
    // by one byte is not the court's.
    // The checker's browser is in another time zone: times are still the court's, as on the PDF.
    const checker = await (await chrome.newContext({ viewport: { width: 1366, height: 768 }, timezoneId: 'America/New_York' })).newPage();
    /** @type {string[]} */
    const sent = [];
    checker.on('request', (r) => r.url().endsWith('/api/records/verify') && sent.push(r.postData() ?? ''));
    await checker.goto(court.url);
    await checker.click('a[name=verify]');
    await checker.setInputFiles('input[name=record-pdf]', pdf);
    await until('verified', () => checker.textContent('#verify-result').catch(() => ''), (t) => t === '本院出具的签名笔录，与法院保存的一致。');
    assert.equal(await checker.textContent('#verify-signing'), '已全部签名');
    assert.deepEqual((await checker.locator('.verified-signatures li').allTextContents()).map((t) => [t.split('　')[0], t.endsWith('签名有效')]),
      [['原告 张三', true], ['被告 李四', true]]);
    const signedAt = (await checker.locator('.verified-signatures li').allTextContents()).map((t) => t.split('　')[1]);
    for (const at of signedAt) assert.ok(text.includes(at), `${at} as on the signed PDF`);
    await shot(checker, 'record-verified');
    const tampered = join(artifacts, 'signed-record-browser-tampered.pdf');
    const bytes = readFileSync(pdf);
    bytes[Math.floor(bytes.length / 2)] ^= 1;
    writeFileSync(tampered, bytes);
    await checker.setInputFiles('input[name=record-pdf]', tampered);
    const pdfHash = createHash('sha256').update(readFileSync(pdf)).digest('hex');
    assert.deepEqual(JSON.parse(sent[0]), { sha256: pdfHash }, 'only the hash leaves the checker\'s computer');
    await until('not the court\'s', () => checker.textContent('#verify-result').catch(() => ''), (t) => t.startsWith('未找到'));

    // A version everyone signed is not offered for signing again; 修改笔录 asks first (the page accepts), and
    // what is typed is kept even when the clerk leaves within the autosave pause.
    assert.equal(await clerk.locator('button[name=start-signing]').count(), 0, 'no 重新发起签名 on a version everyone signed');
    assert.equal(await clerk.textContent('#signed-hint'), '第5版已全部签名');
    await clerk.click('button[name=edit-signed]');
    const added = `${CLOSING}（补记）`;
    await clerk.locator('#paragraphs textarea').last().fill(added);
    await clerk.goto(`${clerkNetwork.url}/#/console/hearing/${court.hearing.id}`);
    await clerk.waitForSelector('#meeting-number');
    await clerk.click('a[name=record]');
    await until('kept though the clerk left at once', () => clerk.getAttribute('#save-status', 'data-version'), (v) => v === '6');
    assert.equal(await clerk.locator('#paragraphs textarea').last().inputValue(), added);
    // The signed PDF, checked again: the court's, and superseded by the change.
    await checker.setInputFiles('input[name=record-pdf]', pdf);
    await until('superseded said', () => checker.textContent('#verify-superseded').catch(() => ''), (t) => t === '注意：此后笔录已修改为第6版，此为第5版。');
  } finally {
    await chrome.close();
    court.stop();
  }
});


test('the clerk loses nothing to a lost answer, a version saved while away, or a conflict, and the choice is the clerk\'s', async () => {
  const court = await startServer();
  const chrome = await browser();
  try {
    const network = await court.relay();
    const clerk = await staffEnters(chrome, court, 'clerk', { width: 1366, height: 768 }, network.url);
    await clerk.click('button[name=tab-record]');
    const row = (/** @type {number} */ n) => clerk.locator('#paragraphs .paragraph-row').nth(n).locator('textarea');
    const latest = async () => (await court.api('GET', `/api/hearings/${court.hearing.id}/record`, undefined, court.clerk)).latest;
    await row(0).fill('现在开庭。');
    await until('version 1', () => clerk.getAttribute('#save-status', 'data-version'), (v) => v === '1');

    // A save reaches the server but its answer is lost; the clerk goes on typing.
    let lost = false;
    await clerk.route('**/api/hearings/*/record', async (route) => {
      if (route.request().method() !== 'PUT' || lost) return route.continue();
      lost = true;
      await route.fetch();
      await route.abort('connectionreset');
    });
    await row(0).fill('现在开庭。请原告陈述诉讼请求。');
    await until('the answer lost', () => clerk.textContent('#save-status'), (t) => t === '保存失败，正在重试…');
    assert.equal((await latest()).version, 2, 'it was saved all the same');
    await row(0).fill('现在开庭。请原告陈述诉讼请求。原告：请求判令被告还款。');
    await until('saved after its own version', () => clerk.getAttribute('#save-status', 'data-version'), (v) => v === '3');
    assert.equal(await clerk.textContent('#record .error'), '', 'no conflict with itself');
    assert.equal((await latest()).content.paragraphs[0].text, '现在开庭。请原告陈述诉讼请求。原告：请求判令被告还款。');

    // Saved in another tab while this one's network is down: shown once it is back.
    network.cut();
    await until('the drop noticed', () => clerk.textContent('#connection'), (t) => t === '重新连接中');
    const elsewhere = await latest();
    const added = { ...elsewhere.content, paragraphs: [...elsewhere.content.paragraphs, { speaker: '审判长', text: '被告答辩。' }] };
    await court.api('PUT', `/api/hearings/${court.hearing.id}/record`, { base_version: elsewhere.version, content: added }, court.clerk);
    network.mend();
    await until('back, with version 4', () => clerk.getAttribute('#save-status', 'data-version'), (v) => v === '4');
    assert.equal(await row(1).inputValue(), '被告答辩。');

    // Typed while away, and another version saved meanwhile: told, nothing sent until the clerk chooses.
    network.cut();
    await until('the drop noticed again', () => clerk.textContent('#connection'), (t) => t === '重新连接中');
    await row(1).fill('被告答辩：借款已归还两万元。');
    await until('the save failed', () => clerk.textContent('#save-status'), (t) => t === '保存失败，正在重试…');
    const other = await latest();
    const theirs = { ...other.content, paragraphs: [...other.content.paragraphs, { speaker: '审判长', text: '另一窗口的一段。' }] };
    await court.api('PUT', `/api/hearings/${court.hearing.id}/record`, { base_version: other.version, content: theirs }, court.clerk);
    network.mend();
    await until('told of the conflict', () => clerk.textContent('#save-status'), (t) => t === '未保存：笔录已被更新');
    let puts = 0;
    clerk.on('request', (r) => r.method() === 'PUT' && r.url().endsWith('/record') && (puts += 1));
    await row(1).pressSequentially('另有收条为证。');
    assert.equal(puts, 0, 'not sent with every keystroke');
    assert.equal(await row(1).inputValue(), '被告答辩：借款已归还两万元。另有收条为证。');
    await clerk.click('button[name=keep-mine]');
    await until('mine saved as version 6', () => clerk.getAttribute('#save-status', 'data-version'), (v) => v === '6');
    assert.equal((await latest()).content.paragraphs[1].text, '被告答辩：借款已归还两万元。另有收条为证。');
    const history = await court.api('GET', `/api/hearings/${court.hearing.id}/record/versions/5`, undefined, court.clerk);
    assert.equal(history.content.paragraphs.at(-1).text, '另一窗口的一段。', 'the other version stays in the history');
  } finally {
    await chrome.close();
    court.stop();
  }
});

test('what the clerk typed while the network was down survives the tab crashing, and is saved when the clerk comes back', async () => {
  const court = await startServer();
  const chrome = await browser();
  try {
    const network = await court.relay();
    const first = await staffOpensHearing(chrome, court, 'clerk', { width: 1366, height: 768 }, network.url);
    await first.click('a[name=record]');
    const row = (/** @type {import('playwright-core').Page} */ page) => page.locator('#paragraphs .paragraph-row').first().locator('textarea');
    await row(first).fill('现在开庭。');
    await until('version 1', () => first.getAttribute('#save-status', 'data-version'), (v) => v === '1');
    network.cut();
    await row(first).fill('现在开庭。核对当事人身份。');
    await until('the save failed', () => first.textContent('#save-status'), (t) => t === '保存失败，正在重试…');
    // The tab crashes: no warning, nothing more sent.
    await first.close({ runBeforeUnload: false });

    network.mend();
    const again = await first.context().newPage();
    again.on('dialog', (d) => d.accept());
    await staffOpensHearingOn(again, court, 'clerk', network.url);
    await again.click('a[name=record]');
    await until('saved from what was kept', () => again.getAttribute('#save-status', 'data-version'), (v) => v === '2');
    assert.equal(await row(again).inputValue(), '现在开庭。核对当事人身份。');
    const { latest } = await court.api('GET', `/api/hearings/${court.hearing.id}/record`, undefined, court.clerk);
    assert.equal(latest.content.paragraphs[0].text, '现在开庭。核对当事人身份。');
    // Once saved, nothing is kept to come back again.
    assert.equal(await again.evaluate((id) => localStorage.getItem(`cloudtrial.record-draft.${id}`), court.hearing.id), null);
  } finally {
    await chrome.close();
    court.stop();
  }
});
