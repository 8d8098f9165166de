/**
 * SECURITY.md §5.2 "Crash / kill during writes", bounded for CI (ASVS 2.3.3: each business operation
 * is all or nothing; docs/architecture.md "Storage": one transaction per use case, audit inside it).
 *
 * The real process (`staffgate serve`) on a fresh SQLite file (WAL) or a fresh PostgreSQL database.
 * Each cycle: CLIENTS concurrent writers loop over multi-row use cases (create user with workspace
 * access, change a user's role, grant / revoke patient access, set a random password — rotates the
 * hash and ends sessions and API tokens in one transaction —, sign in, create / revoke API tokens)
 * and record which requests were acknowledged (2xx) and what they created. After 300–1500 ms the
 * server's own PID gets SIGKILL; then, with no server running:
 *   1. SQLite: `PRAGMA integrity_check` = ok and no foreign-key violation (the first open after the
 *      kill, which also recovers the WAL); PostgreSQL: the dead server's backends are gone.
 *   2. Durability, in the database: every acknowledged user, role, grant, revocation and password
 *      set is there; a request cut off by the kill may have landed or not (both are accepted, and
 *      the model follows what the database says).
 *   3. Atomicity, in the database, whatever the model knows: every user row has its `user.created`
 *      event and vice versa; no user_workspaces row without its user, and a user's workspaces and
 *      role are the last audited ones; no session of a user older than that user's last
 *      `user.password_set`; patient grants are exactly what their granted/revoked events say; API
 *      tokens have their created event, a revoked one its revoked event and an archived user;
 *      every invited user has an invitation link; the audit head matches the last event.
 * Then the server restarts on the same database (start-up and /readyz are the PostgreSQL check) and,
 * through the API: the audit chain verifies; each acknowledged user has the acknowledged role and
 * workspaces; each acknowledged grant is listed and each acknowledged revocation holds; revoked
 * API tokens get 401 and live ones do not; sessions made before an acknowledged (or committed)
 * password set get 401, the others still work; the password last set (acknowledged) signs in.
 *
 * Operations on one user (or token) never overlap, so each has a known order. (Writing this file
 * found a race, now fixed and tested in credential-races.test.ts: a sign-in whose password check
 * overlapped an administrator's password set got a session that outlived the set.)
 *
 * STAFFGATE_CRASH_CYCLES raises the number of kill cycles (3 in CI).
 * §5.2 point 5: every create is sent with an Idempotency-Key; after the restart each cut-off create,
 * and the cycle's last acknowledged one, is sent again with its key and must answer its first
 * answer (one that landed) or be carried out now (one that did not): nothing is created twice.
 * Failpoints at exact places are failpoints.test.ts; the logging-failure cases are out of scope.
 */
import { randomBytes, randomInt } from "node:crypto";
import type { Db } from "@staffgate/core";
import { Staffgate, StaffgateError } from "@staffgate/sdk";
import { afterAll, describe, expect, it } from "vitest";
import {
  type CrashDatabase,
  createCrashDatabase,
  type ServerProcess,
  sleep,
  spawnServer,
} from "./crash-helpers.ts";
import { PG_ADMIN_URL, TEST_DB } from "./harness.ts";

const CYCLES = Math.max(1, Number(process.env.STAFFGATE_CRASH_CYCLES) || 3);
const CLIENTS = 4;
/** Acknowledged writes each cycle waits for before its kill, which also waits a random 0.3–1.5 s. */
const ACKS_BEFORE_KILL = 6;
const TENANT = "demo";
const BOOTSTRAP_PASSWORD = `crash-bootstrap-${randomBytes(12).toString("base64url")}`;
const OPERATOR_TOKEN = `crash-operator-${randomBytes(16).toString("hex")}`;
const PATIENTS = ["pat-crash-1", "pat-crash-2", "pat-crash-3", "pat-crash-4", "pat-crash-5"];
/** Signed-in checks of the password last set, per cycle (each is an argon2 verify). */
const PASSWORD_SAMPLES = 3;

/** A value the model expects, plus the values a request cut off by the kill may have left instead. */
class Maybe<T> {
  alt: T[] = [];
  constructor(public value: T) {}
  ack(v: T) {
    this.value = v;
    this.alt = [];
  }
  unknown(v: T) {
    this.alt.push(v);
  }
  allows(v: T) {
    return v === this.value || this.alt.includes(v);
  }
}

