/**
 * Paths and values of SCIM PATCH (RFC 7644 §3.5.2, §3.10), apart from the operations themselves so
 * that each file reads in one sitting.
 */
import type { ScimAttribute } from "./scim-attributes.rules.ts";
import {
  type FilterNode,
  filterPaths,
  matchesFilter,
  parseFilter,
  ScimFilterError,
} from "./scim-filter.rules.ts";

export type ScimErrorType =
  | "invalidPath"
  | "noTarget"
  | "invalidValue"
  | "mutability"
  | "invalidSyntax"
  | "invalidFilter";

/** Carries the `scimType` of RFC 7644 §3.12 so the route can answer 400 with it. */
export class ScimPatchError extends Error {
  /** The index of the operation refused (set by applyPatch), so the answer can name it. */
  operation: number | undefined = undefined;
  constructor(
    readonly scimType: ScimErrorType,
    message: string,
    /** A well-formed path naming an attribute or sub-attribute that the schema does not define. */
    readonly unknownAttribute = false,
  ) {
    super(message);
    this.name = "ScimPatchError";
  }
}

export interface PatchTarget {
  coreSchema: string;
  attributes: readonly ScimAttribute[];
  extensions: ReadonlyArray<{ urn: string; attributes: readonly ScimAttribute[] }>;
  /**
   * Multi-valued attributes of which only one `type` is kept (a user's one email and one phone
   * number, "work"): an operation whose value filter names another type is ignored.
   */
  keptTypes?: Readonly<Record<string, string>>;
}

export type Obj = Record<string, unknown>;

export interface ResolvedPath {
  /** The extension URN the attribute lives under; undefined for the core schema. */
  readonly container: string | undefined;
  readonly attribute: ScimAttribute;
  readonly sub: ScimAttribute | undefined;
  readonly filter: ValueFilter | undefined;
}

export interface ValueFilter {
  matches(element: unknown): boolean;
  /** The element a filter of plain equalities describes, so a PATCH can create it; else undefined. */
  seed(): Obj | undefined;
}

/** `schemas` belongs to no schema (RFC 7643 §3), yet clients echo it; it is treated as read-only. */
const SCHEMAS: ScimAttribute = {
  name: "schemas",
  type: "reference",
  multiValued: true,
  required: true,
  caseExact: true,
  mutability: "readOnly",
  returned: "always",
  uniqueness: "none",
  description: "The resource's schema URNs.",
};

export const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const bo = b as Obj;
  return (
    ka.length === Object.keys(b).length &&
    ka.every((k) => Object.hasOwn(bo, k) && deepEqual((a as Obj)[k], bo[k]))
  );
}

const findAttribute = (list: readonly ScimAttribute[], name: string) =>
  list.find((a) => a.name.toLowerCase() === name.toLowerCase());

function schemasOf(target: PatchTarget) {
  return [
    { urn: target.coreSchema, attributes: target.attributes, container: undefined },
    ...target.extensions.map((e) => ({ urn: e.urn, attributes: e.attributes, container: e.urn })),
  ];
}

/** The schema whose URN is exactly `key` (a no-path value may group attributes under it). */
export function schemaNamed(key: string, target: PatchTarget) {
  return schemasOf(target).find((s) => s.urn.toLowerCase() === key.toLowerCase());
}

const invalidPath = (path: string, why: string) => new ScimPatchError("invalidPath", `"${path}": ${why}.`);

/** RFC 7643 §2.1: ATTRNAME = ALPHA *(nameChar); `$ref` is the one name outside it (members.$ref). */
const ATTRNAME = /^(?:[A-Za-z][A-Za-z0-9_-]*|\$ref)$/;
/** An extension's URN before its attribute (`urn:…:User:department`), its own schema unknown or not. */
const URN_PREFIX = /^urn:[A-Za-z0-9][A-Za-z0-9.:_%-]*:$/i;

/**
 * `attr[filter].sub` split, each name checked against the grammar (RFC 7644 §3.10): `"na me"`,
 * `"name."` or `"123"` were taken for attributes Staffgate does not keep and ignored, so an
 * identity provider's typo was answered 200 (input audit, 2026-12-06).
 */
function split(path: string, rest: string): { name: string; filter?: string; sub?: string } {
  // An unknown extension's URN holds dots of its own ("…:Acme:2.0:User:costCenter"): it ends at the
  // last colon before any filter.
  const bracket = rest.indexOf("[");
  const head = bracket < 0 ? rest : rest.slice(0, bracket);
  const prefix = /^urn:/i.test(head) ? head.slice(0, head.lastIndexOf(":") + 1) : "";
  const parts = splitParts(path, rest.slice(prefix.length));
  const named =
    (prefix === "" || URN_PREFIX.test(prefix)) &&
    ATTRNAME.test(parts.name) &&
    (parts.sub === undefined || ATTRNAME.test(parts.sub));
  if (!named) throw invalidPath(path, "not an attribute path (RFC 7644 §3.10)");
  return { ...parts, name: prefix + parts.name };
}

