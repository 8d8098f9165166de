/**
 * Idempotency keys (SECURITY.md §5.2 point 5; the IETF draft "The Idempotency-Key HTTP Header
 * Field"): a change retried with the same `Idempotency-Key` is carried out once, and the retry gets
 * the first answer again.
 *
 * - A retry finds the key before anything runs (the route looks first), so it is answered before
 *   a password is checked again or a throttle counts it.
 * - The key is claimed inside the change's own transaction (shared/tx.ts: every tenant
 *   transaction, and the change transactions that do not bump the policy), so its row exists
 *   exactly when the change committed: a crash before the commit leaves neither, after it both.
 *   Two requests with one key meet there (the tenant lock, or the key's unique index); the second
 *   replays the first. A refused request (4xx) rolls back with its key: sent again, it runs again.
 * - The answer is stored just after the commit, before it is sent (`keep`); a change that no
 *   transaction claimed for records its answer then (`record`). An answer that carries a one-time
 *   secret (a new API token, an MFA secret, recovery codes) is never stored: its replay says the
 *   request was carried out, and no more.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../db/schema.ts";
import { isUniqueViolation } from "./db-errors.ts";
import type { Deps } from "./deps.ts";
import { AppError } from "./errors.ts";

type Trx = Transaction<Database>;
type Executor = Kysely<Database> | Trx;

/** How long a key is remembered; a key older than this is free again. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

export interface IdempotencyScope {
  readonly tenantId: string;
  /** The caller the key belongs to: a user's or an API token's id. */
  readonly principal: string;
  readonly key: string;
  /** SHA-256 of the route, its parameters, query and body as parsed (http/idempotency.ts). */
  readonly fingerprint: string;
  /** Set once a transaction of this request that claimed the key has committed. */
  claimed: boolean;
}

/** An earlier request with this key: what the route answers instead of running again. */
export interface KeptResponse {
  /** Null while the first request's answer has not been stored yet (or was lost in a crash). */
  readonly status: number | null;
  readonly body: string | null;
  readonly etag: string | null;
  /** The answer carried a one-time secret, so it was not kept. */
  readonly secret: boolean;
  /** The answer showed a record since purged, so it was dropped (the key stays used). */
  readonly purged: boolean;
}

export interface StoredAnswer {
  readonly status: number;
  readonly body: string | null;
  readonly etag: string | null;
  readonly secret: boolean;
}

/** Thrown inside a transaction (which rolls back) when the key was used before: answer with that. */
export class IdempotentReplay extends Error {
  constructor() {
    super("idempotent replay");
    this.name = "IdempotentReplay";
  }
}

export const idempotencyScope = new AsyncLocalStorage<IdempotencyScope>();

/** The `secret` column: 0 the answer is kept; SECRET it held a one-time secret; PURGED it showed a purged record. */
const SECRET = 1;
const PURGED = 2;

const horizonOf = (now: Date) => new Date(now.getTime() - IDEMPOTENCY_KEY_TTL_MS).toISOString();

/** The columns an answer sets (none yet: null); a one-time secret's body is never stored. */
const answerColumns = (answer: StoredAnswer | null) =>
  answer
    ? {
        status: answer.status,
        body: answer.secret ? null : answer.body,
        etag: answer.etag,
        secret: answer.secret ? SECRET : 0,
      }
    : { status: null, body: null, etag: null, secret: 0 };

const newRow = (scope: IdempotencyScope, now: Date, answer: StoredAnswer | null) => ({
  tenant_id: scope.tenantId,
  principal: scope.principal,
  key: scope.key,
  fingerprint: scope.fingerprint,
  created_at: now.toISOString(),
  ...answerColumns(answer),
});

/** The key's earlier request within 24 hours, if any; the key with another request is 422. */
async function findKept(db: Executor, scope: IdempotencyScope, now: Date): Promise<KeptResponse | null> {
  const row = await db
    .selectFrom("idempotency_keys")
    .select(["fingerprint", "created_at", "status", "body", "etag", "secret"])
    .where("tenant_id", "=", scope.tenantId)
    .where("principal", "=", scope.principal)
    .where("key", "=", scope.key)
    .executeTakeFirst();
  if (!row || row.created_at < horizonOf(now)) return null;
  if (row.fingerprint !== scope.fingerprint) throw new AppError("IDEMPOTENCY_KEY_REUSED");
  return {
    status: row.status,
    body: row.body,
    etag: row.etag,
    secret: row.secret === SECRET,
    purged: row.secret === PURGED,
  };
}

/**
 * In a change's transaction: claims the request's key, or throws IdempotentReplay. Two requests
 * with one key in transactions that do not lock the tenant (PostgreSQL, READ COMMITTED) both find
 * nothing; the second's insert then waits for the first's commit and fails on the key: a replay.
 */
export async function claimIdempotencyKey(trx: Trx, scope: IdempotencyScope, now: Date): Promise<void> {
  if (await findKept(trx, scope, now)) throw new IdempotentReplay();
  // Expired keys of this tenant go as new ones come (the index leads with tenant and time).
  await trx
    .deleteFrom("idempotency_keys")
    .where("tenant_id", "=", scope.tenantId)
    .where("created_at", "<", horizonOf(now))
    .execute();
  try {
    await trx
      .insertInto("idempotency_keys")
      .values(newRow(scope, now, null))
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new IdempotentReplay();
    throw error;
  }
}

/**
 * A purge's forgetting reaches the stored answers: those that show the purged record (a user's
 * creation, say) lose their body, instead of keeping its name and email for the rest of their 24
 * hours. The keys stay used, so a retry of that creation does not bring the person back: it hears
 * that the request was carried out (409). Ids are opaque and random, so the quoted id is found
 * only where that record is.
 */
export async function forgetAnswersNaming(trx: Trx, tenantId: string, id: string): Promise<void> {
  await trx
    .updateTable("idempotency_keys")
    .set({ body: null, etag: null, secret: PURGED })
    .where("tenant_id", "=", tenantId)
    .where("body", "like", `%${JSON.stringify(id)}%`)
    .execute();
}

/** What the HTTP layer needs: run a request in its key's scope, find an earlier answer, store one. */
export function createIdempotencyService(deps: Deps) {
  const db = deps.db.kysely;
  return {
    run: <T>(scope: IdempotencyScope, fn: () => T): T => idempotencyScope.run(scope, fn),
    find: (scope: IdempotencyScope) => findKept(db, scope, deps.clock.now()),
    /** After the commit that claimed the key: the answer a retry will get (a secret's body never). */
    async keep(scope: IdempotencyScope, answer: StoredAnswer): Promise<void> {
      await db
        .updateTable("idempotency_keys")
        .set(answerColumns(answer))
        .where("tenant_id", "=", scope.tenantId)
        .where("principal", "=", scope.principal)
        .where("key", "=", scope.key)
        .execute();
    },
    /**
     * A change that no transaction claimed the key for (one that needed no write, or a use case
     * outside the claiming transactions): the answer is recorded now, so a retry after it gets it.
     */
    async record(scope: IdempotencyScope, answer: StoredAnswer): Promise<void> {
      const now = deps.clock.now();
      await db
        .deleteFrom("idempotency_keys")
        .where("tenant_id", "=", scope.tenantId)
        .where("principal", "=", scope.principal)
        .where("key", "=", scope.key)
        .where("created_at", "<", horizonOf(now))
        .execute();
      await db
        .insertInto("idempotency_keys")
        .values(newRow(scope, now, answer))
        .onConflict((oc) => oc.columns(["tenant_id", "principal", "key"]).doNothing())
        .execute();
    },
  };
}
