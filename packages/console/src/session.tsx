/** The SDK client and the signed-in session, shared with every page through context. */
import type { Staffgate } from "@staffgate/sdk";
import { createContext, useContext } from "react";
import type { Me } from "./types.ts";

export const ApiContext = createContext<Staffgate | null>(null);

export function useApi(): Staffgate {
  const api = useContext(ApiContext);
  if (!api) throw new Error("useApi outside <ApiContext>");
  return api;
}

export interface Session {
  readonly me: Me;
  /** `full`, or a restricted session that may only enrol in MFA or change its password. */
  readonly purpose: "full" | "mfa_enrolment" | "password_change";
  readonly can: (permission: string) => boolean;
  readonly signOut: () => Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside a signed-in page");
  return session;
}
