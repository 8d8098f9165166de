import { StaffgateError } from "@staffgate/sdk";
import { describe, expect, it } from "vitest";
import { SessionChangedError, SessionPin } from "./sessionPin.ts";
import type { Me } from "./types.ts";

const meOf = (id: string) => ({ user: { id } }) as unknown as Me;

describe("SessionPin", () => {
  it("asks nobody while the cookie is the one pinned", async () => {
    let cookie: string | undefined = "a";
    const pin = new SessionPin(() => cookie);
    pin.pin(meOf("usr_1"));
    let asked = 0;
    const ask = async () => {
      asked++;
      return meOf("usr_1");
    };
    expect(await pin.check(ask)).toEqual({ kind: "same" });
    expect(asked).toBe(0);
    // The same person's renewed session: asked once, then pinned anew.
    cookie = "b";
    expect(await pin.check(ask)).toEqual({ kind: "same" });
    expect(await pin.check(ask)).toEqual({ kind: "same" });
    expect(asked).toBe(1);
  });

  it("reports another person's session, and a signed-out browser, as changed", async () => {
    let cookie: string | undefined = "a";
    const pin = new SessionPin(() => cookie);
    pin.pin(meOf("usr_1"));
    cookie = "b";
    expect(await pin.check(async () => meOf("usr_2"))).toEqual({ kind: "changed", me: meOf("usr_2") });
    cookie = undefined;
    expect(await pin.check(async () => meOf("usr_1"))).toEqual({ kind: "changed", me: null });
    cookie = "c";
    const refused = (status: number, code: string) => async () => {
      throw new StaffgateError({ type: "about:blank", title: code, status, code } as never);
    };
    expect(await pin.check(refused(401, "UNAUTHENTICATED"))).toEqual({ kind: "changed", me: null });
  });

  it("says nothing about whose session it is when asking fails otherwise: it throws, and asks again next time", async () => {
    let cookie: string | undefined = "a";
    const pin = new SessionPin(() => cookie);
    pin.pin(meOf("usr_1"));
    cookie = "b";
    const busy = new StaffgateError({
      type: "about:blank",
      title: "busy",
      status: 503,
      code: "SERVICE_BUSY",
    } as never);
    await expect(
      pin.check(async () => {
        throw busy;
      }),
    ).rejects.toBe(busy);
    await expect(
      pin.check(async () => {
        throw new TypeError("Failed to fetch");
      }),
    ).rejects.toThrow("Failed to fetch");
    expect(await pin.check(async () => meOf("usr_1"))).toEqual({ kind: "same" });
  });

  it("guards nothing before anyone is pinned, or after it is cleared", async () => {
    let cookie: string | undefined = "a";
    const pin = new SessionPin(() => cookie);
    expect(await pin.check(async () => meOf("usr_2"))).toEqual({ kind: "same" });
    pin.pin(meOf("usr_1"));
    pin.clear();
    cookie = "b";
    expect(await pin.check(async () => meOf("usr_2"))).toEqual({ kind: "same" });
  });
});

describe("a retired pin", () => {
  it("refuses every change until someone is pinned again, and a sign-out lets the next sign-in through", async () => {
    let cookie: string | undefined = "a";
    const pin = new SessionPin(() => cookie);
    pin.pin(meOf("usr_1"));
    cookie = "b";
    pin.retire();
    await expect(pin.check(async () => meOf("usr_1"))).rejects.toBeInstanceOf(SessionChangedError);
    await expect(pin.check(async () => meOf("usr_2"))).rejects.toBeInstanceOf(SessionChangedError);
    pin.clear();
    expect(await pin.check(async () => meOf("usr_2"))).toEqual({ kind: "same" });
    pin.retire();
    pin.pin(meOf("usr_2"));
    expect(await pin.check(async () => meOf("usr_2"))).toEqual({ kind: "same" });
  });
});
