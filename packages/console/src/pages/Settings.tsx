/**
 * Settings (W15, Prevounce's "Security tab → Save All"): two tabs, "Security" (shown first) with
 * every tenant security setting, grouped, and "Practice" with the practice's name and time zone,
 * saved on their own (settings/PracticeSection.tsx). "Save All" sends only what changed, with If-Match on the settings' version. A value that is not
 * a whole number within its bounds is refused before anything is sent (every one at once, in the
 * contract's words: fields.ts), as the API would refuse the whole change; each error beside its
 * field, said at the top of the form, and the focus taken to the first of them. The profile and the
 * settings are one tenant row with one version: a save of either moves the version the page holds
 * for the other, so saving the other next is not refused as stale.
 */
import { type FormEvent, useEffect, useRef, useState } from "react";
import { fieldErrors, problemCode, problemMessage } from "../api.ts";
import { useFocusFirstInvalid } from "../components/keepFocus.ts";
import { LoadState } from "../components/LoadState.tsx";
import { ErrorAlert, Notice } from "../components/Messages.tsx";
import { NoAccess } from "../components/NoAccess.tsx";
import { Tabs } from "../components/Tabs.tsx";
import { useLoad } from "../components/useLoad.ts";
import { listAll } from "../listAll.ts";
import { useLeaveGuard } from "../router.tsx";
import { useApi, useSession } from "../session.tsx";
import "../styles/admin.css";
import type { Permission, TenantProfile } from "@staffgate/contract";
import type { Role } from "../types.ts";
import {
  boundsError,
  SETTING_GROUPS,
  type SettingDef,
  type SettingKey,
  type Settings,
} from "./settings/fields.ts";
import { PracticeSection, STALE_SETTINGS } from "./settings/PracticeSection.tsx";
import { carriedVersion } from "./settings/practiceProfile.ts";
import { type Draft, SettingInput } from "./settings/SettingInput.tsx";
import { rebaseStale } from "./settings/staleSave.ts";

const DEFS: readonly SettingDef[] = SETTING_GROUPS.flatMap((g) => g.fields);

type Drafts = Partial<Record<SettingKey, Draft>>;

function draftsOf(settings: Settings): Drafts {
  const out: Drafts = {};
  for (const d of DEFS) {
    const value = settings[d.key];
    if (d.kind === "boolean") out[d.key] = value === true;
    else if (d.kind === "role") out[d.key] = typeof value === "string" ? value : "";
    else if (d.kind === "permissions") out[d.key] = Array.isArray(value) ? [...value].sort() : null;
    else out[d.key] = String(value);
  }
  return out;
}

/** An error the API named inside a list setting (`emergencyPermissions.1`), shown beside the list. */
function errorWithin(errors: Record<string, string>, key: string): string | undefined {
  const inner = Object.keys(errors).find((k) => k.startsWith(`${key}.`));
  return inner === undefined ? undefined : errors[inner];
}

/**
 * The changed settings as the API takes them, or the fields that are not whole numbers within
 * their bounds: every one of those at once, in the API's words (a value out of bounds was left to
 * the API, which named it only after the others had been corrected and saved again).
 */
function changesOf(
  saved: Settings,
  drafts: Drafts,
): { body: Record<string, unknown>; invalid: Record<string, string> } {
  const body: Record<string, unknown> = {};
  const invalid: Record<string, string> = {};
  for (const d of DEFS) {
    const draft = drafts[d.key];
    if (draft === undefined) continue;
    let value: unknown = draft;
    if (d.kind === "number") {
      const text = String(draft).trim();
      if (!/^-?\d+$/.test(text)) {
        invalid[d.key] = `Enter a whole number of ${d.unit}.`;
        continue;
      }
      value = Number(text);
      // Only a changed value: one already saved stands whatever the bounds became.
      const refused = value === saved[d.key] ? undefined : boundsError(d, value as number);
      if (refused) {
        invalid[d.key] = refused;
        continue;
      }
    } else if (d.kind === "role") {
      value = draft === "" ? null : draft;
    }
    // Lists compare by content: a permission set ticked back to what was saved is no change.
    if (JSON.stringify(value) !== JSON.stringify(saved[d.key])) body[d.key] = value;
  }
  return { body, invalid };
}

type Api = ReturnType<typeof useApi>;

