/**
 * What the SCIM Users and Groups use cases share: list paging, the filter's translation into
 * Staffgate's errors, the projection of `attributes`/`excludedAttributes`, and PATCH's errors.
 */
import type { ErrorCode } from "@staffgate/contract";
import { AppError } from "../shared/errors.ts";
import { SCIM_MAX_RESULTS } from "./scim-discovery.rules.ts";
import {
  type AttributeLookup,
  type FilterNode,
  filterPaths,
  parseFilter,
  ScimFilterError,
} from "./scim-filter.rules.ts";
import { applyPatch, type PatchOperation, type PatchTarget, ScimPatchError } from "./scim-patch.rules.ts";

export interface ScimListQuery {
  readonly filter?: string | undefined;
  /** 1-based; RFC 7644 §3.4.2.4: below 1 counts as 1. */
  readonly startIndex?: number | undefined;
  /** Below 0 counts as 0; above the maximum as the maximum. */
  readonly count?: number | undefined;
  readonly attributes?: string | undefined;
  readonly excludedAttributes?: string | undefined;
}

export interface ScimList {
  readonly schemas: readonly string[];
  readonly totalResults: number;
  readonly startIndex: number;
  readonly itemsPerPage: number;
  readonly Resources: readonly Record<string, unknown>[];
}

export const LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

export function paging(query: ScimListQuery): { offset: number; limit: number; startIndex: number } {
  const startIndex = Math.max(1, Math.trunc(query.startIndex ?? 1));
  const limit = Math.min(SCIM_MAX_RESULTS, Math.max(0, Math.trunc(query.count ?? SCIM_MAX_RESULTS)));
  return { offset: startIndex - 1, limit, startIndex };
}

