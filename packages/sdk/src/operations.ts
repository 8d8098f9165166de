/** Operations: liveness, readiness, the OpenAPI document and Prometheus metrics. */
import type { Transport } from "./http.ts";

/** One operation of the document: the members every one has; the rest is as OpenAPI 3.1 says. */
export type OpenApiOperation = Record<string, unknown> & {
  readonly summary: string;
  readonly tags: string[];
};

export interface OpenApiDocument {
  readonly openapi: string;
  readonly info: { readonly title: string; readonly version: string; readonly description?: string };
  /** Path template (`/api/v1/users/{id}`) → lower-case method → operation. */
  readonly paths: Record<string, Record<string, OpenApiOperation>>;
  readonly components: Record<string, unknown>;
}

export function operationsApi(t: Transport) {
  return {
    /** Liveness: answers while the process runs, whatever the database does. */
    health: () => t.request<{ status: "ok" }>("GET", "/healthz"),
    /** Readiness: a 503 NOT_READY (thrown) while the database is unreachable or not migrated. */
    ready: () => t.request<{ status: "ready" }>("GET", "/readyz"),
    openApi: () => t.request<OpenApiDocument>("GET", "/api/openapi.json"),
    /** Prometheus text exposition, for the operator token only. */
    async metrics(): Promise<string> {
      return t.text("GET", "/metrics");
    },
  };
}
