/**
 * SCIM PATCH (RFC 7644 §3.5.2) as a pure JSON transformation: the service compares the result with
 * the stored resource to know what to write, so this file only has to transform and to refuse.
 * Where the RFC leaves room, it follows what Azure AD / Entra and Okta actually send.
 */
import type { ScimAttribute } from "./scim-attributes.rules.ts";
import {
  coerce,
  deepEqual,
  isObject,
  type Obj,
  type PatchTarget,
  type ResolvedPath,
  resolvePath,
  ScimPatchError,
  schemaNamed,
} from "./scim-patch-path.rules.ts";

export { type PatchTarget, type ScimErrorType, ScimPatchError } from "./scim-patch-path.rules.ts";

export interface PatchOperation {
  op: string;
  path?: string;
  value?: unknown;
}

type Op = "add" | "replace" | "remove";

/** Applies the operations in order to a copy of `resource` (its SCIM JSON representation) and returns the copy. */
export function applyPatch(
  resource: Readonly<Record<string, unknown>>,
  operations: readonly PatchOperation[],
  target: PatchTarget,
): Record<string, unknown> {
  if (operations.length === 0) throw new ScimPatchError("invalidValue", "Operations must not be empty.");
  // One deep copy up front: the input stays untouched and a refused operation discards the whole copy.
  const out = structuredClone(resource) as Obj;
  operations.forEach((operation, index) => {
    try {
      applyOne(out, operation, target);
    } catch (error) {
      if (error instanceof ScimPatchError) error.operation ??= index;
      throw error;
    }
  });
  return out;
}

function applyOne(out: Obj, operation: PatchOperation, target: PatchTarget): void {
  const given = isObject(operation) ? operation.op : undefined;
  // Only a string is quoted back: a 5,000-deep array overflowed the stack turning into text (a
  // 500), and ["replace"] read as "replace" (input audit, 2026-12-06).
  if (typeof given !== "string") {
    throw new ScimPatchError("invalidSyntax", 'op must be a string: "add", "replace" or "remove".');
  }
  const op = given.toLowerCase();
  if (op !== "add" && op !== "replace" && op !== "remove") {
    throw new ScimPatchError("invalidSyntax", `Unknown op ${JSON.stringify(given.slice(0, 40))}.`);
  }
  const { path, value } = operation;
  if (path === undefined || path === null || (typeof path === "string" && path.trim() === "")) {
    if (op === "remove") throw new ScimPatchError("noTarget", "remove needs a path.");
    for (const [p, v] of pathlessEntries(value, target)) apply(out, op, p, v);
  } else if (typeof path !== "string") {
    throw new ScimPatchError("invalidPath", "path must be a string.");
  } else {
    const resolved = knownPath(path.trim(), target);
    if (resolved) apply(out, op, resolved, value);
  }
}

/**
 * The path, or undefined when it names an attribute Staffgate does not keep (Entra sends
 * `department`, `manager`, `preferredLanguage`, `addresses[type eq "work"].locality`…), or a value
 * of a type it does not keep (`phoneNumbers[type eq "mobile"].value`; `keptTypes`): ignored, as
 * POST and PUT ignore them, so that PATCH and PUT agree (found by the SCIM audits). A malformed
 * path or filter is still refused.
 */
function knownPath(path: string, target: PatchTarget): ResolvedPath | undefined {
  let resolved: ResolvedPath;
  try {
    resolved = resolvePath(path, target);
  } catch (error) {
    if (error instanceof ScimPatchError && error.unknownAttribute) return undefined;
    throw error;
  }
  const kept = target.keptTypes?.[resolved.attribute.name];
  const type = resolved.filter?.seed()?.type;
  if (kept !== undefined && typeof type === "string" && type.toLowerCase() !== kept) return undefined;
  return resolved;
}

/** A path-less value names its attributes in its keys: plain, dotted, URN-prefixed, or grouped under a URN. */
function pathlessEntries(value: unknown, target: PatchTarget): Array<[ResolvedPath, unknown]> {
  if (!isObject(value)) throw new ScimPatchError("invalidValue", "Without a path, value must be an object.");
  const entries: Array<[ResolvedPath, unknown]> = [];
  for (const [key, v] of Object.entries(value)) {
    const schema = schemaNamed(key, target);
    if (!schema) {
      const resolved = knownPath(key, target);
      if (resolved) entries.push([resolved, v]);
      continue;
    }
    if (!isObject(v)) throw new ScimPatchError("invalidValue", `${key} must hold an object.`);
    for (const [name, inner] of Object.entries(v)) {
      const resolved = knownPath(`${schema.urn}:${name}`, target);
      if (resolved) entries.push([resolved, inner]);
    }
  }
  return entries;
}

function apply(resource: Obj, op: Op, path: ResolvedPath, value: unknown): void {
  const { container, attribute } = path;
  const holder = container === undefined ? resource : resource[container];
  const before = isObject(holder) ? holder[attribute.name] : undefined;
  // null is "unassigned" (RFC 7643 §2.5): a replace with it removes; an add of nothing is a client error.
  if (op !== "remove" && (value === undefined || (op === "add" && value === null))) {
    throw new ScimPatchError("invalidValue", `${op} of ${attribute.name} needs a value.`);
  }
  let after =
    op === "remove" || value === null
      ? removeAt(path, before, op === "remove" ? value : undefined)
      : op === "add" || !attribute.multiValued || path.filter || path.sub
        ? addOrReplaceAt(path, before, value, op)
        : settlePrimary((coerce(attribute, value) as unknown[]).map(withoutNulls));
  // Unassigned, null and empty are one state (RFC 7643 §2.5); storing it one way keeps the diff honest.
  if ((Array.isArray(after) || isObject(after)) && Object.keys(after).length === 0) after = undefined;
  // Identity providers echo read-only values back; an operation that changes nothing is never refused.
  if (deepEqual(before, after)) return;
  if (attribute.mutability === "readOnly" || path.sub?.mutability === "readOnly") {
    throw new ScimPatchError("mutability", `${attribute.name} is read-only.`);
  }
  // A value never returned (the password) cannot be compared with what is there: any change is refused.
  if (attribute.mutability === "immutable" && (before !== undefined || attribute.returned === "never")) {
    throw new ScimPatchError("mutability", `${attribute.name} is immutable.`);
  }
  if (attribute.required && after === undefined) {
    throw new ScimPatchError("invalidValue", `${attribute.name} is required.`);
  }
  write(resource, container, attribute.name, after);
}

