/**
 * End-to-end harness: the real server (buildApp, the built console in packages/console/dist) on a
 * fresh SQLite file, listening on a free port, driven by Debian's Chromium through playwright-core.
 * Nothing is downloaded: the browser is /usr/bin/chromium (CHROMIUM_PATH overrides).
 * Every page that is looked at can be saved with `shot()` under test-results/screenshots/.
 */
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Staffgate } from "@staffgate/sdk";
import { buildApp, type StaffgateApp } from "@staffgate/server";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, expect, inject } from "vitest";
import { createPagePool } from "./page-pool.ts";

/** How long a page may take to show what a test waits for. */
const WAIT_MS = 10_000;

/** Waits until the locator is visible (playwright-core has no `expect`; this is its web-first wait). */
export async function visible(locator: Locator): Promise<Locator> {
  await locator.first().waitFor({ state: "visible", timeout: WAIT_MS });
  return locator;
}

/** Waits until the locator is gone or hidden. */
export async function gone(locator: Locator): Promise<void> {
  await locator.first().waitFor({ state: "hidden", timeout: WAIT_MS });
}

/** Waits until the locator's text is `text` (exact, trimmed), failing with the last text seen. */
export async function hasText(locator: Locator, text: string | RegExp): Promise<void> {
  // innerText: the text as rendered (what a person reads), not the DOM's raw textContent.
  const read = async () =>
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text a person reads.
    (await locator.count()) > 0 ? (await locator.first().innerText()).trim() : "(nothing)";
  if (typeof text === "string") await expect.poll(read, { timeout: WAIT_MS }).toBe(text);
  else await expect.poll(read, { timeout: WAIT_MS }).toMatch(text);
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
/**
 * Waits until the element's accessible description (the text of what `aria-describedby` names) is
 * `text`; "" when it has none.
 */
export async function describedAs(locator: Locator, text: string): Promise<void> {
  const read = () =>
    locator.first().evaluate((el) =>
      (el.getAttribute("aria-describedby") ?? "")
        .split(/\s+/)
        .filter(Boolean)
        .map((id) => el.ownerDocument.getElementById(id)?.textContent?.trim() ?? "")
        .join(" "),
    );
  await expect.poll(read, { timeout: WAIT_MS }).toBe(text);
}

export const SCREENSHOT_DIR = path.join(ROOT, "test-results", "screenshots");
/** README's pictures; written only when STAFFGATE_README_SCREENSHOTS=1 (then committed). */
const README_SHOTS = path.join(ROOT, "docs", "screenshots");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const OPERATOR_TOKEN = "operator-token-for-e2e-0123456789abcdef";
/** The administrator's password in every e2e tenant (never a real one). */
export const ADMIN_PASSWORD = "e2e-Pa55word-plover-4412";

/** The flags this machine's closed network needs (no background fetches, no GPU, root sandbox). */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-default-apps",
  "--disable-extensions",
];

export interface E2eTenant {
  readonly id: string;
  readonly slug: string;
  readonly adminUsername: string;
  readonly adminPassword: string;
  /** The administrator through the SDK (bearer), for arranging data the page then shows. */
  readonly admin: Staffgate;
}

export interface E2e {
  readonly url: string;
  readonly app: StaffgateApp;
  readonly browser: Browser;
  /** An anonymous SDK client against the listening server. */
  readonly api: Staffgate;
  readonly operator: Staffgate;
  createTenant(options?: { slug?: string; name?: string }): Promise<E2eTenant>;
  /**
   * A page in a browser context of its own (own cookies), new or kept from an earlier test and
   * reset (`closePages`); page errors fail the spec file at `close()`.
   */
  newPage(): Promise<Page>;
  /**
   * Ends the pages opened after the first `keep` of them (their errors are kept for `close()`);
   * `reuse`: their test passed, so they may be reset and kept for the next test.
   */
  closePages(keep: number, reuse: boolean): Promise<void>;
  /** How many pages are in use. */
  openPages(): number;
  /** The newest email of a kind to an address, as sent (the outbox). */
  lastEmail(to: string, kind?: string): Promise<{ subject: string; body: string }>;
  /** The `#token=` link of the newest email of a kind, as a path on this server. */
  emailLink(to: string, kind: string): Promise<string>;
  close(): Promise<void>;
}

let tenantCounter = 0;