interface MSession {
  readonly token: string;
  readonly alive: Maybe<boolean>;
}
interface MUser {
  readonly id: string;
  readonly username: string;
  readonly workspaces: string[];
  readonly role: Maybe<string>;
  /** The current password when known (null: invited, or set by a request whose answer was lost). */
  password: string | null;
  /** Acknowledged `user.password_set`s (after reconciling: the database's count). */
  passwordSets: number;
  resetInFlight: boolean;
  changedThisCycle: boolean;
  readonly sessions: MSession[];
  busy: boolean;
}
/** A user the model knows from its creation (acknowledged, landed after a kill, or retried). */
function modelUser(
  id: string,
  made: { username: string; workspaces: string[]; roleId: string; password: string | null },
): MUser {
  return {
    id,
    username: made.username,
    workspaces: made.workspaces,
    role: new Maybe(made.roleId),
    password: made.password,
    passwordSets: 0,
    resetInFlight: false,
    changedThisCycle: false,
    sessions: [],
    busy: false,
  };
}

interface MGrant {
  readonly userId: string;
  readonly patientRef: string;
  readonly present: Maybe<boolean>;
}
interface MToken {
  readonly id: string;
  readonly token: string;
  readonly revoked: Maybe<boolean>;
  busy: boolean;
}
interface PendingUser {
  readonly username: string;
  readonly roleId: string;
  readonly workspaces: string[];
  readonly password: string | null;
  /** The request as sent, and its Idempotency-Key: retried after the restart. */
  readonly body: Parameters<Staffgate["users"]["create"]>[0];
  readonly key: string;
}

type Outcome<T> =
  | { kind: "ack"; value: T }
  | { kind: "refused"; error: StaffgateError }
  | { kind: "unknown"; error: unknown };

async function attempt<T>(fn: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { kind: "ack", value: await fn() };
  } catch (error) {
    if (error instanceof StaffgateError) return { kind: "refused", error };
    return { kind: "unknown", error };
  }
}

const pick = <T>(items: readonly T[]): T | undefined =>
  items.length === 0 ? undefined : items[randomInt(items.length)];
const sorted = (ids: readonly string[]) => [...ids].sort();
const client = (baseUrl: string, token?: string) =>
  new Staffgate({
    baseUrl,
    ...(token ? { token } : {}),
    fetch: (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(15_000) }),
  });

