/**
 * Password rules (NIST SP 800-63B, SECURITY.md A 2, 4, 6, 7, 10; PRODUCT.md §4).
 *
 * Order of the checks, first failure wins:
 * 1. Hard cap. An input of more than 4 × 1024 UTF-16 units is refused before anything else runs
 *    (no normalisation, no hashing), because no such string can come back to 1024 code points
 *    under NFC; then the NFC form must be at most 1024 code points. Code `TOO_LONG`.
 * 2. Length in Unicode code points of the NFC form: at least the policy minimum, which is
 *    15 when the password is the only factor and 8 when it is used with MFA. A tenant may raise
 *    these (settings passwordMinLength / passwordMinLengthWithMfa) but never lower them: values
 *    below the floors are ignored. 64 or more are always allowed. Code `TOO_SHORT`.
 * 3. Common passwords: the case-folded password, and the same with separators removed, must not
 *    be on the offline list `passwords-common` of `@zxcvbn-ts/language-common` (49,233 entries),
 *    loaded once, on first use. Code `COMMON`. (After 4, also the folded form without the digits
 *    it starts or ends with, and the piece it repeats: isPaddedCommonPassword.)
 * 4. Context words (ASVS 6.1.2 / 6.2.11). The context words are the product name "staffgate"
 *    (and "careiam", SECURITY.md's name for it),
 *    the tenant slug and name, the username, the email's local part and domain, the first and
 *    last name (each, and the two together either way round), and the names of the tenant's
 *    roles and work roles (SECURITY.md A-2: "role names"): each value whole and each of its alphanumeric pieces (`Sunrise Clinic` gives
 *    `sunriseclinic`, `sunrise` and `clinic`; `jdoe@sunrise-clinic.example` gives `jdoe`,
 *    `sunriseclinicexample`, `sunrise`, `clinic`, `example`). Folding = NFKC, lower case, every
 *    code point that is neither a letter nor a digit removed. With P the folded password:
 *    a. refused when P equals a context word (of any length);
 *    b. otherwise only context words of at least 4 code points count: mark every code point of P
 *       inside an occurrence of such a word (all occurrences, overlaps allowed). Refused when
 *       every code point of P is marked or is a digit (a word repeated or combined with digits:
 *       `SunriseClinic2024!!`, `jdoejdoe1234`), or when the marked code points are at least
 *       35% of P (`jdoe-password-jdoe`, `Staffgate-product-name`, and SECURITY.md A-2's own
 *       `CareIAM-product-name`, 7 of 18; it was 40% until 2026-12-05).
 *    In b, a digit written for a letter (0 o, 1 i or l, 3 e, 4 a, 5 s, 7 t, 8 b) matches it,
 *    up to half of a word's letters (`5unr1se-Cl1n1c-2024`; since 2026-12-07).
 *    Code `CONTEXT`.
 * 5. History (optional): `isInHistory` compares with the last N hashes. Code `REUSED`.
 *
 * No composition rules: nothing here asks for upper case, digits or symbols.
 */
import { createRequire } from "node:module";
import { AppError } from "../shared/errors.ts";
import type { TenantSettings } from "../tenants/settings.rules.ts";
import type { PasswordHasher } from "./password-hasher.ts";

export const PASSWORD_HARD_CAP = 1024;
/** NIST 800-63B rev4 §3.1.1.2: single-factor passwords at least 15, passwords used with MFA at least 8. */
export const PASSWORD_MIN_SINGLE_FACTOR = 15;
export const PASSWORD_MIN_WITH_MFA = 8;
/** A tenant may raise the minimum to at most this, so that 64 characters always stay allowed. */
export const PASSWORD_MIN_CEILING = 64;
/**
 * Context words shorter than this count only when the whole password equals them, or when it is
 * nothing but them, digits and separators (isBuiltFromContext).
 */
export const CONTEXT_WORD_MIN = 4;
/** Share of the folded password made of context words from which it is refused. */
export const CONTEXT_SHARE_LIMIT = 0.35;
/** The product's name, and the one SECURITY.md A-2 gives it ("CareIAM-product-name" must be refused). */
export const PRODUCT_WORDS: readonly string[] = ["staffgate", "careiam"];

