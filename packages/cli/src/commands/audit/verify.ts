/** `staffgate audit verify --tenant <slug>`: walk the tenant's hash chain; exit 1 when it is broken. */
import type { Command } from "../command.ts";
import { parseArgs, requireFlags } from "../flags.ts";
import { tenantBySlug, withCore } from "../open-core.ts";

/** The flags it takes (the one parser: flags.ts). */
const FLAGS = { values: ["tenant"] } as const;

export const auditVerify: Command = {
  flags: FLAGS,
  usage: "staffgate audit verify --tenant <slug>",
  summary: "Verify a tenant's audit hash chain (--tenant <slug>)",
  run(args) {
    const { options } = parseArgs(args, FLAGS);
    requireFlags(options, ["tenant"]);
    return withCore(async (core) => {
      const tenant = await tenantBySlug(core, options.tenant);
      const verdict = await core.audit.verifyChain(tenant.id);
      if (verdict.ok) {
        process.stdout.write(`ok: ${verdict.checked} events checked\n`);
        return 0;
      }
      process.stdout.write(`BROKEN at seq ${verdict.firstBrokenSeq} (${verdict.checked} checked)\n`);
      return 1;
    });
  },
};
