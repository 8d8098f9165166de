/** Every CLI command by name. */
import type { Command } from "./command.ts";
import { migrate } from "./migrate.ts";
import { serve } from "./serve.ts";

export const COMMANDS: Readonly<Record<string, Command>> = {
  serve,
  migrate,
};
