import { setThreshold } from './countersign-threshold.js';

export const setAdjustmentThreshold = setThreshold<'set_adjustment_threshold'>('reconcile_settings');
