/**
 * Doc lint for docs/security/auth-controls.md (SECURITY.md 1, ASVS 6.1.1): every number the
 * document gives for a sign-in control equals the code's constant. Pure: reads the file, imports
 * the constants, touches no database.
 *
 * The document's number tables have the header `| Control | Value | Code |`. In each row, Value is
 * a number or a range `A to B` (commas allowed), optionally followed by a unit; Code is one
 * constant in backticks. A row naming a constant unknown to KNOWN below fails, and so does a
 * constant in KNOWN that the document does not name: add both sides together.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SETTINGS_FIELDS, UpdateWorkspaceBody } from "@staffgate/contract";
import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "../tenants/settings.rules.ts";
import { INVITATION_HOURS, RESET_LINK_MINUTES } from "./credential-emails.ts";
import { FORGOT_PASSWORD_MIN_MS, RESET_EMAILS_PER_HOUR } from "./credentials.service.ts";
import { LOGIN_THROTTLE } from "./login.service.ts";
import {
  RECOVERY_CODE_COUNT,
  REMEMBER_DEVICE_MAX_DAYS,
  TOTP_STEP_SECONDS,
  TOTP_WINDOW,
} from "./mfa.rules.ts";
import { ARGON2_DEFAULTS, MAX_QUEUED_HASHES } from "./password-hasher.ts";
import { PASSWORD_HARD_CAP } from "./password-policy.rules.ts";
import { BULK_COST, DEFAULT_RATE_LIMITS, LIST_COST_DIVISOR } from "./rate-limits.ts";
import { REAUTH_LIMIT, REAUTH_WINDOW_MS } from "./reauth-throttle.ts";
import { RECENT_SIGN_IN_MINUTES } from "./step-up.rules.ts";

const DOC_PATH = fileURLToPath(new URL("../../../../docs/security/auth-controls.md", import.meta.url));
const TABLE_HEADER = ["Control", "Value", "Code"];

type Unit = "ms" | "seconds" | "minutes" | "hours" | "days" | "KiB" | "code points" | "count";
interface Range {
  readonly min: number;
  readonly max: number;
}
interface Known {
  readonly value: number | Range;
  /** The unit the code's value is in ("count" for a plain number). */
  readonly unit: Unit;
}

const MS_PER: Partial<Record<Unit, number>> = {
  ms: 1,
  seconds: 1000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
};

/** Units as written in the document (singular or plural) → Unit. No unit → "count". */
const UNIT_WORDS: Record<string, Unit> = {
  ms: "ms",
  millisecond: "ms",
  milliseconds: "ms",
  second: "seconds",
  seconds: "seconds",
  minute: "minutes",
  minutes: "minutes",
  hour: "hours",
  hours: "hours",
  day: "days",
  days: "days",
  KiB: "KiB",
  "code point": "code points",
  "code points": "code points",
};

/** The bounds of a zod number schema (min and max must both be set). */
function bounds(schema: { readonly minValue: number | null; readonly maxValue: number | null }): Range {
  if (schema.minValue === null || schema.maxValue === null) throw new Error("schema has no min or max");
  return { min: schema.minValue, max: schema.maxValue };
}

