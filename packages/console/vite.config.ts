/** The console's build: a single-page app served at `/`, built into `dist/`. */
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";
import { precompress } from "./precompress.ts";

/** `.br` and `.gz` beside every text file written, whichever outDir a caller chose (e2e, bench). */
const precompressed: Plugin = {
  name: "staffgate-precompress",
  apply: "build",
  async writeBundle(options) {
    if (options.dir) await precompress(options.dir);
  },
};

export default defineConfig({
  base: "/",
  plugins: [react(), precompressed],
  build: { outDir: "dist", emptyOutDir: true },
  // `npm run dev -w @staffgate/console` against `npm start` on port 3000.
  server: { proxy: { "/api": "http://127.0.0.1:3000" } },
});
