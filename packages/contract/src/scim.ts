/**
 * SCIM 2.0 (RFC 7643/7644) at `/scim/v2`: requests are SCIM JSON, checked attribute by attribute
 * by the service (SCIM attribute names are case-insensitive and clients send extra members), so
 * the schemas here only fix the envelope and the list parameters.
 */
import { z } from "zod";

/** A SCIM resource or PatchOp body: a JSON object. */
export const ScimBody = z.record(z.string(), z.unknown());
export type ScimBody = z.infer<typeof ScimBody>;

const whole = (what: string) =>
  z.coerce.number({ error: `${what} must be a number` }).int(`${what} must be a whole number`);

/**
 * List parameters (RFC 7644 §3.4.2): `startIndex` below 1 counts as 1 and `count` is clamped to
 * 0–200 by the service, as the RFC says; other parameters (sortBy, which is not supported) are ignored.
 */
export const ScimListQuery = z.looseObject({
  filter: z.string().max(2000).optional(),
  startIndex: whole("startIndex").optional(),
  count: whole("count").optional(),
  attributes: z.string().max(2000).optional(),
  excludedAttributes: z.string().max(2000).optional(),
});
export type ScimListQuery = z.infer<typeof ScimListQuery>;

/**
 * A write (POST, PUT, PATCH) takes the projection parameters for the resource it returns
 * (RFC 7644 §3.9: "on any operation that returns a resource"); nothing else.
 */
export const ScimProjectionQuery = z.strictObject({
  attributes: z.string().max(2000).optional(),
  excludedAttributes: z.string().max(2000).optional(),
});

/** The discovery resources take no parameters; `filter` is read only to be refused (RFC 7644 §4: 403). */
export const ScimDiscoveryQuery = z.strictObject({ filter: z.string().optional() });

/** `POST /.search` (RFC 7644 §3.4.3): the list parameters in a body. */
export const ScimSearchBody = z.looseObject({
  schemas: z.array(z.string()).optional(),
  filter: z.string().max(2000).optional(),
  startIndex: z.number().int().optional(),
  count: z.number().int().optional(),
  attributes: z.union([z.array(z.string()), z.string()]).optional(),
  excludedAttributes: z.union([z.array(z.string()), z.string()]).optional(),
});

export const ScimResourceParams = z.strictObject({ id: z.string().min(1).max(200) });
