/**
 * Doc lint for docs/logging.md: every `event` the JSON log can carry is listed there — each
 * vocabulary name an audit event is streamed under (audit-log.ts), and the events requests and the
 * process log themselves. An event added on one side only fails here.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { VOCABULARY } from "./audit-log.ts";

const DOC = readFileSync(fileURLToPath(new URL("../../../../docs/logging.md", import.meta.url)), "utf8");

/** Logged by the request or the process, not streamed from the audit (grep `event:` in server/src). */
const LOGGED_DIRECTLY = [
  "authn_login_fail",
  "authn_token_invalid",
  "authn_mfa_fail",
  "input_validation_fail",
  "authz_fail",
  "excess_rate_limit_exceeded",
  "sys_startup",
  "sys_shutdown",
  "sys_shutdown_forced",
  "sys_migrated",
  "audit_event",
];

describe("docs/logging.md", () => {
  it.each([...new Set([...Object.values(VOCABULARY), ...LOGGED_DIRECTLY])])("lists the event %s", (event) => {
    expect(DOC).toContain(`\`${event}\``);
  });
});
