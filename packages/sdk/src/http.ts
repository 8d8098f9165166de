/** The SDK's transport: fetch, bearer auth, JSON, and problems raised as `StaffgateError`. */
import type { ErrorCode, FieldError, Problem } from "@staffgate/contract";

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface ClientOptions {
  /** Where the service listens, e.g. `http://127.0.0.1:3000` or `https://host/staffgate` behind a proxy. */
  readonly baseUrl: string;
  /** A session token, an API token or the operator token. */
  readonly token?: string;
  /** Another fetch (tests pass one that injects into an in-process app). */
  readonly fetch?: FetchLike;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * For a browser's cookie session (the console): the CSRF token to send as `X-CSRF-Token` on
   * unsafe methods (POST, PUT, PATCH, DELETE), read at each call (e.g. from the
   * `__Host-staffgate_csrf` cookie). Leave `token` unset so no bearer header is sent.
   */
  readonly csrfToken?: () => string | undefined;
  /**
   * How long a call may take, its answer read included, before it fails with
   * `StaffgateTimeoutError` (`transport.raw`, whose body the caller reads: until the answer's
   * headers). Default 30,000 ms; 0 (or Infinity) waits as long as the connection lives. An
   * application that asks before every clinical request wants its own budget:
   * `withTimeout(2000)`; a large export may want a longer one.
   */
  readonly timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** A failed call: the RFC 9457 problem the service answered with. */
export class StaffgateError extends Error {
  /** The HTTP status of the answer (also when a proxy, not Staffgate, gave it). */
  readonly status: number;
  readonly code: ErrorCode;
  readonly errors: readonly FieldError[];
  readonly problem: Problem;
  /** Seconds to wait before trying again (429, 503), from `Retry-After` or the problem. */
  readonly retryAfter: number | undefined;

  constructor(problem: Problem, init: { status?: number; retryAfter?: number | undefined } = {}) {
    // SCIM errors carry the status as a string (RFC 7644 §3.12).
    const status = init.status ?? Number(problem.status);
    super(`${status} ${problem.code}: ${problem.detail ?? problem.title}`);
    this.name = "StaffgateError";
    this.status = status;
    this.code = problem.code;
    this.errors = problem.errors ?? [];
    this.problem = problem;
    const fromBody = (problem as { retryAfter?: unknown }).retryAfter;
    this.retryAfter = init.retryAfter ?? (typeof fromBody === "number" ? fromBody : undefined);
  }
}

/** The service could not be reached (refused, reset, DNS): no HTTP answer at all. */
export class StaffgateNetworkError extends Error {
  constructor(url: string, cause: unknown) {
    super(`Staffgate could not be reached at ${new URL(url).origin}`, { cause });
    this.name = "StaffgateNetworkError";
  }
}

/**
 * No complete answer within the client's `timeoutMs`. The request may have reached the service and
 * been carried out: send a change again only with an Idempotency-Key (`withIdempotencyKey`).
 */
export class StaffgateTimeoutError extends StaffgateNetworkError {
  readonly timeoutMs: number;
  constructor(url: string, timeoutMs: number) {
    super(url, undefined);
    this.name = "StaffgateTimeoutError";
    this.message = `Staffgate did not answer within ${timeoutMs} ms at ${new URL(url).origin}`;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * What a failed answer says, as a problem. A body that is not Staffgate's (a proxy's or a
 * gateway's page, a bare JSON message) still gives the answer's status, and a code from it:
 * 429 is THROTTLED and 503 SERVICE_BUSY, so a caller's retry logic works behind any proxy.
 */
export function errorOf(res: Response, text: string): StaffgateError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const ours =
    parsed !== null && typeof parsed === "object" && typeof (parsed as { code?: unknown }).code === "string";
  return ours
    ? new StaffgateError(parsed as Problem, { status: res.status, retryAfter: retryAfterOf(res) })
    : notOurs(res, text);
}

/** An answer whose body is not Staffgate's, as a problem with its status and a code from it. */
function notOurs(res: Response, text: string): StaffgateError {
  const problem: Problem = {
    type: "about:blank",
    title: res.statusText || `HTTP ${res.status}`,
    status: res.status,
    code: res.status === 429 ? "THROTTLED" : res.status === 503 ? "SERVICE_BUSY" : "INTERNAL",
    ...(text ? { detail: `not an answer of Staffgate: ${text.slice(0, 200)}` } : {}),
  };
  return new StaffgateError(problem, { status: res.status, retryAfter: retryAfterOf(res) });
}

/** `Retry-After` in seconds: a number of seconds or an HTTP date (RFC 9110 §10.2.3). */
function retryAfterOf(res: Response): number | undefined {
  const value = res.headers.get("retry-after");
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined | null>>;
  /** The version read earlier; sent as `If-Match` so a stale write fails with 412. */
  readonly ifMatch?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Ends the call when it aborts: the caller's own deadline (its reason is thrown as it is). */
  readonly signal?: AbortSignal;
}

export interface Transport {
  request<T>(method: string, path: string, options?: RequestOptions): Promise<T>;
  raw(method: string, path: string, options?: RequestOptions): Promise<Response>;
  /** A text answer (an export, the metrics), read within the call's time; a failure is thrown. */
  text(method: string, path: string, options?: RequestOptions): Promise<string>;
  withToken(token: string | undefined): Transport;
  /** The same transport with another `timeoutMs`. */
  withTimeout(timeoutMs: number): Transport;
}

export function createTransport(options: ClientOptions): Transport {
  const doFetch: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  // Paths are joined to the base, not resolved against it: behind a proxy that serves Staffgate
  // under a prefix (`https://host/staffgate/`), `new URL("/api/v1/…", base)` would drop the prefix.
  const base = options.baseUrl.replace(/\/+$/, "");
  // setTimeout takes at most 2^31 - 1 ms and fires at once beyond it: Infinity is "no timeout".
  const given = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeoutMs = Number.isFinite(given) && given > 0 ? Math.min(given, 2 ** 31 - 1) : 0;
  /** Sends the request and reads what `read` reads of the answer, within the timeout and the caller's signal. */
  const send = async <R>(
    method: string,
    path: string,
    req: RequestOptions,
    read: (res: Response) => Promise<R>,
  ): Promise<R> => {
    const url = new URL(base + path);
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = {
      accept: "application/json",
      ...options.headers,
      ...req.headers,
    };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.csrfToken && !SAFE_METHODS.has(method.toUpperCase())) {
      const csrf = options.csrfToken();
      if (csrf) headers["x-csrf-token"] = csrf;
    }
    if (req.ifMatch !== undefined) headers["if-match"] = `"${req.ifMatch}"`;
    let body: string | undefined;
    if (req.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(req.body);
    }
    req.signal?.throwIfAborted();
    const abort = new AbortController();
    let timedOut = false;
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            abort.abort();
          }, timeoutMs)
        : undefined;
    const onAbort = () => abort.abort();
    req.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const signal = abort.signal;
      const res = await doFetch(url.toString(), {
        method,
        headers,
        signal,
        ...(body !== undefined ? { body } : {}),
      });
      return await read(res);
    } catch (e) {
      if (req.signal?.aborted) throw req.signal.reason;
      if (timedOut) throw new StaffgateTimeoutError(url.toString(), timeoutMs);
      throw new StaffgateNetworkError(url.toString(), e);
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener("abort", onAbort);
    }
  };
  const raw = (method: string, path: string, req: RequestOptions = {}): Promise<Response> =>
    send(method, path, req, async (res) => res);
  return {
    raw,
    async text(method: string, path: string, req: RequestOptions = {}): Promise<string> {
      const [res, text] = await send(method, path, req, async (r) => [r, await r.text()] as const);
      if (!res.ok) throw errorOf(res, text);
      return text;
    },
    async request<T>(method: string, path: string, req: RequestOptions = {}): Promise<T> {
      const [res, text] = await send(method, path, req, async (r) => [r, await r.text()] as const);
      if (!res.ok) throw errorOf(res, text);
      if (!text) return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        // A success that is no JSON is no answer of Staffgate's (a proxy's sign-in page, a captive
        // portal): the caller gets the SDK's error with the status, not a SyntaxError.
        throw notOurs(res, text);
      }
    },
    withToken: (token) => createTransport({ ...options, ...(token ? { token } : { token: undefined }) }),
    withTimeout: (ms) => createTransport({ ...options, timeoutMs: ms }),
  };
}

/**
 * `t`, sending `headers` with every request besides its own (a request's own headers win), and
 * ending every request when `signal` aborts.
 */
export function withDefaults(
  t: Transport,
  defaults: { readonly headers?: Readonly<Record<string, string>>; readonly signal?: AbortSignal },
): Transport {
  const merged = (req: RequestOptions = {}): RequestOptions => ({
    ...req,
    headers: { ...defaults.headers, ...req.headers },
    ...(defaults.signal && !req.signal ? { signal: defaults.signal } : {}),
  });
  return {
    request: (method, path, req) => t.request(method, path, merged(req)),
    raw: (method, path, req) => t.raw(method, path, merged(req)),
    text: (method, path, req) => t.text(method, path, merged(req)),
    withToken: (token) => withDefaults(t.withToken(token), defaults),
    withTimeout: (ms) => withDefaults(t.withTimeout(ms), defaults),
  };
}

export const enc = encodeURIComponent;
