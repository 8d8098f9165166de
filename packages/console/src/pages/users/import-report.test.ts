/** The console explains the import's columns from its own copy (it imports no runtime code from the contract). */
import { MAX_IMPORT_ROWS as CONTRACT_MAX_ROWS, USER_CSV_COLUMNS } from "@staffgate/contract";
import { describe, expect, it } from "vitest";
import { IMPORT_COLUMNS, MAX_IMPORT_ROWS } from "./import-report.ts";

describe("the import dialog's column list", () => {
  it("is the contract's, in the same order", () => {
    expect([...IMPORT_COLUMNS]).toEqual([...USER_CSV_COLUMNS]);
  });
});

describe("the import dialog's row limit", () => {
  it("is the contract's", () => {
    expect(MAX_IMPORT_ROWS).toBe(CONTRACT_MAX_ROWS);
  });
});
