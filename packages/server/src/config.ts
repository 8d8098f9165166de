/** Configuration from the environment (API.md "Configuration"), validated once at start-up. */
import { statSync } from "node:fs";
import { isIP } from "node:net";
import {
  CatalogError,
  type Catalogs,
  DEFAULT_DATABASE_URL,
  DEFAULT_RATE_LIMITS,
  FAILPOINTS,
  isRangeApi,
  isTenantToken,
  loadCatalogs,
  type RateLimits,
} from "@staffgate/core";
import { parsePublicUrl, parseSmtpUrl } from "./config-urls.ts";

/**
 * Which peers may set the client address with X-Forwarded-For (Fastify's `trustProxy`). `true`
 * trusts every hop, so the left-most entry wins and a client can name its own address unless the
 * proxy replaces the header; a list of the proxies' addresses or CIDRs takes the address the
 * nearest untrusted hop saw (ASVS 4.1.3): what the sign-in throttle counts per address. (No hop
 * count: Fastify 5 ignores one, as it cannot vouch for the immediate peer.)
 */
export type TrustProxy = boolean | string[];

function parseTrustProxy(value: string | undefined): TrustProxy {
  const v = (value ?? "").trim();
  if (v === "" || v === "false") return false;
  if (v === "true") return true;
  const entries = v.split(",").map((e) => e.trim());
  for (const entry of entries) {
    const [address = "", prefix, ...rest] = entry.split("/");
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !prefixOk || rest.length > 0) {
      throw new Error(
        `STAFFGATE_TRUST_PROXY is true, false, or a comma-separated list of addresses or CIDRs; "${entry}" is none of these`,
      );
    }
  }
  return entries;
}

/**
 * STAFFGATE_RATE_LIMITS: `off`, or budgets per minute to change, e.g.
 * `perCaller=2000,perTenant=20000` (names of RateLimits; 0 turns one bucket off).
 */
function parseRateLimits(value: string | undefined): Partial<RateLimits> | false {
  const v = (value ?? "").trim();
  if (v === "") return {};
  if (v === "off") return false;
  const limits: Record<string, number> = {};
  for (const entry of v.split(",")) {
    const [name = "", amount = "", ...rest] = entry.trim().split("=");
    const n = Number(amount);
    if (
      !Object.hasOwn(DEFAULT_RATE_LIMITS, name) ||
      rest.length > 0 ||
      !/^\d+$/.test(amount) ||
      !Number.isSafeInteger(n)
    ) {
      throw new Error(
        `STAFFGATE_RATE_LIMITS is "off" or name=whole-number pairs separated by commas (names: ${Object.keys(DEFAULT_RATE_LIMITS).join(", ")}); "${entry}" is neither`,
      );
    }
    limits[name] = n;
  }
  return limits;
}

/**
 * STAFFGATE_BREACHED_PASSWORDS: where new passwords are looked up as breached (ASVS 6.2.12), a
 * range API's address or a directory of range files (core auth/breached-passwords.ts); unset,
 * empty or `off`: no lookup. Checked here, so that a mistyped source stops start-up rather than
 * making every lookup "unknown" and every password accepted.
 */
function parseBreachedPasswords(value: string | undefined): string | undefined {
  const v = (value ?? "").trim();
  if (v === "" || v === "off") return undefined;
  const named = `STAFFGATE_BREACHED_PASSWORDS is "off", a range API's http(s) address (e.g. https://api.pwnedpasswords.com/range/) or a directory of range files`;
  if (isRangeApi(v)) {
    if (!URL.canParse(v)) throw new Error(`${named}; "${v}" is not a valid address`);
    return v;
  }
  let directory = false;
  try {
    directory = statSync(v).isDirectory();
  } catch {
    directory = false;
  }
  if (!directory) throw new Error(`${named}; "${v}" is not a directory`);
  return v;
}

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  readonly catalog: string;
  /** STAFFGATE_CATALOG's catalogues beside the presets, loaded once here (checking it is loading it). */
  readonly catalogs: Catalogs;
  readonly operatorToken: string | undefined;
  readonly bootstrapPassword: string | undefined;
  readonly smtpUrl: string | undefined;
  readonly publicUrl: string;
  readonly trustProxy: TrustProxy;
  readonly logLevel: LogLevel;
  /** STAFFGATE_SECRET_KEY: seals TOTP secrets at rest (≥ 32 characters), or unset. */
  readonly secretKey: string | undefined;
  /** STAFFGATE_HASH_THREADS: argon2 threads (default: one per core). */
  readonly hashThreads: number | undefined;
  /** STAFFGATE_RATE_LIMITS: changes to DEFAULT_RATE_LIMITS, or false (off). */
  readonly rateLimits: Partial<RateLimits> | false;
  /** STAFFGATE_BREACHED_PASSWORDS: the breached-password source, or undefined (no lookup). */
  readonly breachedPasswords: string | undefined;
}

