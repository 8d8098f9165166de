/**
 * On PostgreSQL, what tells a kept read that nothing has been committed since — on any instance —
 * without a round trip: the counterpart of SQLite's `data_version` for auth/caller-cache.ts.
 *
 * - **Every commit is heard.** Every table but `instances` has a statement trigger that NOTIFYs
 *   `staffgate_change` (migration 2026-12-03T13-00_change_feed), whoever writes. Notifications
 *   reach each listener in commit order; each one moves this process's data version.
 * - **Own writes are counted** before each statement that can write runs and again when it ends
 *   (COMMIT included): the pool's connections count them (openDatabase), since this process's
 *   own notification may arrive after its own next request.
 * - **A write is acknowledged only once every other live instance has heard it.** After a use
 *   case commits (shared/tx.ts) settle() NOTIFYs `staffgate_barrier` and waits until each instance
 *   holding a lease answers on `staffgate_ack`. An instance answers from its LISTEN connection, so
 *   only after it has handled every notification before the barrier, the change's among them. An
 *   instance that does not answer is waited for until its lease has run out, by the database's
 *   clock.
 * - **Leases.** Each instance renews its row in `instances` every `renewMs` (0.5 s) for `leaseMs` (1.5 s), on the
 *   LISTEN connection itself. PostgreSQL sends a listener its pending notifications before the
 *   answer to its next statement, so when a renewal's answer arrives every change committed before
 *   the renewal has been handled. An instance trusts kept rows only until `leaseMs` − `marginMs` (0.3 s)
 *   after it *sent* its last renewal: earlier than the database's count, which starts later. A
 *   lost connection, a stalled event loop or a database that stops answering thus ends its trust
 *   before any writer stops waiting for it, and then every request reads again.
 *
 * A kept row is therefore trusted only while the version is what it was when the row was read; a
 * new lease after a lapse moves the version too (notifications may have been missed meanwhile).
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { turnBatch } from "../shared/turn-batch.ts";

export const CHANGE_CHANNEL = "staffgate_change";
const BARRIER_CHANNEL = "staffgate_barrier";
const ACK_CHANNEL = "staffgate_ack";

/** Statements that cannot write (everything else, BEGIN and COMMIT included, counts as a write). */
const READ = /^\s*select\b/i;

export interface PgChangeWatchOptions {
  /** How long a renewed lease lasts (database clock). */
  readonly leaseMs?: number;
  /** How often it is renewed. */
  readonly renewMs?: number;
  /** How much sooner than the lease this instance stops trusting kept rows. */
  readonly marginMs?: number;
  readonly onError?: (error: unknown) => void;
}

export interface PgChangeWatch {
  ownWrites(): number;
  /** The version kept rows are compared with; NaN while this instance holds no lease. */
  dataVersion(): number;
  inTransaction(): boolean;
  /** Resolves once every other live instance has heard what this process committed before. */
  settle(): Promise<void>;
  /** Counts the statements of a pooled connection that can write. */
  countWrites(client: pg.ClientBase): void;
  /** Resolves once this instance holds a lease (tests, benchmarks); false if it could not. */
  trusted(): Promise<boolean>;
  /** Also LISTENs on `channel` (one of ours) on the same connection, now and after reconnecting. */
  subscribe(channel: string, handler: (payload: string) => void): void;
  /** Resolves once the LISTEN connection is up; false when it could not be opened. */
  listening(): Promise<boolean>;
  readonly instanceId: string;
  close(): Promise<void>;
}

