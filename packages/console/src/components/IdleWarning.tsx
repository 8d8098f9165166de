/**
 * The idle warning (SECURITY.md K-4): a minute before the idle limit, with a countdown, "Stay
 * signed in" and "Sign out"; the clock that decides when is idleClock.ts.
 */
import { useEffect, useState } from "react";
import { problemMessage } from "../api.ts";
import { Dialog } from "./Dialog.tsx";
import { IdleTimer, type ServerIdleClock } from "./idleClock.ts";
import { ErrorAlert } from "./Messages.tsx";

const INPUT_EVENTS = ["keydown", "pointerdown", "wheel"] as const;

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
  const [timer] = useState(() => new IdleTimer(clock, { idleSeconds, renew, onTimeout, show: setLeft }));

  useEffect(() => {
    timer.update({ idleSeconds, renew, onTimeout, show: setLeft });
    timer.tick();
  }, [timer, idleSeconds, renew, onTimeout]);

  useEffect(() => timer.start(), [timer]);

  useEffect(() => {
    const onInput = () => timer.input();
    for (const name of INPUT_EVENTS) window.addEventListener(name, onInput, { passive: true });
    return () => {
      for (const name of INPUT_EVENTS) window.removeEventListener(name, onInput);
    };
  }, [timer]);

  if (left === null) return null;
  const stay = () => {
    timer.stay().then(
      () => setError(null),
      (e: unknown) => setError(problemMessage(e)),
    );
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
