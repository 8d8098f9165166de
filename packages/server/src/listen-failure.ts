/** Why listening failed, in the configuration's words: Node's (`EADDRINUSE 127.0.0.1:3000`) name no setting. */
import type { Config } from "./config.ts";

export function listenFailureMessage(error: unknown, config: Pick<Config, "host" | "port">): string | null {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const { host, port } = config;
  switch (code) {
    case "EADDRINUSE":
      return `PORT ${port} on HOST ${host} is already in use (EADDRINUSE): stop what holds it, or set PORT (or --port) to a free port`;
    case "EADDRNOTAVAIL":
      return `HOST ${host} is not an address of this machine (EADDRNOTAVAIL): set HOST (or --host) to one of its addresses, such as 127.0.0.1 or 0.0.0.0`;
    case "EACCES":
      return `PORT ${port} may not be opened by this user (EACCES): set PORT (or --port) to a port above 1023`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `HOST ${host} cannot be resolved (${code}): set HOST (or --host) to an address of this machine or a name it resolves`;
    default:
      return null;
  }
}
