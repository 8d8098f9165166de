/**
 * `POST /users/{id}/password` (users.credentials): an administrator sets a typed or random
 * password, sends a reset link, or marks the password compromised.
 */
import { randomInt } from "node:crypto";
import { appendAudit } from "../audit/audit-writer.ts";
import type { UsersTable } from "../db/schema.ts";
import type { Ctx } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import { inTenantTx, inTx } from "../shared/tx.ts";
import { readSettings } from "../tenants/settings.rules.ts";
import { createTenantStore } from "../tenants/tenants.store.ts";
import { loadTargetWithin } from "../users/user-lifecycle.service.ts";
import { endAccessOf, endedChanges } from "./access-cutoff.ts";
import { type Caller, isOwnAccount } from "./caller.ts";
import { issueCredentialLink } from "./credential-links.ts";
import { createCompromisedPasswordStore, createCredentialTokenStore } from "./credential-tokens.store.ts";
import { passwordContextOf, personOf } from "./password-context.ts";
import {
  checkPassword,
  exceedsHardCap,
  passwordInvalid,
  passwordPolicyFor,
} from "./password-policy.rules.ts";
import { lockEnded, type PasswordWrites } from "./password-writes.ts";

/**
 * Generated passwords: at least 6 groups of 4 from 56 unambiguous characters (about 139 bits), and
 * as many more as the tenant's minimum length needs (up to 13 groups, 64 characters).
 */
const RANDOM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
const RANDOM_GROUPS = 6;
/** Candidates refused before giving up: a random one is refused only by a rule it cannot meet. */
const RANDOM_ATTEMPTS = 100;

export type AdminPasswordInput =
  | { readonly password: string; readonly mustChangePassword?: boolean | undefined }
  | { readonly random: true; readonly mustChangePassword?: boolean | undefined }
  | { readonly sendResetLink: true }
  | { readonly compromised: true };

export type AdminPasswordResult =
  | { readonly kind: "typed" }
  | { readonly kind: "random"; readonly password: string }
  | { readonly kind: "link" };

/**
 * A password from a CSPRNG, long enough for `minLength` (code points), that the policy accepts.
 * The attempts are bounded: with 6 groups whatever the minimum, a tenant minimum of 30 or more
 * refused every candidate and the loop held the event loop for good, every tenant's requests with
 * it (found by the PRODUCT.md audit).
 */
export function generatePassword(minLength: number, accepts: (candidate: string) => boolean): string {
  // n groups of 4 joined by dashes are 5n − 1 characters.
  const count = Math.max(RANDOM_GROUPS, Math.ceil((minLength + 1) / 5));
  for (let attempt = 0; attempt < RANDOM_ATTEMPTS; attempt++) {
    const groups: string[] = [];
    for (let g = 0; g < count; g++) {
      let group = "";
      for (let i = 0; i < 4; i++) group += RANDOM_ALPHABET[randomInt(RANDOM_ALPHABET.length)];
      groups.push(group);
    }
    const candidate = groups.join("-");
    if (accepts(candidate)) return candidate;
  }
  throw new Error(`no generated password of ${count} groups met the policy in ${RANDOM_ATTEMPTS} attempts`);
}

