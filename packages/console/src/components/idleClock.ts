/**
 * Automatic logoff's clock (SECURITY.md K-4), apart from its dialog (IdleWarning.tsx) so that it
 * runs on a fake clock in unit tests. The server ends a session after the tenant's idle limit; the
 * console warns a minute before (half the limit when the limit is shorter than two minutes, so a
 * one-minute limit does not warn from the start), with a countdown, and signs out at the limit.
 *
 * The server records a use of the session at most once a minute (auth.service TOUCH_INTERVAL_MS),
 * so the console keeps the earliest time the server may have recorded last and counts from there:
 * it never offers "Stay signed in" for a session the server has already ended.
 *
 * The person's own use reaches the server as a `GET /auth/me` once a call is certain to be recorded
 * (the last answered call a recording step old): at once when it already is, else as soon as it
 * is, and the warning waits for that call meanwhile. Input only when a call was due, as before
 * 2026-12-06 (evening), left a one-minute limit warning 13 s after a page load while the person typed (the
 * page's own calls may have gone unrecorded, and the warning came before a call could count), and
 * "Stay signed in" pressed within a step of such a call, perhaps unrecorded, counted from a step
 * before it: the console signed out 43 s later, the server at 60 (browser audit). "Stay signed in"
 * is a use like any other: a request at once, and another when that one may not have counted.
 */

const WARN_MS = 60_000;
/** How long before the limit the warning shows. */
export const warnMs = (idleSeconds: number) => Math.min(WARN_MS, (idleSeconds * 1000) / 2);
const SERVER_TOUCH_MS = 60_000;
/** Request latency and clock granularity: sign out a little early rather than a little late. */
const SAFETY_MS = 2_000;
/** The warning waits for the person's use to reach the server only when that leaves this margin. */
const OWED_MARGIN_MS = 5_000;

/** When the server last recorded a use of the session, as bounds on this browser's clock. */
export class ServerIdleClock {
  private low = Date.now();
  private up = Date.now();
  private touchMs = SERVER_TOUCH_MS;
  /** The person's last input (or "Stay signed in") that no answered call certainly counted yet. */
  private usedAt = Number.NEGATIVE_INFINITY;

  /** `channel`: other tabs share the session, so their calls keep it alive here too (times only, no secrets). */
  constructor(
    private readonly channel: BroadcastChannel | null = typeof BroadcastChannel === "undefined"
      ? null
      : new BroadcastChannel("staffgate-activity"),
  ) {
    if (this.channel) {
      this.channel.onmessage = (event: MessageEvent<{ start: number; end: number }>) =>
        this.record(event.data.start, event.data.end);
    }
  }

  /** A new session (`fresh`: just signed in, its last use is now) or one found on page load. */
  begin(idleSeconds: number, fresh: boolean, start = Date.now(), end = Date.now()): void {
    this.limit(idleSeconds);
    this.low = fresh ? start : start - this.touchMs;
    this.up = end;
    this.usedAt = Number.NEGATIVE_INFINITY;
  }

  /** The person used the page at `now`: the server is to hear of it (see `owed`). */
  used(now: number): void {
    this.usedAt = Math.max(this.usedAt, now);
  }

  /**
   * Whether the person used the page after the earliest moment the server may have recorded last:
   * the server may not count that use, so a call is owed once one would certainly be recorded.
   */
  owed(): boolean {
    return this.usedAt > this.low;
  }

  /** The owed call failed: the warning no longer waits for it (the person is told instead). */
  forgive(): void {
    this.usedAt = Number.NEGATIVE_INFINITY;
  }

  /** When a call will certainly be recorded (a recording step after the last answered one). */
  certainFrom(): number {
    return this.up + this.touchMs;
  }

  /**
   * The tenant's idle limit now: the server records a use at most every minute, or every quarter
   * of a shorter limit, and takes a changed limit at once, so the clock follows it (a limit
   * lowered from 15 minutes to 2 left "Stay signed in" unable to end the warning).
   */
  limit(idleSeconds: number): void {
    this.touchMs = Math.min(SERVER_TOUCH_MS, (idleSeconds * 1000) / 4);
  }

