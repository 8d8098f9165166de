/**
 * `npm run bench:console-size`: builds the console for production into a temporary directory and
 * prints what a browser downloads for the first page (index.html and what it links), raw and
 * gzip, and every chunk. Goal (issue 6): under 250 kB gzip for the first page.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "vite";

const CONSOLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../packages/console");
const GOAL_KB = 250;

const outDir = mkdtempSync(path.join(tmpdir(), "sg-console-size-"));
try {
  await build({
    root: CONSOLE,
    configFile: path.join(CONSOLE, "vite.config.ts"),
    logLevel: "silent",
    build: { outDir, emptyOutDir: true },
  });
  const sizes = (file: string) => {
    const bytes = readFileSync(path.join(outDir, file));
    return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  };
  const html = readFileSync(path.join(outDir, "index.html"), "utf8");
  // The first page: the HTML, its entry script, stylesheets and modulepreloads.
  const linked = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1] as string);
  const firstPage = ["index.html", ...new Set(linked)];
  const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
  let raw = 0;
  let gzip = 0;
  console.log("first page:");
  for (const file of firstPage) {
    const s = sizes(file);
    raw += s.raw;
    gzip += s.gzip;
    console.log(`  ${file.padEnd(44)} ${kb(s.raw).padStart(10)} ${kb(s.gzip).padStart(10)} gzip`);
  }
  console.log(`  ${"total".padEnd(44)} ${kb(raw).padStart(10)} ${kb(gzip).padStart(10)} gzip`);
  const rest = readdirSync(path.join(outDir, "assets"))
    .map((f) => `assets/${f}`)
    // The build's .br/.gz siblings (packages/console/precompress.ts) are other encodings, not chunks.
    .filter((f) => !firstPage.includes(f) && !/\.(br|gz)$/.test(f));
  if (rest.length > 0) {
    console.log("loaded later (other pages):");
    for (const file of rest) {
      const s = sizes(file);
      console.log(`  ${file.padEnd(44)} ${kb(s.raw).padStart(10)} ${kb(s.gzip).padStart(10)} gzip`);
    }
  }
  console.log(
    `\nfirst page ${kb(gzip)} gzip: ${gzip <= GOAL_KB * 1024 ? "within" : "OVER"} the ${GOAL_KB} kB goal`,
  );
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
