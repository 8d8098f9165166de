/**
 * The web console (issue 6): the built single-page app in `packages/console/dist`, served at `/`.
 * Files are served as they are; any other GET for a page (not `/api/…`, wanting HTML) answers
 * `index.html`, so `/users` or an emailed `/reset-password#token=…` opens the app there.
 * Everything else keeps the API's problem+json 404. The build writes `.br` and `.gz` beside each
 * text file (packages/console/precompress.ts): a client that accepts one gets it, others the file.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isApiPath } from "./problem.ts";

/** Where `npm run console:build` (run by `npm install`) puts the console. */
export const DEFAULT_CONSOLE_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../console/dist",
);

const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;

/** The root and the console pages the emails link to (auth/credential-emails.ts). */
const ALWAYS_PAGES = new Set(["/", "/reset-password", "/accept-invitation", "/forgot-password"]);

export function consoleAvailable(dir: string): boolean {
  return existsSync(path.join(dir, "index.html"));
}

/**
 * Serves the console when it has been built; returns the page fallback for the not-found handler,
 * or null when there is nothing to serve (the API still works).
 */
export function installConsole(
  app: FastifyInstance,
  dir: string,
): ((request: FastifyRequest, reply: FastifyReply) => boolean) | null {
  if (!consoleAvailable(dir)) return null;
  // Only `assets/` is served as files: its names are content hashes, so a browser keeps them.
  app.register(fastifyStatic, {
    root: path.join(dir, "assets"),
    prefix: "/assets/",
    index: false,
    list: false,
    dotfiles: "deny",
    maxAge: ONE_YEAR_MS,
    immutable: true,
    // br, else gzip, as Accept-Encoding allows; the plain file when there is no such sibling.
    preCompressed: true,
    // One URL, several bodies: a shared cache must key them by Accept-Encoding. Set on every file
    // this plugin sends (index.html through `sendFile` too), as the plugin does not set it.
    setHeaders: (res) => res.setHeader("vary", "Accept-Encoding"),
  });
  return (request, reply) => {
    if (request.method !== "GET" && request.method !== "HEAD") return false;
    const pathname = request.url.split("?")[0] ?? "/";
    if (isApiPath(pathname)) return false;
    // A page is asked for with Accept: text/html; a missing script or image stays a 404. The root
    // and the pages emails link to are the console whatever the client accepts (`curl` of the
    // root, or of a reset link, shows the app's page; a link checker follows them too).
    if (!ALWAYS_PAGES.has(pathname) && !(request.headers.accept ?? "").includes("text/html")) return false;
    // Always revalidated, so a new build's asset names are picked up at once.
    reply.header("cache-control", "no-cache").sendFile("index.html", dir, { cacheControl: false });
    return true;
  };
}
