/** Parsing SCIM filters (RFC 7644 §3.4.2.2) into a tree; matching lives in scim-filter.rules.ts. */

export type CompareOp = "eq" | "ne" | "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le";
export type FilterValue = string | number | boolean | null;
export type FilterNode =
  | { kind: "compare"; path: string; op: CompareOp; value: FilterValue }
  | { kind: "present"; path: string }
  | { kind: "and" | "or"; left: FilterNode; right: FilterNode }
  | { kind: "not"; filter: FilterNode }
  | { kind: "valuePath"; path: string; filter: FilterNode };

/** Filters arrive from the network; these bounds keep the recursive parser and matcher off the stack limit. */
const MAX_LENGTH = 2000;
const MAX_DEPTH = 50;

const COMPARE_OPS: ReadonlySet<string> = new Set(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]);
const ATTRIBUTE = /^[A-Za-z][\w-]*(?:\.[A-Za-z][\w-]*)?$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** A filter the client got wrong (SCIM scimType invalidFilter); `position` is 1-based. */
export class ScimFilterError extends Error {
  constructor(
    message: string,
    readonly position?: number,
  ) {
    super(position === undefined ? message : `${message} at position ${position}`);
    this.name = "ScimFilterError";
  }
}

type Token =
  | { kind: "(" | ")" | "[" | "]" | "end"; pos: number }
  | { kind: "string"; value: string; pos: number }
  | { kind: "bare"; text: string; pos: number };

export function parseFilter(text: string): FilterNode {
  if (text.length > MAX_LENGTH) {
    throw new ScimFilterError(`filter is longer than ${MAX_LENGTH} characters`, MAX_LENGTH + 1);
  }
  const parser = new Parser(tokenise(text));
  if (parser.peek().kind === "end") throw new ScimFilterError("empty filter", 1);
  const node = parser.or(false);
  const rest = parser.peek();
  if (rest.kind === ")" || rest.kind === "]")
    throw new ScimFilterError(`unbalanced '${rest.kind}'`, rest.pos);
  if (rest.kind !== "end") throw new ScimFilterError(`unexpected ${describe(rest)}`, rest.pos);
  return node;
}

function tokenise(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")" || c === "[" || c === "]") {
      tokens.push({ kind: c, pos: ++i });
    } else if (c === '"') {
      const end = stringEnd(text, i);
      tokens.push({ kind: "string", value: jsonString(text.slice(i, end), i + 1), pos: i + 1 });
      i = end;
    } else {
      // A bare token runs to the next delimiter, so `1or` or `'x'` is one bad token, not two good ones.
      const start = i;
      while (i < text.length && !/[\s()[\]"]/.test(text[i]!)) i++;
      tokens.push({ kind: "bare", text: text.slice(start, i), pos: start + 1 });
    }
  }
  tokens.push({ kind: "end", pos: text.length + 1 });
  return tokens;
}

function stringEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i + 1;
  }
  throw new ScimFilterError("unterminated string", open + 1);
}

function jsonString(literal: string, pos: number): string {
  try {
    return JSON.parse(literal) as string;
  } catch {
    throw new ScimFilterError("invalid escape or control character in string", pos);
  }
}

function describe(token: Token): string {
  if (token.kind === "end") return "end of filter";
  if (token.kind === "string") return JSON.stringify(token.value);
  return `'${token.kind === "bare" ? token.text : token.kind}'`;
}

