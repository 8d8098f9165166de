/** Bodies of the user actions (API.md: restore, deactivate, …; the permissions body is in roles.ts). */
import { z } from "zod";
import { IsoDateTime } from "./common.ts";

/** `POST /users/{id}/restore`: optional; `expiresAt` replaces a past expiry (null = none). */
export const RestoreUserBody = z.strictObject({ expiresAt: IsoDateTime().nullable().optional() }).optional();
export type RestoreUserBody = z.infer<typeof RestoreUserBody>;
