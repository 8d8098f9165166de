/**
 * A page's two kinds of message: a failure is an alert (read out at once), an outcome a status
 * (read out when the reader is idle). Each shows nothing while there is nothing to say.
 */
import type { ReactNode } from "react";

export function ErrorAlert({ children }: { readonly children: ReactNode }) {
  if (!children) return null;
  return (
    <p role="alert" className="error">
      {children}
    </p>
  );
}

export function Notice({ children }: { readonly children: ReactNode }) {
  if (!children) return null;
  return (
    <p role="status" className="notice">
      {children}
    </p>
  );
}
