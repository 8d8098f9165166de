/** JSON columns: parsed and written in one place so a malformed row fails loudly. */
export function parseJson<T>(text: string | null, fallback: T): T {
  return text === null ? fallback : (JSON.parse(text) as T);
}

export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

export const flag = (b: boolean): 0 | 1 => (b ? 1 : 0);
export const bool = (f: number): boolean => f === 1;