/** Recursive descent; `not` binds tighter than `and`, which binds tighter than `or`. */
class Parser {
  private index = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  peek(): Token {
    return this.tokens[this.index]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== "end") this.index++;
    return token;
  }

  private keyword(word: string): boolean {
    const token = this.peek();
    if (token.kind !== "bare" || token.text.toLowerCase() !== word) return false;
    this.index++;
    return true;
  }

  or(inValueFilter: boolean): FilterNode {
    let left = this.and(inValueFilter);
    while (this.keyword("or")) left = { kind: "or", left, right: this.and(inValueFilter) };
    return left;
  }

  private and(inValueFilter: boolean): FilterNode {
    let left = this.unary(inValueFilter);
    while (this.keyword("and")) left = { kind: "and", left, right: this.unary(inValueFilter) };
    return left;
  }

  private unary(inValueFilter: boolean): FilterNode {
    if (this.peek().kind === "(") return this.group("(", ")", () => this.or(inValueFilter));
    if (this.keyword("not")) {
      const open = this.peek();
      if (open.kind !== "(")
        throw new ScimFilterError(`expected '(' after 'not', found ${describe(open)}`, open.pos);
      return { kind: "not", filter: this.group("(", ")", () => this.or(inValueFilter)) };
    }
    return this.attributeExpression(inValueFilter);
  }

  private group(open: "(" | "[", close: ")" | "]", inner: () => FilterNode): FilterNode {
    const start = this.next();
    if (++this.depth > MAX_DEPTH)
      throw new ScimFilterError(`filter nests deeper than ${MAX_DEPTH} levels`, start.pos);
    const node = inner();
    const end = this.next();
    if (end.kind === "end") throw new ScimFilterError(`missing '${close}' for the '${open}'`, start.pos);
    if (end.kind !== close) throw new ScimFilterError(`expected '${close}', found ${describe(end)}`, end.pos);
    this.depth--;
    return node;
  }

  private attributeExpression(inValueFilter: boolean): FilterNode {
    const token = this.next();
    const path = attributePath(token);
    const after = this.peek();
    if (after.kind === "[") {
      if (inValueFilter) throw new ScimFilterError("a value filter cannot contain another '['", after.pos);
      return { kind: "valuePath", path, filter: this.group("[", "]", () => this.or(true)) };
    }
    const opToken = this.next();
    if (opToken.kind !== "bare") {
      throw new ScimFilterError(
        `expected an operator after '${path}', found ${describe(opToken)}`,
        opToken.pos,
      );
    }
    const op = opToken.text.toLowerCase();
    if (op === "pr") {
      const extra = this.peek();
      if (extra.kind === "string" || (extra.kind === "bare" && literal(extra.text) !== undefined)) {
        throw new ScimFilterError("'pr' takes no value", extra.pos);
      }
      return { kind: "present", path };
    }
    if (!COMPARE_OPS.has(op)) throw new ScimFilterError(`unknown operator '${opToken.text}'`, opToken.pos);
    return { kind: "compare", path, op: op as CompareOp, value: this.value(op) };
  }

  private value(op: string): FilterValue {
    const token = this.next();
    if (token.kind === "string") return token.value;
    const value = token.kind === "bare" ? literal(token.text) : undefined;
    if (value !== undefined) return value;
    if (token.kind === "end") throw new ScimFilterError(`missing value after '${op}'`, token.pos);
    throw new ScimFilterError(
      `expected a value (a double-quoted string, a number, true, false or null), found ${describe(token)}`,
      token.pos,
    );
  }
}

function attributePath(token: Token): string {
  if (token.kind !== "bare") {
    throw new ScimFilterError(`expected an attribute path, found ${describe(token)}`, token.pos);
  }
  // The schema URN is everything up to the last ':'; it contains '.' itself ("2.0").
  const colon = token.text.lastIndexOf(":");
  const name = token.text.slice(colon + 1);
  if (ATTRIBUTE.test(name) && (colon < 0 || URI.test(token.text.slice(0, colon)))) return token.text;
  throw new ScimFilterError(`'${token.text}' is not an attribute path`, token.pos);
}

/** ABNF literals are case-insensitive, so `True` and `NULL` count. */
function literal(text: string): FilterValue | undefined {
  const lower = text.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  if (lower === "null") return null;
  return NUMBER.test(text) ? Number(text) : undefined;
}
