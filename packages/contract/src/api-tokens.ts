/**
 * API tokens (PRODUCT.md §4, SECURITY.md §F): each acts as a virtual integration user of one
 * tenant holding a chosen role. The token itself is answered once, at creation, and never again.
 */
import { z } from "zod";
import { Id, IsoDateTime, Label, ListQuery, NullableTimestamp, Timestamp } from "./common.ts";

export const CreateApiTokenBody = z.strictObject({
  name: Label(80),
  /** A formal role of the tenant that the creator's own grants cover. */
  roleId: Id,
  /** Optional; must lie in the future. */
  expiresAt: IsoDateTime().nullable().optional(),
});
export type CreateApiTokenBody = z.infer<typeof CreateApiTokenBody>;

/** The answer to a creation: the only time `token` is ever shown. */
export const CreatedApiTokenSchema = z.strictObject({
  id: Id,
  token: z.string(),
  name: z.string(),
  /** The virtual integration user the token acts as. */
  userId: Id,
  roleId: Id,
  expiresAt: NullableTimestamp,
  createdAt: Timestamp,
});
export type CreatedApiToken = z.infer<typeof CreatedApiTokenSchema>;

/** A token as listed: never the token or its hash. */
export const ApiTokenSchema = z.strictObject({
  id: Id,
  /** 1 while active, 2 once revoked: the ETag; `DELETE` takes it as If-Match. */
  version: z.number().int(),
  name: z.string(),
  userId: Id,
  /** The integration user's role (null if that user is gone). */
  roleId: Id.nullable(),
  createdAt: Timestamp,
  createdBy: Id.nullable(),
  expiresAt: NullableTimestamp,
  lastUsedAt: NullableTimestamp,
  revokedAt: NullableTimestamp,
  /**
   * Not revoked, but the person who made it no longer holds all it holds (demoted, narrowed, or
   * gone): refused (401) until they do again. Revoke it and make a new one from an account that
   * holds its role.
   */
  heldBack: z.boolean(),
});
export type ApiToken = z.infer<typeof ApiTokenSchema>;

export const ListApiTokensQuery = ListQuery;
export type ListApiTokensQuery = z.infer<typeof ListApiTokensQuery>;
