/**
 * Automatic logoff (SECURITY.md K-4): the server ends a session after the tenant's idle limit;
 * the console warns a minute before (half the limit when the limit is shorter than two minutes, so
 * a one-minute limit does not warn from the start), with a countdown, and signs out at the limit.
 *
 * The server records a use of the session at most once a minute (auth.service TOUCH_INTERVAL_MS),
 * so the console keeps the earliest time the server may have recorded last and counts from there:
 * it never offers "Stay signed in" for a session the server has already ended. User input reaches
 * the server as a `GET /auth/me` when the last recorded use may be a minute old.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { problemMessage } from "../api.ts";
import { Dialog } from "./Dialog.tsx";
import { ErrorAlert } from "./Messages.tsx";

const WARN_MS = 60_000;
/** How long before the limit the warning shows. */
const warnMs = (idleSeconds: number) => Math.min(WARN_MS, (idleSeconds * 1000) / 2);
const SERVER_TOUCH_MS = 60_000;
/** Request latency and clock granularity: sign out a little early rather than a little late. */
const SAFETY_MS = 2_000;
const INPUT_EVENTS = ["keydown", "pointerdown", "wheel"] as const;

/** When the server last recorded a use of the session, as bounds on this browser's clock. */
export class ServerIdleClock {
  private low = Date.now();
  private up = Date.now();
  private touchMs = SERVER_TOUCH_MS;

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

function clockText(seconds: number): string {
  const s = Math.max(0, seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function IdleWarning(props: {
  readonly clock: ServerIdleClock;
  readonly idleSeconds: number;
  /** An authenticated call that renews the server's idle clock (`auth.me`). */
  readonly renew: () => Promise<unknown>;
  readonly onSignOut: () => void;
  /** The limit is reached: sign out and say why. */
  readonly onTimeout: () => void;
}) {
  const { clock, idleSeconds, renew, onTimeout } = props;
  const [left, setLeft] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const warning = useRef(false);
  const renewing = useRef(false);
  const timedOut = useRef(false);

  const tick = useCallback(() => {
    const remaining = clock.deadline(idleSeconds) - Date.now();
    if (remaining <= 0) {
      if (!timedOut.current) {
        timedOut.current = true;
        onTimeout();
      }
      return;
    }
    warning.current = remaining <= warnMs(idleSeconds);
    setLeft(warning.current ? Math.ceil(remaining / 1000) : null);
  }, [clock, idleSeconds, onTimeout]);

  const ping = useCallback(async () => {
    if (renewing.current) return;
    renewing.current = true;
    try {
      await renew();
      setError(null);
    } finally {
      renewing.current = false;
    }
    tick();
  }, [renew, tick]);

  useEffect(() => {
    clock.limit(idleSeconds);
  }, [clock, idleSeconds]);

  useEffect(() => {
    tick();
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [tick]);

  useEffect(() => {
    // While the warning shows, only "Stay signed in" counts: reaching for it must not renew.
    const onInput = () => {
      if (!warning.current && clock.stale(Date.now())) ping().catch(() => undefined);
    };
    for (const name of INPUT_EVENTS) window.addEventListener(name, onInput, { passive: true });
    return () => {
      for (const name of INPUT_EVENTS) window.removeEventListener(name, onInput);
    };
  }, [clock, ping]);

  if (left === null) return null;
  const stay = () => {
    ping().catch((e: unknown) => setError(problemMessage(e)));
  };
  const minutes = Math.round(idleSeconds / 60);
  return (
    <Dialog title="You will be signed out soon" onClose={stay}>
      <div className="dialog-body">
        <p>
          To protect patient information, Staffgate signs you out after {minutes}{" "}
          {minutes === 1 ? "minute" : "minutes"} without activity.
        </p>
        <p>
          Signing out in{" "}
          <strong role="timer" aria-label="Time left" className="countdown">
            {clockText(left)}
          </strong>
        </p>
      </div>
      <ErrorAlert>{error}</ErrorAlert>
      <div className="actions">
        <button type="button" onClick={props.onSignOut}>
          Sign out
        </button>
        {/* Enter at the warning keeps the session: the harmless answer starts focused. */}
        <button type="button" className="primary" onClick={stay} data-autofocus>
          Stay signed in
        </button>
      </div>
    </Dialog>
  );
}
