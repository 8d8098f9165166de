/**
 * The "User Information" tab: names, sign-in identity, work role, contact and professional
 * details, the account's expiry, and the password (create; edit when the caller may set it).
 */
import { useId } from "react";
import { ExpiresField } from "../../components/ExpiresField.tsx";
import { Field, NamedOptions, SelectField, TextAreaField } from "../../components/Field.tsx";
import { useSession } from "../../session.tsx";
import { byName, type WorkRole } from "./options.ts";
import type { UserFormValues } from "./userFormValues.ts";

export interface FieldsProps {
  readonly mode: "create" | "edit";
  readonly values: UserFormValues;
  readonly errors: Readonly<Record<string, string>>;
  readonly set: <K extends keyof UserFormValues>(key: K, value: UserFormValues[K]) => void;
}

type TextKey =
  | "firstName"
  | "lastName"
  | "email"
  | "username"
  | "phone"
  | "title"
  | "employeeNumber"
  | "initials"
  | "prescriberId";

interface TextFieldDef {
  readonly key: TextKey;
  readonly label: string;
  readonly type?: "email" | "tel";
  readonly hint?: string;
  readonly spellCheck?: false;
  readonly required?: true;
}

/** Who the user is and how they sign in: above the work role. */
const IDENTITY: readonly TextFieldDef[] = [
  { key: "firstName", label: "First name", required: true },
  { key: "lastName", label: "Last name", required: true },
  { key: "email", label: "Email", type: "email", required: true },
  { key: "username", label: "Username", spellCheck: false, required: true },
];

/** Contact and payroll details: below it. */
const DETAILS: readonly TextFieldDef[] = [
  { key: "phone", label: "Phone", type: "tel", hint: "International format, e.g. +44 20 7946 0000." },
  { key: "title", label: "Title" },
  { key: "employeeNumber", label: "Employee number" },
  { key: "initials", label: "Initials", hint: "Empty: taken from the names.", spellCheck: false },
  { key: "prescriberId", label: "Prescriber ID", spellCheck: false },
];

export function UserInfoFields(
  props: FieldsProps & {
    readonly workRoles: readonly WorkRole[];
    /** Edit: the signed-in person may set this user's password (W8). */
    readonly passwordSettable?: boolean;
    /** Edit: whether the user is virtual now, when the signed-in person may switch it (not their own). */
    readonly wasVirtual?: boolean | undefined;
  },
) {
  const { values: v, errors, set, mode } = props;
  const workRole = props.workRoles.find((w) => w.name === v.workRole);
  // A work role the tenant has since dropped stays choosable for the user who still has it.
  const choices =
    v.workRole && !workRole
      ? [...props.workRoles, { name: v.workRole, professionalIdLabel: null }]
      : props.workRoles;
  const text = ({ key, ...def }: TextFieldDef) => (
    <Field
      key={key}
      {...def}
      value={v[key]}
      onChange={(e) => set(key, e.target.value)}
      error={errors[key]}
      autoComplete="off"
    />
  );
  return (
    <div className="user-form-grid">
      {IDENTITY.map(text)}
      <SelectField
        label="Work role"
        value={v.workRole}
        onChange={(e) => set("workRole", e.target.value)}
        error={errors.workRole}
      >
        <NamedOptions empty="None" items={choices.map(byName)} />
      </SelectField>
      {workRole?.professionalIdLabel && (
        <Field
          label={workRole.professionalIdLabel}
          value={v.professionalId}
          onChange={(e) => set("professionalId", e.target.value)}
          error={errors.professionalId}
          autoComplete="off"
        />
      )}
      {DETAILS.map(text)}
      <MoreFields {...props} />
      {mode === "create" && <CreateOnlyFields {...props} />}
      {mode === "edit" && props.wasVirtual !== undefined && (
        <VirtualSwitch {...props} wasVirtual={props.wasVirtual} />
      )}
      {mode === "edit" && props.passwordSettable && !v.virtual && (
        <div className="user-form-wide">
          <PasswordFields {...props} />
        </div>
      )}
    </div>
  );
}

/** Free-text qualifications and expertise, and when the account ends (Provet's expiration). */
/** The free-text fields that take a few lines. */
const LONG_TEXTS = [
  ["qualifications", "Qualifications"],
  ["areasOfExpertise", "Areas of expertise"],
] as const;

