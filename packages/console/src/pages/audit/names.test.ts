import { describe, expect, it } from "vitest";
import type { AuditEvent } from "./filters.ts";
import { eventNames } from "./names.tsx";

const event = (action: string, changes: Record<string, { before?: unknown; after?: unknown }>) =>
  ({ action, changes }) as unknown as AuditEvent;

describe("eventNames", () => {
  it("names the private role a permissions change moved the user to, and a failed sign-in's reason", () => {
    const moved = event("user.permissions_changed", { roleId: { before: "rol_viewer", after: "rol_own" } });
    expect([...eventNames(moved)]).toEqual([["rol_own", { name: "Private role", kind: "Private role" }]]);
    const failed = event("auth.login.failed", { reason: { after: "wrong_password" } });
    expect(eventNames(failed).get("wrong_password")?.name).toBe("Wrong password");
    // Only those events: another event's roleId is the tenant's lists' to name.
    expect(eventNames(event("user.updated", { roleId: { after: "rol_x" } })).size).toBe(0);
  });
});
