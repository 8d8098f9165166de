/** SCIM filters (RFC 7644 §3.4.2.2): matching a resource, and what a store needs to narrow its rows first. */
import { foldText } from "../shared/text.rules.ts";
import {
  type CompareOp,
  type FilterNode,
  type FilterValue,
  ScimFilterError,
} from "./scim-filter-parse.rules.ts";

export type { CompareOp, FilterNode, FilterValue } from "./scim-filter-parse.rules.ts";
export { parseFilter, ScimFilterError } from "./scim-filter-parse.rules.ts";

export interface AttributeInfo {
  type: "string" | "boolean" | "dateTime" | "decimal" | "integer" | "reference" | "complex";
  caseExact: boolean;
  multiValued: boolean;
}
/** Returns undefined for an unknown attribute. Path given normalised: lower-cased, schema URN prefix removed for core schema, e.g. "name.familyname". */
export type AttributeLookup = (path: string) => AttributeInfo | undefined;

export function normalisePath(path: string, coreSchemaUrn: string): string {
  const lower = path.toLowerCase();
  const core = `${coreSchemaUrn.toLowerCase()}:`;
  return lower.startsWith(core) ? lower.slice(core.length) : lower;
}

/**
 * Throws ScimFilterError for an operator the attribute's type forbids (RFC 7644: 400 invalidFilter),
 * whether or not this resource holds the attribute, so the answer does not depend on the data.
 */
export function matchesFilter(
  node: FilterNode,
  resource: Record<string, unknown>,
  lookup: AttributeLookup,
  coreSchemaUrn: string,
): boolean {
  eachExpression(node, coreSchemaUrn, (path, expression) => {
    if (expression.kind === "compare") assertApplicable(expression, target(path, lookup));
  });
  return evaluate(node, resource, undefined, { lookup, coreSchemaUrn });
}

/**
 * Top-level equality requirements every match must satisfy: from a node that is `compare eq` on one of
 * `paths` (normalised), or an `and` of nodes; `or`/`not` give nothing. Used by the store to narrow the rows
 * with an index before matchesFilter runs on them. `eq null` gives nothing either: an index lookup of
 * NULL finds no row, yet a missing attribute does equal null.
 */
export function requiredEquals(
  node: FilterNode,
  paths: readonly string[],
  coreSchemaUrn: string,
): Map<string, FilterValue> {
  const wanted = new Set(paths.map((p) => normalisePath(p, coreSchemaUrn)));
  const required = new Map<string, FilterValue>();
  const visit = (n: FilterNode): void => {
    if (n.kind === "and") {
      visit(n.left);
      visit(n.right);
    } else if (n.kind === "compare" && n.op === "eq" && n.value !== null) {
      const path = normalisePath(n.path, coreSchemaUrn);
      // A second, different value can never match too; narrowing by the first is still correct.
      if (wanted.has(path) && !required.has(path)) required.set(path, n.value);
    }
  };
  visit(node);
  return required;
}

/** Every attribute path the filter names, normalised (so the caller can refuse unknown attributes with scimType invalidFilter). */
export function filterPaths(node: FilterNode, coreSchemaUrn: string): string[] {
  const paths = new Set<string>();
  eachExpression(node, coreSchemaUrn, (path) => paths.add(path));
  return [...paths];
}

type Expression = Exclude<FilterNode, { kind: "and" | "or" | "not" }>;
interface Context {
  lookup: AttributeLookup;
  coreSchemaUrn: string;
}

/** A value filter's paths are relative to its attribute; joined, they are what the lookup knows. */
function fullPath(path: string, parent: string | undefined, coreSchemaUrn: string): string {
  return parent === undefined ? normalisePath(path, coreSchemaUrn) : `${parent}.${path.toLowerCase()}`;
}

function eachExpression(
  node: FilterNode,
  coreSchemaUrn: string,
  visit: (path: string, node: Expression) => void,
  parent?: string,
): void {
  switch (node.kind) {
    case "and":
    case "or":
      eachExpression(node.left, coreSchemaUrn, visit, parent);
      eachExpression(node.right, coreSchemaUrn, visit, parent);
      return;
    case "not":
      eachExpression(node.filter, coreSchemaUrn, visit, parent);
      return;
    default: {
      const path = fullPath(node.path, parent, coreSchemaUrn);
      visit(path, node);
      if (node.kind === "valuePath") eachExpression(node.filter, coreSchemaUrn, visit, path);
    }
  }
}

/** RFC 7644: a comparison on a multi-valued complex attribute (`emails eq "x"`) applies to its `value`. */
function target(path: string, lookup: AttributeLookup): { path: string; info: AttributeInfo } | undefined {
  const info = lookup(path);
  if (info?.type !== "complex" || !info.multiValued) return info && { path, info };
  const valueInfo = lookup(`${path}.value`);
  return valueInfo && { path: `${path}.value`, info: valueInfo };
}

