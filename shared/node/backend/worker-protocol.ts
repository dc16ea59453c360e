import type { Envelope, InvokeRequest } from '../../api/envelope.js';

export type WorkerInbound = { type: 'invoke'; id: number; request: InvokeRequest } | { type: 'close' };

export type WorkerOutbound =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { type: 'reply'; id: number; envelope: Envelope }
  | { type: 'closed' };
