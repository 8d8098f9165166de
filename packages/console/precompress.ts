/**
 * Writes `.br` and `.gz` siblings of the built text files, so the server sends them compressed
 * (@fastify/static `preCompressed`) without compressing on every request: once, at the highest
 * levels, at build time. Run by the build (vite.config.ts); the server test runs it on its own
 * fixture.
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";

const COMPRESSIBLE = new Set([".js", ".css", ".html", ".svg"]);
const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/**
 * Compresses every .js/.css/.html/.svg file under `dir`. A sibling that would not be smaller is
 * not written: the server then sends the plain file, which is what that client would gain most.
 */
export async function precompress(dir: string): Promise<void> {
  const files = (await filesUnder(dir)).filter((f) => COMPRESSIBLE.has(path.extname(f)));
  await Promise.all(
    files.map(async (file) => {
      const plain = await readFile(file);
      const [br, gz] = await Promise.all([
        brotli(plain, {
          params: {
            [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
            [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
            [constants.BROTLI_PARAM_SIZE_HINT]: plain.length,
          },
        }),
        gzipped(plain, { level: constants.Z_BEST_COMPRESSION }),
      ]);
      if (br.length < plain.length) await writeFile(`${file}.br`, br);
      if (gz.length < plain.length) await writeFile(`${file}.gz`, gz);
    }),
  );
}