export async function startE2e(): Promise<E2e> {
  const dir = mkdtempSync(path.join(tmpdir(), "sg-e2e-"));
  const consoleDir = inject("consoleDir");
  if (!existsSync(path.join(consoleDir, "index.html"))) throw new Error(`no console build in ${consoleDir}`);
  const app = await buildApp({
    consoleDir,
    databaseUrl: path.join(dir, "staffgate.db"),
    operatorToken: OPERATOR_TOKEN,
    validateResponses: true,
    // Cheap hashing: the browser, not argon2, is what these tests exercise.
    hasher: { memoryCost: 1024, timeCost: 1 },
    loginThrottle: { perAddress: 10_000, perAccount: 10_000 },
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  // `localhost` is a secure context, so the `__Host-` (Secure) cookies are kept over plain HTTP.
  const url = `http://localhost:${port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const api = new Staffgate({ baseUrl: url });
  const operator = api.withToken(OPERATOR_TOKEN);
  const pages = createPagePool(browser, url);

  const lastEmail = async (to: string, kind?: string) => {
    let q = app.core.deps.db.allTenants
      .selectFrom("outbox")
      .select(["subject", "body"])
      .where("to_address", "=", to);
    if (kind) q = q.where("kind", "=", kind);
    const row = await q.orderBy("created_at", "desc").orderBy("id", "desc").executeTakeFirst();
    if (!row) throw new Error(`no ${kind ?? ""} email to ${to}`);
    return row;
  };

  return {
    url,
    app,
    browser,
    api,
    operator,
    async createTenant(options = {}) {
      tenantCounter += 1;
      const slug = options.slug ?? `e2e${tenantCounter}-${randomBytes(2).toString("hex")}`;
      const tenant = await operator.tenants.create({
        slug,
        name: options.name ?? "Riverside Veterinary Clinic",
        admin: {
          username: "admin",
          email: `admin@${slug}.example`,
          firstName: "Ada",
          lastName: "Admin",
          password: ADMIN_PASSWORD,
        },
      });
      const { token } = await api.auth.login({ tenant: slug, login: "admin", password: ADMIN_PASSWORD });
      return {
        id: tenant.id,
        slug,
        adminUsername: "admin",
        adminPassword: ADMIN_PASSWORD,
        admin: api.withToken(token),
      };
    },
    newPage: () => pages.newPage(),
    openPages: () => pages.openPages(),
    closePages: (keep, reuse) => pages.closePages(keep, reuse),
    lastEmail,
    async emailLink(to, kind) {
      const { body } = await lastEmail(to, kind);
      const link = /https?:\/\/\S+#token=[A-Za-z0-9_-]+/.exec(body)?.[0];
      if (!link) throw new Error(`no link in the ${kind} email to ${to}`);
      const u = new URL(link);
      return `${u.pathname}${u.hash}`;
    },
    async close() {
      const errors = pages.errors();
      await browser.close().catch(() => {});
      await app.close();
      rmSync(dir, { recursive: true, force: true });
      if (errors.length > 0) throw new Error(`the browser reported errors:\n${errors.join("\n")}`);
    },
  };
}

/** A full-page screenshot under test-results/screenshots (and docs/screenshots for README's). */
export async function shot(page: Page, name: string, options: { readme?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (options.readme && process.env.STAFFGATE_README_SCREENSHOTS === "1") {
    mkdirSync(README_SHOTS, { recursive: true });
    copyFileSync(file, path.join(README_SHOTS, `${name}.png`));
  }
}

/** Signs in through the page (password step only) and waits for the signed-in frame. */
export async function signInWithPage(
  page: Page,
  tenant: { slug: string },
  login: string,
  password: string,
): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("Practice").fill(tenant.slug);
  await page.getByLabel("Username or email").fill(login);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/**
 * Signs in with the console's own request (`POST /api/v1/auth/login` from the page's context, so
 * the server's `Set-Cookie` lands in its cookie jar) without rendering the sign-in form: the
 * session is the same as the form's, without the form's rendering (and one page load less when a
 * path is given). The form itself is the subject of the sign-in specs (`signInWithPage`, or
 * `signedIn({ form: true })`).
 */
export async function signInWithRequest(
  page: Page,
  tenant: { slug: string },
  login: string,
  password: string,
): Promise<void> {
  const response = await page.context().request.post("/api/v1/auth/login", {
    data: { tenant: tenant.slug, login, password },
  });
  if (!response.ok()) {
    throw new Error(`sign-in of ${login} answered ${response.status()}: ${await response.text()}`);
  }
}

/** What one spec file shares: the server and browser, its tenant, and pages signed in to it. */
export interface E2eFile {
  readonly e: E2e;
  readonly tenant: E2eTenant;
  /**
   * A new page signed in (as the tenant's administrator unless `login` says), then on `path` if
   * given. `clipboard`: Copy buttons may write and the test may read it; `prepare` runs on the
   * page before signing in (a fake clock, a dialog watcher).
   */
  signedIn(options?: {
    path?: string;
    login?: string;
    password?: string;
    clipboard?: boolean;
    prepare?: (page: Page) => unknown;
    /** Sign in through the form (the default posts the form's request without rendering it). */
    form?: boolean;
  }): Promise<Page>;
}

/**
 * Starts the server, the browser and one tenant before a spec file's tests, and closes them after.
 * The describe body runs before its hooks, so `e` and `tenant` are filled in where they stand:
 * keep the objects themselves, never a field read before the tests run.
 */
export function useE2e(tenantOptions: { name?: string } = {}): E2eFile {
  const e = {} as E2e;
  const tenant = {} as E2eTenant;
  let started = false;
  beforeAll(async () => {
    Object.assign(e, await startE2e());
    started = true;
    Object.assign(tenant, await e.createTenant(tenantOptions));
  });
  // A test's pages end with it (those of a `beforeAll` serve the whole file): a spec file's earlier
  // pages would otherwise stay open, each its own renderer process with the console's timers
  // running, until the file ends.
  let kept = 0;
  beforeEach(() => {
    kept = started ? e.openPages() : 0;
  });
  afterEach(({ task }) => (started ? e.closePages(kept, task.result?.state !== "fail") : undefined));
  afterAll(() => (started ? e.close() : undefined));
  return {
    e,
    tenant,
    signedIn: async (options = {}) => {
      const { path, login = tenant.adminUsername, password = tenant.adminPassword } = options;
      const page = await e.newPage();
      if (options.clipboard) {
        await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: e.url });
      }
      await options.prepare?.(page);
      if (options.form) {
        await signInWithPage(page, tenant, login, password);
        if (path) await page.goto(path);
        return page;
      }
      await signInWithRequest(page, tenant, login, password);
      await page.goto(path ?? "/");
      await page.getByRole("button", { name: "Sign out" }).waitFor();
      return page;
    },
  };
}
