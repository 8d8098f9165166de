/**
 * The tenant's email outbox as administrators see it: who was sent what, and whether it left.
 * Never the body: bodies hold one-time links (reset, invitation), which only their recipient (and
 * the operator, `staffgate outbox`) may read (docs/decisions.md, "Email").
 */
import { z } from "zod";
import { ListQuery, NullableTimestamp, Timestamp } from "./common.ts";

export const OutboxMessageSchema = z.strictObject({
  id: z.string(),
  to: z.string(),
  subject: z.string(),
  /** What the message is: `user.invitation`, `auth.password.reset_link`, `auth.locked`, … */
  kind: z.string(),
  createdAt: Timestamp,
  /**
   * `sent` (by SMTP, or printed to the log without SMTP); `pending` (not tried yet, or being sent);
   * `failing` (a try failed, another will follow); `given_up` (every try failed; no more will).
   */
  state: z.enum(["sent", "pending", "failing", "given_up"]),
  sentAt: NullableTimestamp,
  sentVia: z.string().nullable(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  /**
   * The message text, links included, only for a message printed to the server's log (no SMTP
   * server) and addressed to the reader or to a user whose password the reader could set;
   * otherwise null.
   */
  body: z
    .string()
    .nullable()
    .describe(
      "The text, only when the message went to the server log (no SMTP) and is addressed to you or to a user whose password you could set; otherwise null",
    ),
});
export type OutboxMessage = z.infer<typeof OutboxMessageSchema>;

export const ListOutboxQuery = ListQuery.extend({
  state: z.enum(["sent", "pending", "failing", "given_up"]).optional(),
  /** Messages to this address (any letter case). */
  to: z.string().max(254).optional(),
});
export type ListOutboxQuery = z.infer<typeof ListOutboxQuery>;
