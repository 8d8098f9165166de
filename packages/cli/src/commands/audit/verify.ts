/**
 * `staffgate audit verify --tenant <slug>`: walk the tenant's hash chain. Exit 0 when it holds, 1
 * when it is broken, 3 when it could not be verified (no such tenant, no database), as `check`
 * keeps 1 for its answer: a script must tell tampering from a typo.
 */
import type { Command } from "../command.ts";
import { parseArgs, requireFlags } from "../flags.ts";
import { tenantBySlug, withCoreFlags } from "../open-core.ts";

/** The exit code when the chain could not be verified: 1 is "broken". */
const VERIFY_FAILED = 3;

/** The flags it takes (the one parser: flags.ts). */
const FLAGS = { values: ["tenant"] } as const;

export const auditVerify: Command = {
  flags: FLAGS,
  usage: "staffgate audit verify --tenant <slug>",
  summary: "Verify a tenant's audit hash chain (--tenant <slug>)",
  run(args) {
    const { options } = parseArgs(args, FLAGS);
    requireFlags(options, ["tenant"]);
    return withCoreFlags({ failureCode: VERIFY_FAILED }, async (core) => {
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
