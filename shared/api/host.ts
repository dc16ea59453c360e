import { z } from 'zod';

/**
 * Calls the Electron host answers itself instead of the backend, on the same
 * one invoke channel (no other IPC). The web host has none: a browser downloads.
 */
export const HOST_SAVE_EXPORT = 'host.saveExport';

export const hostSaveExportInput = z.object({ jobId: z.string().min(1).max(64) }).strict();

/** `saved` false: the user closed the save dialog. */
export interface HostSaveResult {
  saved: boolean;
  filename: string;
  size: number;
}
