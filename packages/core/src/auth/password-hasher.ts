/**
 * argon2id (m = 19 MiB, t = 2, p = 1; ASVS appendix C) on a pool of dedicated worker threads
 * (argon2-worker.mjs) at a lower scheduling priority, as many as the concurrency limit (cores by
 * default): a sign-in flood queues here, and the event loop, which serves every other request,
 * is first in line for the CPU while argon2 takes the rest (docs/architecture.md, "Passwords").
 */
import { availableParallelism } from "node:os";
import type { Algorithm } from "@node-rs/argon2";
import { AppError } from "../shared/errors.ts";
import { createWorkerPool } from "../shared/worker-pool.ts";

// Algorithm.Argon2id; the enum is ambient const, which verbatimModuleSyntax cannot read.
const ARGON2ID = 2 as Algorithm;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** True when `hash` was made with other parameters and should be re-hashed after a good sign-in. */
  needsRehash(hash: string): boolean;
}

/** A hasher that owns worker threads: `close()` ends them (buildApp's onClose, via core.close()). */
export interface ClosablePasswordHasher extends PasswordHasher {
  close(): Promise<void>;
}

export interface HasherOptions {
  readonly memoryCost?: number;
  readonly timeCost?: number;
  /** Hashes at a time, = worker threads (default: the number of cores). */
  readonly concurrency?: number;
  /** Hashes that may wait for a thread before more are refused (default MAX_QUEUED_HASHES). */
  readonly maxQueued?: number;
}

/**
 * Hashes that may wait for a thread (SECURITY.md 62: the hashing limit "queues or sheds"): about
 * ten seconds of work on two cores, above any burst of real sign-ins (and the 200 parallel
 * attempts of SECURITY.md 34), so a flood past it is shed with 503 SERVICE_BUSY and Retry-After
 * instead of holding requests and memory without end.
 */
export const MAX_QUEUED_HASHES = 1000;

export const ARGON2_DEFAULTS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

type Argon2Request =
  | {
      readonly op: "hash";
      readonly password: string;
      readonly params: { algorithm: Algorithm; memoryCost: number; timeCost: number; parallelism: number };
    }
  | { readonly op: "verify"; readonly hash: string; readonly password: string };

export function createPasswordHasher(options: HasherOptions = {}): ClosablePasswordHasher {
  const params = {
    algorithm: ARGON2ID,
    memoryCost: options.memoryCost ?? ARGON2_DEFAULTS.memoryCost,
    timeCost: options.timeCost ?? ARGON2_DEFAULTS.timeCost,
    parallelism: ARGON2_DEFAULTS.parallelism,
  };
  const pool = createWorkerPool<Argon2Request, string | boolean>(
    new URL("./argon2-worker.mjs", import.meta.url),
    options.concurrency ?? Math.max(1, availableParallelism()),
  );
  const marker = `$m=${params.memoryCost},t=${params.timeCost},p=${params.parallelism}$`;
  const maxQueued = options.maxQueued ?? MAX_QUEUED_HASHES;
  const busy = () =>
    new AppError("SERVICE_BUSY", "Too many sign-ins are waiting; try again in a moment", {
      extensions: { retryAfter: 1 },
    });
  return {
    // NFC first, so the same password typed on another keyboard or OS verifies (NIST 800-63B 3.1.1.2).
    hash: async (password) => {
      if (pool.queued >= maxQueued) throw busy();
      return (await pool.run({ op: "hash", password: password.normalize("NFC"), params })) as string;
    },
    // A malformed stored hash is a failed verification, not an error. A shed verify is an error,
    // never a "wrong password" (which would count towards a lockout).
    verify: (h, password) => {
      if (pool.queued >= maxQueued) return Promise.reject(busy());
      return pool.run({ op: "verify", hash: h, password: password.normalize("NFC") }).then(
        (ok) => ok === true,
        () => false,
      );
    },
    needsRehash: (h) => !h.startsWith("$argon2id$") || !h.includes(marker),
    close: () => pool.close(),
  };
}
