/**
 * The first section of Settings: the practice's name and the time zone its emails give times in,
 * saved on their own (PATCH /api/v1/tenant, If-Match on the version the page holds), and the
 * Practice ID staff type to sign in, shown but not changed here. The API judges the name: its
 * refusal is said beside the field, and the focus taken there. A save reads `/auth/me` again, so
 * the header names the practice anew at once.
 */
import type { TenantProfile } from "@staffgate/contract";
import { type FormEvent, useEffect, useMemo, useRef, useState } from "react";
import { fieldErrors, problemCode, problemMessage } from "../../api.ts";
import { Field, SelectField } from "../../components/Field.tsx";
import { focusFirstInvalid } from "../../components/keepFocus.ts";
import { ErrorAlert, Notice } from "../../components/Messages.tsx";
import { useApi, useSession } from "../../session.tsx";
import {
  draftOf,
  type ProfileDraft,
  profileChanges,
  profileErrors,
  savedWords,
  timeZoneChoices,
  zoneWords,
} from "./practiceProfile.ts";

export const STALE_SETTINGS =
  "Nothing was saved: someone else changed the settings since this page opened. Reload the page.";

export function PracticeSection(props: {
  /** As saved, at the version the page holds (a security settings save moves it along). */
  readonly profile: TenantProfile;
  /** Saved: the new profile, and the version it was saved over. */
  readonly onSaved: (next: TenantProfile, from: number) => void;
  /** Whether anything typed is unsaved (the page asks before leaving). */
  readonly onPending: (pending: boolean) => void;
}) {
  const { profile, onPending } = props;
  const api = useApi();
  const { refresh } = useSession();
  const [draft, setDraft] = useState<ProfileDraft>(() => draftOf(profile));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const zones = useMemo(() => timeZoneChoices(profile.timeZone), [profile.timeZone]);
  const pending = Object.keys(profileChanges(profile, draft)).length > 0;

  useEffect(() => onPending(pending), [onPending, pending]);
  useEffect(() => {
    if (form.current && Object.keys(errors).length > 0) focusFirstInvalid(form.current);
  }, [errors]);

  const set = (key: keyof ProfileDraft, value: string) => setDraft((d) => ({ ...d, [key]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setNotice(null);
    setErrors({});
    const body = profileChanges(profile, draft);
    if (Object.keys(body).length === 0) {
      setNotice("Nothing to save: the name and time zone are as saved.");
      return;
    }
    setBusy(true);
    try {
      const next = await api.tenant.update(body, { ifMatch: profile.version });
      props.onSaved(next, profile.version);
      setDraft(draftOf(next));
      setNotice(savedWords(body));
      // The header names the practice from /auth/me: read it again.
      refresh().catch(() => undefined);
    } catch (e) {
      const { fields, other } = profileErrors(fieldErrors(e));
      setErrors(fields);
      if (problemCode(e) === "PRECONDITION_FAILED") setError(STALE_SETTINGS);
      else if (Object.keys(fields).length > 0 && other.length === 0) {
        setError("Nothing was saved. Correct the fields marked below.");
      } else setError([problemMessage(e), ...other].join(" "));
    }
    setBusy(false);
  };

  return (
    <form ref={form} className="settings-form" onSubmit={submit} aria-busy={busy} noValidate>
      <fieldset>
        <legend>Practice</legend>
        <ErrorAlert>{error}</ErrorAlert>
        <div className="settings-grid">
          <Field
            label="Practice name"
            name="name"
            maxLength={120}
            required
            value={draft.name}
            onChange={(e) => set("name", e.target.value)}
            error={errors.name}
          />
          <SelectField
            label="Time zone"
            name="timeZone"
            value={draft.timeZone}
            onChange={(e) => set("timeZone", e.target.value)}
            error={errors.timeZone}
            hint="Times in emails are given in this time zone."
          >
            {zones.map((zone) => (
              <option key={zone} value={zone}>
                {zoneWords(zone)}
              </option>
            ))}
          </SelectField>
          <Field
            label="Practice ID"
            name="slug"
            value={profile.slug}
            readOnly
            hint="Staff type this to sign in, as “Tenant/Practice Name”. It cannot be changed here."
          />
        </div>
        <Notice>{notice}</Notice>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Update practice
          </button>
        </div>
      </fieldset>
    </form>
  );
}
