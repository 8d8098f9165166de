/**
 * Races against a password check: `attempt` runs with its password check held open after it has
 * run (as a slow hash would hold it), `meanwhile` runs in that window, then the check goes on.
 */
import type { TestApp } from "./harness.ts";

/** `attempt`'s outcome: "done", or the refusal's `status code`. */
export async function whileCheckHeld(
  t: TestApp,
  attempt: () => Promise<unknown>,
  meanwhile: () => Promise<unknown>,
): Promise<string> {
  const hasher = t.app.core.deps.hasher;
  const verify = hasher.verify;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let verifying!: () => void;
  const started = new Promise<void>((resolve) => {
    verifying = resolve;
  });
  hasher.verify = async (hash, password) => {
    const ok = await verify.call(hasher, hash, password);
    verifying();
    await gate;
    return ok;
  };
  try {
    const outcome = attempt().then(
      () => "done",
      (e: { status?: number; code?: string }) => `${e.status} ${e.code}`,
    );
    await started;
    // Only the attempt's own check is held: `meanwhile` checks passwords freely.
    hasher.verify = verify;
    await meanwhile();
    release();
    return await outcome;
  } finally {
    hasher.verify = verify;
    release();
  }
}
