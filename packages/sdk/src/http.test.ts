/** Where the transport sends a request: the base's path is kept, as behind a prefixing proxy. */
import { describe, expect, it } from "vitest";
import { createTransport, StaffgateError, StaffgateNetworkError } from "./http.ts";

async function urlSent(baseUrl: string, path: string, query?: Record<string, string>): Promise<string> {
  let sent = "";
  const t = createTransport({
    baseUrl,
    fetch: async (url) => {
      sent = url;
      return new Response(null, { status: 204 });
    },
  });
  await t.raw("GET", path, { query });
  return sent;
}

describe("the SDK transport's URLs", () => {
  it("joins the path to a base at the host's root, with or without a trailing slash", async () => {
    expect(await urlSent("http://127.0.0.1:3000", "/api/v1/users")).toBe(
      "http://127.0.0.1:3000/api/v1/users",
    );
    expect(await urlSent("http://127.0.0.1:3000/", "/api/v1/users")).toBe(
      "http://127.0.0.1:3000/api/v1/users",
    );
  });

  it("keeps a base's path prefix", async () => {
    expect(await urlSent("https://clinic.example/staffgate/", "/api/v1/check")).toBe(
      "https://clinic.example/staffgate/api/v1/check",
    );
    expect(
      await urlSent("https://clinic.example/staffgate", "/scim/v2/Users", { filter: 'userName eq "a b"' }),
    ).toBe("https://clinic.example/staffgate/scim/v2/Users?filter=userName+eq+%22a+b%22");
  });
});

/** The error a call throws when `fetch` answers `response` (or fails with it). */
async function errorFor(response: Response | Error): Promise<unknown> {
  const t = createTransport({
    baseUrl: "http://127.0.0.1:3000",
    fetch: async () => {
      if (response instanceof Error) throw response;
      return response;
    },
  });
  return t.request("GET", "/api/v1/users").then(
    () => "no error",
    (e: unknown) => e,
  );
}

describe("the SDK's errors", () => {
  it("keep Staffgate's problem, with the answer's status and Retry-After in seconds", async () => {
    const e = await errorFor(
      new Response(
        JSON.stringify({
          type: "about:blank",
          title: "Too many requests",
          status: 429,
          code: "THROTTLED",
          retryAfter: 12,
        }),
        {
          status: 429,
          headers: { "retry-after": "12", "content-type": "application/problem+json" },
        },
      ),
    );
    expect(e).toBeInstanceOf(StaffgateError);
    const err = e as StaffgateError;
    expect([err.status, err.code, err.retryAfter]).toEqual([429, "THROTTLED", 12]);
  });

  it("give a proxy's answer its status and a code from it, never NaN or undefined", async () => {
    const limited = (await errorFor(
      new Response(JSON.stringify({ message: "Too Many Requests" }), {
        status: 429,
        headers: { "retry-after": "30" },
      }),
    )) as StaffgateError;
    expect([limited.status, limited.code, limited.retryAfter]).toEqual([429, "THROTTLED", 30]);
    expect(limited.message).toBe(
      '429 THROTTLED: not an answer of Staffgate: {"message":"Too Many Requests"}',
    );
    const gateway = (await errorFor(
      new Response("<html>Bad gateway</html>", { status: 502 }),
    )) as StaffgateError;
    expect([gateway.status, gateway.code, gateway.retryAfter]).toEqual([502, "INTERNAL", undefined]);
    const busy = (await errorFor(new Response("", { status: 503 }))) as StaffgateError;
    expect([busy.status, busy.code]).toEqual([503, "SERVICE_BUSY"]);
    // A success that is not JSON (a proxy's sign-in page answered 200) is no SyntaxError either.
    const portal = (await errorFor(
      new Response("<html>Sign in to the network</html>", { status: 200 }),
    )) as StaffgateError;
    expect(portal).toBeInstanceOf(StaffgateError);
    expect([portal.status, portal.code, portal.message]).toEqual([
      200,
      "INTERNAL",
      "200 INTERNAL: not an answer of Staffgate: <html>Sign in to the network</html>",
    ]);
  });

  it("say when the service could not be reached at all, naming where but no path or query", async () => {
    const e = await errorFor(new TypeError("fetch failed"));
    expect(e).toBeInstanceOf(StaffgateNetworkError);
    expect((e as Error).message).toBe("Staffgate could not be reached at http://127.0.0.1:3000");
    expect((e as Error).cause).toBeInstanceOf(TypeError);
  });
});
