// Builds the console (packages/console → dist/) when dist is missing or older than its source,
// so `npm install` and `npm start` always serve the console as it is in the tree. Without Vite
// (an install that omitted dev dependencies) an existing build is served as it is.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const pkg = path.join(root, "packages/console");
const built = path.join(pkg, "dist/index.html");

function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const sources = [path.join(pkg, "src"), path.join(root, "packages/sdk/src")];
const inputs = ["index.html", "vite.config.ts", "precompress.ts", "package.json"].map(
  (f) => statSync(path.join(pkg, f)).mtimeMs,
);
const sourceTime = Math.max(...sources.map(newest), ...inputs);
const force = process.argv.includes("--force");
if (!force && existsSync(built) && statSync(built).mtimeMs >= sourceTime) process.exit(0);
const vite = path.join(root, "node_modules/vite/bin/vite.js");
if (!existsSync(vite)) {
  if (existsSync(built)) process.exit(0);
  console.error("The console is not built and Vite is not installed: run `npm install`.");
  process.exit(1);
}
const r = spawnSync(process.execPath, [vite, "build", "--logLevel", "warn"], { cwd: pkg, stdio: "inherit" });
process.exit(r.status ?? 1);