/** Every constant the document may name, with the code's value and its unit. */
const KNOWN: Record<string, Known> = {
  "DEFAULT_SETTINGS.lockoutThreshold": { value: DEFAULT_SETTINGS.lockoutThreshold, unit: "count" },
  "SETTINGS_FIELDS.lockoutThreshold": { value: bounds(SETTINGS_FIELDS.lockoutThreshold), unit: "count" },
  "DEFAULT_SETTINGS.lockoutMinutes": { value: DEFAULT_SETTINGS.lockoutMinutes, unit: "minutes" },
  "SETTINGS_FIELDS.lockoutMinutes": { value: bounds(SETTINGS_FIELDS.lockoutMinutes), unit: "minutes" },
  "LOGIN_THROTTLE.windowMs": { value: LOGIN_THROTTLE.windowMs, unit: "ms" },
  "LOGIN_THROTTLE.perAccount": { value: LOGIN_THROTTLE.perAccount, unit: "count" },
  "LOGIN_THROTTLE.perAddress": { value: LOGIN_THROTTLE.perAddress, unit: "count" },
  REAUTH_LIMIT: { value: REAUTH_LIMIT, unit: "count" },
  REAUTH_WINDOW_MS: { value: REAUTH_WINDOW_MS, unit: "ms" },
  RECENT_SIGN_IN_MINUTES: { value: RECENT_SIGN_IN_MINUTES, unit: "minutes" },
  RESET_EMAILS_PER_HOUR: { value: RESET_EMAILS_PER_HOUR, unit: "count" },
  FORGOT_PASSWORD_MIN_MS: { value: FORGOT_PASSWORD_MIN_MS, unit: "ms" },
  RESET_LINK_MINUTES: { value: RESET_LINK_MINUTES, unit: "minutes" },
  INVITATION_HOURS: { value: INVITATION_HOURS, unit: "hours" },
  TOTP_STEP_SECONDS: { value: TOTP_STEP_SECONDS, unit: "seconds" },
  TOTP_WINDOW: { value: TOTP_WINDOW, unit: "count" },
  RECOVERY_CODE_COUNT: { value: RECOVERY_CODE_COUNT, unit: "count" },
  REMEMBER_DEVICE_MAX_DAYS: { value: REMEMBER_DEVICE_MAX_DAYS, unit: "days" },
  "DEFAULT_SETTINGS.rememberDeviceDays": { value: DEFAULT_SETTINGS.rememberDeviceDays, unit: "days" },
  "SETTINGS_FIELDS.rememberDeviceDays": { value: bounds(SETTINGS_FIELDS.rememberDeviceDays), unit: "days" },
  "ARGON2_DEFAULTS.memoryCost": { value: ARGON2_DEFAULTS.memoryCost, unit: "KiB" },
  "ARGON2_DEFAULTS.timeCost": { value: ARGON2_DEFAULTS.timeCost, unit: "count" },
  "ARGON2_DEFAULTS.parallelism": { value: ARGON2_DEFAULTS.parallelism, unit: "count" },
  PASSWORD_HARD_CAP: { value: PASSWORD_HARD_CAP, unit: "code points" },
  MAX_QUEUED_HASHES: { value: MAX_QUEUED_HASHES, unit: "count" },
  "DEFAULT_SETTINGS.idleTimeoutMinutes": { value: DEFAULT_SETTINGS.idleTimeoutMinutes, unit: "minutes" },
  "SETTINGS_FIELDS.idleTimeoutMinutes": {
    value: bounds(SETTINGS_FIELDS.idleTimeoutMinutes),
    unit: "minutes",
  },
  "UpdateWorkspaceBody.idleTimeoutSeconds": {
    value: bounds(UpdateWorkspaceBody.shape.idleTimeoutSeconds.unwrap().unwrap()),
    unit: "seconds",
  },
  "DEFAULT_SETTINGS.absoluteTimeoutHours": { value: DEFAULT_SETTINGS.absoluteTimeoutHours, unit: "hours" },
  "SETTINGS_FIELDS.absoluteTimeoutHours": {
    value: bounds(SETTINGS_FIELDS.absoluteTimeoutHours),
    unit: "hours",
  },
  "DEFAULT_SETTINGS.maxSessionsPerUser": { value: DEFAULT_SETTINGS.maxSessionsPerUser, unit: "count" },
  "SETTINGS_FIELDS.maxSessionsPerUser": { value: bounds(SETTINGS_FIELDS.maxSessionsPerUser), unit: "count" },
  "DEFAULT_RATE_LIMITS.perCaller": { value: DEFAULT_RATE_LIMITS.perCaller, unit: "count" },
  "DEFAULT_RATE_LIMITS.perTenant": { value: DEFAULT_RATE_LIMITS.perTenant, unit: "count" },
  "DEFAULT_RATE_LIMITS.decisionsPerCaller": { value: DEFAULT_RATE_LIMITS.decisionsPerCaller, unit: "count" },
  "DEFAULT_RATE_LIMITS.decisionsPerTenant": { value: DEFAULT_RATE_LIMITS.decisionsPerTenant, unit: "count" },
  BULK_COST: { value: BULK_COST, unit: "count" },
  LIST_COST_DIVISOR: { value: LIST_COST_DIVISOR, unit: "count" },
};

