/** `staffgate serve`: start the service (migrates, bootstraps the demo tenant on an empty database). */
import { loadConfig, startServer } from "@staffgate/server";
import type { Command } from "./command.ts";

export const serve: Command = {
  summary: "Start the service (PORT, HOST, DATABASE_URL, STAFFGATE_CATALOG, …)",
  async run() {
    await startServer(loadConfig());
    return 0;
  },
};
