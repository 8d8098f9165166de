/**
 * Builds the console from its current source into a directory of this run's own, so the specs
 * never test a stale `dist/` and parallel runs never overwrite each other's build.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    consoleDir: string;
  }
}

const CONSOLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export default async function setup(project: TestProject): Promise<() => void> {
  const outDir = mkdtempSync(path.join(tmpdir(), "sg-console-"));
  // The production build, as `npm install` makes and the server serves: vitest sets NODE_ENV=test,
  // which would otherwise give Vite's development React.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({
      root: CONSOLE,
      configFile: path.join(CONSOLE, "vite.config.ts"),
      mode: "production",
      logLevel: "warn",
      build: { outDir, emptyOutDir: true },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  project.provide("consoleDir", outDir);
  return () => rmSync(outDir, { recursive: true, force: true });
}
