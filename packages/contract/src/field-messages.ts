/**
 * The words of a field problem zod finds where the schema gives none of its own: the API names the
 * field in `errors[].path`, so the message says what the field must be, in the words the
 * schemas' own messages use ("is required", "must be at most 64"), not zod's ("Invalid input:
 * expected string, received undefined"). A schema's own message always wins (zod's precedence).
 * Installed once, by importing this package (index.ts): the server, the CLI and core's CSV import
 * all parse with these schemas.
 */
import { type core, z } from "zod";

const KINDS: Readonly<Record<string, string>> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  bigint: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "an object",
  date: "a date",
  null: "null",
};

const FORMATS: Readonly<Record<string, string>> = {
  datetime: "an ISO 8601 date-time with its offset, such as 2026-12-04T09:30:00Z",
  date: "a date (YYYY-MM-DD)",
  email: "an email address",
  url: "a URL",
  uuid: "a UUID",
};

const count = (n: number | bigint, one: string, many: string) => `${n} ${Number(n) === 1 ? one : many}`;

function bound(issue: core.$ZodRawIssue, which: "at least" | "at most"): string | undefined {
  const i = issue as unknown as {
    origin?: string;
    minimum?: number | bigint;
    maximum?: number | bigint;
    inclusive?: boolean;
  };
  const n = which === "at least" ? i.minimum : i.maximum;
  if (n === undefined) return undefined;
  switch (i.origin) {
    case "string":
      if (which === "at least" && Number(n) === 1) return "must not be empty";
      return `must be ${which} ${count(n, "character", "characters")}`;
    case "array":
    case "set":
      return `must have ${which} ${count(n, "item", "items")}`;
    case "number":
    case "int":
    case "bigint":
      if (i.inclusive === false) return `must be ${which === "at least" ? "more" : "less"} than ${n}`;
      return `must be ${which} ${n}`;
    default:
      return undefined;
  }
}

/** zod's `customError`: the message for an issue, or undefined to keep zod's own. */
export function fieldMessage(issue: core.$ZodRawIssue): string | undefined {
  if (issue.input === undefined && (issue.code === "invalid_type" || issue.code === "invalid_value")) {
    return "is required";
  }
  switch (issue.code) {
    case "invalid_type": {
      const kind = KINDS[(issue as { expected?: string }).expected ?? ""];
      return kind ? `must be ${kind}` : undefined;
    }
    case "too_small":
      return bound(issue, "at least");
    case "too_big":
      return bound(issue, "at most");
    case "invalid_value": {
      const values = (issue as { values?: readonly unknown[] }).values ?? [];
      if (values.length === 1) return `must be ${JSON.stringify(values[0])}`;
      return values.length > 0
        ? `must be one of ${values.map((v) => JSON.stringify(v)).join(", ")}`
        : undefined;
    }
    case "invalid_format": {
      const format = (issue as { format?: string }).format ?? "";
      const shape = FORMATS[format];
      return shape ? `must be ${shape}` : "is not in the expected form";
    }
    // A union without a message of its own (zod says "Invalid input").
    case "invalid_union":
      return "is not in any of the accepted forms";
    case "not_multiple_of":
      return `must be a multiple of ${(issue as { divisor?: number }).divisor}`;
    default:
      return undefined;
  }
}

interface Issue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly code?: string;
  readonly maximum?: unknown;
}

const isSafeBound = (i: Issue) => i.code === "too_big" && Number(i.maximum) === Number.MAX_SAFE_INTEGER;

/**
 * The issues worth saying, for every place that reports zod's (the API, core's parsing, the CLI):
 * each once per field, and a whole number past its own bound not also against zod's safe-integer
 * bound, which it breaks too.
 */
export function distinctIssues<I extends Issue>(issues: readonly I[]): I[] {
  const key = (i: Issue) => i.path.map(String).join(".");
  const bounded = new Set(issues.filter((i) => i.code === "too_big" && !isSafeBound(i)).map(key));
  const seen = new Set<string>();
  return issues.filter((i) => {
    if (isSafeBound(i) && bounded.has(key(i))) return false;
    const said = `${key(i)}\n${i.message}`;
    if (seen.has(said)) return false;
    seen.add(said);
    return true;
  });
}

z.config({ customError: fieldMessage });
