/**
 * The URLs in the configuration: where the server is reached (HOST, PORT, STAFFGATE_PUBLIC_URL)
 * and the mail server (SMTP_URL). A refusal names the variable and never repeats a URL that may
 * carry a password.
 */
import { isIP } from "node:net";

/** A host as it goes into a URL: an IPv6 address in brackets (`http://[::1]:3000`). */
export function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** The address a person types for a server listening on `host` (every interface: this machine). */
export function serverUrl(host: string, port: number): string {
  const shown = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  return `http://${urlHost(shown)}:${port}`;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * What the start-up banner warns about in where the server is reached (the operator audit: both
 * left a new deployment stuck without a word):
 *  - listening on every interface with no STAFFGATE_PUBLIC_URL: emailed links name localhost;
 *  - a console at plain http:// on another host than this machine: browsers keep the Secure
 *    `__Host-` session cookie only over https:// or on localhost, so every sign-in ends at once.
 */
export function addressWarnings(host: string, publicUrl: string, publicUrlSet: boolean): string[] {
  const warnings: string[] = [];
  if (!publicUrlSet && (host === "0.0.0.0" || host === "::")) {
    warnings.push(
      `HOST=${host} listens on every interface, but without STAFFGATE_PUBLIC_URL the links in emails point at ${publicUrl}, which works only on this machine: set STAFFGATE_PUBLIC_URL to the address users open.`,
    );
  }
  const url = new URL(publicUrl);
  if (url.protocol === "http:" && !LOOPBACK.test(url.hostname)) {
    warnings.push(
      `The console at ${url.origin} is plain http://: browsers keep its session cookie (Secure, __Host-) only over https:// or on localhost, so signing in there fails. Put TLS in front (docs/security/deployment.md) and set STAFFGATE_PUBLIC_URL to the https:// address.`,
    );
  }
  return warnings;
}

/**
 * STAFFGATE_PUBLIC_URL, else the address the server listens on. The default is refused with PORT=0:
 * the port is only known once listening, and the CLI, which builds the same links (invitations),
 * never knows it.
 */
export function parsePublicUrl(value: string | undefined, host: string, port: number): string {
  if (!value) {
    if (port === 0) {
      throw new Error(
        "PORT=0 picks a free port only when listening, so links in emails cannot be built from it: set STAFFGATE_PUBLIC_URL to the address users open",
      );
    }
    return serverUrl(host, port);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(
      "STAFFGATE_PUBLIC_URL must be an http:// or https:// URL, such as https://staff.example.org",
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`STAFFGATE_PUBLIC_URL must be an http:// or https:// URL, not ${url.protocol}`);
  }
  // Every emailed link is this URL with a path appended: credentials would be mailed to every
  // user, and a query or fragment would swallow the path.
  if (url.username || url.password || url.search || url.hash) {
    throw new Error(
      "STAFFGATE_PUBLIC_URL must hold no user, password, query or fragment: only scheme, host, port and path",
    );
  }
  return value;
}

/**
 * SMTP_URL: `smtp://` or `smtps://`, a host, and a user and password in valid percent-encoding
 * (nodemailer decodes them and would fail with the whole URL in its message).
 */
export function parseSmtpUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const shape = "SMTP_URL must look like smtp://user:password@host:587 or smtps://user:password@host:465";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${shape} (it is not a URL; the value is not shown, as it may hold a password)`);
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") {
    throw new Error(`${shape} (its scheme is not smtp or smtps)`);
  }
  if (!url.hostname) throw new Error(`${shape} (it names no host)`);
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    throw new Error(`${shape} (the user or password is not valid percent-encoding: write % as %25)`);
  }
  return value;
}
