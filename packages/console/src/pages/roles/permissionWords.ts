/**
 * The API names permissions by key (`patients.phi`) and workspaces by id; a person knows their
 * labels ("View PHI") and names. These turn a refusal's words into theirs, keeping the server's
 * sentence around them (and the server's words whole when the catalogue is not loaded).
 */
import { Staffgate, StaffgateError } from "@staffgate/sdk";

export type Words = (message: string) => string;

const KEY = /"?([a-z][a-z0-9_-]*(?:\.[a-z][a-z0-9_-]*)+)"?/g;

export function permissionWords(
  catalog: readonly { readonly key: string; readonly label: string }[],
  workspaces: readonly { readonly id: string; readonly name: string }[] = [],
): Words {
  const labels = new Map(catalog.map((p) => [p.key, p.label]));
  return (message) => {
    let out = message.replace(KEY, (match, key: string) => {
      const label = labels.get(key);
      return label ? `“${label}”` : match;
    });
    for (const w of workspaces) out = out.replaceAll(w.id, `“${w.name}”`);
    return out;
  };
}

/**
 * The permission key a refusal's message quotes (`you do not hold "patients.phi" at tenant level`),
 * when `known` has it: what was taken away, or a role grew since it was read, is named by no path.
 */
export function quotedKey(message: string, known: ReadonlySet<string>): string | undefined {
  const key = /"([^"]+)"/.exec(message)?.[1];
  return key !== undefined && known.has(key) ? key : undefined;
}

/** The same refusal with permission labels in its detail and field messages (other problems unchanged). */
export function inWords(error: unknown, words: Words | null): unknown {
  if (!words || !(error instanceof StaffgateError) || error.code !== "PRIVILEGE_ESCALATION") return error;
  const { problem } = error;
  return new StaffgateError({
    ...problem,
    ...(problem.detail ? { detail: words(problem.detail) } : {}),
    ...(problem.errors ? { errors: problem.errors.map((e) => ({ ...e, message: words(e.message) })) } : {}),
  });
}

/**
 * The client whose refusals name permissions by label: a page that has the catalogue provides it
 * to what it renders, so every dialog's message reads the same way. `words` is read at each
 * refusal (the catalogue may load after the client is made).
 */
export function labelledApi(api: Staffgate, words: () => Words | null): Staffgate {
  const wrap = (t: Staffgate["transport"]): Staffgate["transport"] => ({
    async request<T>(...args: Parameters<Staffgate["transport"]["request"]>): Promise<T> {
      try {
        return await t.request<T>(...args);
      } catch (e) {
        throw inWords(e, words());
      }
    },
    raw: (...args) => t.raw(...args),
    async text(...args: Parameters<Staffgate["transport"]["text"]>): Promise<string> {
      try {
        return await t.text(...args);
      } catch (e) {
        throw inWords(e, words());
      }
    },
    withToken: (token) => wrap(t.withToken(token)),
    withTimeout: (ms) => wrap(t.withTimeout(ms)),
  });
  return new Staffgate(wrap(api.transport));
}
