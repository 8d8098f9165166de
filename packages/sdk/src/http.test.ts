/** Where the transport sends a request: the base's path is kept, as behind a prefixing proxy. */
import { describe, expect, it } from "vitest";
import { createTransport } from "./http.ts";

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