export interface PasswordPolicy {
  readonly minLength: number;
  readonly maxLength: number;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  minLength: PASSWORD_MIN_SINGLE_FACTOR,
  maxLength: PASSWORD_HARD_CAP,
};

/** What the password is about: every value is optional. */
export interface PasswordContext {
  readonly tenantSlug?: string | null | undefined;
  readonly tenantName?: string | null | undefined;
  readonly username?: string | null | undefined;
  readonly email?: string | null | undefined;
  readonly firstName?: string | null | undefined;
  readonly lastName?: string | null | undefined;
  /** The tenant's role names and work-role names. */
  readonly roleNames?: readonly string[] | undefined;
}

export type PasswordProblemCode =
  | "TOO_LONG"
  | "TOO_SHORT"
  | "COMMON"
  | "SEQUENTIAL"
  | "CONTEXT"
  | "REUSED"
  | "BREACHED";

export interface PasswordRejection {
  readonly code: PasswordProblemCode;
  /** Completes "password …", e.g. "must be at least 15 characters". */
  readonly message: string;
}

/**
 * The tenant's minimum for a password used alone (mfa false) or with MFA; never below the floors.
 * Pass mfa = true only for a user who has MFA enrolled: a password set before enrolment is a
 * single factor until then (and again if the tenant stops requiring MFA).
 */
export function passwordPolicyFor(
  settings: Pick<TenantSettings, "passwordMinLength" | "passwordMinLengthWithMfa">,
  options: { readonly mfa: boolean },
): PasswordPolicy {
  const floor = options.mfa ? PASSWORD_MIN_WITH_MFA : PASSWORD_MIN_SINGLE_FACTOR;
  const wanted = options.mfa ? settings.passwordMinLengthWithMfa : settings.passwordMinLength;
  const min = Number.isInteger(wanted) ? Math.min(Math.max(wanted, floor), PASSWORD_MIN_CEILING) : floor;
  return { minLength: min, maxLength: PASSWORD_HARD_CAP };
}

/**
 * Whether a password is long enough to be the only factor (NIST 800-63B: 15), under the tenant's
 * single-factor minimum: checked before MFA is turned off while the password is at hand.
 */
export function longEnoughAlone(
  password: string,
  settings: Pick<TenantSettings, "passwordMinLength" | "passwordMinLengthWithMfa">,
): boolean {
  return codePoints(password.normalize("NFC")) >= passwordPolicyFor(settings, { mfa: false }).minLength;
}

/** True when the input is over the hard cap; O(1) for huge inputs, so call it before anything else. */
export function exceedsHardCap(password: string): boolean {
  if (password.length > PASSWORD_HARD_CAP * 4) return true;
  if (password.length <= PASSWORD_HARD_CAP) return false;
  return codePoints(password.normalize("NFC")) > PASSWORD_HARD_CAP;
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Case-folded, separators (anything but letters and digits) removed. */
export function foldPassword(value: string): string {
  return value
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "");
}

let commonPasswords: ReadonlySet<string> | null = null;

/** The offline list, loaded once on first use (about 20 ms). */
function common(): ReadonlySet<string> {
  if (!commonPasswords) {
    const require = createRequire(import.meta.url);
    const lang = require("@zxcvbn-ts/language-common") as { dictionary: Record<string, string[]> };
    commonPasswords = new Set((lang.dictionary["passwords-common"] ?? []).map((p) => p.toLowerCase()));
  }
  return commonPasswords;
}

/** `s` without the digits it starts or ends with. */
function withoutEdgeDigits(s: string): string {
  return s.replace(/^\p{N}+|\p{N}+$/gu, "");
}

/** `s` as one piece said twice or more (`letmeinletmein` → `letmein`), or null. */
function repeatedPiece(s: string): string | null {
  const m = /^(.+?)\1+$/u.exec(s);
  return m ? m[1]! : null;
}