async function heldBackTokens(api: Api) {
  return (await listAll((page) => api.apiTokens.list(page))).filter(
    (t) => t.heldBack && t.revokedAt === null,
  );
}

async function heldBackIds(api: Api): Promise<ReadonlySet<string>> {
  return new Set((await heldBackTokens(api)).map((t) => t.id));
}

/** The API tokens held back since `before` (an MFA requirement saved), in words; null when none. */
async function newlyHeldBack(api: Api, before: ReadonlySet<string>): Promise<string | null> {
  const held = (await heldBackTokens(api)).filter((t) => !before.has(t.id));
  if (held.length === 0) return null;
  const names = held.map((t) => `“${t.name}”`).join(", ");
  return held.length === 1
    ? `The API token ${names} is held back: its requests are refused until the person who made it enrols in two-factor sign-in (or it is replaced, on API tokens).`
    : `${held.length} API tokens are held back: ${names}. Their requests are refused until the people who made them enrol in two-factor sign-in (or they are replaced, on API tokens).`;
}

export function SettingsPage() {
  const { can } = useSession();
  // Checked before anything loads: a page nobody may open asks the API nothing (each refusal would
  // be an `authz.failed` in the audit).
  if (!can("settings.manage")) {
    return <NoAccess title="Settings" what="managing the security settings" needs={["settings.manage"]} />;
  }
  return <SettingsView />;
}