function write(resource: Obj, container: string | undefined, key: string, value: unknown): void {
  if (container === undefined) {
    if (value === undefined) delete resource[key];
    else resource[key] = value;
    return;
  }
  const holder: Obj = isObject(resource[container]) ? (resource[container] as Obj) : {};
  if (value === undefined) delete holder[key];
  else holder[key] = value;
  if (Object.keys(holder).length === 0) delete resource[container];
  else resource[container] = holder;
}

/**
 * add and replace agree except on a whole multi-valued attribute (append versus swap, handled by the
 * caller): a complex value is merged either way, since RFC 7644 §3.5.2.3 keeps the unnamed sub-attributes.
 */
function addOrReplaceAt(path: ResolvedPath, before: unknown, value: unknown, op: Op): unknown {
  const { attribute, sub, filter } = path;
  const patch = () => (sub ? { [sub.name]: coerce(sub, value) } : coerce(attribute, value, true));
  if (!attribute.multiValued)
    return attribute.type === "complex" ? merge(attribute, before, patch() as Obj) : patch();
  const elements = list(before);
  if (!filter && !sub) {
    const added: unknown[] = [];
    for (const v of coerce(attribute, value) as unknown[]) {
      const clean = withoutNulls(v);
      if (!elements.some((e) => contains(e, clean)) && !added.some((e) => contains(e, clean)))
        added.push(clean);
    }
    return settlePrimary([...elements, ...added], added);
  }
  const hits = elements.filter((e) => !filter || filter.matches(e));
  if (hits.length === 0) {
    // RFC 7644 §3.5.2.3: a replace whose filter matches nothing is noTarget. An add creates the
    // element from the filter's equalities (emails[type eq "home"].value adds a home address).
    const seed = filter && op === "add" ? filter.seed() : filter ? null : {};
    if (!seed) throw new ScimPatchError("noTarget", `No ${attribute.name} value matches the filter.`);
    const created = withoutNulls({ ...seed, ...(patch() as Obj) });
    return settlePrimary([...elements, created], [created]);
  }
  const touched: Obj[] = [];
  const changes = patch() as Obj;
  const next = elements.map((e) => {
    if (!hits.includes(e)) return e;
    const merged = merge(attribute, e, changes);
    touched.push(merged);
    return merged;
  });
  return settlePrimary(next, touched);
}

function removeAt(path: ResolvedPath, before: unknown, value: unknown): unknown {
  const { attribute, sub, filter } = path;
  if (!attribute.multiValued) {
    if (!sub) return undefined;
    return isObject(before) ? merge(attribute, before, { [sub.name]: null }) : before;
  }
  const elements = list(before);
  if (!filter && !sub) {
    if (value === undefined || value === null) return undefined;
    // Entra removes group members by listing them: {"op":"Remove","path":"members","value":[{"value":"id"}]}.
    const gone = coerce(attribute, value) as unknown[];
    return elements.filter((e) => !gone.some((g) => contains(e, g)));
  }
  // Removing what is not there succeeds: a retried request must not fail (no noTarget here).
  const hit = (e: unknown) => !filter || filter.matches(e);
  if (!sub) return elements.filter((e) => !hit(e));
  return elements.map((e) => (hit(e) ? merge(attribute, e, { [sub.name]: null }) : e));
}

/**
 * Merges sub-attributes into a complex value; read-only sub-attributes, and immutable ones already set,
 * must come out unchanged (RFC 7643 §7), which a new element of a multi-valued attribute does not go through.
 */
function merge(def: ScimAttribute, old: unknown, patch: Obj): Obj {
  const previous = isObject(old) ? old : {};
  const next: Obj = { ...previous };
  for (const [key, v] of Object.entries(patch)) {
    if (v === null) delete next[key];
    else next[key] = v;
  }
  for (const s of def.subAttributes ?? []) {
    const locked =
      s.mutability === "readOnly" || (s.mutability === "immutable" && previous[s.name] !== undefined);
    if (locked && !deepEqual(previous[s.name], next[s.name])) {
      throw new ScimPatchError("mutability", `${def.name}.${s.name} is ${s.mutability}.`);
    }
  }
  return next;
}

/** RFC 7644 §3.5.2: a value newly marked primary takes the mark from the others. */
function settlePrimary(elements: unknown[], touched: readonly unknown[] = elements): unknown[] {
  const chosen = touched.find((e) => isObject(e) && e.primary === true);
  if (!chosen) return elements;
  return elements.map((e) =>
    e !== chosen && isObject(e) && e.primary === true ? { ...e, primary: false } : e,
  );
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

function withoutNulls<T>(v: T): T {
  return isObject(v) ? (Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null)) as T) : v;
}

/** A given value names an element when the element has every sub-attribute it lists, equal. */
function contains(element: unknown, given: unknown): boolean {
  if (!isObject(given) || !isObject(element)) return deepEqual(element, given);
  return Object.entries(given).every(([k, v]) => v === null || deepEqual(element[k], v));
}
