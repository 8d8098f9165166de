import { Staffgate, StaffgateError } from "@staffgate/sdk";
import { describe, expect, it } from "vitest";
import { observeCalls } from "./session.tsx";

/** A client whose every call fails with `status` and `code`. */
function failing(status: number, code: string): Staffgate {
  const error = () => new StaffgateError({ type: "about:blank", title: code, status, code } as never);
  const transport: Staffgate["transport"] = {
    request: async () => {
      throw error();
    },
    raw: async () => new Response(null, { status }),
    withToken: () => transport,
  };
  return new Staffgate(transport);
}

describe("observeCalls", () => {
  const seen = async (status: number, code: string) => {
    const events: string[] = [];
    const api = observeCalls(failing(status, code), {
      answered: () => events.push("answered"),
      unauthenticated: () => events.push("unauthenticated"),
    });
    await api.auth.me().catch(() => undefined);
    return events;
  };

  it("ends the session on 401 UNAUTHENTICATED only", async () => {
    expect(await seen(401, "UNAUTHENTICATED")).toEqual(["unauthenticated"]);
  });

  it("counts a step-up's 401 as an answer (the session stands and was touched)", async () => {
    expect(await seen(401, "REAUTHENTICATION_REQUIRED")).toEqual(["answered"]);
    expect(await seen(403, "REAUTHENTICATION_FAILED")).toEqual(["answered"]);
  });

  it("counts a sign-in's refusal as neither", async () => {
    expect(await seen(401, "INVALID_CREDENTIALS")).toEqual([]);
  });
});
