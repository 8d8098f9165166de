/**
 * Sending a change at most once. A create that timed out may have been made (the conflict review:
 * the console said "could not be reached" after a slow answer, and Create again made a second API
 * token, or refused the user's email as taken by the user just made). Each change is sent with an
 * Idempotency-Key, kept while no answer came (a timeout, a lost connection) so that sending it
 * again gets the first answer instead of a second change, and renewed after any answer.
 */
import { type Staffgate, StaffgateNetworkError } from "@staffgate/sdk";
import { useRef } from "react";

export interface Once {
  /** `api` with the current change's key. */
  readonly client: (api: Staffgate) => Staffgate;
  /** After the call: the key is kept only when no answer came (`error` a network error or timeout). */
  readonly settle: (error?: unknown) => void;
  /** `call` on `client(api)`, settled by its outcome. */
  readonly run: <T>(api: Staffgate, call: (keyed: Staffgate) => Promise<T>) => Promise<T>;
}

export function useOnce(): Once {
  const key = useRef<string | null>(null);
  const client = (api: Staffgate) => {
    key.current ??= crypto.randomUUID();
    return api.withIdempotencyKey(key.current);
  };
  const settle = (error?: unknown) => {
    if (!(error instanceof StaffgateNetworkError)) key.current = null;
  };
  const run = async <T>(api: Staffgate, call: (keyed: Staffgate) => Promise<T>): Promise<T> => {
    try {
      const value = await call(client(api));
      settle();
      return value;
    } catch (e) {
      settle(e);
      throw e;
    }
  };
  return { client, settle, run };
}