function assertApplicable(
  node: Extract<FilterNode, { kind: "compare" }>,
  t: ReturnType<typeof target>,
): void {
  const ordering = node.op === "gt" || node.op === "ge" || node.op === "lt" || node.op === "le";
  if (t?.info.type === "boolean" && node.op !== "eq" && node.op !== "ne") {
    throw new ScimFilterError(`'${node.op}' cannot be applied to the boolean attribute '${node.path}'`);
  }
  const date = typeof node.value === "string" ? Date.parse(node.value) : Number.NaN;
  if (t?.info.type === "dateTime" && ordering && Number.isNaN(date)) {
    throw new ScimFilterError(
      `'${node.path} ${node.op}' needs a dateTime, not ${JSON.stringify(node.value)}`,
    );
  }
}

function evaluate(node: FilterNode, scope: unknown, parent: string | undefined, ctx: Context): boolean {
  switch (node.kind) {
    case "and":
      return evaluate(node.left, scope, parent, ctx) && evaluate(node.right, scope, parent, ctx);
    case "or":
      return evaluate(node.left, scope, parent, ctx) || evaluate(node.right, scope, parent, ctx);
    case "not":
      return !evaluate(node.filter, scope, parent, ctx);
    case "present": {
      const path = fullPath(node.path, parent, ctx.coreSchemaUrn);
      return ctx.lookup(path) !== undefined && valuesAt(scope, path, parent).some(isPresent);
    }
    case "valuePath": {
      const path = fullPath(node.path, parent, ctx.coreSchemaUrn);
      if (ctx.lookup(path) === undefined) return false;
      return valuesAt(scope, path, parent).some((element) => evaluate(node.filter, element, path, ctx));
    }
    case "compare": {
      const t = target(fullPath(node.path, parent, ctx.coreSchemaUrn), ctx.lookup);
      const values = t ? valuesAt(scope, t.path, parent) : [];
      if (node.value === null && (node.op === "eq" || node.op === "ne")) {
        return (values.length === 0) === (node.op === "eq");
      }
      // A missing attribute is "not equal" to anything (RFC 7644 §3.4.2.2).
      if (!t || values.length === 0) return node.op === "ne";
      return values.some((value) => holds(node.op, value, node.value, t.info));
    }
  }
}

/**
 * The non-null values at `path` inside `scope`, multi-valued attributes spread so that a comparison
 * holds when any of them satisfies it. Keys match case-insensitively; an extension's attributes live
 * under its URN.
 */
function valuesAt(scope: unknown, path: string, parent: string | undefined): unknown[] {
  const relative = parent === undefined ? path : path.slice(parent.length + 1);
  const colon = relative.lastIndexOf(":");
  const steps =
    colon < 0 ? relative.split(".") : [relative.slice(0, colon), ...relative.slice(colon + 1).split(".")];
  let values: unknown[] = [scope];
  for (const step of steps) values = values.flatMap((v) => child(v, step) ?? []);
  return values.filter((v) => v !== null);
}

function child(value: unknown, key: string): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  for (const [k, v] of Object.entries(value)) if (k.toLowerCase() === key) return v;
  return undefined;
}

function isPresent(value: unknown): boolean {
  if (value === "") return false;
  if (typeof value === "object" && value !== null) return Object.keys(value).length > 0;
  return true;
}

/** Comparisons fold without foldKey's trim: `co " x"` asks for the space. */
const fold = foldText;

function holds(op: CompareOp, actual: unknown, expected: FilterValue, info: AttributeInfo): boolean {
  if (op === "co" || op === "sw" || op === "ew") {
    if (typeof actual !== "string" || typeof expected !== "string") return false;
    const [a, b] = info.caseExact ? [actual, expected] : [fold(actual), fold(expected)];
    return op === "co" ? a.includes(b) : op === "sw" ? a.startsWith(b) : a.endsWith(b);
  }
  const order = ordering(actual, expected, info);
  if (order === undefined) return op === "ne";
  if (op === "eq") return order === 0;
  if (op === "ne") return order !== 0;
  if (op === "gt") return order > 0;
  if (op === "ge") return order >= 0;
  if (op === "lt") return order < 0;
  return order <= 0;
}

/** Azure AD sends `active eq "True"`. */
function booleanText(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  return lower === "true" ? true : lower === "false" ? false : undefined;
}

/** Sign of actual minus expected, or undefined when the two are not comparable (a type mismatch). */
function ordering(actual: unknown, expected: FilterValue, info: AttributeInfo): number | undefined {
  if (info.type === "boolean") {
    const want = typeof expected === "string" ? booleanText(expected) : expected;
    return typeof actual === "boolean" && typeof want === "boolean"
      ? Number(actual) - Number(want)
      : undefined;
  }
  if (typeof actual === "number")
    return typeof expected === "number" ? Math.sign(actual - expected) : undefined;
  const text = actual instanceof Date ? actual.toISOString() : actual;
  if (typeof text !== "string" || typeof expected !== "string") return undefined;
  if (info.type === "dateTime") {
    const [a, b] = [Date.parse(text), Date.parse(expected)];
    if (!Number.isNaN(a) && !Number.isNaN(b)) return Math.sign(a - b);
  }
  // Without foldKey's trim: `eq " alice "` is not alice (RFC 7644 §3.4.2.2).
  const [a, b] = info.caseExact ? [text, expected] : [fold(text), fold(expected)];
  return a < b ? -1 : a > b ? 1 : 0;
}
