import { describe, expect, it } from "vitest";
import { csvCell } from "../shared/csv.rules.ts";
import {
  type ChainedFields,
  chainHash,
  GENESIS_HASH,
  type StoredLink,
  verifyLinks,
} from "./audit-chain.rules.ts";
import { csvHeader } from "./audit-export.rules.ts";

function event(seq: number, overrides: Partial<ChainedFields> = {}): ChainedFields {
  return {
    tenantId: "ten_a",
    seq,
    id: `evt_${seq}`,
    at: `2026-01-05T09:00:0${seq % 10}.000Z`,
    actorType: "user",
    actorId: "usr_1",
    actorLabel: "admin",
    action: "workspace.created",
    targetType: "workspace",
    targetId: `wsp_${seq}`,
    targetLabel: `w-${seq}`,
    changes: JSON.stringify({ name: { after: `W ${seq}` } }),
    ip: "127.0.0.1",
    userAgent: "vitest",
    requestId: `req-${seq}`,
    outcome: "success",
    ...overrides,
  };
}

/** A well-formed chain of `n` links, as appendAudit writes them. */
function chain(n: number, genesis: string = GENESIS_HASH): StoredLink[] {
  const out: StoredLink[] = [];
  let prev = genesis;
  for (let seq = 1; seq <= n; seq++) {
    const e = event(seq);
    const hash = chainHash(prev, e);
    out.push({ ...e, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

describe("audit chain", () => {
  it("accepts an intact chain and an empty one", () => {
    expect(verifyLinks(chain(5))).toMatchObject({ ok: true, checked: 5, firstBrokenSeq: null, lastSeq: 5 });
    expect(verifyLinks([])).toMatchObject({ ok: true, checked: 0, lastHash: GENESIS_HASH, lastSeq: 0 });
  });

  it("hashes the event's fields, not their key order", () => {
    const e = event(1);
    const reordered = Object.fromEntries(Object.entries(e).reverse()) as unknown as ChainedFields;
    expect(chainHash(GENESIS_HASH, reordered)).toBe(chainHash(GENESIS_HASH, e));
    expect(chainHash(GENESIS_HASH, e)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ["action", { action: "workspace.deleted" }],
    ["actor", { actorLabel: "someone-else" }],
    ["changes", { changes: null }],
    ["time", { at: "2026-01-05T10:00:00.000Z" }],
    ["outcome", { outcome: "failure" }],
    ["tenant", { tenantId: "ten_b" }],
  ] as const)("reports the link whose %s was altered", (_field, patch) => {
    const links = chain(5);
    links[2] = { ...links[2]!, ...patch };
    expect(verifyLinks(links)).toMatchObject({ ok: false, firstBrokenSeq: 3, checked: 3 });
  });

  it("reports an altered stored hash, and a recomputed one breaks the next link", () => {
    const links = chain(4);
    links[1] = { ...links[1]!, hash: "f".repeat(64) };
    expect(verifyLinks(links).firstBrokenSeq).toBe(2);
    const forged = chain(4);
    const altered = { ...forged[1]!, action: "user.deleted" };
    forged[1] = { ...altered, hash: chainHash(altered.prevHash, altered) };
    expect(verifyLinks(forged).firstBrokenSeq).toBe(3);
  });

  it("reports a removed link at the first seq after the gap", () => {
    const links = chain(5);
    links.splice(2, 1);
    expect(verifyLinks(links)).toMatchObject({ ok: false, firstBrokenSeq: 4 });
  });

  it("reports reordered links", () => {
    const links = chain(4);
    [links[1], links[2]] = [links[2]!, links[1]!];
    expect(verifyLinks(links)).toMatchObject({ ok: false, firstBrokenSeq: 3 });
  });

  it("rejects a chain that does not start from the genesis hash", () => {
    expect(verifyLinks(chain(3, "1".repeat(64)))).toMatchObject({ ok: false, firstBrokenSeq: 1, checked: 1 });
  });

  it("folds pages into the same verdict as one pass", () => {
    const links = chain(7);
    let state = verifyLinks(links.slice(0, 3));
    state = verifyLinks(links.slice(3), {
      prevHash: state.lastHash,
      prevSeq: state.lastSeq,
      checked: state.checked,
    });
    expect(state).toEqual(verifyLinks(links));
    const tampered = chain(7);
    tampered[5] = { ...tampered[5]!, targetLabel: "x" };
    const first = verifyLinks(tampered.slice(0, 3));
    expect(
      verifyLinks(tampered.slice(3), {
        prevHash: first.lastHash,
        prevSeq: first.lastSeq,
        checked: first.checked,
      }),
    ).toMatchObject({ ok: false, firstBrokenSeq: 6, checked: 6 });
  });
});

describe("CSV cells", () => {
  it.each([
    ["plain", "plain"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    ["=HYPERLINK(1)", "'=HYPERLINK(1)"],
    ["+1", "'+1"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["=1,2", '"\'=1,2"'],
    [null, ""],
    [42, "42"],
  ] as const)("%j → %j", (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it("starts with a header row", () => {
    expect(csvHeader()).toMatch(/^seq,at,actorType,actorId,actorUsername,action,/);
  });
});
