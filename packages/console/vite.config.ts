/** The console's build: a single-page app served at `/`, built into `dist/`. */
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true },
  // `npm run dev -w @staffgate/console` against `npm start` on port 3000.
  server: { proxy: { "/api": "http://127.0.0.1:3000" } },
});