function SettingsView() {
  const api = useApi();
  const { refresh, can } = useSession();
  const [state] = useLoad(() => api.settings.get(), [api]);
  // Formal roles only (a private role is never a default); every page of them.
  const [roles] = useLoad<readonly Role[]>(
    async () => (await listAll((page) => api.roles.list(page))).filter((r) => !r.private),
    [api],
  );
  const [catalogue] = useLoad<readonly Permission[]>(async () => (await api.permissions.list()).items, [api]);
  const [profileState] = useLoad(() => api.tenant.get(), [api]);
  const [profile, setProfile] = useState<TenantProfile | null>(null);
  const [practicePending, setPracticePending] = useState(false);
  const [tab, setTab] = useState<"security" | "practice">("security");
  const [saved, setSaved] = useState<Settings | null>(null);
  const [drafts, setDrafts] = useState<Drafts>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  // Save All is at the end of a long page: the first setting to correct is brought to the person.
  useFocusFirstInvalid(form, errors, Object.keys(errors).length > 0);

  useEffect(() => {
    if (state.kind === "ready") {
      setSaved(state.value);
      setDrafts(draftsOf(state.value));
    }
  }, [state]);
  useEffect(() => {
    if (profileState.kind === "ready") setProfile(profileState.value);
  }, [profileState]);

  // A field that does not read as a number is a change too: leaving would lose it unsaid.
  const changes = saved ? changesOf(saved, drafts) : null;
  const pending = changes ? Object.keys(changes.body).length + Object.keys(changes.invalid).length : 0;
  // Unsaved settings are not lost to a stray click: leaving asks first.
  useLeaveGuard(leaveQuestion(practicePending, pending > 0));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!saved) return;
    setError(null);
    setNotice(null);
    const { body, invalid } = changesOf(saved, drafts);
    if (Object.keys(invalid).length > 0) {
      setErrors(invalid);
      setError("Nothing was saved. Correct the settings marked below.");
      return;
    }
    setErrors({});
    if (Object.keys(body).length === 0) {
      setNotice("Nothing to save: no setting was changed.");
      return;
    }
    setBusy(true);
    // A stricter MFA requirement holds back the API tokens of makers who must now enrol: the
    // clinical application's requests are refused from the next one, so the save says which.
    const tokensBefore =
      "mfaRequired" in body && can("api_tokens.manage") ? await heldBackIds(api).catch(() => null) : null;
    try {
      const next = await api.settings.update(body, { ifMatch: saved.version });
      setSaved(next);
      setProfile((p) => p && { ...p, version: carriedVersion(p.version, saved.version, next.version) });
      setDrafts(draftsOf(next));
      const n = Object.keys(body).length;
      const done = `Saved ${n} change${n === 1 ? "" : "s"} to the security settings.`;
      setNotice(done);
      if (tokensBefore) {
        newlyHeldBack(api, tokensBefore)
          .then((words) => words && setNotice(`${done} ${words}`))
          .catch(() => undefined);
      }
      // The signed-in session reads its idle limit (the idle clock's), its confinement (the MFA
      // requirement) and the practice's rules from /auth/me, which a save may all change: read
      // again, or the clock counted to the old limit while the server ended the session.
      refresh().catch(() => undefined);
    } catch (e) {
      const byField = fieldErrors(e);
      setErrors(byField);
      if (problemCode(e) === "PRECONDITION_FAILED") {
        // Their save is read, and what was typed here is kept on top of it (staleSave.ts).
        const now = await api.settings.get().catch(() => null);
        if (now) {
          const rebased = rebaseStale(
            DEFS,
            draftsOf(saved),
            draftsOf(now),
            drafts,
            Object.keys(body) as SettingKey[],
          );
          setSaved(now);
          setDrafts(rebased.drafts);
          setError(rebased.message);
        } else setError(STALE_SETTINGS);
      } else if (Object.keys(byField).length > 0) {
        setError("Nothing was saved. Correct the settings marked below.");
      } else {
        setError(problemMessage(e));
      }
    }
    setBusy(false);
  };

  return (
    <>
      <h1>Settings</h1>
      <p className="muted">
        The practice’s name and time zone, and the tenant’s security policy. Floors set by NIST and HIPAA
        cannot be lowered. Every change is recorded in the audit log.
      </p>
      {/* Both panels stay in the page: each form keeps what was typed while the other tab is shown. */}
      <Tabs
        label="Settings"
        selected={tab}
        onSelect={setTab}
        tabs={[
          {
            id: "security",
            label: "Security",
            invalid: Object.keys(errors).length > 0,
            keepMounted: true,
            panel: (
              <LoadState state={state} loading="Loading settings…">
                {() =>
                  saved && (
                    <form ref={form} className="settings-form" onSubmit={submit} aria-busy={busy} noValidate>
                      {/* At the top, where the settings begin: the one to correct may be far above Save All. */}
                      <ErrorAlert>{error}</ErrorAlert>
                      {SETTING_GROUPS.map((group) => (
                        <fieldset key={group.title}>
                          <legend>{group.title}</legend>
                          <div className="settings-grid">
                            {group.fields.map((def) => (
                              <SettingInput
                                key={def.key}
                                def={def}
                                value={drafts[def.key] ?? ""}
                                error={errors[def.key] ?? errorWithin(errors, def.key)}
                                roles={roles}
                                catalogue={catalogue}
                                onChange={(v) => setDrafts((d) => ({ ...d, [def.key]: v }))}
                              />
                            ))}
                          </div>
                        </fieldset>
                      ))}
                      <Notice>{notice}</Notice>
                      <div className="actions">
                        <span className="muted">
                          {pending === 0
                            ? "No unsaved changes."
                            : `${pending} unsaved change${pending === 1 ? "" : "s"}.`}
                        </span>
                        <button
                          type="button"
                          disabled={busy || pending === 0}
                          onClick={() => {
                            setDrafts(draftsOf(saved));
                            setErrors({});
                            setError(null);
                          }}
                        >
                          Undo changes
                        </button>
                        <button type="submit" className="primary" disabled={busy}>
                          Save All
                        </button>
                      </div>
                    </form>
                  )
                }
              </LoadState>
            ),
          },
          {
            id: "practice",
            label: "Practice",
            keepMounted: true,
            panel: (
              <LoadState state={profileState} loading="Loading the practice…">
                {() =>
                  profile && (
                    <PracticeSection
                      profile={profile}
                      onPending={setPracticePending}
                      onSaved={(next, from) => {
                        setProfile(next);
                        setSaved(
                          (s) => s && { ...s, version: carriedVersion(s.version, from, next.version) },
                        );
                      }}
                    />
                  )
                }
              </LoadState>
            ),
          },
        ]}
      />
    </>
  );
}

/** What leaving asks while something typed is unsaved, or null. */
function leaveQuestion(practice: boolean, security: boolean): string | null {
  if (practice && security) return "Discard unsaved changes to the practice and the security settings?";
  if (practice) return "Discard unsaved changes to the practice’s name and time zone?";
  return security ? "Discard unsaved changes to the security settings?" : null;
}