/** Splits `attr[filter].sub`; a `]` inside a quoted filter literal does not close the brackets. */
function splitParts(path: string, rest: string): { name: string; filter?: string; sub?: string } {
  const open = rest.indexOf("[");
  if (open < 0) {
    const [name = "", sub, ...more] = rest.split(".");
    if (more.length > 0) throw invalidPath(path, "too many levels");
    return sub === undefined ? { name } : { name, sub };
  }
  let close = -1;
  let quoted = false;
  for (let i = open + 1; i < rest.length && close < 0; i++) {
    const c = rest[i];
    if (quoted && c === "\\") i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === "[") break;
    else if (!quoted && c === "]") close = i;
  }
  if (close < 0) throw invalidPath(path, "unbalanced brackets");
  const after = rest.slice(close + 1);
  if (after !== "" && !after.startsWith(".")) throw invalidPath(path, "unexpected text after the filter");
  const parts = { name: rest.slice(0, open), filter: rest.slice(open + 1, close) };
  return after === "" ? parts : { ...parts, sub: after.slice(1) };
}

/** Resolves a PATCH path (RFC 7644 §3.10) to the schema's attribute definitions, names matched case-insensitively. */
export function resolvePath(path: string, target: PatchTarget): ResolvedPath {
  const lower = path.toLowerCase();
  // Longest URN first: one schema's URN could be the prefix of another's.
  const schemas = schemasOf(target).sort((a, b) => b.urn.length - a.urn.length);
  const scope = schemas.find((s) => lower.startsWith(`${s.urn.toLowerCase()}:`));
  const parts = split(path, scope ? path.slice(scope.urn.length + 1) : path);
  const attribute =
    !scope && parts.name.toLowerCase() === "schemas"
      ? SCHEMAS
      : findAttribute(scope?.attributes ?? target.attributes, parts.name);
  if (!attribute) throw unknownPath(path, parts.filter, "no such attribute");
  let sub: ScimAttribute | undefined;
  if (parts.sub !== undefined) {
    sub = findAttribute(attribute.subAttributes ?? [], parts.sub);
    if (!sub) throw unknownPath(path, parts.filter, "no such sub-attribute");
  }
  if (parts.filter === undefined) return { container: scope?.container, attribute, sub, filter: undefined };
  if (!attribute.multiValued || attribute.type !== "complex") {
    throw invalidPath(path, "a filter applies only to a multi-valued complex attribute");
  }
  try {
    return {
      container: scope?.container,
      attribute,
      sub,
      filter: valueFilter(parts.filter, attribute, target),
    };
  } catch (error) {
    if (error instanceof ScimFilterError)
      throw new ScimPatchError("invalidFilter", `"${path}": ${error.message}`);
    throw error;
  }
}

/**
 * The refusal of a path that names what the schema does not define; its filter, if any, must still
 * parse, so that "unknown" is never said of a malformed path (the caller may choose to ignore it).
 */
function unknownPath(path: string, filter: string | undefined, why: string): ScimPatchError {
  if (filter !== undefined) {
    try {
      parseFilter(filter);
    } catch (error) {
      if (error instanceof ScimFilterError)
        return new ScimPatchError("invalidFilter", `"${path}": ${error.message}`);
      throw error;
    }
  }
  return new ScimPatchError("invalidPath", `"${path}": ${why}.`, true);
}

function valueFilter(text: string, attribute: ScimAttribute, target: PatchTarget): ValueFilter {
  const subs = attribute.subAttributes ?? [];
  const lookup = (path: string) => {
    const sub = findAttribute(subs, path);
    return sub && { type: sub.type, caseExact: sub.caseExact, multiValued: sub.multiValued };
  };
  const node = parseFilter(text);
  // Refused up front, so that whether a filter is wrong does not depend on the elements present.
  const unknown = filterPaths(node, target.coreSchema).find((p) => !lookup(p));
  if (unknown !== undefined) throw new ScimFilterError(`${attribute.name} has no sub-attribute "${unknown}"`);
  matchesFilter(node, {}, lookup, target.coreSchema);
  return {
    matches: (element) => isObject(element) && matchesFilter(node, element, lookup, target.coreSchema),
    seed: () => seed(node, subs),
  };
}

function seed(node: FilterNode, subs: readonly ScimAttribute[]): Obj | undefined {
  if (node.kind === "and") {
    const [left, right] = [seed(node.left, subs), seed(node.right, subs)];
    return left && right && { ...left, ...right };
  }
  if (node.kind !== "compare" || node.op !== "eq" || node.value === null) return undefined;
  const sub = findAttribute(subs, node.path);
  return sub && { [sub.name]: coerce(sub, node.value) };
}

/** Checks `value` against `def` and returns it in canonical form: schema names, booleans as booleans. */
export function coerce(def: ScimAttribute, value: unknown, element = false): unknown {
  if (def.multiValued && !element) {
    return (Array.isArray(value) ? value : [value]).map((v) => coerce(def, v, true));
  }
  const bad = () => new ScimPatchError("invalidValue", `${def.name}: expected a ${def.type} value.`);
  switch (def.type) {
    case "complex": {
      if (!isObject(value)) throw bad();
      const out: Obj = {};
      for (const [key, v] of Object.entries(value)) {
        const sub = findAttribute(def.subAttributes ?? [], key);
        if (!sub) throw invalidPath(`${def.name}.${key}`, "no such sub-attribute");
        // A null sub-attribute asks for its removal (RFC 7643 §2.5); merge() honours it.
        out[sub.name] = v === null ? null : coerce(sub, v);
      }
      return out;
    }
    case "boolean":
      // Azure AD / Entra sends booleans as "True" and "False".
      if (typeof value === "string" && /^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
      if (typeof value !== "boolean") throw bad();
      return value;
    case "integer":
      if (!Number.isInteger(value)) throw bad();
      return value;
    case "decimal":
      if (typeof value !== "number" || !Number.isFinite(value)) throw bad();
      return value;
    default:
      if (typeof value !== "string") throw bad();
      return value;
  }
}
