import { setThreshold } from './countersign-threshold.js';

export const setRefundThreshold = setThreshold<'set_refund_threshold'>('refund_settings');
