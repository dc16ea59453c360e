import { randomUUID } from 'node:crypto';

/** A command's id, sent with it so a retried command is recognised by the server and applied once. */
export function newCommandId(): string {
  return randomUUID();
}