describe(`crash / kill during writes (${TEST_DB})`, () => {
  let database: CrashDatabase | undefined;
  let server: ServerProcess | undefined;

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it(`keeps every acknowledged write and no half-applied one across ${CYCLES} SIGKILLs`, {
    timeout: 25_000 + CYCLES * 15_000,
  }, async () => {
    database = await createCrashDatabase(TEST_DB, PG_ADMIN_URL);
    const serve = () =>
      spawnServer({
        databaseUrl: database!.url,
        bootstrapPassword: BOOTSTRAP_PASSWORD,
        operatorToken: OPERATOR_TOKEN,
      });
    server = await serve();

    // Set-up (acknowledged before any kill): the bootstrapped admin, two workspaces, three roles.
    const login = await client(server.url).auth.login({
      tenant: TENANT,
      login: "admin",
      password: BOOTSTRAP_PASSWORD,
    });
    const adminToken = login.token;
    let admin = client(server.url, adminToken);
    const tenantId = (await admin.auth.me()).tenant.id;
    const workspaces: string[] = [];
    for (const slug of ["crash-north", "crash-south"]) {
      workspaces.push((await admin.workspaces.create({ slug, name: slug, protected: false })).id);
    }
    const roles: string[] = [];
    for (const [name, permissions] of [
      ["Crash reader", ["patients.read"]],
      ["Crash viewer", ["users.view"]],
      ["Crash nothing", []],
    ] as const) {
      roles.push((await admin.roles.create({ name, permissions: [...permissions] })).id);
    }

    const users = new Map<string, MUser>();
    const grants = new Map<string, MGrant>();
    const tokens: MToken[] = [];
    let pendingUsers: PendingUser[] = [];
    /** The last acknowledged create, sent again after the restart with its key. */
    let lastCreated: { key: string; body: PendingUser["body"]; id: string } | null = null;
    const unexpected: string[] = [];
    const stats = { acked: 0, unknown: 0, landed: 0, retried: 0, sessionsEnded: 0, cycles: [] as string[] };
    let counter = 0;

    const freeUser = (ok: (u: MUser) => boolean = () => true) =>
      pick([...users.values()].filter((u) => !u.busy && ok(u)));
    const tally = (what: string, o: Outcome<unknown>) => {
      if (o.kind === "ack") stats.acked += 1;
      else if (o.kind === "unknown") stats.unknown += 1;
      else unexpected.push(`${what}: ${o.error.message}`);
    };

    // ---- the writers' use cases ----
    const createUser = async (cycle: number, api: Staffgate) => {
      counter += 1;
      const username = `crash-${cycle}-${counter}-${randomBytes(3).toString("hex")}`;
      const password = Math.random() < 0.6 ? `Crash-${randomBytes(15).toString("base64url")}-pw` : null;
      const ws = Math.random() < 0.5 ? [pick(workspaces)!] : [...workspaces];
      const roleId = pick(roles)!;
      const body = {
        username,
        email: `${username}@crash.example`,
        firstName: "Crash",
        lastName: `Tester ${counter}`,
        roleId,
        workspaceAccess: ws,
        ...(password ? { password, mustChangePassword: false } : {}),
      };
      const key = `create-${username}`;
      const o = await attempt(() => api.withIdempotencyKey(key).users.create(body));
      tally("create user", o);
      if (o.kind === "ack") {
        lastCreated = { key, body, id: o.value.id };
        users.set(o.value.id, modelUser(o.value.id, { username, workspaces: ws, roleId, password }));
      } else if (o.kind === "unknown") {
        pendingUsers.push({ username, roleId, workspaces: ws, password, body, key });
      }
    };

    const changeRole = async (u: MUser, api: Staffgate) => {
      const next = pick(roles.filter((r) => r !== u.role.value))!;
      const o = await attempt(() => api.users.update(u.id, { roleId: next }));
      tally("change role", o);
      if (o.kind === "ack") u.role.ack(next);
      else if (o.kind === "unknown") u.role.unknown(next);
    };

    const grant = async (u: MUser, api: Staffgate) => {
      const patientRef = pick(PATIENTS)!;
      const key = `${u.id}|${patientRef}`;
      let g = grants.get(key);
      if (!g) {
        g = { userId: u.id, patientRef, present: new Maybe(false) };
        grants.set(key, g);
      }
      const o = await attempt(() =>
        api.patientAccess.grant(patientRef, { userId: u.id, reason: "crash test" }),
      );
      tally("grant", o);
      if (o.kind === "ack") g.present.ack(true);
      else if (o.kind === "unknown") g.present.unknown(true);
    };

    const revokeGrant = async (g: MGrant, api: Staffgate) => {
      const o = await attempt(() => api.patientAccess.revoke(g.patientRef, g.userId));
      tally("revoke grant", o);
      if (o.kind === "ack") g.present.ack(false);
      else if (o.kind === "unknown") g.present.unknown(false);
    };

    const randomPassword = async (u: MUser, api: Staffgate) => {
      const o = await attempt(() => api.credentials.setUserPassword(u.id, { random: true }));
      tally("random password", o);
      if (o.kind === "ack") {
        u.passwordSets += 1;
        u.password = o.value!.password;
        u.changedThisCycle = true;
        for (const s of u.sessions) s.alive.ack(false);
      } else if (o.kind === "unknown") {
        u.resetInFlight = true;
        for (const s of u.sessions) s.alive.unknown(false);
      }
    };

    const signIn = async (u: MUser, anon: Staffgate) => {
      const password = u.password!;
      const o = await attempt(() => anon.auth.login({ tenant: TENANT, login: u.username, password }));
      tally("sign in", o);
      if (o.kind === "ack") u.sessions.push({ token: o.value.token, alive: new Maybe(true) });
    };

    const createToken = async (cycle: number, api: Staffgate) => {
      counter += 1;
      const o = await attempt(() =>
        api.apiTokens.create({ name: `crash-token-${cycle}-${counter}`, roleId: pick(roles)! }),
      );
      tally("create token", o);
      if (o.kind === "ack")
        tokens.push({ id: o.value.id, token: o.value.token, revoked: new Maybe(false), busy: false });
    };

    const revokeToken = async (t: MToken, api: Staffgate) => {
      const o = await attempt(() => api.apiTokens.revoke(t.id));
      tally("revoke token", o);
      if (o.kind === "ack") t.revoked.ack(true);
      else if (o.kind === "unknown") t.revoked.unknown(true);
    };

    /** One request; operations on one user (or token) never overlap, so each has a known order. */
    const step = async (cycle: number, api: Staffgate, anon: Staffgate) => {
      const withUser = async (u: MUser | undefined, fn: (u: MUser) => Promise<void>) => {
        if (!u) return createUser(cycle, api);
        u.busy = true;
        try {
          await fn(u);
        } finally {
          u.busy = false;
        }
      };
      const r = randomInt(14);
      if (r < 3) return createUser(cycle, api);
      if (r < 5) return withUser(freeUser(), (u) => changeRole(u, api));
      if (r < 7) return withUser(freeUser(), (u) => grant(u, api));
      if (r < 8) {
        const g = pick(
          [...grants.values()].filter(
            (x) => x.present.value && x.present.alt.length === 0 && !users.get(x.userId)!.busy,
          ),
        );
        return g ? withUser(users.get(g.userId), () => revokeGrant(g, api)) : createUser(cycle, api);
      }
      if (r < 10) return withUser(freeUser(), (u) => randomPassword(u, api));
      if (r < 12) {
        const u = freeUser((x) => x.password !== null && x.sessions.filter((s) => s.alive.value).length < 3);
        return withUser(u, (x) => signIn(x, anon));
      }
      if (r < 13) return createToken(cycle, api);
      const t = pick(tokens.filter((x) => !x.busy && !x.revoked.value));
      if (!t) return createToken(cycle, api);
      t.busy = true;
      try {
        await revokeToken(t, api);
      } finally {
        t.busy = false;
      }
    };

    // ---- checks with no server running ----
    const checkDatabase = async (db: Db): Promise<string[]> => {
      const problems: string[] = [];
      const k = db.kysely;
      const userRows = await k
        .selectFrom("users")
        .select(["id", "username", "role_id", "status"])
        .where("tenant_id", "=", tenantId)
        .execute();
      const byId = new Map(userRows.map((r) => [r.id, r]));
      const byUsername = new Map(userRows.map((r) => [r.username, r]));
      const events = await k
        .selectFrom("audit_events")
        .select(["seq", "action", "target_id", "at", "changes", "hash"])
        .where("tenant_id", "=", tenantId)
        .orderBy("seq")
        .execute();
      const changesOf = (c: string | null) =>
        (c ? JSON.parse(c) : {}) as Record<string, { before?: unknown; after?: unknown }>;
      const memberships = await k
        .selectFrom("user_workspaces")
        .select(["user_id", "workspace_id"])
        .where("tenant_id", "=", tenantId)
        .execute();
      const sessions = await k
        .selectFrom("sessions")
        .select(["id", "user_id", "created_at"])
        .where("tenant_id", "=", tenantId)
        .execute();
      const grantRows = await k
        .selectFrom("patient_grants")
        .select(["user_id", "patient_ref"])
        .where("tenant_id", "=", tenantId)
        .execute();
      const tokenRows = await k
        .selectFrom("api_tokens")
        .select(["id", "user_id", "revoked_at"])
        .where("tenant_id", "=", tenantId)
        .execute();
      const invitations = await k
        .selectFrom("credential_tokens")
        .select(["user_id"])
        .where("tenant_id", "=", tenantId)
        .where("kind", "=", "invitation")
        .execute();
      const head = await k
        .selectFrom("audit_heads")
        .select(["seq", "hash"])
        .where("tenant_id", "=", tenantId)
        .executeTakeFirst();

      // Atomicity: what the audit says happened is exactly what the tables hold.
      const created = new Set<string>();
      const archived = new Set<string>();
      const lastRole = new Map<string, unknown>();
      const lastWorkspaces = new Map<string, unknown>();
      const lastPasswordSet = new Map<string, string>();
      const passwordSets = new Map<string, number>();
      const grantState = new Map<string, boolean>();
      const tokensCreated = new Set<string>();
      const tokensRevoked = new Set<string>();
      for (const e of events) {
        const t = e.target_id ?? "";
        const ch = changesOf(e.changes);
        if (e.action === "user.created") created.add(t);
        if (e.action === "user.archived") archived.add(t);
        if (e.action === "user.created" || e.action === "user.updated") {
          if (ch.roleId && "after" in ch.roleId) lastRole.set(t, ch.roleId.after);
          if (ch.workspaceAccess && "after" in ch.workspaceAccess)
            lastWorkspaces.set(t, ch.workspaceAccess.after);
        }
        if (e.action === "user.password_set") {
          lastPasswordSet.set(t, e.at);
          passwordSets.set(t, (passwordSets.get(t) ?? 0) + 1);
        }
        if (e.action === "patient_access.granted") grantState.set(`${t}|${ch.patientRef?.after}`, true);
        if (e.action === "patient_access.revoked") grantState.set(`${t}|${ch.patientRef?.before}`, false);
        if (e.action === "api_token.created") tokensCreated.add(t);
        if (e.action === "api_token.revoked") tokensRevoked.add(t);
      }
      for (const u of userRows) {
        if (!created.has(u.id)) problems.push(`user ${u.username} has no user.created event`);
        if (lastRole.has(u.id) && lastRole.get(u.id) !== u.role_id)
          problems.push(
            `user ${u.username} has role ${u.role_id}, its last audited role is ${lastRole.get(u.id)}`,
          );
        const ws = lastWorkspaces.get(u.id);
        if (ws !== undefined) {
          const expected = ws === "all" ? [] : sorted(ws as string[]);
          const actual = sorted(memberships.filter((m) => m.user_id === u.id).map((m) => m.workspace_id));
          if (JSON.stringify(actual) !== JSON.stringify(expected))
            problems.push(`user ${u.username} is in ${actual}, its last audited workspaces are ${expected}`);
        }
        if (u.status === "archived" && !archived.has(u.id))
          problems.push(`user ${u.username} is archived without a user.archived event`);
        if (u.status === "invited" && !invitations.some((i) => i.user_id === u.id))
          problems.push(`invited user ${u.username} has no invitation link`);
      }
      for (const id of created)
        if (!byId.has(id)) problems.push(`user.created event for a missing user ${id}`);
      for (const m of memberships)
        if (!byId.has(m.user_id)) problems.push(`user_workspaces row without its user ${m.user_id}`);
      for (const s of sessions) {
        const reset = lastPasswordSet.get(s.user_id);
        if (reset !== undefined && s.created_at < reset)
          problems.push(
            `session ${s.id} (${s.created_at}) survived the password set of ${s.user_id} at ${reset}`,
          );
      }
      const grantKeys = new Set(grantRows.map((g) => `${g.user_id}|${g.patient_ref}`));
      for (const key of grantKeys)
        if (grantState.get(key) !== true)
          problems.push(`patient grant ${key} without a granted event after it`);
      for (const [key, present] of grantState)
        if (present && !grantKeys.has(key)) problems.push(`patient_access.granted ${key} without its grant`);
      for (const t of tokenRows) {
        if (!tokensCreated.has(t.id)) problems.push(`API token ${t.id} has no api_token.created event`);
        if ((t.revoked_at !== null) !== tokensRevoked.has(t.id))
          problems.push(
            `API token ${t.id}: revoked_at ${t.revoked_at}, revoked event ${tokensRevoked.has(t.id)}`,
          );
        const owner = byId.get(t.user_id);
        if (!owner) problems.push(`API token ${t.id} without its integration user`);
        else if (t.revoked_at !== null && owner.status !== "archived")
          problems.push(`revoked API token ${t.id} left its integration user ${owner.status}`);
      }
      for (const id of tokensCreated)
        if (!tokenRows.some((t) => t.id === id))
          problems.push(`api_token.created event for a missing token ${id}`);
      const last = events.at(-1);
      if (!head || !last || Number(head.seq) !== Number(last.seq) || head.hash !== last.hash)
        problems.push(
          `audit head ${head?.seq}/${head?.hash} is not the last event ${last?.seq}/${last?.hash}`,
        );

      // Durability: every acknowledged write is there; a cut-off one is either there or not.
      for (const p of pendingUsers) {
        const row = byUsername.get(p.username);
        if (!row) continue;
        stats.landed += 1;
        if (row.role_id !== p.roleId)
          problems.push(`cut-off create of ${p.username} left role ${row.role_id}`);
        users.set(row.id, modelUser(row.id, { ...p, roleId: row.role_id }));
      }
      for (const u of users.values()) {
        const row = byId.get(u.id);
        if (!row) {
          problems.push(`acknowledged user ${u.username} is missing`);
          continue;
        }
        if (u.role.alt.includes(row.role_id) && row.role_id !== u.role.value) stats.landed += 1;
        if (!u.role.allows(row.role_id))
          problems.push(`user ${u.username} has role ${row.role_id}, acknowledged ${u.role.value}`);
        u.role.ack(row.role_id);
        const sets = passwordSets.get(u.id) ?? 0;
        if (sets < u.passwordSets || sets > u.passwordSets + (u.resetInFlight ? 1 : 0))
          problems.push(`user ${u.username}: ${sets} password sets, ${u.passwordSets} acknowledged`);
        const committed = sets > u.passwordSets;
        if (committed) stats.landed += 1;
        if (u.resetInFlight) {
          if (committed) u.password = null;
          for (const s of u.sessions) s.alive.ack(committed ? false : s.alive.value);
        }
        u.passwordSets = sets;
        u.resetInFlight = false;
        // An acknowledged sign-in whose user then got no password set: the session must still be there.
      }
      for (const g of grants.values()) {
        const actual = grantKeys.has(`${g.userId}|${g.patientRef}`);
        if (actual !== g.present.value && g.present.allows(actual)) stats.landed += 1;
        if (!g.present.allows(actual))
          problems.push(
            `grant ${g.userId} on ${g.patientRef}: present ${actual}, acknowledged ${g.present.value}`,
          );
        g.present.ack(actual);
      }
      for (const t of tokens) {
        const row = tokenRows.find((r) => r.id === t.id);
        if (!row) {
          problems.push(`acknowledged API token ${t.id} is missing`);
          continue;
        }
        const revoked = row.revoked_at !== null;
        if (revoked !== t.revoked.value && t.revoked.allows(revoked)) stats.landed += 1;
        if (!t.revoked.allows(revoked))
          problems.push(`API token ${t.id}: revoked ${revoked}, acknowledged ${t.revoked.value}`);
        t.revoked.ack(revoked);
      }
      return problems;
    };

    // ---- checks through the API after the restart ----
    const checkApi = async (url: string): Promise<string[]> => {
      const problems: string[] = [];
      const api = client(url, adminToken);
      const verify = await api.audit.verify();
      if (!verify.ok) problems.push(`audit chain broken at ${verify.firstBrokenSeq}`);
      const all = [...users.values()];
      for (let i = 0; i < all.length; i += 16) {
        await Promise.all(
          all.slice(i, i + 16).map(async (u) => {
            const got = await api.users.get(u.id);
            if (got.roleId !== u.role.value)
              problems.push(`GET ${u.username}: role ${got.roleId}, expected ${u.role.value}`);
            const ws = got.workspaceAccess === "all" ? ["all"] : sorted(got.workspaceAccess);
            if (JSON.stringify(ws) !== JSON.stringify(sorted(u.workspaces)))
              problems.push(`GET ${u.username}: workspaces ${ws}, expected ${u.workspaces}`);
          }),
        );
      }
      for (const ref of PATIENTS) {
        const listed = new Set(
          (await api.patientAccess.list(ref, { limit: 200 })).items.map((g) => g.userId),
        );
        for (const g of grants.values()) {
          if (g.patientRef === ref && listed.has(g.userId) !== g.present.value)
            problems.push(
              `grant ${g.userId} on ${ref}: listed ${listed.has(g.userId)}, expected ${g.present.value}`,
            );
        }
      }
      // §5.2 point 5: a create retried with its Idempotency-Key after the crash creates nothing
      // twice. One that landed answers its first answer (or, killed between its commit and storing
      // that answer, says it was carried out); one that did not land is carried out now.
      const retries: (PendingUser & { readonly acked?: string })[] = [...pendingUsers];
      const acked = lastCreated && [...users.values()].find((u) => u.id === lastCreated!.id);
      if (lastCreated && acked)
        retries.push({ ...acked, ...lastCreated, roleId: acked.role.value, acked: lastCreated.id });
      lastCreated = null;
      for (const p of retries) {
        const landed = p.acked ?? [...users.values()].find((u) => u.username === p.username)?.id ?? null;
        const o = await attempt(() => api.withIdempotencyKey(p.key).users.create(p.body));
        stats.retried += 1;
        if (o.kind === "ack" && landed !== null && o.value.id !== landed)
          problems.push(`retried create of ${p.username} answered ${o.value.id}, first answer ${landed}`);
        else if (o.kind === "ack" && landed === null) users.set(o.value.id, modelUser(o.value.id, p));
        else if (
          o.kind === "refused" &&
          !(landed !== null && o.error.code === "IDEMPOTENT_RESPONSE_NOT_KEPT")
        )
          problems.push(`retried create of ${p.username} (landed ${landed !== null}): ${o.error.code}`);
        else if (o.kind === "unknown") problems.push(`retried create of ${p.username}: ${String(o.error)}`);
      }
      pendingUsers = [];
      const status = async (token: string) =>
        (await client(url, token).transport.raw("GET", "/api/v1/auth/me")).status;
      await Promise.all(
        tokens.map(async (t) => {
          const got = await api.apiTokens.get(t.id);
          if ((got.revokedAt !== null) !== t.revoked.value)
            problems.push(
              `API token ${t.id}: revokedAt ${got.revokedAt}, expected revoked ${t.revoked.value}`,
            );
          const s = await status(t.token);
          if ((s === 401) !== t.revoked.value)
            problems.push(`API token ${t.id} (revoked ${t.revoked.value}) got ${s}`);
        }),
      );
      const sessions = [...users.values()].flatMap((u) => u.sessions.map((s) => ({ u, s })));
      await Promise.all(
        sessions.map(async ({ u, s }) => {
          const got = await status(s.token);
          const want = s.alive.value ? 200 : 401;
          if (!s.alive.value) stats.sessionsEnded += 1;
          if (got !== want) problems.push(`session of ${u.username} (alive ${s.alive.value}): ${got}`);
        }),
      );
      // The password last set (acknowledged) signs in: the new hash is durable.
      const anon = client(url);
      const sample = all.filter((u) => u.changedThisCycle && u.password !== null).slice(0, PASSWORD_SAMPLES);
      for (const u of sample) {
        const o = await attempt(() =>
          anon.auth.login({ tenant: TENANT, login: u.username, password: u.password! }),
        );
        if (o.kind === "ack") u.sessions.push({ token: o.value.token, alive: new Maybe(true) });
        else problems.push(`${u.username} cannot sign in with the password last set: ${String(o.error)}`);
      }
      for (const u of all) u.changedThisCycle = false;
      return problems;
    };

    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      const started = Date.now();
      const live = server;
      const w = { stopped: false };
      const api = client(live.url, adminToken);
      const anon = client(live.url);
      const writers = Array.from({ length: CLIENTS }, async () => {
        while (!w.stopped) await step(cycle, api, anon);
      });
      const ackedBefore = stats.acked;
      await sleep(300 + randomInt(1201));
      // On a loaded machine (CI runs this beside the rest of the suite, and argon2 runs at a lower
      // priority) the writers may have landed nothing yet: the kill waits until some have, so that
      // every cycle kills the server in the middle of traffic.
      const deadline = Date.now() + 30_000;
      while (stats.acked - ackedBefore < ACKS_BEFORE_KILL && Date.now() < deadline) await sleep(25);
      w.stopped = true;
      await live.kill();
      await Promise.all(writers);

      const { integrity, foreignKeyViolations } = await database.afterKill();
      expect(integrity, "PRAGMA integrity_check").toEqual(["ok"]);
      expect(foreignKeyViolations, "PRAGMA foreign_key_check").toBe(0);
      const db = database.open();
      let dbProblems: string[];
      try {
        dbProblems = await checkDatabase(db);
      } finally {
        await db.destroy();
      }
      expect(unexpected, `cycle ${cycle}: refused requests`).toEqual([]);
      expect(dbProblems, `cycle ${cycle}: database after the kill`).toEqual([]);

      server = await serve();
      admin = client(server.url, adminToken);
      expect((await admin.auth.me()).tenant.id).toBe(tenantId);
      const apiProblems = await checkApi(server.url);
      expect(apiProblems, `cycle ${cycle}: API after the restart`).toEqual([]);
      stats.cycles.push(`${Date.now() - started} ms`);
    }

    expect(stats.acked).toBeGreaterThanOrEqual(CYCLES * ACKS_BEFORE_KILL);
    console.log(
      `crash-recovery (${TEST_DB}): ${CYCLES} cycles (${stats.cycles.join(", ")}), ${stats.acked} acknowledged, ` +
        `${stats.unknown} cut off (${stats.landed} of them landed), ${stats.retried} creates retried with their keys, ${stats.sessionsEnded} ended sessions checked, ${users.size} users, ${grants.size} grants, ${tokens.length} tokens`,
    );
  });
});
