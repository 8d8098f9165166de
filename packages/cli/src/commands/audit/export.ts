/**
 * `staffgate audit export --tenant <slug> [--format csv|jsonl] [filters]`: the trail to stdout,
 * audited, with the filters of `GET /api/v1/audit/export` under the same rules (AuditExportQuery),
 * so an inspector's request ("user x, in March") is answered without exporting everything.
 */
import { AuditExportQuery } from "@staffgate/contract";
import { type Command, UsageError } from "../command.ts";
import { issuesOf, namedProblems, parseArgs, requireFlags } from "../flags.ts";
import { operatorCtx, tenantBySlug, withCore } from "../open-core.ts";
import { writeAll } from "../stdout.ts";

/** Each filter flag and the API's query field it stands for. */
const FILTERS = {
  from: "from",
  to: "to",
  actor: "actor",
  "actor-id": "actorId",
  action: "action",
  "target-id": "targetId",
  ip: "ip",
  "patient-ref": "patientRef",
  q: "q",
} as const;
type FilterFlag = keyof typeof FILTERS;

const RANGE_BOUND = "must be a date (YYYY-MM-DD) or an ISO 8601 date-time with its offset";

const FLAG_OF: Readonly<Record<string, string>> = {
  format: "--format",
  ...Object.fromEntries(Object.entries(FILTERS).map(([flag, field]) => [field, `--${flag}`])),
};

/** The flags it takes (the one parser: flags.ts). */
const FLAGS = {
  values: ["tenant", "format", ...(Object.keys(FILTERS) as FilterFlag[])],
} as const;

export const auditExport: Command = {
  flags: FLAGS,
  usage:
    "staffgate audit export --tenant <slug> [--format csv|jsonl] [--from <date>] [--to <date>] [--actor <user>] [--actor-id <id>] [--action <action>] [--target-id <id>] [--ip <address>] [--patient-ref <ref>] [--q <text>]",
  summary: "Export a tenant's audit trail to stdout (--tenant <slug> [--format csv|jsonl] [filters])",
  details: [
    "Filters, as GET /api/v1/audit/export takes them (all optional; together they narrow):",
    "  --from, --to   a date (2020-01-31: --from its start, --to its end, UTC) or an ISO 8601 date-time with its offset",
    "  --actor        the acting user's username at the time of each event (any case)",
    "  --actor-id     the acting user's id: their events before and after a rename, no one else's",
    "  --action       an action, such as user.created, or a family, such as user.*",
    "  --target-id    the id of the event's target",
    "  --ip           the client address",
    "  --patient-ref  the events about this patient, exactly (grants, recorded decisions, who-can, elevations)",
    "  --q            text in the action, actor, target or changes (any case)",
    "--format: jsonl (default) or csv.",
  ].join("\n"),
  run(args) {
    const { options } = parseArgs(args, FLAGS);
    requireFlags(options, ["tenant"]);
    const parsed = AuditExportQuery.safeParse({
      format: options.format,
      ...Object.fromEntries(
        (Object.keys(FILTERS) as FilterFlag[])
          .filter((flag) => options[flag] !== undefined)
          .map((flag) => [FILTERS[flag], options[flag]]),
      ),
    });
    if (!parsed.success) {
      const issues = issuesOf(parsed.error.issues).map(({ path, message }) => ({
        path,
        // The API's words name its fields, and its date union reports only one branch's failure.
        message:
          message === "must not be before from"
            ? "must not be before --from"
            : (path === "from" || path === "to") && !message.startsWith("must")
              ? RANGE_BOUND
              : message,
      }));
      throw new UsageError(namedProblems(issues, FLAG_OF));
    }
    return withCore(async (core) => {
      const tenant = await tenantBySlug(core, options.tenant);
      // The operator at the console exports: recorded as such in the audit.exported event.
      const ctx = operatorCtx(tenant.id);
      await writeAll(await core.audit.exportText(ctx, parsed.data));
      return 0;
    });
  },
};