export function isCommonPassword(password: string): boolean {
  const list = common();
  const lower = password.normalize("NFC").toLowerCase();
  if (list.has(lower)) return true;
  const folded = foldPassword(password);
  return folded.length > 0 && list.has(folded);
}

/**
 * A listed password with what people pad it with to reach the length: digits before or after it
 * (`Password1234567!`, `iloveyou12345678`), or the word said again (`letmeinletmein12`,
 * `Welcome1Welcome1`). With 15 code points required, hardly a listed password is long enough to
 * be refused as typed, and these paddings are the first guesses. Checked after the context
 * words, so a password built from the practice's or a role's name keeps that reason.
 */
export function isPaddedCommonPassword(password: string): boolean {
  const list = common();
  const folded = foldPassword(password);
  const bare = withoutEdgeDigits(folded);
  const candidates = [bare];
  for (const c of [folded, bare]) {
    const piece = repeatedPiece(c);
    if (piece) candidates.push(piece, withoutEdgeDigits(piece));
  }
  return candidates.some((c) => c.length > 0 && list.has(c));
}

/**
 * NIST 800-63B §5.1.1.2 lists "repetitive or sequential characters (e.g. 'aaaaaa', '1234abcd')"
 * among what a blocklist holds; a list of common passwords misses the long sequences
 * ("123456789012345"). True when, letter case and separators aside, every character is the one
 * before it plus one, or every one minus one (digits wrap from 9 to 0, letters from z to a).
 * Repetitions are not refused: SECURITY.md's own length tests type `'é'.repeat(15)` and 64 emoji,
 * which the policy must accept; a repeated character is long and rare enough at 15 code points.
 */
export function isSequential(password: string): boolean {
  const chars = [
    ...password
      .normalize("NFC")
      .toLowerCase()
      .replace(/[\s\-_.]/g, ""),
  ];
  if (chars.length < 3) return false;
  const step = (a: string, b: string): number | null => {
    const x = a.codePointAt(0)!;
    const y = b.codePointAt(0)!;
    if (/\d/.test(a) && /\d/.test(b)) return (((y - x) % 10) + 10) % 10;
    if (/[a-z]/.test(a) && /[a-z]/.test(b)) return (((y - x) % 26) + 26) % 26;
    return null;
  };
  const first = step(chars[0]!, chars[1]!);
  if (first === null) return false;
  const up = first === 1;
  const down = first === 9 || first === 25;
  if (!up && !down) return false;
  for (let i = 1; i + 1 < chars.length; i++) {
    const d = step(chars[i]!, chars[i + 1]!);
    if (d === null) return false;
    const ok = up ? d === 1 : (/\d/.test(chars[i]!) && d === 9) || (/[a-z]/.test(chars[i]!) && d === 25);
    if (!ok) return false;
  }
  return true;
}

/** The folded context words, whole values and their alphanumeric pieces. */
export function contextWords(context: PasswordContext): string[] {
  const words = new Set<string>(PRODUCT_WORDS);
  const add = (value: string | null | undefined) => {
    if (!value) return;
    const whole = foldPassword(value);
    if (whole) words.add(whole);
    for (const piece of value.normalize("NFKC").split(/[^\p{L}\p{N}]+/u)) {
      const p = foldPassword(piece);
      if (p) words.add(p);
    }
  };
  add(context.tenantSlug);
  add(context.tenantName);
  add(context.username);
  add(context.firstName);
  add(context.lastName);
  // The whole name, both ways round: a short first name (Åsa, Eva, Li) is under CONTEXT_WORD_MIN
  // alone, yet "ÅsaÖberg2024…" is the name and a year (found by the text audit).
  if (context.firstName && context.lastName) {
    add(`${context.firstName}${context.lastName}`);
    add(`${context.lastName}${context.firstName}`);
  }
  if (context.email) {
    const at = context.email.lastIndexOf("@");
    add(at >= 0 ? context.email.slice(0, at) : context.email);
    if (at >= 0) add(context.email.slice(at + 1));
  }
  for (const name of context.roleNames ?? []) add(name);
  return [...words];
}