export function createAdminPasswordService(deps: Deps, writes: PasswordWrites) {
  const { nowIso, checkNewPassword, storePassword, notify, tenantOf } = writes;
  return {
    /**
     * `POST /users/{id}/password` (users.credentials; the actor must hold everything the target
     * holds). A typed password (refused with 422 when the tenant forbids it), a random one (returned
     * once), or a reset link. Setting a password ends every session and API token of the user and
     * makes an invited user active; never for oneself (that is `POST /auth/password`).
     */
    async setUserPassword(
      caller: Caller,
      ctx: Ctx,
      id: string,
      input: AdminPasswordInput,
      ifMatch?: number,
    ): Promise<AdminPasswordResult> {
      if (caller.userId === id) {
        throw new AppError(
          "SELF_ACTION_FORBIDDEN",
          "Change your own password with POST /api/v1/auth/password (it asks for the current one)",
        );
      }
      if (isOwnAccount(caller, id)) {
        throw new AppError(
          "SELF_ACTION_FORBIDDEN",
          "An API token cannot set or reset the password of the person who made it",
        );
      }
      const ensureSettable = (user: UsersTable, link: boolean) => {
        const ok = user.virtual === 0 && (link ? user.status === "active" : user.status !== "archived");
        if (!ok) {
          throw new AppError(
            "USER_STATE_INVALID",
            user.virtual === 1
              ? "A virtual user has no password"
              : link
                ? `A reset link is only sent to an active user (this one is ${user.status})`
                : "An archived user cannot get a password; restore it first",
          );
        }
      };

      if ("sendResetLink" in input) {
        await inTenantTx(deps, ctx.tenantId, async (trx) => {
          const user = await loadTargetWithin(trx, caller, id, ifMatch);
          ensureSettable(user, true);
          const tenant = (await createTenantStore(trx).findTenantById(ctx.tenantId))!;
          await issueCredentialLink(deps, trx, tenant, user, "reset", { cause: "administrator" });
          await appendAudit(deps, trx, ctx, {
            action: "user.password_reset_link_sent",
            target: { type: "user", id, label: user.username },
          });
        });
        return { kind: "link" };
      }

      if ("compromised" in input) {
        // The password stops working at once (whoever holds it cannot use it, not even to choose
        // the next one), every session ends, and the owner gets a reset link at the address on record.
        await inTenantTx(deps, ctx.tenantId, async (trx) => {
          const at = nowIso();
          const user = await loadTargetWithin(trx, caller, id, ifMatch);
          ensureSettable(user, true);
          await trx
            .updateTable("users")
            .set({
              password_hash: null,
              password_alone: null,
              must_change_password: 0,
              version: user.version + 1,
              updated_at: at,
            })
            .where("tenant_id", "=", ctx.tenantId)
            .where("id", "=", id)
            .execute();
          if (user.password_hash !== null)
            await createCompromisedPasswordStore(trx, ctx.tenantId).add(id, user.password_hash, at);
          const ended = await endAccessOf(deps, trx, ctx, id, at, "password voided by an administrator");
          const tenant = (await createTenantStore(trx).findTenantById(ctx.tenantId))!;
          await issueCredentialLink(deps, trx, tenant, user, "reset", { cause: "compromised" });
          await appendAudit(deps, trx, ctx, {
            action: "user.password_compromised",
            target: { type: "user", id, label: user.username },
            changes: {
              passwordVoided: { after: true },
              resetLinkSent: { after: true },
              ...endedChanges(ended),
            },
          });
        });
        return { kind: "link" };
      }

      const tenant = await tenantOf(ctx.tenantId);
      const settings = readSettings(tenant.settings);
      const typed = "password" in input;
      if (typed && !settings.adminTypedPasswordsAllowed) {
        throw new AppError(
          "TYPED_PASSWORDS_FORBIDDEN",
          "This practice does not allow administrators to type passwords: send a reset link or set a random password",
          {
            errors: [
              {
                path: "password",
                message: "is not allowed by the practice's settings; send a reset link or set a random one",
              },
            ],
          },
        );
      }
      if (typed && exceedsHardCap(input.password))
        throw passwordInvalid("password", checkPassword(input.password)!);
      // The coverage check first (403 before any word about the password), outside the tenant lock.
      const target = await inTx(deps, async (trx) => {
        const user = await loadTargetWithin(trx, caller, id, ifMatch);
        ensureSettable(user, false);
        return user;
      });
      let password: string;
      if (typed) {
        password = input.password;
        await checkNewPassword("password", password, target, tenant, settings);
      } else {
        const policy = passwordPolicyFor(settings, { mfa: target.mfa_enrolled === 1 });
        const context = await passwordContextOf(deps.db.kysely, tenant, personOf(target));
        password = generatePassword(policy.minLength, (p) => checkPassword(p, { policy, context }) === null);
      }
      const hash = await deps.hasher.hash(password);
      const mustChange = input.mustChangePassword ?? true;
      await inTenantTx(deps, ctx.tenantId, async (trx) => {
        const at = nowIso();
        const user = await loadTargetWithin(trx, caller, id, ifMatch);
        ensureSettable(user, false);
        const activates = user.status === "invited";
        await storePassword(trx, ctx.tenantId, user, { hash, password }, settings, at, {
          must_change_password: mustChange ? 1 : 0,
          ...(activates ? { status: "active" as const } : {}),
        });
        if (activates) await createCredentialTokenStore(trx, ctx.tenantId).voidOpen(id, "invitation", at);
        const ended = await endAccessOf(deps, trx, ctx, id, at, "password set by an administrator");
        await notify(trx, "set_by_administrator", at, user, tenant);
        await appendAudit(deps, trx, ctx, {
          action: "user.password_set",
          target: { type: "user", id, label: user.username },
          changes: {
            method: { after: typed ? "typed" : "random" },
            // The administrator's choice is always recorded; a before only when it changed.
            mustChangePassword:
              (user.must_change_password === 1) === mustChange
                ? { after: mustChange }
                : { before: user.must_change_password === 1, after: mustChange },
            ...endedChanges(ended),
            ...(activates ? { status: { before: "invited", after: "active" } } : {}),
            ...lockEnded(user),
          },
        });
      });
      return typed ? { kind: "typed" } : { kind: "random", password };
    },
  };
}
