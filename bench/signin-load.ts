/**
 * bench/signin's load generator, a child process (bench/signin.ts forks it), so that the client's
 * own work does not run on the server's event loop. node:http with a keep-alive Agent rather
 * than fetch: a few microseconds per request instead of undici's machinery, so the client costs
 * the shared cores little. Driven over IPC: the parent sends a job, the child answers with the
 * latencies (ms) of every request it completed.
 *  - `signins`: `loops` closed loops of correct-password sign-ins (the flood);
 *  - `probes`: an open loop, one GET /auth/me and one POST /check every `intervalMs` (staggered),
 *    each sent on schedule whether or not the previous one answered: a steady, modest rate.
 */
import http from "node:http";
export interface Target {
  readonly port: number;
  readonly tenant: string;
  readonly logins: readonly string[];
  readonly password: string;
  readonly token: string;
  readonly subject: string;
}
export type Job =
  | { readonly kind: "signins"; readonly seconds: number; readonly loops: number }
  | { readonly kind: "probes"; readonly seconds: number; readonly intervalMs: number };
export interface Probed {
  readonly me: number[];
  readonly check: number[];
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function send(port: number, method: string, path: string, body: string | null, token?: string) {
  return new Promise<void>((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = {};
    if (body !== null) headers["content-type"] = "application/json";
    if (token) headers.authorization = `Bearer ${token}`;
    const req = http.request({ host: "127.0.0.1", port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        if (res.statusCode === 200) resolve();
        else reject(new Error(`${method} ${path}: ${res.statusCode} ${Buffer.concat(chunks).toString()}`));
      });
    });
    req.on("error", reject);
    req.end(body ?? undefined);
  });
}

async function signins(t: Target, seconds: number, loops: number): Promise<number[]> {
  const bodies = t.logins.map((login) => JSON.stringify({ tenant: t.tenant, login, password: t.password }));
  const end = performance.now() + seconds * 1000;
  const samples: number[] = [];
  let n = 0;
  await Promise.all(
    Array.from({ length: loops }, async () => {
      while (performance.now() < end) {
        const start = performance.now();
        await send(t.port, "POST", "/api/v1/auth/login", bodies[n++ % bodies.length]!);
        // Only what completes within the window counts: the rate is completions per second.
        const done = performance.now();
        if (done <= end) samples.push(done - start);
      }
    }),
  );
  return samples;
}

async function probes(t: Target, seconds: number, intervalMs: number): Promise<Probed> {
  const check = JSON.stringify({ userId: t.subject, permission: "patients.read" });
  const me: number[] = [];
  const checks: number[] = [];
  const timed = (into: number[], request: () => Promise<void>) => {
    const start = performance.now();
    return request().then(() => {
      into.push(performance.now() - start);
    });
  };
  const inFlight: Promise<void>[] = [];
  const t0 = performance.now();
  // /auth/me and /check alternate, half an interval apart, so that the two never queue behind each other.
  const step = intervalMs / 2;
  for (let k = 0; k < Math.floor((seconds * 1000) / step); k++) {
    // On schedule (t0 + k·step), not after the previous answer: an open loop.
    const wait = t0 + k * step - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(
      k % 2 === 0
        ? timed(me, () => send(t.port, "GET", "/api/v1/auth/me", null, t.token))
        : timed(checks, () => send(t.port, "POST", "/api/v1/check", check, t.token)),
    );
  }
  await Promise.all(inFlight);
  return { me, check: checks };
}

let target: Target | undefined;
process.on("message", (m: { target: Target } | { job: Job }) => {
  if ("target" in m) {
    target = m.target;
    return;
  }
  const t = target!;
  const job = m.job;
  const work =
    job.kind === "signins" ? signins(t, job.seconds, job.loops) : probes(t, job.seconds, job.intervalMs);
  work.then(
    (result) => process.send!({ result }),
    (error: Error) => process.send!({ error: error.message }),
  );
});
process.on("disconnect", () => {
  agent.destroy();
  process.exit(0);
});
