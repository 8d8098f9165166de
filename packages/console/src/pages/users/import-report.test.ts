/** The console explains the import's columns from its own copy (it imports no runtime code from the contract). */
import { USER_CSV_COLUMNS } from "@staffgate/contract";
import { describe, expect, it } from "vitest";
import { IMPORT_COLUMNS } from "./import-report.ts";

describe("the import dialog's column list", () => {
  it("is the contract's, in the same order", () => {
    expect([...IMPORT_COLUMNS]).toEqual([...USER_CSV_COLUMNS]);
  });
});
