// Issue 13: live speech recognition in the browser. A party's real Mandarin
// recording is spoken into the hearing through a native participant; the
// clerk's room shows 原告 张三 and the sentence in the panel on the left,
// ticks it and takes it into the record (记入笔录), where it appears as a
// paragraph with the speaker's role.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, browser, speechModel, speechRecording, SPEECH_TRANSCRIPT, staffEnters, startServer, until } from './court.mjs';

/** Character error rate, as the Rust tests count it (punctuation does not count). */
function cer(reference, hypothesis) {
  const r = [...reference].filter((c) => /[\p{L}\p{N}]/u.test(c));
  const h = [...hypothesis].filter((c) => /[\p{L}\p{N}]/u.test(c));
  let previous = Array.from({ length: h.length + 1 }, (_, i) => i);
  for (let i = 0; i < r.length; i++) {
    const current = [i + 1];
    for (let j = 0; j < h.length; j++) current.push(Math.min(previous[j] + (r[i] === h[j] ? 0 : 1), previous[j + 1] + 1, current[j] + 1));
    previous = current;
  }
  return previous[h.length] / r.length;
}

test('the clerk sees who said what as it is said and takes it into the record', async () => {
  const court = await startServer(['--asr-engine', 'whisper', '--asr-model', speechModel]);
  const chrome = await browser();
  try {
    const clerk = await staffEnters(chrome, court, 'clerk', { width: 1366, height: 768 });
    await until('the panel before 开始', () => clerk.textContent('#recognition'), (t) => t.trim() === '语音识别暂未开始');

    const judge = await court.participantProcess('13900000001', 'red', 440);
    const plaintiff = await court.participantProcess('13800000001', 'green', 660, ['--audio-file', speechRecording]);
    await until('the plaintiff in the room', () => plaintiff.last?.hearing_status, (s) => !!s);
    judge.send('start');
    await until('庭审中', () => clerk.textContent('#hearing-status'), (t) => t === '庭审中');
    plaintiff.send('speak');

    const line = clerk.locator('#speech-lines li[data-final=true]').first();
    await until('the sentence in the clerk\'s panel', () => line.count(), (n) => n > 0, 120);
    assert.equal(await line.locator('.speaker').textContent(), '原告 张三');
    const text = await line.locator('.text').textContent();
    assert.ok(cer(SPEECH_TRANSCRIPT, text) <= 0.15, `CER too high: ${text}`);
    await clerk.screenshot({ path: join(artifacts, 'speech-panel.png') });

    // 记入笔录: nothing enters the record until the clerk takes it.
    await clerk.click('button[name=tab-record]');
    await until('the editor', () => clerk.locator('ct-record-editor textarea[name=text]').count(), (n) => n > 0);
    const before = await clerk.locator('ct-record-editor textarea[name=text]').evaluateAll((els) => els.map((e) => e.value));
    assert.ok(!before.includes(text), 'not in the record before the clerk takes it');
    assert.ok(await line.isVisible(), 'what is said stays in view while the clerk writes');
    // What the clerk typed and the server refused (too long) is neither dropped nor overwritten by 记入笔录.
    const first = clerk.locator('ct-record-editor textarea[name=text]').first();
    const tooLong = '长'.repeat(20001);
    await first.fill(tooLong);
    await until('refused', () => clerk.textContent('#save-status'), (t) => t === '未保存：请按提示修改');
    await line.locator('input[name=take]').check();
    await clerk.click('button[name=take-into-record]');
    await until('not taken over unsaved text', () => clerk.textContent('#speech-status'), (t) => t.startsWith('笔录有未能保存的修改'));
    assert.equal(await first.inputValue(), tooLong, 'the refused text is still there to fix');
    // Fixed, and indented as a record's paragraph is: saved as typed, indentation kept.
    await first.fill('　　本庭现在开庭。');
    await until('saved', () => clerk.textContent('#save-status'), (t) => t.startsWith('已保存'));
    await clerk.click('button[name=take-into-record]');
    await until('the sentence in the record', () => clerk.locator('ct-record-editor textarea[name=text]').evaluateAll((els) => els.map((e) => e.value)),
      (texts) => texts.includes(text));
    const speakers = await clerk.locator('ct-record-editor input[name=speaker]').evaluateAll((els) => els.map((e) => e.value));
    const texts = await clerk.locator('ct-record-editor textarea[name=text]').evaluateAll((els) => els.map((e) => e.value));
    assert.equal(speakers[texts.indexOf(text)], '原告', 'the paragraph carries the speaker\'s role');
    assert.equal(texts[0], '　　本庭现在开庭。', 'the clerk\'s paragraph keeps its indentation');
    await clerk.screenshot({ path: join(artifacts, 'speech-into-record.png') });
  } finally {
    await chrome.close();
    court.stop();
  }
});
