// A signature drawn with a finger or the mouse, as a PNG.

import { h } from '../dom.js';

export class SignaturePad extends HTMLElement {
  strokes = 0;

  connectedCallback() {
    if (this.canvas) return;
    this.canvas = h('canvas', { class: 'signature-canvas', width: 600, height: 300 });
    this.append(this.canvas, h('p', { class: 'hint' }, '请在上方空白处书写签名'));
    const canvas = this.canvas;
    const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
    context.lineWidth = 5;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.strokeStyle = '#141414';
    /** @type {{x: number, y: number}|null} */
    let last = null;
    const at = (/** @type {PointerEvent} */ e) => {
      const box = canvas.getBoundingClientRect();
      return { x: ((e.clientX - box.left) * canvas.width) / box.width, y: ((e.clientY - box.top) * canvas.height) / box.height };
    };
    canvas.addEventListener('pointerdown', (e) => {
      canvas.setPointerCapture(e.pointerId);
      last = at(e);
      context.beginPath();
      context.arc(last.x, last.y, context.lineWidth / 2, 0, Math.PI * 2);
      context.fillStyle = context.strokeStyle;
      context.fill();
      this.strokes += 1;
      e.preventDefault();
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!last) return;
      const next = at(e);
      context.beginPath();
      context.moveTo(last.x, last.y);
      context.lineTo(next.x, next.y);
      context.stroke();
      last = next;
      e.preventDefault();
    });
    const end = () => {
      last = null;
      this.dispatchEvent(new Event('change'));
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  isEmpty() {
    return this.strokes === 0;
  }

  clear() {
    const canvas = this.canvas;
    canvas?.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
    this.strokes = 0;
    this.dispatchEvent(new Event('change'));
  }

  /** The drawing as a base64 PNG (transparent background). */
  async pngBase64() {
    const canvas = /** @type {HTMLCanvasElement} */ (this.canvas);
    const blob = await new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('签名图片生成失败'))), 'image/png'));
    const bytes = new Uint8Array(await /** @type {Blob} */ (blob).arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  }
}

customElements.define('ct-signature-pad', SignaturePad);