interface Row {
  readonly line: number;
  readonly text: string;
  readonly control: string;
  readonly value: string;
  readonly code: string;
}

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split("|")
    .map((c) => c.trim());
}

/** Every body row of every `| Control | Value | Code |` table, with its line number (1-based). */
function parseRows(markdown: string): Row[] {
  const lines = markdown.split("\n");
  const rows: Row[] = [];
  for (let i = 0; i < lines.length; i++) {
    const header = lines[i]!;
    if (!header.trim().startsWith("|")) continue;
    if (cells(header).join("|") !== TABLE_HEADER.join("|")) continue;
    // Skip the header and its `| --- |` line, then read until the table ends.
    let j = i + 2;
    for (; j < lines.length && lines[j]!.trim().startsWith("|"); j++) {
      const text = lines[j]!;
      const [control = "", value = "", code = "", ...rest] = cells(text);
      if (rest.length > 0) throw new Error(`line ${j + 1}: more than three cells: ${text}`);
      rows.push({ line: j + 1, text, control, value, code });
    }
    i = j;
  }
  return rows;
}

/** The constant named in a Code cell: exactly one identifier path in backticks. */
function constantOf(code: string): string | undefined {
  return /^`([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)`$/.exec(code)?.[1];
}

/** A Value cell: `N`, `N unit`, `A to B` or `A to B unit`; numbers may have thousands commas. */
function parseValue(value: string): { value: number | Range; unit: Unit } | undefined {
  const m = /^(\d[\d,]*)(?:\s+to\s+(\d[\d,]*))?(?:\s+(.+))?$/.exec(value);
  if (!m) return undefined;
  const num = (s: string) => Number(s.replaceAll(",", ""));
  const unit = m[3] === undefined ? "count" : UNIT_WORDS[m[3]];
  if (unit === undefined) return undefined;
  const first = num(m[1]!);
  return { value: m[2] === undefined ? first : { min: first, max: num(m[2]) }, unit };
}

/** One number in a unit, in the unit's base (ms for times); undefined when the units cannot compare. */
function inBase(n: number, unit: Unit, other: Unit): number | undefined {
  const a = MS_PER[unit];
  const b = MS_PER[other];
  if (a !== undefined && b !== undefined) return n * a;
  return unit === other ? n : undefined;
}

/** The documented value expressed like the code's, or a reason why it cannot be. */
function compare(doc: { value: number | Range; unit: Unit }, known: Known): string | null {
  const docRange = typeof doc.value !== "number";
  const codeRange = typeof known.value !== "number";
  if (docRange !== codeRange) {
    return `the document gives ${docRange ? "a range" : "one number"}, the code ${codeRange ? "a range" : "one number"}`;
  }
  const pairs: [number, number][] =
    typeof doc.value === "number"
      ? [[doc.value, known.value as number]]
      : [
          [doc.value.min, (known.value as Range).min],
          [doc.value.max, (known.value as Range).max],
        ];
  for (const [d, c] of pairs) {
    const docBase = inBase(d, doc.unit, known.unit);
    const codeBase = inBase(c, known.unit, doc.unit);
    if (docBase === undefined || codeBase === undefined) {
      return `the document's unit "${doc.unit}" does not fit the code's "${known.unit}"`;
    }
    const say = (n: number, unit: Unit) => (unit === "count" ? `${n}` : `${n} ${unit}`);
    if (docBase !== codeBase)
      return `the document says ${say(d, doc.unit)}, the code has ${say(c, known.unit)}`;
  }
  return null;
}

