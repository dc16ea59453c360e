import { z } from 'zod';

/**
 * The buyer directory on the wire. Personal data stays on the server; a
 * console sends what the clerk typed and a reason, and gets back buyer ids
 * with masked values only (server/directory/directory-routes.ts).
 */
export const directorySearchSchema = z
  .object({
    by: z.enum(['phone', 'nameBirth']),
    phone: z.string().max(40).optional(),
    name: z.string().max(60).optional(),
    birthDate: z.string().max(20).optional(),
    reason: z.string().max(400),
  })
  .strict();
export type DirectorySearch = z.infer<typeof directorySearchSchema>;

export const directoryMatchSchema = z
  .object({
    buyerId: z.string().min(1).max(64),
    districtCode: z.string(),
    maskedName: z.string().max(40),
    // Masked by the server; checked here too, so a console never shows a whole number it was sent by mistake.
    maskedPhone: z.string().regex(/^\d{3}-\*{4}-\d{4}$/),
    maskedBirth: z.string().regex(/^\d{4}-\*\*-\*\*$/),
  })
  .strict();
export type DirectoryMatch = z.infer<typeof directoryMatchSchema>;

export const directoryReplySchema = z.object({ buyers: z.array(directoryMatchSchema).max(100) }).strict();
