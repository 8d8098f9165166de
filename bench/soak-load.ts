/**
 * bench/soak's load generator, a child process (soak.ts forks it) so that the client's work does
 * not run on the server's event loop. node:http with a keep-alive agent, as decisions-load.ts.
 *
 * Jobs (each answers with per-class latencies and status counts):
 * - `mix`: closed loops for `seconds`, each request drawn at random: 70% token-authenticated
 *   reads (who am I, a page of users, one user), 20% permission checks, 10% writes (a user's
 *   title, a patient grant and its revocation); plus sign-ins paced at `loginsPerSecond`
 *   (SECURITY.md §5.4).
 * - `probe`: one token-authenticated read every `intervalMs` (open loop), for a quiet tenant.
 * - `flood`: closed loops of pages of users for a noisy tenant, as fast as the server answers.
 */
import http from "node:http";

export interface SoakTenant {
  readonly slug: string;
  /** Session tokens of staff members who administer the tenant. */
  readonly tokens: readonly string[];
  readonly userIds: readonly string[];
  readonly logins: readonly string[];
  readonly password: string;
}

export interface SoakTarget {
  readonly port: number;
  readonly busy: SoakTenant;
  readonly quiet: SoakTenant;
}

export type SoakJob =
  | { kind: "mix"; seconds: number; loops: number; loginsPerSecond: number }
  | { kind: "probe"; seconds: number; intervalMs: number }
  | { kind: "flood"; seconds: number; loops: number };

export interface ClassResult {
  readonly samples: number[];
  /** Status code → count. */
  readonly statuses: Record<string, number>;
}

export type SoakResult = Record<string, ClassResult>;

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

function send(port: number, method: string, path: string, token: string | null, body?: unknown) {
  return new Promise<number>((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: http.OutgoingHttpHeaders = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (payload !== undefined) headers["content-type"] = "application/json";
    const req = http.request({ host: "127.0.0.1", port, method, path, headers, agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    // A refused connection or a reset counts as a failure of the server (status 0).
    req.on("error", () => resolve(0));
    req.end(payload);
  });
}

function recorder() {
  const result: SoakResult = {};
  return {
    result,
    async time(name: string, call: () => Promise<number>) {
      const t0 = performance.now();
      const status = await call();
      const entry = result[name] ?? { samples: [], statuses: {} };
      result[name] = entry;
      entry.samples.push(performance.now() - t0);
      entry.statuses[status] = (entry.statuses[status] ?? 0) + 1;
    },
  };
}

async function mix(t: SoakTarget, job: Extract<SoakJob, { kind: "mix" }>): Promise<SoakResult> {
  const r = recorder();
  const end = performance.now() + job.seconds * 1000;
  const tenant = t.busy;
  let n = 0;
  const one = () => {
    const token = pick(tenant.tokens);
    const user = pick(tenant.userIds);
    const x = Math.random();
    if (x < 0.25) return r.time("read: GET /auth/me", () => send(t.port, "GET", "/api/v1/auth/me", token));
    if (x < 0.45)
      return r.time("read: GET /users page", () => send(t.port, "GET", "/api/v1/users?limit=50", token));
    if (x < 0.7)
      return r.time("read: GET /users/{id}", () => send(t.port, "GET", `/api/v1/users/${user}`, token));
    if (x < 0.9)
      return r.time("check: POST /check", () =>
        send(t.port, "POST", "/api/v1/check", token, {
          userId: user,
          permission: "patients.read",
          patientRef: `pat-${Math.floor(Math.random() * 50)}`,
        }),
      );
    if (x < 0.95)
      return r.time("write: PATCH /users/{id}", () =>
        send(t.port, "PATCH", `/api/v1/users/${user}`, token, { title: `T${++n % 1000}` }),
      );
    const patient = `pat-${Math.floor(Math.random() * 50)}`;
    return r.time("write: grant + revoke", async () => {
      const granted = await send(t.port, "POST", `/api/v1/patients/${patient}/access`, token, {
        userId: user,
        reason: "soak",
      });
      const revoked = await send(t.port, "DELETE", `/api/v1/patients/${patient}/access/${user}`, token);
      return granted >= 500 || granted === 0 ? granted : revoked;
    });
  };
  const loops = Array.from({ length: job.loops }, async () => {
    while (performance.now() < end) await one();
  });
  const logins = (async () => {
    const gap = 1000 / job.loginsPerSecond;
    for (let next = performance.now(); next < end; next += gap) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
      void r.time("sign-in: POST /auth/login", () =>
        send(t.port, "POST", "/api/v1/auth/login", null, {
          tenant: tenant.slug,
          login: pick(tenant.logins),
          password: tenant.password,
        }),
      );
    }
  })();
  await Promise.all([...loops, logins]);
  return r.result;
}

async function probe(t: SoakTarget, job: Extract<SoakJob, { kind: "probe" }>): Promise<SoakResult> {
  const r = recorder();
  const pending: Promise<void>[] = [];
  const end = performance.now() + job.seconds * 1000;
  for (let next = performance.now(); next < end; next += job.intervalMs) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
    pending.push(
      r.time("quiet: GET /users page", () =>
        send(t.port, "GET", "/api/v1/users?limit=20", t.quiet.tokens[0]!),
      ),
    );
  }
  await Promise.all(pending);
  return r.result;
}

async function flood(t: SoakTarget, job: Extract<SoakJob, { kind: "flood" }>): Promise<SoakResult> {
  const r = recorder();
  const end = performance.now() + job.seconds * 1000;
  await Promise.all(
    Array.from({ length: job.loops }, async (_, i) => {
      const token = t.busy.tokens[i % t.busy.tokens.length]!;
      while (performance.now() < end)
        await r.time("noisy: GET /users page", () => send(t.port, "GET", "/api/v1/users?limit=50", token));
    }),
  );
  return r.result;
}

let target: SoakTarget | undefined;
process.on("message", (m: { target: SoakTarget } | { job: SoakJob }) => {
  if ("target" in m) {
    target = m.target;
    process.send!({ ready: true });
    return;
  }
  const job = m.job;
  const run =
    job.kind === "mix" ? mix(target!, job) : job.kind === "probe" ? probe(target!, job) : flood(target!, job);
  run.then(
    (result) => process.send!({ result }),
    (error: Error) => process.send!({ error: error.message }),
  );
});
process.on("disconnect", () => {
  agent.destroy();
  process.exit(0);
});
