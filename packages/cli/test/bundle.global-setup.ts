/**
 * Bundles the `staffgate` command from its current source (esbuild, as tsx transforms it) into a
 * file of this run's own, for the tests that run the command in a child process (cli-process.ts).
 *
 * Why: a child started with `node --import tsx` spends about 2.5 s before the command runs (most of
 * it in Node 20's off-thread loader hooks, one round trip per module), and the CLI and start-up
 * tests start a few hundred of them: half the in-process suite's time. The bundle starts in a
 * tenth of that. The command's code is the same: only the TypeScript is transformed ahead of
 * time, and packages stay in node_modules (external), as they are loaded in production.
 *
 * Each source file's `import.meta.url` is its own file's URL, so what it finds beside itself
 * (worker scripts, catalogue presets, the console's build) it finds in the tree as under tsx.
 * The entry keeps the bundle's URL: main.ts runs only when it is the script Node was given.
 * `npm start` itself is still tested through tsx (server/test/npm-start.test.ts).
 */
import { readFileSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    cliBundle: string;
  }
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const ENTRY = path.join(ROOT, "packages/cli/src/main.ts");

/**
 * Workspace packages are bundled from source; every other package stays external, imported by
 * the file esbuild resolves it to from the importing file's directory (packages may hold their
 * own versions: core's csv-parse is not the one at the root).
 */
const externals: Plugin = {
  name: "externals",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith("@staffgate/") || args.pluginData === "resolving") return undefined;
      if (args.path.startsWith("node:")) return { path: args.path, external: true };
      const found = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: "resolving",
      });
      if (found.errors.length > 0) return { errors: found.errors };
      return { path: found.external ? args.path : pathToFileURL(found.path).href, external: true };
    });
  },
};

/** `import.meta.url` of every source file but the entry: the file's own URL. */
const ownUrls: Plugin = {
  name: "own-import-meta-url",
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      if (args.path === ENTRY) return { contents: source, loader: "ts" };
      const url = JSON.stringify(pathToFileURL(args.path).href);
      return { contents: source.replaceAll("import.meta.url", url), loader: "ts" };
    });
  },
};

export default async function setup(project: TestProject): Promise<() => void> {
  // Inside node_modules, so that the external packages resolve from the bundle's directory.
  const dir = await mkdtemp(path.join(ROOT, "node_modules/.staffgate-cli-"));
  const outfile = path.join(dir, "staffgate.mjs");
  await build({
    entryPoints: [ENTRY],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
    plugins: [externals, ownUrls],
  });
  project.provide("cliBundle", outfile);
  return () => rmSync(dir, { recursive: true, force: true });
}
