/** Bodies of the user actions (API.md: restore, deactivate, …; the permissions body is in roles.ts). */
import { z } from "zod";

/** `POST /users/{id}/restore`: optional; `expiresAt` replaces a past expiry (null = none). */
export const RestoreUserBody = z
  .strictObject({ expiresAt: z.iso.datetime({ offset: true }).nullable().optional() })
  .optional();
export type RestoreUserBody = z.infer<typeof RestoreUserBody>;