/** PORT: unset or empty is 3000 (`PORT= staffgate serve` must not mean "any free port"); 0 asks for one. */
function parsePort(value: string | undefined): number {
  const v = (value ?? "").trim();
  if (v === "") return 3000;
  const port = Number(v);
  if (!/^\d+$/.test(v) || port > 65535) {
    throw new Error(`PORT must be a port number from 0 to 65535, got "${value}"`);
  }
  return port;
}

/** An address or a host name to listen on; anything else would fail only at listen, with Node's words. */
function parseHost(value: string | undefined): string {
  // Empty is unset here too: an empty host would listen on every interface.
  const host = value?.trim() || "127.0.0.1";
  if (isIP(host) === 0 && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(host)) {
    throw new Error(`HOST must be an IP address (127.0.0.1, ::1, 0.0.0.0) or a host name, got "${value}"`);
  }
  return host;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function parseLogLevel(value: string | undefined): LogLevel {
  const level = value?.trim() || "info";
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}; got "${value}"`);
  }
  return level as LogLevel;
}

/** Checked here rather than at the first MFA request, which would otherwise answer 500. */
function parseSecretKey(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (value.trim().length < 32) {
    // Never the value, nor its length: it is a secret.
    throw new Error(
      "STAFFGATE_SECRET_KEY must be at least 32 characters (e.g. the output of `openssl rand -base64 32`)",
    );
  }
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = parsePort(env.PORT);
  const host = parseHost(env.HOST);
  const operatorToken = env.STAFFGATE_OPERATOR_TOKEN || undefined;
  if (operatorToken !== undefined && operatorToken.length < 24) {
    throw new Error("STAFFGATE_OPERATOR_TOKEN must be at least 24 characters");
  }
  // A bearer token is one run of visible characters; HTTP trims header values, so a token with
  // spaces at either end (or inside) could never be presented and the operator API never opened.
  if (operatorToken !== undefined && !/^[\x21-\x7e]+$/.test(operatorToken)) {
    throw new Error(
      "STAFFGATE_OPERATOR_TOKEN must be visible ASCII characters without spaces (e.g. the output of `openssl rand -base64 32`)",
    );
  }
  if (operatorToken !== undefined && isTenantToken(operatorToken)) {
    throw new Error(
      "STAFFGATE_OPERATOR_TOKEN must not start with sgs_ or sgt_ (the prefixes of tenant tokens)",
    );
  }
  // A mistyped failpoint would leave a crash test's server unarmed without a word.
  if (env.FAILPOINT && !(FAILPOINTS as readonly string[]).includes(env.FAILPOINT)) {
    throw new Error(`FAILPOINT must be one of ${FAILPOINTS.join(", ")} (tests only); got "${env.FAILPOINT}"`);
  }
  const hashThreads = env.STAFFGATE_HASH_THREADS ? Number(env.STAFFGATE_HASH_THREADS) : undefined;
  if (hashThreads !== undefined && (!Number.isInteger(hashThreads) || hashThreads < 1 || hashThreads > 64)) {
    throw new Error(
      `STAFFGATE_HASH_THREADS must be a whole number from 1 to 64, got "${env.STAFFGATE_HASH_THREADS}"`,
    );
  }
  return {
    port,
    host,
    databaseUrl: env.DATABASE_URL || DEFAULT_DATABASE_URL,
    ...parseCatalog(env.STAFFGATE_CATALOG),
    operatorToken,
    bootstrapPassword: env.STAFFGATE_BOOTSTRAP_PASSWORD || undefined,
    smtpUrl: parseSmtpUrl(env.SMTP_URL),
    publicUrl: parsePublicUrl(env.STAFFGATE_PUBLIC_URL, host, port),
    trustProxy: parseTrustProxy(env.STAFFGATE_TRUST_PROXY),
    logLevel: parseLogLevel(env.LOG_LEVEL),
    secretKey: parseSecretKey(env.STAFFGATE_SECRET_KEY),
    hashThreads,
    rateLimits: parseRateLimits(env.STAFFGATE_RATE_LIMITS),
    breachedPasswords: parseBreachedPasswords(env.STAFFGATE_BREACHED_PASSWORDS),
  };
}

/**
 * STAFFGATE_CATALOG: a preset's name or a catalogue file that loads, checked with the other
 * variables so that a typo is named (as `--catalog` by the CLI) before anything is opened.
 */
function parseCatalog(value: string | undefined): { catalog: string; catalogs: Catalogs } {
  const catalog = value || "radiotherapy";
  try {
    return { catalog, catalogs: loadCatalogs(catalog) };
  } catch (error) {
    if (!(error instanceof CatalogError)) throw error;
    throw new Error(`STAFFGATE_CATALOG names no catalogue that loads: ${error.message}`);
  }
}
