/** Who is acting and from where: passed to every use case and written into the audit. */

export type ActorType = "user" | "api_token" | "operator" | "system";

export interface Actor {
  readonly type: ActorType;
  /** User id, API-token id, or null for the operator and the system. */
  readonly id: string | null;
  readonly label: string;
  /** For API tokens: the virtual integration user the token acts as. */
  readonly userId?: string;
}

export interface RequestMeta {
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly requestId: string | null;
}

export interface Ctx extends RequestMeta {
  readonly tenantId: string;
  readonly actor: Actor;
}

export const systemActor: Actor = { type: "system", id: null, label: "system" };
export const operatorActor: Actor = { type: "operator", id: null, label: "operator" };
export const noRequest: RequestMeta = { ip: null, userAgent: null, requestId: null };