function MoreFields({ values: v, errors, set }: FieldsProps) {
  return (
    <>
      {LONG_TEXTS.map(([key, label]) => (
        <div className="user-form-wide" key={key}>
          <TextAreaField
            label={label}
            rows={2}
            value={v[key]}
            onChange={(e) => set(key, e.target.value)}
            error={errors[key]}
          />
        </div>
      ))}
      <ExpiresField
        label="Account expires"
        value={v.expiresAt}
        onChange={(value) => set("expiresAt", value)}
        error={errors.expiresAt}
        hint="Empty: never. At that moment the account is archived and its sessions end."
      />
    </>
  );
}

/** Edit: Provet's "Virtual user" flag, saying what switching it does before it is saved. */
function VirtualSwitch({
  values: v,
  errors,
  set,
  wasVirtual,
}: FieldsProps & { readonly wasVirtual: boolean }) {
  const id = useId();
  const hint =
    v.virtual === wasVirtual
      ? null
      : v.virtual
        ? "Saving removes their password and two-factor sign-in, ends their sessions and revokes the API tokens they made."
        : "Saving emails them an invitation to choose a password.";
  return (
    <div className="user-form-wide">
      <label className="check">
        <input
          type="checkbox"
          checked={v.virtual}
          onChange={(e) => set("virtual", e.target.checked)}
          aria-invalid={errors.virtual ? true : undefined}
          // What saving will do, and a refusal, are read with the box.
          aria-describedby={
            [hint ? `${id}-hint` : "", errors.virtual ? `${id}-error` : ""].join(" ").trim() || undefined
          }
        />
        Virtual user (listed and schedulable, but never signs in)
      </label>
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      {errors.virtual && (
        <p id={`${id}-error`} className="field-error">
          {errors.virtual}
        </p>
      )}
    </div>
  );
}

function CreateOnlyFields(props: FieldsProps) {
  const { values: v, set } = props;
  return (
    <div className="user-form-wide">
      <label className="check">
        <input type="checkbox" checked={v.virtual} onChange={(e) => set("virtual", e.target.checked)} />
        Virtual user (listed and schedulable, but never signs in)
      </label>
      {!v.virtual && <PasswordFields {...props} />}
    </div>
  );
}

type PasswordMode = UserFormValues["passwordMode"];

/** The ways to give a password: on create (W1, W2), and on edit (W8: Prevounce's Edit). */
const PASSWORD_CHOICES: Record<FieldsProps["mode"], readonly (readonly [PasswordMode, string])[]> = {
  create: [
    ["invite", "Send an invitation link"],
    ["set", "Set it now"],
  ],
  edit: [
    ["keep", "Keep the current password"],
    ["set", "Type one now"],
    ["random", "Set a random password"],
  ],
};

/** What the person may do instead when the practice forbids typed passwords. */
const TYPED_INSTEAD: Record<FieldsProps["mode"], string> = {
  create: "the user chooses one from the invitation link.",
  edit: "set a random one, or keep the current one.",
};

/**
 * The "Password" choices. A practice that forbids typed passwords refuses one
 * (TYPED_PASSWORDS_FORBIDDEN): that choice is not offered, and the part says why.
 */
function PasswordFields({ mode, values: v, errors, set }: FieldsProps) {
  const typedAllowed = useSession().me.practice.adminTypedPasswordsAllowed;
  const typed = typedAllowed && v.passwordMode === "set";
  return (
    <fieldset className="choice">
      <legend>Password</legend>
      {PASSWORD_CHOICES[mode]
        .filter(([choice]) => typedAllowed || choice !== "set")
        .map(([choice, label]) => (
          <label key={choice}>
            <input
              type="radio"
              name="passwordMode"
              checked={v.passwordMode === choice}
              onChange={() => set("passwordMode", choice)}
            />
            {label}
          </label>
        ))}
      {!typedAllowed && (
        <p className="hint">
          Your practice does not let administrators type a password: {TYPED_INSTEAD[mode]}
        </p>
      )}
      {typed && (
        <Field
          label={mode === "create" ? "Password" : "New password"}
          type="password"
          autoComplete="new-password"
          value={v.password}
          onChange={(e) => set("password", e.target.value)}
          error={errors.password}
          required
        />
      )}
      {(typed || v.passwordMode === "random") && (
        <label className="check">
          <input
            type="checkbox"
            checked={v.mustChangePassword}
            onChange={(e) => set("mustChangePassword", e.target.checked)}
          />
          Must change it at next sign-in
        </label>
      )}
    </fieldset>
  );
}
