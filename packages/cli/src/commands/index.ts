/** Every CLI command by name. */
import { auditExport } from "./audit/export.ts";
import { auditPurge } from "./audit/purge.ts";
import { auditVerify } from "./audit/verify.ts";
import { backup } from "./backup.ts";
import { check } from "./check.ts";
import type { Command } from "./command.ts";
import { migrate } from "./migrate.ts";
import { outbox } from "./outbox.ts";
import { serve } from "./serve.ts";
import { tenantCreate } from "./tenant/create.ts";
import { userCreate } from "./user/create.ts";
import { userExport } from "./user/export.ts";
import { userImport } from "./user/import.ts";
import { userUnlock } from "./user/unlock.ts";

export const COMMANDS: Readonly<Record<string, Command>> = {
  serve,
  migrate,
  "tenant create": tenantCreate,
  "user create": userCreate,
  "user import": userImport,
  "user export": userExport,
  "user unlock": userUnlock,
  "audit export": auditExport,
  "audit verify": auditVerify,
  "audit purge": auditPurge,
  outbox,
  check,
  backup,
};
