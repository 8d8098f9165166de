import { describe, expect, it } from "vitest";
import {
  apiQueryOf,
  EMPTY_FILTERS,
  filtersFromSearch,
  hasFilters,
  queryFieldErrors,
  searchOf,
} from "./filters.ts";

describe("the audit filters' three forms", () => {
  it("carries the acting user's id from the address to the form and the API query, and back", () => {
    const form = filtersFromSearch("?actorId=usr_abc&actor=nurse");
    expect(form).toEqual({ ...EMPTY_FILTERS, actor: "nurse", actorId: "usr_abc" });
    expect(hasFilters({ ...EMPTY_FILTERS, actorId: "usr_abc" })).toBe(true);
    expect(apiQueryOf(form)).toEqual({ actor: "nurse", actorId: "usr_abc" });
    expect(searchOf(form)).toBe("?actor=nurse&actorId=usr_abc");
    expect(queryFieldErrors({ "query.actorId": "too long" })).toEqual({ actorId: "too long" });
  });
});
