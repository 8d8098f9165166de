/**
 * argon2id (m = 19 MiB, t = 2, p = 1; ASVS appendix C) off the event loop, with a concurrency
 * limit so a sign-in flood queues instead of starving every other request.
 */
import { availableParallelism } from "node:os";
import { type Algorithm, hash, verify } from "@node-rs/argon2";

// Algorithm.Argon2id; the enum is ambient const, which verbatimModuleSyntax cannot read.
const ARGON2ID = 2 as Algorithm;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** True when `hash` was made with other parameters and should be re-hashed after a good sign-in. */
  needsRehash(hash: string): boolean;
}

export interface HasherOptions {
  readonly memoryCost?: number;
  readonly timeCost?: number;
  readonly concurrency?: number;
}

export const ARGON2_DEFAULTS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function createPasswordHasher(options: HasherOptions = {}): PasswordHasher {
  const params = {
    algorithm: ARGON2ID,
    memoryCost: options.memoryCost ?? ARGON2_DEFAULTS.memoryCost,
    timeCost: options.timeCost ?? ARGON2_DEFAULTS.timeCost,
    parallelism: ARGON2_DEFAULTS.parallelism,
  };
  const limit = createLimiter(options.concurrency ?? Math.max(1, availableParallelism()));
  const marker = `$m=${params.memoryCost},t=${params.timeCost},p=${params.parallelism}$`;
  return {
    // NFC first, so the same password typed on another keyboard or OS verifies (NIST 800-63B 3.1.1.2).
    hash: (password) => limit(() => hash(password.normalize("NFC"), params)),
    verify: (h, password) => limit(() => verify(h, password.normalize("NFC")).catch(() => false)),
    needsRehash: (h) => !h.startsWith("$argon2id$") || !h.includes(marker),
  };
}

/** A tiny FIFO semaphore. */
export function createLimiter(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  const release = () => {
    active -= 1;
    queue.shift()?.();
  };
  return async (task) => {
    if (active >= max) await new Promise<void>((resolve) => queue.push(resolve));
    active += 1;
    try {
      return await task();
    } finally {
      release();
    }
  };
}
