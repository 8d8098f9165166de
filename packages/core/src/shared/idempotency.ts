/**
 * Idempotency keys (SECURITY.md §5.2 point 5; the IETF draft "The Idempotency-Key HTTP Header
 * Field"): a change retried with the same `Idempotency-Key` is carried out once, and the retry gets
 * the first answer again.
 *
 * The key is claimed inside the use case's own tenant transaction, right after the tenant row is
 * locked (shared/tx.ts), so a key's row exists exactly when its change committed: a crash before
 * the commit leaves neither, after it both. Two requests with one key meet at the tenant lock; the
 * second finds the first's row once the first has committed, and replays it. A refused request
 * (4xx) rolls back with its key, so it can be sent again as it was.
 *
 * The answer itself is stored just after the commit (`keepResponse`), before it is sent; one that
 * carries a one-time secret (a new API token, a random password, an MFA secret) is never stored:
 * its replay says the request was carried out, and no more.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../db/schema.ts";
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
  /** SHA-256 of the method, the path with its query, and the body. */
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
}

/** Thrown inside the transaction (which rolls back) when the key was used before. */
export class IdempotentReplay extends Error {
  constructor(readonly kept: KeptResponse) {
    super("idempotent replay");
    this.name = "IdempotentReplay";
  }
}

export const idempotencyScope = new AsyncLocalStorage<IdempotencyScope>();

/** In the tenant transaction: claims the request's key, or throws what to answer instead. */
export async function claimIdempotencyKey(trx: Trx, scope: IdempotencyScope, now: Date): Promise<void> {
  const horizon = new Date(now.getTime() - IDEMPOTENCY_KEY_TTL_MS).toISOString();
  const row = await trx
    .selectFrom("idempotency_keys")
    .select(["fingerprint", "created_at", "status", "body", "etag", "secret"])
    .where("tenant_id", "=", scope.tenantId)
    .where("principal", "=", scope.principal)
    .where("key", "=", scope.key)
    .executeTakeFirst();
  if (row && row.created_at >= horizon) {
    if (row.fingerprint !== scope.fingerprint) throw new AppError("IDEMPOTENCY_KEY_REUSED");
    throw new IdempotentReplay({
      status: row.status,
      body: row.body,
      etag: row.etag,
      secret: row.secret === 1,
    });
  }
  // Expired keys of this tenant go as new ones come (the index leads with tenant and time).
  await trx
    .deleteFrom("idempotency_keys")
    .where("tenant_id", "=", scope.tenantId)
    .where("created_at", "<", horizon)
    .execute();
  await trx
    .insertInto("idempotency_keys")
    .values({
      tenant_id: scope.tenantId,
      principal: scope.principal,
      key: scope.key,
      fingerprint: scope.fingerprint,
      created_at: now.toISOString(),
      status: null,
      body: null,
      etag: null,
      secret: 0,
    })
    .execute();
}

/** After the commit: the answer a retry will get (a one-time secret's answer is not kept). */
async function keepResponse(db: Executor, scope: IdempotencyScope, response: StoredAnswer): Promise<void> {
  await db
    .updateTable("idempotency_keys")
    .set({
      status: response.status,
      body: response.secret ? null : response.body,
      etag: response.etag,
      secret: response.secret ? 1 : 0,
    })
    .where("tenant_id", "=", scope.tenantId)
    .where("principal", "=", scope.principal)
    .where("key", "=", scope.key)
    .execute();
}

/** Outside any transaction: the key's row, once the request that claimed it has stored its answer. */
async function readKeptResponse(db: Executor, scope: IdempotencyScope): Promise<KeptResponse | null> {
  const row = await db
    .selectFrom("idempotency_keys")
    .select(["status", "body", "etag", "secret"])
    .where("tenant_id", "=", scope.tenantId)
    .where("principal", "=", scope.principal)
    .where("key", "=", scope.key)
    .executeTakeFirst();
  return row ? { ...row, secret: row.secret === 1 } : null;
}

export interface StoredAnswer {
  readonly status: number;
  readonly body: string | null;
  readonly etag: string | null;
  readonly secret: boolean;
}

/** What the HTTP layer needs: run a request in its key's scope, store its answer, read one back. */
export function createIdempotencyService(deps: Deps) {
  return {
    run: <T>(scope: IdempotencyScope, fn: () => T): T => idempotencyScope.run(scope, fn),
    keep: (scope: IdempotencyScope, answer: StoredAnswer) => keepResponse(deps.db.kysely, scope, answer),
    read: (scope: IdempotencyScope) => readKeptResponse(deps.db.kysely, scope),
  };
}
