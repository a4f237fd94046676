import { seedFor } from '../util/seed';
import { poissonSmall, POISSON_EXACT_BELOW, synthRunKey } from './random';

/** Full scale of the 16-bit ADC: brighter pixels clip here (saturation). */
export const SATURATION_ADU = 65535;

export interface SensorModel {
  readonly gainEPerAdu: number;
  readonly readNoiseE: number;
  readonly pedestalAdu: number;
}

/**
 * Turns expected signal (ADU above the pedestal) into a raw readout, in place: shot noise on the
 * electrons (exact Poisson below POISSON_EXACT_BELOW e-, Gaussian N(lambda, lambda) above, where
 * the Poisson skewness 1/sqrt(lambda) < 0.15 is invisible under the read noise and ADU rounding),
 * Gaussian read noise, the pedestal, rounding to integer ADU and clipping to [0, 65535].
 * The stream is `noise:<f>` and pixels are drawn in row-major order, so a frame's noise does not
 * depend on which frames were rendered before it.
 */
export function addSensorNoise(signal: Float32Array, sensor: SensorModel, seed: number, frameIndex: number): void {
  // mulberry32 (the sequence of shared/util/seed.ts) and Marsaglia's polar method are inlined:
  // this loop runs once per pixel of a 24 MP frame and otherwise dominates the frame time
  let state = seedFor(synthRunKey(seed), `noise:${frameIndex}`) >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const g = sensor.gainEPerAdu;
  const invG = 1 / g;
  const rn = sensor.readNoiseE;
  const rn2 = rn * rn;
  const ped = sensor.pedestalAdu;
  let spare = 0;
  let haveSpare = false;
  for (let i = 0; i < signal.length; i++) {
    let z: number;
    if (haveSpare) {
      haveSpare = false;
      z = spare;
    } else {
      let u: number;
      let v: number;
      let s: number;
      do {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        u = (2 * ((t ^ (t >>> 14)) >>> 0)) / 4294967296 - 1;
        state = (state + 0x6d2b79f5) >>> 0;
        t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        v = (2 * ((t ^ (t >>> 14)) >>> 0)) / 4294967296 - 1;
        s = u * u + v * v;
      } while (s >= 1 || s === 0);
      const m = Math.sqrt((-2 * Math.log(s)) / s);
      spare = v * m;
      haveSpare = true;
      z = u * m;
    }
    const lambda = signal[i] > 0 ? signal[i] * g : 0;
    const electrons = lambda < POISSON_EXACT_BELOW ? poissonSmall(lambda, uniform) + rn * z : lambda + Math.sqrt(lambda + rn2) * z;
    const adu = Math.round(electrons * invG + ped);
    signal[i] = adu < 0 ? 0 : adu > SATURATION_ADU ? SATURATION_ADU : adu;
  }
}
