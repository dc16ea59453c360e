import type { SimParams } from '../params.js';
import type { FitParameter } from './schema.js';

/** A fitted quantity read from parameters, in the unit the official enters it. */
export function fitValueOf(p: SimParams, key: FitParameter): number {
  switch (key) {
    case 'visitors':
      return p.visitors;
    case 'arrivalShape':
      return p.arrival.curve === 'decay' ? p.arrival.decayMinutes : p.arrival.spikeMinutes;
    case 'preOpenShare':
      return p.arrival.preOpenShare;
    case 'admissionPerMinute':
      return p.waitingRoom.admissionPerMinute ?? 0;
    case 'checkoutSeconds':
      return p.checkout.meanSeconds;
    case 'failureRate':
      return p.checkout.failureRate;
    case 'patienceMinutes':
      return p.patience.meanMinutes;
    case 'returnProbability':
      return p.returns.probability;
  }
}

/** A fitted quantity as the console and the PDF print it: shares in per cent, the arrival shape to a tenth, the rest whole. */
export function fitValueText(key: FitParameter, v: number, n: (v: number) => string): string {
  switch (key) {
    case 'arrivalShape':
      return n(Math.round(v * 10) / 10);
    case 'preOpenShare':
    case 'failureRate':
    case 'returnProbability':
      return `${(v * 100).toFixed(1)}%`;
    default:
      return n(Math.round(v));
  }
}
