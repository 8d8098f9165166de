/**
 * The pages a spec file's tests use, each in a browser context of its own (own cookies). A
 * finished test's page is reset and kept for the next test instead of closed: a new context and
 * page cost Chromium about 0.7 s of CPU more than a load of the console in a page it already has
 * (0.96 s against 0.24 s), and the specs open about 150 (docs/architecture.md). A page is closed
 * instead when its test failed (a timed-out body may still be driving it), when the test did
 * something `reset` cannot undo (LASTING_CHANGES), or when it does not come back in time.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";

export const VIEWPORT = { width: 1280, height: 860 };
/** Kept pages waiting for a test: more than a test opens at once would only hold memory. */
const MAX_SPARES = 3;
/**
 * What a test may do to a page or its context that `reset` cannot undo: any fake-clock call (each
 * installs the clock through the context's init scripts), routes, init scripts, bindings, headers,
 * emulation, locator handlers and default timeouts.
 */
const LASTING_CHANGES = [
  "install",
  "setFixedTime",
  "setSystemTime",
  "pauseAt",
  "fastForward",
  "runFor",
  "resume",
  "route",
  "routeFromHAR",
  "routeWebSocket",
  "addInitScript",
  "exposeBinding",
  "exposeFunction",
  "setExtraHTTPHeaders",
  "setOffline",
  "setGeolocation",
  "setHTTPCredentials",
  "emulateMedia",
  "addLocatorHandler",
  "setDefaultTimeout",
  "setDefaultNavigationTimeout",
];

/**
 * Playwright's emitters as they are (its types leave out `eventNames` and `listeners`). `off`, not
 * `removeAllListeners`: only `off` tells the browser to stop sending the event.
 */
interface Listening {
  eventNames(): string[];
  listeners(name: string): ((...args: unknown[]) => void)[];
  off(name: string, listener: (...args: unknown[]) => void): unknown;
}

interface Tab {
  readonly context: BrowserContext;
  readonly page: Page;
  errors: string[];
  /** False once the test did something `reset` cannot undo. */
  reusable: boolean;
  /** Playwright's own listeners on the page and its context, there before any test's: kept by `reset`. */
  readonly own: ReadonlySet<unknown>;
}

export interface PagePool {
  /** A page of its own context: a kept one, reset, or a new one. */
  newPage(): Promise<Page>;
  /** Ends the pages opened after the first `keep`; `reuse`: the test passed, they may be kept. */
  closePages(keep: number, reuse: boolean): Promise<void>;
  /** How many pages are in use. */
  openPages(): number;
  /** What every page reported as an error so far (a React warning, a CSP violation, a page error). */
  errors(): string[];
}

export function createPagePool(browser: Browser, url: string): PagePool {
  const tabs: Tab[] = [];
  const spares: Tab[] = [];
  const closed: string[][] = [];

  const watchErrors = (tab: Tab) => {
    tab.page.on("pageerror", (e) => tab.errors.push(`page error: ${e.message}`));
    tab.page.on("console", (m) => {
      // A failed request is the API answering 4xx as designed; anything else logged as an error
      // (a React warning, a CSP violation) is a defect.
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) {
        tab.errors.push(`console: ${m.text()}`);
      }
    });
  };

  /** Marks the tab not reusable when the test calls one of LASTING_CHANGES on what it holds. */
  const noticeLastingChanges = (tab: Tab) => {
    const targets = [tab.page, tab.context, tab.page.clock, tab.context.clock];
    for (const target of targets as unknown as Record<string, unknown>[]) {
      for (const name of LASTING_CHANGES) {
        const original = target[name];
        if (typeof original !== "function") continue;
        target[name] = (...args: unknown[]) => {
          tab.reusable = false;
          return original.apply(target, args);
        };
      }
    }
  };

  /**
   * Makes a finished test's page as good as a new one: it leaves the console (its timers and
   * requests stop), loses its listeners (unsubscribed, so no event is sent for them any more),
   * cookies, storage and permissions, and gets the default size back. What stays is its history:
   * Back from a test's first page leads to `/healthz` and the pages before.
   */
  const reset = async (tab: Tab): Promise<boolean> => {
    if (!tab.reusable || tab.page.isClosed() || tab.context.pages().length !== 1) return false;
    try {
      // Only what tests added: Playwright listens to its own page too (a page stripped of those
      // once hung its context's close for a minute, when a later test routed it).
      for (const emitter of [tab.page, tab.context] as unknown as Listening[]) {
        for (const name of emitter.eventNames()) {
          for (const listener of emitter.listeners(name))
            if (!tab.own.has(listener)) emitter.off(name, listener);
        }
      }
      await tab.page.goto(`${url}/healthz`, { timeout: 5_000 });
      await tab.page.evaluate(() => {
        localStorage.clear();
        sessionStorage.clear();
      });
      await Promise.all([
        tab.context.clearCookies(),
        tab.context.clearPermissions(),
        tab.page.setViewportSize(VIEWPORT),
      ]);
      tab.errors = [];
      watchErrors(tab);
      return true;
    } catch {
      return false;
    }
  };

  return {
    async newPage() {
      const spare = spares.pop();
      if (spare) {
        tabs.push(spare);
        return spare.page;
      }
      const context = await browser.newContext({ baseURL: url, viewport: VIEWPORT });
      const page = await context.newPage();
      const own = new Set<unknown>();
      for (const emitter of [page, context] as unknown as Listening[])
        for (const name of emitter.eventNames()) for (const l of emitter.listeners(name)) own.add(l);
      const tab: Tab = { context, page, errors: [], reusable: true, own };
      noticeLastingChanges(tab);
      watchErrors(tab);
      tabs.push(tab);
      return page;
    },
    async closePages(keep, reuse) {
      const open = tabs.splice(keep);
      closed.push(...open.map((t) => t.errors));
      // One at a time: each kept page takes a place among the spares before the next is judged.
      for (const tab of open) {
        if (reuse && spares.length < MAX_SPARES && (await reset(tab))) spares.push(tab);
        else await tab.context.close().catch(() => {});
      }
    },
    openPages: () => tabs.length,
    errors: () => [...closed, ...tabs.map((t) => t.errors)].flat(),
  };
}
