// Measuring media in the page: the colour a video mostly is, the tone and
// loudness of audio. The device check uses the level; tests use the rest.

/** The test participants' colours (same palette as core/src/media/synthetic.rs). */
export const PALETTE = /** @type {const} */ ([
  ['red', [220, 40, 40]],
  ['green', [40, 200, 40]],
  ['blue', [40, 60, 220]],
  ['yellow', [230, 220, 40]],
  ['magenta', [210, 40, 210]],
  ['cyan', [40, 210, 210]],
]);

/**
 * The palette colour nearest to an RGB colour.
 * @param {number[]} rgb
 * @returns {string}
 */
export function nearestColour(rgb) {
  let best = '?';
  let bestDistance = Infinity;
  for (const [name, colour] of PALETTE) {
    const distance = colour.reduce((sum, c, i) => sum + (c - rgb[i]) ** 2, 0);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = name;
    }
  }
  return best;
}

/**
 * The mean colour of a video's current picture.
 * @param {HTMLVideoElement} video
 * @param {HTMLCanvasElement} canvas a scratch canvas
 * @returns {number[]|null}
 */
export function meanColour(video, canvas) {
  if (!video.videoWidth) return null;
  canvas.width = 64;
  canvas.height = 48;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) return null;
  context.drawImage(video, 0, 0, 64, 48);
  const { data } = context.getImageData(0, 0, 64, 48);
  const sum = [0, 0, 0];
  for (let i = 0; i < data.length; i += 4) {
    sum[0] += data[i];
    sum[1] += data[i + 1];
    sum[2] += data[i + 2];
  }
  const n = data.length / 4;
  return sum.map((s) => Math.round(s / n));
}

/** Listens to one audio track: its level (0..1) and its dominant frequency. */
export class AudioProbe {
  /**
   * @param {AudioContext} context
   * @param {MediaStreamTrack} track
   */
  constructor(context, track) {
    this.context = context;
    this.source = context.createMediaStreamSource(new MediaStream([track]));
    this.analyser = context.createAnalyser();
    this.analyser.fftSize = 8192;
    this.analyser.smoothingTimeConstant = 0.2;
    this.source.connect(this.analyser);
    this.spectrum = new Float32Array(this.analyser.frequencyBinCount);
    this.wave = new Float32Array(this.analyser.fftSize);
  }

  /** Root mean square of the last samples, 0..1. */
  level() {
    this.analyser.getFloatTimeDomainData(this.wave);
    let sum = 0;
    for (const s of this.wave) sum += s * s;
    return Math.sqrt(sum / this.wave.length);
  }

  /** The frequency (Hz) of the strongest bin, or null when silent. */
  dominantFrequency() {
    this.analyser.getFloatFrequencyData(this.spectrum);
    let best = 0;
    for (let i = 1; i < this.spectrum.length; i++) {
      if (this.spectrum[i] > this.spectrum[best]) best = i;
    }
    if (this.spectrum[best] < -70) return null;
    return (best * this.context.sampleRate) / this.analyser.fftSize;
  }

  disconnect() {
    this.source.disconnect();
  }
}
