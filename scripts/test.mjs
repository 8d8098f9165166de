// `npm test`: the whole suite on SQLite, and on PostgreSQL whenever one is reachable.
// In CI (CI=true) PostgreSQL must be reachable: the run fails instead of skipping it.
import { spawnSync } from "node:child_process";
import net from "node:net";

const url = new URL(process.env.STAFFGATE_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
const reachable = await new Promise((resolve) => {
  const socket = net.connect({ host: url.hostname, port: Number(url.port || 5432) });
  socket.setTimeout(2000);
  socket.once("connect", () => {
    socket.destroy();
    resolve(true);
  });
  socket.once("error", () => resolve(false));
  socket.once("timeout", () => {
    socket.destroy();
    resolve(false);
  });
});
const projects = ["--project", "sqlite"];
if (reachable) projects.push("--project", "postgres");
else if (process.env.CI === "true") {
  console.error(`PostgreSQL is not reachable at ${url.host}; CI requires it.`);
  process.exit(1);
} else console.warn(`PostgreSQL is not reachable at ${url.host}: running the SQLite half of the suite only.`);
const r = spawnSync(
  process.execPath,
  ["node_modules/vitest/vitest.mjs", "run", ...projects, ...process.argv.slice(2)],
  { stdio: "inherit" },
);
process.exit(r.status ?? 1);
