/** `staffgate tenant create`: a tenant with its preset roles and first administrator, as the operator. */
import { randomBytes } from "node:crypto";
import { CreateTenantBody } from "@staffgate/contract";
import { isAppError } from "@staffgate/core";
import type { Command } from "../command.ts";
import { parseArgs } from "../command.ts";
import { CommandError, withCore } from "../open-core.ts";

const USAGE =
  "staffgate tenant create --slug s --name n --admin-username u --admin-email e --admin-first f --admin-last l [--preset p]";

export const tenantCreate: Command = {
  usage: USAGE,
  summary: "Create a tenant and its administrator (password from STAFFGATE_ADMIN_PASSWORD or generated)",
  run(args) {
    const { options } = parseArgs(args, [
      "slug",
      "name",
      "admin-username",
      "admin-email",
      "admin-first",
      "admin-last",
      "preset",
    ]);
    const text = (key: string) => (typeof options[key] === "string" ? options[key] : undefined);
    // The password never comes from argv: command lines end up in shell history and `ps`.
    const given = process.env.STAFFGATE_ADMIN_PASSWORD;
    const password = given || randomBytes(18).toString("base64url");
    const parsed = CreateTenantBody.safeParse({
      slug: text("slug"),
      name: text("name"),
      ...(text("preset") ? { catalogPreset: text("preset") } : {}),
      admin: {
        username: text("admin-username"),
        email: text("admin-email"),
        firstName: text("admin-first"),
        lastName: text("admin-last"),
        password,
      },
    });
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
      process.stderr.write(`Usage: ${USAGE}\n${problems}\n`);
      return Promise.resolve(2);
    }
    return withCore(async (core) => {
      try {
        const { tenant } = await core.tenants.createTenant(
          { ip: null, userAgent: "staffgate-cli", requestId: null },
          parsed.data,
          { mustChangePassword: !given },
        );
        process.stdout.write(`Created tenant ${tenant.slug} (${tenant.id}), catalogue ${tenant.catalog}\n`);
      } catch (error) {
        if (isAppError(error)) throw new CommandError(error.message);
        throw error;
      }
      if (!given) {
        process.stdout.write(
          `Administrator ${parsed.data.admin.username} password (shown once): ${password}\n`,
        );
      }
      return 0;
    });
  },
};
