// `npm test`: the whole suite on SQLite, and on PostgreSQL whenever one is reachable.
// In CI (CI=true) PostgreSQL must be reachable: the run fails instead of skipping it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

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
// The console's end-to-end specs drive Debian's Chromium (never downloaded). As root on Debian it is
// installed here when missing, so `npm install && npm test` needs nothing else; CI requires it.
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(chromium) && process.getuid?.() === 0 && existsSync("/usr/bin/apt-get")) {
  console.warn("Installing Debian's chromium for the console's end-to-end specs…");
  spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
}
if (existsSync(chromium)) projects.push("--project", "e2e");
else if (process.env.CI === "true") {
  console.error(`Chromium is not at ${chromium}; CI requires it for the console's end-to-end specs.`);
  process.exit(1);
} else console.warn(`Chromium is not at ${chromium}: skipping the console's end-to-end specs.`);
const summary = path.join(mkdtempSync(path.join(tmpdir(), "sg-test-")), "results.json");
const r = spawnSync(
  process.execPath,
  [
    "node_modules/vitest/vitest.mjs",
    "run",
    ...projects,
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${summary}`,
    ...process.argv.slice(2),
  ],
  { stdio: "inherit" },
);
// A plain closing line that any CI reader understands.
try {
  const results = JSON.parse(readFileSync(summary, "utf8"));
  // A file whose setup failed reports its tests as skipped; it is a failure all the same.
  const broken = results.testResults.filter(
    (f) => f.status === "failed" && f.assertionResults.every((a) => a.status !== "failed"),
  ).length;
  console.log(
    `\n${results.numPassedTests} passed, ${results.numFailedTests + broken} failed, ${results.numPendingTests} skipped` +
      (broken > 0 ? ` (${broken} test file(s) failed before their tests ran)` : ""),
  );
} catch {
  console.log("\n0 passed, 1 failed (the test runner wrote no results)");
}
process.exit(r.status ?? 1);
