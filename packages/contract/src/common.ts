/** Shared schema pieces: ids, timestamps, pagination, problems. */
import { z } from "zod";

export const Id = z.string().min(1).max(64);
export const Timestamp = z.string().describe("ISO-8601 UTC timestamp");
export const NullableTimestamp = Timestamp.nullable();

/** A date-time a client sends: ISO 8601 with its offset, refused in words that show the form. */
export const IsoDateTime = () =>
  z.iso.datetime({
    offset: true,
    error: "must be an ISO 8601 date-time with its offset, such as 2026-12-04T09:30:00Z",
  });

/**
 * A bound of a date range: an ISO 8601 date-time with its offset, or a date alone (UTC), which a
 * lower bound reads as the day's start and an upper bound as its end (an inspector asks for
 * "3 December"; "last signed in before 1 March" means before that day began).
 */
const DATE_BOUND = "must be a date (YYYY-MM-DD) or an ISO 8601 date-time with its offset";
export const DateBound = (end: "start" | "end") =>
  z.union(
    [
      z.iso.datetime({ offset: true, error: DATE_BOUND }),
      z.iso
        .date({ error: DATE_BOUND })
        .transform((d) => `${d}T${end === "start" ? "00:00:00.000" : "23:59:59.999"}Z`),
    ],
    { error: DATE_BOUND },
  );

// Lone surrogates are not text; \p{Cs} matches them only (a valid pair is one astral code point).
// Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) are refused too:
// right-to-left names need none, and one reverses what follows it in an export, an email or the
// audit trail (found by the text audit, 2026-12-05). Marks such as LRM, RLM, ZWJ and ZWNJ stay:
// Persian names use ZWNJ, emoji ZWJ.
const NOT_TEXT_ONE_LINE = /[\p{Cc}\p{Cs}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
/** True when `v` is text on one line: no control, bidi-override or line-separator characters, no lone surrogates. */
export const isOneLineText = (v: string) => !NOT_TEXT_ONE_LINE.test(v);
const notText = (v: string) => NOT_TEXT_ONE_LINE.test(v.replace(/[\n\r\t]/g, " "));

/**
 * Text on one line (an initial, a title), empty allowed: no control characters. Judged before
 * the trim, so a CR, LF or tab at either end is refused like one inside rather than dropped
 * silently; only spaces are trimmed.
 */
export const LineText = (max: number) =>
  z
    .string()
    .refine((v) => !NOT_TEXT_ONE_LINE.test(v), "must be text on one line, without control characters")
    .trim()
    .max(max);

/** Text that may span lines (a description), empty allowed: no other control characters. */
export const ParagraphText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((v) => !notText(v), "must be text without control characters");

/**
 * A name or label: trimmed, 1 to `max` characters, one line without control characters or lone
 * surrogates (ASVS 2.2.1 positive validation: NUL or an escape sequence in a name reaches logs,
 * exports and other systems).
 */
export const Label = (max: number) =>
  LineText(max)
    .min(1, "is required")
    // A name of format characters alone (a zero-width space, a left-to-right mark) shows as nothing.
    .refine((v) => v === "" || /[^\p{Cf}\p{Z}]/u.test(v), "is required");

/** Free text that may span lines (a reason, a note), required: no other control characters. */
export const Paragraph = (max: number) => ParagraphText(max).min(1, "is required");

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
