// 庭审开始前请提前测试声音、图像: a camera preview, a microphone level meter,
// and a test sound for the speakers, before entering the hearing.

import { AudioProbe } from '../analysis.js';
import { h, replace } from '../dom.js';

export class DeviceCheck extends HTMLElement {
  /** Ends a running check as if entered without a camera or microphone, and closes what it opened. */
  skip = () => {};

  /**
   * Shows the check; resolves with the camera and microphone (or null without them) when the user enters.
   * @returns {Promise<MediaStream|null>}
   */
  run() {
    return new Promise((resolve) => {
      const video = h('video', { autoplay: true, muted: true, playsInline: true, class: 'preview' });
      const meter = h('meter', { min: 0, max: 1, value: 0, class: 'level', title: '麦克风音量' });
      const status = h('p', { class: 'notice' }, '正在打开摄像头和麦克风……');
      /** @type {AudioContext|null} */
      let audio = null;
      /** @type {number|undefined} */
      let timer;
      const enter = h('button', {
        type: 'button', class: 'primary', name: 'enter-hearing',
        onclick: () => {
          // Entering before the camera has opened still enters with it once it has.
          enter.disabled = true;
          this.skip = () => {};
          opening.then((stream) => {
            clearInterval(timer);
            audio?.close();
            resolve(stream);
          });
        },
      }, '进入庭审');
      const testSound = h('button', {
        type: 'button', class: 'secondary', name: 'test-sound',
        onclick: () => {
          const context = new AudioContext();
          const tone = context.createOscillator();
          tone.frequency.value = 660;
          tone.connect(context.destination);
          tone.start();
          tone.stop(context.currentTime + 1);
          tone.onended = () => context.close();
        },
      }, '播放测试音');
      replace(this, h('section', { class: 'card device-check' },
        h('h2', {}, '设备检测'),
        h('p', {}, '庭审开始前请检查摄像头画面和麦克风音量，并播放测试音确认扬声器正常。'),
        h('div', { class: 'check-grid' },
          video,
          h('div', {},
            h('p', {}, '麦克风'), meter,
            h('p', {}, '扬声器'), testSound)),
        status,
        h('div', { class: 'actions' }, enter)));

      /** @type {Promise<MediaStream|null>} */
      const opening = navigator.mediaDevices
        .getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: true })
        .then((media) => {
          video.srcObject = media;
          status.textContent = '摄像头和麦克风正常。';
          const track = media.getAudioTracks()[0];
          if (track) {
            audio = new AudioContext();
            const probe = new AudioProbe(audio, track);
            timer = window.setInterval(() => (meter.value = Math.min(1, probe.level() * 4)), 100);
          }
          return media;
        })
        .catch(() => {
          status.textContent = '无法使用摄像头或麦克风。请检查浏览器权限后刷新页面；也可不带音视频进入庭审。';
          status.className = 'error';
          return null;
        });
      // The hearing ended before the user entered (or had ended already): nothing to check.
      this.skip = () => {
        this.skip = () => {};
        resolve(null);
        opening.then((stream) => {
          clearInterval(timer);
          audio?.close();
          for (const track of stream?.getTracks() ?? []) track.stop();
        });
      };
    });
  }
}

customElements.define('ct-device-check', DeviceCheck);
