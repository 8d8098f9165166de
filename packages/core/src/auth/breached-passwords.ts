/**
 * The breached-password check (ASVS 6.2.12, L2; SECURITY.md 6), by k-anonymity range: the SHA-1
 * of the new password is split into a 5-hex-digit prefix, the only thing that leaves this
 * process, and a 35-digit suffix, looked for in the range of suffixes the source lists for that
 * prefix. The source is one of:
 *  - a range API (`STAFFGATE_BREACHED_PASSWORDS=https://api.pwnedpasswords.com/range/`): GET
 *    `<source><PREFIX>` with `Add-Padding: true`, so that even the response's size tells an
 *    observer nothing; padding lines have a count of 0 and are not matches;
 *  - a directory of range files `<PREFIX>.txt` (what the Pwned Passwords downloader writes when
 *    asked for one file per prefix), for a host without internet; a missing file is an empty range.
 * Both answer `SUFFIX:COUNT` lines. When the source cannot be read (timeout, network, HTTP error,
 * unreadable file) the verdict is "unknown", and the caller accepts the password, which has already
 * passed the offline common-password list: refusing would stop a locked-out clinician from
 * resetting their password during a third party's outage (docs/decisions.md).
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type PasswordRejection, passwordInvalid } from "./password-policy.rules.ts";

export type BreachVerdict = "breached" | "clean" | "unknown";

export interface BreachedPasswords {
  check(password: string): Promise<BreachVerdict>;
}

/** How long a range API may take before the verdict is "unknown". */
export const BREACH_LOOKUP_TIMEOUT_MS = 3000;

export interface BreachedPasswordsOptions {
  readonly timeoutMs?: number;
  /**
   * Told why a lookup gave no verdict (never the password, its hash or its prefix): the server logs
   * it as a warning, the CLI prints it.
   */
  readonly onUnavailable?: (reason: string) => void;
}

/** The SHA-1 of the password as typed (NFC, as it is hashed), upper-case hex, split for a range lookup. */
export function rangeOf(password: string): { readonly prefix: string; readonly suffix: string } {
  const hex = createHash("sha1").update(password.normalize("NFC"), "utf8").digest("hex").toUpperCase();
  return { prefix: hex.slice(0, 5), suffix: hex.slice(5) };
}

/** True when `range` (SUFFIX:COUNT lines) lists `suffix` with a count above 0. */
export function rangeLists(range: string, suffix: string): boolean {
  for (const line of range.split("\n")) {
    const [entry = "", count = ""] = line.trim().split(":");
    if (entry.toUpperCase() === suffix) return Number(count) > 0;
  }
  return false;
}

/** A source is an http(s) URL (a range API) or anything else, a directory of range files. */
export function isRangeApi(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

export function createBreachedPasswords(
  source: string,
  options: BreachedPasswordsOptions = {},
): BreachedPasswords {
  const timeoutMs = options.timeoutMs ?? BREACH_LOOKUP_TIMEOUT_MS;
  const fromApi = async (prefix: string): Promise<string> => {
    let response: Response;
    try {
      response = await fetch(new URL(prefix, source.endsWith("/") ? source : `${source}/`), {
        headers: { "add-padding": "true", "user-agent": "Staffgate" },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      if (error instanceof Error && error.name === "TimeoutError")
        throw new Error(`the range API gave no answer within ${timeoutMs} ms`);
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      throw new Error(`the range API could not be reached${typeof code === "string" ? ` (${code})` : ""}`);
    }
    if (!response.ok) throw new Error(`the range API answered ${response.status}`);
    return response.text();
  };
  const fromDirectory = async (prefix: string): Promise<string> => {
    try {
      return await readFile(join(source, `${prefix}.txt`), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
      throw new Error(`a range file could not be read (${(error as NodeJS.ErrnoException).code})`);
    }
  };
  const lookUp = isRangeApi(source) ? fromApi : fromDirectory;
  return {
    async check(password) {
      const { prefix, suffix } = rangeOf(password);
      try {
        return rangeLists(await lookUp(prefix), suffix) ? "breached" : "clean";
      } catch (error) {
        options.onUnavailable?.(error instanceof Error ? error.message : "the lookup failed");
        return "unknown";
      }
    },
  };
}

export const BREACHED: PasswordRejection = {
  code: "BREACHED",
  message: "appears in a list of passwords exposed in data breaches; choose another",
};

/**
 * Refuses a new password that the source lists (400 naming `path`, `passwordProblem: BREACHED`).
 * Run after the offline rules, which cost nothing; without a source (the default) it does nothing.
 */
export async function refuseBreached(
  source: BreachedPasswords | null,
  path: string,
  password: string,
): Promise<void> {
  if (source && (await source.check(password)) === "breached") throw passwordInvalid(path, BREACHED);
}