export function createPgChangeWatch(url: string, options: PgChangeWatchOptions = {}): PgChangeWatch {
  const leaseMs = options.leaseMs ?? 1_500;
  const renewMs = options.renewMs ?? 500;
  const marginMs = options.marginMs ?? 300;
  const onError = options.onError ?? (() => {});
  const instanceId = randomBytes(8).toString("hex");
  let own = 0;
  let version = 0;
  // Trust ends at the earlier of two clocks: the monotonic one does not move backwards, and the
  // wall clock goes on while a suspended host's monotonic clock stands still.
  let trustedUntil = Number.NEGATIVE_INFINITY;
  let trustedUntilWall = Number.NEGATIVE_INFINITY;
  let client: pg.Client | undefined;
  let connecting: Promise<pg.Client | undefined> | undefined;
  let renewing: Promise<void> | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let closed = false;
  let barrierSeq = 0;
  /** Peer → the highest barrier of ours it has answered. */
  const acked = new Map<string, number>();
  const onAck = new Set<() => void>();
  const subscribed = new Map<string, (payload: string) => void>();

  const bump = () => {
    own += 1;
  };

  function lost(c: pg.Client, error?: unknown): void {
    if (client === c) {
      client = undefined;
      trustedUntil = Number.NEGATIVE_INFINITY;
      // The renewal in flight will not be heard back: let the next one start at once.
      pending?.fail(error ?? new Error("LISTEN connection ended"));
    }
    c.removeAllListeners("notification");
    c.end().catch(() => {});
    if (!closed && error !== undefined) onError(error);
  }

  function onNotification(msg: pg.Notification, c: pg.Client): void {
    if (msg.channel === CHANGE_CHANNEL) {
      version += 1;
      return;
    }
    const payload = msg.payload ?? "";
    const handler = subscribed.get(msg.channel);
    if (handler !== undefined) {
      handler(payload);
      return;
    }
    if (msg.channel === BARRIER_CHANNEL) {
      if (payload.startsWith(`${instanceId}:`)) {
        const echo = /:lease:(\d+)$/.exec(payload);
        if (echo) onLeaseEcho(Number(echo[1]));
        return;
      }
      // Another instance's lease echo is no barrier.
      if (closed || payload.includes(":lease:")) return;
      c.query("SELECT pg_notify($1, $2)", [ACK_CHANNEL, `${payload}:${instanceId}`]).catch((e: unknown) =>
        lost(c, e),
      );
      return;
    }
    if (msg.channel === ACK_CHANNEL) {
      const [to, seq, peer] = payload.split(":");
      if (to !== instanceId || peer === undefined) return;
      const n = Number(seq);
      if (n > (acked.get(peer) ?? 0)) acked.set(peer, n);
      for (const wake of onAck) wake();
    }
  }

  function connect(): Promise<pg.Client | undefined> {
    if (client) return Promise.resolve(client);
    if (closed) return Promise.resolve(undefined);
    connecting ??= (async () => {
      // Named so that an operator (or a test) can tell it from the pool's connections.
      const c = new pg.Client({ connectionString: url, application_name: `staffgate-watch ${instanceId}` });
      c.on("error", (e) => lost(c, e));
      c.on("end", () => lost(c));
      c.on("notification", (msg) => onNotification(msg, c));
      try {
        await c.connect();
        const channels = [CHANGE_CHANNEL, BARRIER_CHANNEL, ACK_CHANNEL, ...subscribed.keys()];
        await c.query(channels.map((ch) => `LISTEN ${ch};`).join(" "));
        if (closed) {
          await c.end();
          return undefined;
        }
        client = c;
        return c;
      } catch (error) {
        lost(c, error);
        return undefined;
      } finally {
        connecting = undefined;
      }
    })();
    return connecting;
  }

  const isTrusted = () => performance.now() < trustedUntil && Date.now() < trustedUntilWall;

  /** The renewal in flight: its number and when it was sent; trust begins when its echo arrives. */
  let pending:
    | { n: number; sent: number; sentWall: number; heard: () => void; fail: (e: unknown) => void }
    | undefined;
  let renewals = 0;

  /** The renewal's own notification came back through the listener: every earlier commit has too. */
  function onLeaseEcho(n: number): void {
    const p = pending;
    if (p === undefined || p.n !== n || closed) return;
    // Trust begins again after a lapse: what was kept before it may have missed notifications.
    if (!isTrusted()) version += 1;
    trustedUntil = p.sent + leaseMs - marginMs;
    trustedUntilWall = p.sentWall + leaseMs - marginMs;
    p.heard();
  }

  async function renewOnce(): Promise<void> {
    const c = await connect();
    if (!c) return;
    const n = ++renewals;
    let timeout: ReturnType<typeof setTimeout> | undefined;
    const heard = new Promise<void>((resolve, reject) => {
      pending = { n, sent: performance.now(), sentWall: Date.now(), heard: resolve, fail: reject };
      // A connection that stopped answering (half-open), or one that does not deliver
      // notifications (a pooler in transaction mode), is dropped; a new one is opened next time.
      timeout = setTimeout(
        () => reject(new Error("lease renewal not heard back on the LISTEN connection")),
        leaseMs,
      );
    });
    try {
      // One implicit transaction: the lease and its echo commit together, after every change
      // committed before; notifications reach a listener in commit order. The values are ours.
      await Promise.all([
        c.query(
          `INSERT INTO instances (id, lease_until) VALUES ('${instanceId}', now() + interval '${leaseMs} milliseconds')
             ON CONFLICT (id) DO UPDATE SET lease_until = excluded.lease_until;
           SELECT pg_notify('${BARRIER_CHANNEL}', '${instanceId}:lease:${n}')`,
        ),
        heard,
      ]);
    } catch (error) {
      if (client === c) lost(c, error);
    } finally {
      clearTimeout(timeout);
      if (pending?.n === n) pending = undefined;
    }
  }

  function renew(): Promise<void> {
    renewing ??= renewOnce().finally(() => {
      renewing = undefined;
    });
    return renewing;
  }

  function start(): void {
    if (timer !== undefined || closed) return;
    timer = setInterval(() => void renew(), renewMs);
    timer.unref();
    void renew();
  }

  /** Waits until each peer has answered barrier `seq` or its lease (ms from now) has run out. */
  function awaitAcks(seq: number, peers: readonly { id: string; ms: number }[]): Promise<void> {
    const t0 = performance.now();
    return new Promise((resolve) => {
      let wakeAt: ReturnType<typeof setTimeout> | undefined;
      const check = () => {
        const now = performance.now();
        let next = Number.POSITIVE_INFINITY;
        for (const p of peers) {
          if ((acked.get(p.id) ?? 0) >= seq) continue;
          const deadline = t0 + p.ms;
          if (deadline > now) next = Math.min(next, deadline);
        }
        if (next === Number.POSITIVE_INFINITY) {
          onAck.delete(check);
          if (wakeAt !== undefined) clearTimeout(wakeAt);
          resolve();
          return;
        }
        if (wakeAt !== undefined) clearTimeout(wakeAt);
        wakeAt = setTimeout(check, Math.ceil(next - now) + 1);
      };
      onAck.add(check);
      check();
    });
  }

  // Writers whose commits ended before a barrier was sent share it (as in a group commit).
  const barrier = turnBatch<null, undefined>(async (asks) => {
    const c = await connect();
    const seq = ++barrierSeq;
    let peers: { id: string; ms: number }[];
    try {
      if (!c) throw new Error("no LISTEN connection");
      // One statement: the peers as of now, and the barrier, sent once (equal payloads merge).
      const { rows } = await c.query<{ id: string; ms: number }>(
        `SELECT id, ceil(extract(epoch FROM lease_until - now()) * 1000)::int AS ms, pg_notify($1, $2)
           FROM instances WHERE lease_until > now() AND id <> $3`,
        [BARRIER_CHANNEL, `${instanceId}:${seq}`, instanceId],
      );
      peers = rows.map((r) => ({ id: r.id, ms: Number(r.ms) }));
    } catch (error) {
      // Peers unknown: after a whole lease every one has either heard the change or lost its trust.
      onError(error);
      await new Promise((r) => setTimeout(r, leaseMs));
      return asks.map(() => undefined);
    }
    if (peers.length > 0) await awaitAcks(seq, peers);
    return asks.map(() => undefined);
  });

  return {
    instanceId,
    ownWrites: () => own,
    dataVersion() {
      if (timer === undefined) start();
      return isTrusted() ? version : Number.NaN;
    },
    inTransaction: () => false,
    settle: () => (closed ? Promise.resolve() : barrier(null)),
    countWrites(pooled) {
      const query = pooled.query.bind(pooled) as (...args: unknown[]) => unknown;
      (pooled as { query: unknown }).query = (config: unknown, ...rest: unknown[]) => {
        const text = typeof config === "string" ? config : (config as { text?: unknown } | null)?.text;
        if (typeof text === "string" && READ.test(text)) return query(config, ...rest);
        bump();
        const last = rest.length - 1;
        const callback = rest[last];
        if (typeof callback === "function") {
          rest[last] = (...args: unknown[]) => {
            bump();
            return (callback as (...a: unknown[]) => unknown)(...args);
          };
          return query(config, ...rest);
        }
        const result = query(config, ...rest);
        // Registered before the caller's own handler, so the count moves before it sees the end.
        if (result instanceof Promise) result.then(bump, bump);
        else bump();
        return result;
      };
    },
    subscribe(channel, handler) {
      if (!/^[a-z_]+$/.test(channel)) throw new Error(`not a channel of ours: ${channel}`);
      subscribed.set(channel, handler);
      const c = client;
      if (c) c.query(`LISTEN ${channel}`).catch((e: unknown) => lost(c, e));
      else void connect();
    },
    listening: async () => (await connect()) !== undefined,
    async trusted() {
      start();
      await renew();
      return isTrusted();
    },
    async close() {
      closed = true;
      trustedUntil = Number.NEGATIVE_INFINITY;
      if (timer !== undefined) clearInterval(timer);
      await connecting;
      await renewing?.catch(() => {});
      const c = client;
      client = undefined;
      if (!c) return;
      // Writers stop waiting for this instance at once.
      await c.query("DELETE FROM instances WHERE id = $1", [instanceId]).catch(() => {});
      await c.end().catch(() => {});
    },
  };
}