  /**
   * The limit read again while signed in (`/auth/me` after a Settings save), by the call made at
   * `start` and answered at `end`: the server judged that call by the new limit, so it is counted
   * again under the new recording step (a lowered limit records more often).
   */
  follow(idleSeconds: number, start: number, end: number): void {
    this.limit(idleSeconds);
    this.record(start, end);
  }

  /** A call the server answered, made at `start` and answered at `end`. */
  answered(start: number, end: number): void {
    this.record(start, end);
    this.channel?.postMessage({ start, end });
  }

  private record(start: number, end: number): void {
    if (end - this.low < this.touchMs) return; // certainly not recorded: the last record stands
    if (start - this.up >= this.touchMs) {
      // Certainly recorded: the previous record is at least a touch interval old.
      this.low = start;
      this.up = end;
    } else {
      // Perhaps recorded; if not, the last record is less than a touch interval before the call.
      this.low = Math.min(start, Math.max(this.low, start - this.touchMs));
      this.up = Math.max(this.up, end);
    }
  }

  /** When the server will end the session at the earliest. */
  deadline(idleSeconds: number): number {
    return this.low + idleSeconds * 1000 - SAFETY_MS;
  }

  /** Whether a call now would certainly be recorded (so input should make one). */
  stale(now: number): boolean {
    return now - this.up >= this.touchMs;
  }
}

export interface IdleTimerOptions {
  readonly idleSeconds: number;
  /** An authenticated call that renews the server's idle clock (`auth.me`). */
  readonly renew: () => Promise<unknown>;
  /** The limit is reached: sign out and say why. */
  readonly onTimeout: () => void;
  /** The warning's seconds left while it shows, null while it does not. */
  readonly show: (left: number | null) => void;
}

/** What the clock means for the page, second by second: nothing, the warning, or signing out. */
export class IdleTimer {
  private warning = false;
  private renewing: Promise<void> | null = null;
  private timedOut = false;

  constructor(
    private readonly clock: ServerIdleClock,
    private options: IdleTimerOptions,
  ) {}

  /** New props: the limit may have changed (a Settings save). */
  update(options: IdleTimerOptions): void {
    this.options = options;
    this.clock.limit(options.idleSeconds);
  }

  /** Ticks every second until the returned function stops it. */
  start(): () => void {
    this.tick();
    const timer = setInterval(() => this.tick(), 1000);
    return () => clearInterval(timer);
  }

  tick(now = Date.now()): void {
    const { idleSeconds } = this.options;
    const deadline = this.clock.deadline(idleSeconds);
    const remaining = deadline - now;
    if (remaining <= 0) {
      if (!this.timedOut) {
        this.timedOut = true;
        this.options.onTimeout();
      }
      return;
    }
    const owed = this.clock.owed();
    if (owed && this.clock.stale(now)) this.send();
    // The person's use is on its way to the server, in time: the warning would come too soon.
    const waiting = owed && this.clock.certainFrom() <= deadline - OWED_MARGIN_MS;
    this.warning = !waiting && remaining <= warnMs(idleSeconds);
    this.options.show(this.warning ? Math.ceil(remaining / 1000) : null);
  }

  /** The person's input (a key, a click, scrolling). */
  input(now = Date.now()): void {
    // While the warning shows, only "Stay signed in" counts: reaching for it must not renew.
    if (this.warning) return;
    this.clock.used(now);
    if (this.clock.stale(now)) this.send();
  }

  /**
   * "Stay signed in": a use of the session, sent at once (always a request, even when it may fall
   * within the server's recording step; another follows when one certainly counts). Rejects with
   * the refusal.
   */
  stay(now = Date.now()): Promise<void> {
    this.clock.used(now);
    this.warning = false;
    return this.ping();
  }

  /** An owed call, its failure left to the warning (which then shows). */
  private send(): void {
    this.ping().catch(() => undefined);
  }

  private ping(): Promise<void> {
    if (this.renewing) return this.renewing;
    const renewing = (async () => {
      try {
        await this.options.renew();
      } catch (error) {
        this.clock.forgive();
        throw error;
      } finally {
        this.renewing = null;
        this.tick();
      }
    })();
    this.renewing = renewing;
    return renewing;
  }
}