/**
 * The folded password's code points (as foldPassword makes them), and where a word may start or
 * end: `edge[i]` is true before code point i at either end, where a separator was taken out, and
 * between a letter and a digit.
 */
function foldedWithEdges(password: string): { readonly chars: string[]; readonly edge: boolean[] } {
  const chars: string[] = [];
  const edge: boolean[] = [true];
  const digit = (c: string) => /\p{N}/u.test(c);
  let gap = false;
  for (const c of password.normalize("NFKC").toLowerCase()) {
    if (!/[\p{L}\p{N}]/u.test(c)) {
      gap = true;
      continue;
    }
    if (chars.length > 0) edge[chars.length] = gap || digit(c) !== digit(chars[chars.length - 1]!);
    chars.push(c);
    gap = false;
  }
  edge[chars.length] = true;
  return { chars, edge };
}

/**
 * Digits written for letters ("Sunr1se-Cl1n1c"): a word of at least CONTEXT_WORD_MIN letters
 * matches with up to half of its letters so written. Only there: a short word or a whole password
 * is compared as typed, and a run of digits alone never spells a word. Symbols (`@`, `$`, `!`) are
 * separators, taken out before any word is looked for, so they are not read as letters.
 */
const LEET: Readonly<Record<string, string>> = {
  "0": "o",
  "1": "il",
  "3": "e",
  "4": "a",
  "5": "s",
  "7": "t",
  "8": "b",
};
const isLetter = (c: string) => /\p{L}/u.test(c);
const sameOrLeet = (typed: string, letter: string) =>
  typed === letter || (LEET[typed]?.includes(letter) ?? false);

/**
 * Whether the password is built from context words (rule 4 above). The names of the tenant's roles
 * and work roles are ordinary words ("Other", "Viewer", "Collaborator"), so they count only as
 * whole words of the password: "other" in "brother from another mother" is no role name (found
 * by the re-check, 2026-12-05); names, usernames and the practice's count wherever they appear.
 */
export function isBuiltFromContext(password: string, context: PasswordContext): boolean {
  const { chars: p, edge } = foldedWithEdges(password);
  if (p.length === 0) return false;
  const folded = p.join("");
  const words = contextWords(context);
  if (words.includes(folded)) return true;
  const anywhere = new Set(contextWords({ ...context, roleNames: [] }));
  const marked = new Array<boolean>(p.length).fill(false);
  for (const word of words) {
    const w = [...word];
    if (w.length < CONTEXT_WORD_MIN || w.length > p.length) continue;
    const whole = !anywhere.has(word);
    for (let i = 0; i + w.length <= p.length; i++) {
      let match = true;
      let written = 0;
      for (let j = 0; j < w.length && match; j++) {
        match = sameOrLeet(p[i + j]!, w[j]!);
        if (p[i + j] !== w[j]) written += 1;
      }
      // At most half of the word's letters in digits: "1111" is no spelling of the names Li Li
      // ("lili"), nor "1980" of the username li1980.
      if (2 * written > w.filter(isLetter).length) match = false;
      if (match && whole) match = edge[i] === true && edge[i + w.length] === true;
      if (match) for (let j = 0; j < w.length; j++) marked[i + j] = true;
    }
  }
  const covered = marked.filter(Boolean).length;
  // A short name or username ("amy", "jd") is in too many words to count inside one ("planning"
  // holds "ann"), but a password that is nothing else, repeated with digits or separators
  // ("amy-amy-amy-amy-amy", "afb2024afb2024afb"), is built from it all the same (found by the
  // issue 4 audit, 2026-12-07).
  // With a letter: a short number of the context (the 59 of kim.59@…) is no word, and a password of
  // digits holding it anywhere is not built from it (found by the review).
  const short = [...anywhere].filter((word) => {
    const n = [...word].length;
    return n >= 2 && n < CONTEXT_WORD_MIN && /\p{L}/u.test(word);
  });
  const shortMarked = [...marked];
  for (const word of short) {
    const w = [...word];
    for (let i = 0; i + w.length <= p.length; i++) {
      let match = true;
      for (let j = 0; j < w.length && match; j++) match = p[i + j] === w[j];
      if (match) for (let j = 0; j < w.length; j++) shortMarked[i + j] = true;
    }
  }
  const onlyWordsAndDigits = (m: readonly boolean[]) =>
    m.some(Boolean) && p.every((c, i) => m[i] || /\p{Nd}/u.test(c));
  if (onlyWordsAndDigits(shortMarked)) return true;
  if (covered === 0) return false;
  return onlyWordsAndDigits(marked) || covered >= CONTEXT_SHARE_LIMIT * p.length;
}

