/** Shared schema pieces: ids, timestamps, pagination, problems. */
import { z } from "zod";

export const Id = z.string().min(1).max(64);
export const Timestamp = z.string().describe("ISO-8601 UTC timestamp");
export const NullableTimestamp = Timestamp.nullable();

export const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional(),
});

export function page<T extends z.ZodType>(item: T) {
  return z.strictObject({ items: z.array(item), nextCursor: z.string().nullable() });
}

export const IdParams = z.strictObject({ id: Id });

export const ProblemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.string(),
  detail: z.string().optional(),
  errors: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
});

/** Boolean query flags arrive as strings; only `true` and `false` are accepted. */
export const QueryBoolean = z.enum(["true", "false"]).transform((v) => v === "true");

/** `GET /healthz`: the process answers. `GET /readyz`: the database is reachable and migrated. */
export const HealthResponse = z.strictObject({ status: z.literal("ok") });
export const ReadyResponse = z.strictObject({ status: z.literal("ready") });