const markdown = existsSync(DOC_PATH) ? readFileSync(DOC_PATH, "utf8") : undefined;
const rows = markdown === undefined ? [] : parseRows(markdown);

describe("docs/security/auth-controls.md", () => {
  it("exists and has number tables", () => {
    expect(markdown, `${DOC_PATH} is missing`).toBeDefined();
    expect(rows.length).toBeGreaterThan(0);
  });

  it("every row is well formed and names a constant this test knows", () => {
    const problems: string[] = [];
    for (const row of rows) {
      const name = constantOf(row.code);
      if (row.control === "") problems.push(`line ${row.line}: empty Control cell`);
      if (name === undefined) problems.push(`line ${row.line}: Code is not one \`CONSTANT\`: ${row.code}`);
      else if (!(name in KNOWN))
        problems.push(`line ${row.line}: unknown constant ${name} (add it to KNOWN)`);
      if (parseValue(row.value) === undefined)
        problems.push(`line ${row.line}: Value is not "N [unit]" or "A to B [unit]": ${row.value}`);
    }
    expect(problems).toEqual([]);
  });

  it("every documented number equals the code's", () => {
    const problems: string[] = [];
    for (const row of rows) {
      const name = constantOf(row.code);
      const doc = parseValue(row.value);
      const known = name === undefined ? undefined : KNOWN[name];
      if (!doc || !known) continue; // reported by the test above
      const problem = compare(doc, known);
      if (problem) problems.push(`line ${row.line} (${name}): ${problem}`);
    }
    expect(problems).toEqual([]);
  });

  it("names every known constant exactly once", () => {
    const named = rows.map((r) => constantOf(r.code)).filter((n): n is string => n !== undefined);
    const missing = Object.keys(KNOWN).filter((k) => !named.includes(k));
    const twice = named.filter((n, i) => named.indexOf(n) !== i);
    expect({ missing, twice }).toEqual({ missing: [], twice: [] });
  });
});

describe("the doc lint itself", () => {
  it("parses values, ranges and units", () => {
    expect(parseValue("5")).toEqual({ value: 5, unit: "count" });
    expect(parseValue("19,456 KiB")).toEqual({ value: 19456, unit: "KiB" });
    expect(parseValue("0 to 1440 minutes")).toEqual({ value: { min: 0, max: 1440 }, unit: "minutes" });
    expect(parseValue("about 5")).toBeUndefined();
    expect(parseValue("5 fortnights")).toBeUndefined();
  });

  it("converts time units and refuses a wrong number or unit", () => {
    const window: Known = { value: 15 * 60_000, unit: "ms" };
    expect(compare({ value: 15, unit: "minutes" }, window)).toBeNull();
    expect(compare({ value: 16, unit: "minutes" }, window)).not.toBeNull();
    expect(compare({ value: 15, unit: "count" }, window)).not.toBeNull();
    expect(
      compare({ value: { min: 1, max: 100 }, unit: "count" }, { value: 5, unit: "count" }),
    ).not.toBeNull();
  });

  it("finds every row of a Control | Value | Code table and nothing else", () => {
    const md = [
      "| A | B |",
      "| --- | --- |",
      "| x | 1 |",
      "",
      "| Control | Value | Code |",
      "| --- | --- | --- |",
      "| Lock | 5 | `X.y` |",
      "| Window | 15 minutes | `Z` |",
      "",
      "| Lock | 6 | `W` |",
    ].join("\n");
    expect(parseRows(md).map((r) => [r.line, r.value, constantOf(r.code)])).toEqual([
      [7, "5", "X.y"],
      [8, "15 minutes", "Z"],
    ]);
  });
});