/** The reason a new password is refused, or null when it is acceptable. History is checked apart. */
export function checkPassword(
  password: string,
  options: { readonly policy?: PasswordPolicy; readonly context?: PasswordContext } = {},
): PasswordRejection | null {
  const policy = options.policy ?? DEFAULT_PASSWORD_POLICY;
  const max = Math.min(policy.maxLength, PASSWORD_HARD_CAP);
  if (password.length > PASSWORD_HARD_CAP * 4) return tooLong(max);
  const length = codePoints(password.normalize("NFC"));
  if (length > max) return tooLong(max);
  if (length < policy.minLength) {
    return { code: "TOO_SHORT", message: `must be at least ${policy.minLength} characters` };
  }
  if (isCommonPassword(password)) {
    return { code: "COMMON", message: "is a commonly used password; choose another" };
  }
  // Nothing but spaces, other blanks or characters that show nothing (zero-width, Hangul fillers,
  // the blank Braille cell): long enough, and the first thing anyone would try (security audit,
  // 2026-12-06). A repeated visible character stays allowed (isSequential says why).
  if (/^[\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800]+$/u.test(password)) {
    return { code: "COMMON", message: "is only spaces; choose another" };
  }
  if (isSequential(password)) {
    return { code: "SEQUENTIAL", message: "is a sequence of characters (like 1234 or abcd); choose another" };
  }
  if (options.context && isBuiltFromContext(password, options.context)) {
    return {
      code: "CONTEXT",
      message:
        "is built from the practice, user, role or product name (username, email, first or last name, a role's name); choose another",
    };
  }
  if (isPaddedCommonPassword(password)) {
    return {
      code: "COMMON",
      message: "is a commonly used password with digits or a repeat added; choose another",
    };
  }
  return null;
}

function tooLong(max: number): PasswordRejection {
  return { code: "TOO_LONG", message: `must be at most ${max} characters` };
}

/** The message of `checkPassword`, for callers that only show the reason. */
export function passwordProblem(
  password: string,
  policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY,
  context?: PasswordContext,
): string | null {
  return checkPassword(password, { policy, ...(context ? { context } : {}) })?.message ?? null;
}

/** A 400 naming the field, with the reason's code in the problem's `passwordProblem` member. */
export function passwordInvalid(path: string, rejection: PasswordRejection): AppError {
  const message = `password ${rejection.message}`;
  return new AppError("VALIDATION_FAILED", message, {
    errors: [{ path, message }],
    extensions: { passwordProblem: rejection.code },
  });
}

export const REUSED: PasswordRejection = {
  code: "REUSED",
  message: "was used recently; choose one you have not used before",
};

/** The same code (it is a reuse): the password an administrator marked compromised, whatever the history. */
export const COMPROMISED: PasswordRejection = {
  code: "REUSED",
  message: "was marked compromised by an administrator; choose a new one",
};

/** The same code (it is a reuse), in words that fit when no history is kept. */
export const SAME_AS_CURRENT: PasswordRejection = {
  code: "REUSED",
  message: "is your current password; choose a new one",
};

/**
 * True when `password` matches one of `hashes` (the user's last N, newest first). Each verify is
 * an argon2 run through the hasher's concurrency limit, so callers keep N small (settings: ≤ 24)
 * and run this outside any transaction.
 */
export async function isInHistory(
  hasher: Pick<PasswordHasher, "verify">,
  password: string,
  hashes: readonly string[],
): Promise<boolean> {
  for (const hash of hashes) {
    if (await hasher.verify(hash, password)) return true;
  }
  return false;
}
