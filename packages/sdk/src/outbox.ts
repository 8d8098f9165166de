/** The tenant's outbox (settings.manage): recipients, subjects, delivery state, and the bodies the reader may see. */
import type { OutboxMessage } from "@staffgate/contract";
import type { Transport } from "./http.ts";
import type { Page } from "./workspaces.ts";

export function outboxApi(t: Transport) {
  return {
    list: (query: { limit?: number; cursor?: string; state?: OutboxMessage["state"]; to?: string } = {}) =>
      t.request<Page<OutboxMessage>>("GET", "/api/v1/outbox", { query: { ...query } }),
  };
}
