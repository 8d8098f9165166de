/** Who is acting and from where: passed to every use case and written into the audit. */

export type ActorType = "user" | "api_token" | "operator" | "system" | "anonymous";

export interface Actor {
  readonly type: ActorType;
  /**
   * User id or API-token id; the operator, the system and an anonymous caller (a failed sign-in, a
   * forgot-password request) are single principals named by their type, so no audit event lacks
   * an actor id (HIPAA 164.312(a)(2)(i), SECURITY.md K-2). None can be a user's id.
   */
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

export const systemActor: Actor = { type: "system", id: "system", label: "system" };
export const operatorActor: Actor = { type: "operator", id: "operator", label: "operator" };

/**
 * Someone not signed in (a failed sign-in, a forgot-password request). `label`: the username of
 * the account a failed sign-in named, for the tenant's administrators; never what was typed
 * (login-failure.ts).
 */
export function anonymousActor(label = "anonymous"): Actor {
  return { type: "anonymous", id: "anonymous", label };
}
export const noRequest: RequestMeta = { ip: null, userAgent: null, requestId: null };
