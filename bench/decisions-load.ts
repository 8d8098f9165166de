/**
 * bench/decisions' load generator, a child process (decisions-http.ts forks it), so that the
 * client's work does not run on the server's event loop: the server process is alone in its
 * process, as in production. node:http with a keep-alive Agent rather than fetch (undici): a few
 * microseconds of client CPU per request, so the client takes as little as it can of the two
 * shared cores. (The same idea as signin-load.ts.)
 *
 * Driven over IPC: the parent first sends the target (port, token, the request bodies, already
 * serialised), then jobs; a job is `loops` closed loops (each sends its next request when the
 * previous answer arrived) for `seconds`, cycling through one list of bodies. The answer carries
 * every latency (ms) that completed inside the window and the child's own CPU time, so the parent
 * can show how busy the client was (a saturated client would understate the server's rate).
 */
import http from "node:http";

export interface LoadTarget {
  readonly port: number;
  readonly token: string;
  /** Named lists of JSON bodies; a job cycles through one of them. */
  readonly bodies: Readonly<Record<string, readonly string[]>>;
}

export interface LoadJob {
  readonly method: "GET" | "POST";
  readonly path: string;
  /** The `bodies` list to cycle through (POST); absent for a GET. */
  readonly bodies?: string;
  /** Send the bearer token (a GET /healthz goes without, as a load balancer's probe would). */
  readonly auth: boolean;
  readonly seconds: number;
  readonly loops: number;
}

export interface LoadResult {
  readonly samples: number[];
  readonly seconds: number;
  /** The child's CPU time (user + system) over the job, ms. */
  readonly cpuMs: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function send(port: number, method: string, path: string, headers: http.OutgoingHttpHeaders, body?: string) {
  return new Promise<void>((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        if (res.statusCode === 200) resolve();
        else reject(new Error(`${method} ${path}: ${res.statusCode} ${Buffer.concat(chunks).toString()}`));
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function run(t: LoadTarget, job: LoadJob): Promise<LoadResult> {
  const bodies = job.bodies ? t.bodies[job.bodies] : undefined;
  if (job.bodies && !bodies?.length) throw new Error(`no bodies named ${job.bodies}`);
  const headers: http.OutgoingHttpHeaders = {};
  if (job.auth) headers.authorization = `Bearer ${t.token}`;
  if (bodies) headers["content-type"] = "application/json";
  const samples: number[] = [];
  let n = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const end = start + job.seconds * 1000;
  await Promise.all(
    Array.from({ length: job.loops }, async () => {
      while (performance.now() < end) {
        const body = bodies ? bodies[n++ % bodies.length] : undefined;
        const t0 = performance.now();
        await send(t.port, job.method, job.path, headers, body);
        // Only what completes within the window counts: the rate is completions per second.
        const done = performance.now();
        if (done <= end) samples.push(done - t0);
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { samples, seconds: job.seconds, cpuMs: (cpu.user + cpu.system) / 1000 };
}

let target: LoadTarget | undefined;
process.on("message", (m: { target: LoadTarget } | { job: LoadJob }) => {
  if ("target" in m) {
    target = m.target;
    process.send!({ ready: true });
    return;
  }
  run(target!, m.job).then(
    (result) => process.send!({ result }),
    (error: Error) => process.send!({ error: error.message }),
  );
});
process.on("disconnect", () => {
  agent.destroy();
  process.exit(0);
});