export function listOf(
  resources: readonly Record<string, unknown>[],
  total: number,
  startIndex: number,
): ScimList {
  return {
    schemas: [LIST_RESPONSE],
    totalResults: total,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

/** Parses a filter and refuses attributes the resource does not have (400 invalidFilter). */
export function parseScimFilter(text: string, lookup: AttributeLookup, coreSchema: string): FilterNode {
  let node: FilterNode;
  try {
    node = parseFilter(text);
  } catch (error) {
    if (error instanceof ScimFilterError) throw new AppError("SCIM_INVALID_FILTER", error.message);
    throw error;
  }
  for (const path of filterPaths(node, coreSchema)) {
    if (!lookup(path))
      throw new AppError("SCIM_INVALID_FILTER", `The filter names an unknown attribute: ${path}`);
  }
  return node;
}

/** Runs the matcher, turning its refusals (e.g. `gt` on a boolean) into 400 invalidFilter. */
export function filterError(error: unknown): never {
  if (error instanceof ScimFilterError) throw new AppError("SCIM_INVALID_FILTER", error.message);
  throw error;
}

const PATCH_CODES: Readonly<Record<ScimPatchError["scimType"], ErrorCode>> = {
  invalidPath: "SCIM_INVALID_PATH",
  noTarget: "SCIM_NO_TARGET",
  invalidValue: "SCIM_INVALID_VALUE",
  mutability: "SCIM_MUTABILITY",
  invalidSyntax: "SCIM_INVALID_SYNTAX",
  invalidFilter: "SCIM_INVALID_FILTER",
};

export const PATCH_OP_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/** Checks the PatchOp envelope (RFC 7644 §3.5.2) and applies its operations to `resource`. */
export function patched(
  resource: Record<string, unknown>,
  body: Record<string, unknown>,
  target: PatchTarget,
): Record<string, unknown> {
  const schemas = body.schemas;
  const named = (path: string, message: string) => ({ errors: [{ path, message }] });
  if (!Array.isArray(schemas) || !schemas.includes(PATCH_OP_SCHEMA)) {
    const message = `A PATCH body's schemas must list ${PATCH_OP_SCHEMA}`;
    throw new AppError("SCIM_INVALID_SYNTAX", message, named("schemas", message));
  }
  const key = Object.keys(body).find((k) => k.toLowerCase() === "operations");
  const operations = key === undefined ? undefined : body[key];
  if (!Array.isArray(operations)) {
    throw new AppError(
      "SCIM_INVALID_SYNTAX",
      "Operations must be a list",
      named("Operations", "must be a list"),
    );
  }
  try {
    return applyPatch(resource, operations as PatchOperation[], target);
  } catch (error) {
    // The operation refused is named as a field is (its message names the attribute).
    if (error instanceof ScimPatchError) {
      const path = error.operation === undefined ? "Operations" : `Operations.${error.operation}`;
      throw new AppError(PATCH_CODES[error.scimType], error.message, named(path, error.message));
    }
    if (error instanceof ScimFilterError) throw new AppError("SCIM_INVALID_FILTER", error.message);
    throw error;
  }
}

/**
 * The attribute names of a comma-separated `attributes` list, lower-cased, in the form `top`,
 * `top.sub`, an extension (`urn:…:enterprise:2.0:User`) or an extension's attribute
 * (`urn:…:enterprise:2.0:User:employeeNumber`); the core schema's URN prefix is dropped.
 */
function names(list: string | undefined, coreSchema: string): string[] | undefined {
  if (list === undefined || list.trim() === "") return undefined;
  const core = `${coreSchema.toLowerCase()}:`;
  return list.split(",").map((n) => {
    const name = n.trim().toLowerCase();
    return name.startsWith(core) ? name.slice(core.length) : name;
  });
}

/**
 * Splits a name into the resource's key and the part inside it: an extension is one object of the
 * resource, named by its URN (which has dots in its version), so `<urn>:attr` is `[urn, attr]`.
 */
function topOf(name: string, keys: readonly string[]): [string, string | undefined] {
  if (keys.includes(name)) return [name, undefined];
  const urn = keys.find(
    (k) => k.startsWith("urn:") && (name.startsWith(`${k}:`) || name.startsWith(`${k}.`)),
  );
  if (urn) return [urn, name.slice(urn.length + 1)];
  const dot = name.indexOf(".");
  return dot < 0 ? [name, undefined] : [name.slice(0, dot), name.slice(dot + 1)];
}

/** Keeps (or, with `keep` false, drops) the named sub-attributes of a complex value, or of each element of a list. */
function pick(value: unknown, subs: readonly string[], keep: boolean): unknown {
  const one = (v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).filter(([s]) => subs.includes(s.toLowerCase()) === keep))
      : v;
  return Array.isArray(value) ? value.map(one) : one(value);
}

/**
 * `attributes` returns only the named attributes (plus `id` and `schemas`, always returned);
 * `excludedAttributes` drops the named ones (RFC 7644 §3.4.2.5, §3.10): top-level, a
 * sub-attribute (`name.givenName`, `emails.value`, of each element of a list), or an extension's
 * attribute by its full URN.
 */
export function project(resource: Record<string, unknown>, query: ScimListQuery, coreSchema: string) {
  const only = names(query.attributes, coreSchema);
  const excluded = names(query.excludedAttributes, coreSchema);
  if (!only && !excluded) return resource;
  const keys = Object.keys(resource).map((k) => k.toLowerCase());
  const split = (list: readonly string[]) => list.map((n) => topOf(n, keys));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    const k = key.toLowerCase();
    if (k === "id" || k === "schemas") {
      out[key] = value;
      continue;
    }
    if (only) {
      const mine = split(only).filter(([top]) => top === k);
      if (mine.some(([, sub]) => sub === undefined)) out[key] = value;
      else if (mine.length > 0)
        out[key] = pick(
          value,
          mine.map(([, sub]) => sub!),
          true,
        );
    } else {
      const mine = split(excluded!).filter(([top]) => top === k);
      if (mine.some(([, sub]) => sub === undefined)) continue;
      out[key] =
        mine.length > 0
          ? pick(
              value,
              mine.map(([, sub]) => sub!),
              false,
            )
          : value;
    }
  }
  return out;
}

/** Whether a projection would return `attribute` at all (so costly ones, like members, can be skipped). */
export function wants(query: ScimListQuery, attribute: string, coreSchema: string): boolean {
  const a = attribute.toLowerCase();
  const only = names(query.attributes, coreSchema);
  if (only) return only.some((n) => n === a || n.startsWith(`${a}.`));
  return !(names(query.excludedAttributes, coreSchema) ?? []).includes(a);
}

/** RFC 7643 §3: a resource names its schemas; a User body must list the User schema (and so on). */
export function requireSchema(body: Record<string, unknown>, schema: string): void {
  const schemas = body.schemas;
  if (
    !Array.isArray(schemas) ||
    !schemas.some((s) => typeof s === "string" && s.toLowerCase() === schema.toLowerCase())
  ) {
    throw new AppError("SCIM_INVALID_SYNTAX", `The body's schemas must list ${schema}`, {
      errors: [{ path: "schemas", message: `must list ${schema}` }],
    });
  }
}
