/** The "User Information" tab: names, sign-in identity, contact, work role, and (create) the password. */
import { Field, SelectField } from "../../components/Field.tsx";
import type { WorkRole } from "./options.ts";
import type { UserFormValues } from "./userFormValues.ts";

export interface FieldsProps {
  readonly mode: "create" | "edit";
  readonly values: UserFormValues;
  readonly errors: Readonly<Record<string, string>>;
  readonly set: <K extends keyof UserFormValues>(key: K, value: UserFormValues[K]) => void;
}

export function UserInfoFields(props: FieldsProps & { readonly workRoles: readonly WorkRole[] }) {
  const { values: v, errors, set, mode } = props;
  const workRole = props.workRoles.find((w) => w.name === v.workRole);
  // A work role the tenant has since dropped stays choosable for the user who still has it.
  const choices =
    v.workRole && !workRole
      ? [...props.workRoles, { name: v.workRole, professionalIdLabel: null }]
      : props.workRoles;
  return (
    <div className="user-form-grid">
      <Field
        label="First name"
        value={v.firstName}
        onChange={(e) => set("firstName", e.target.value)}
        error={errors.firstName}
        autoComplete="off"
        required
      />
      <Field
        label="Last name"
        value={v.lastName}
        onChange={(e) => set("lastName", e.target.value)}
        error={errors.lastName}
        autoComplete="off"
        required
      />
      <Field
        label="Email"
        type="email"
        value={v.email}
        onChange={(e) => set("email", e.target.value)}
        error={errors.email}
        autoComplete="off"
        required
      />
      <Field
        label="Username"
        value={v.username}
        onChange={(e) => set("username", e.target.value)}
        error={errors.username}
        autoComplete="off"
        spellCheck={false}
        required
      />
      <SelectField
        label="Work role"
        value={v.workRole}
        onChange={(e) => set("workRole", e.target.value)}
        error={errors.workRole}
      >
        <option value="">None</option>
        {choices.map((w) => (
          <option key={w.name} value={w.name}>
            {w.name}
          </option>
        ))}
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
      <Field
        label="Phone"
        type="tel"
        value={v.phone}
        onChange={(e) => set("phone", e.target.value)}
        error={errors.phone}
        autoComplete="off"
        hint="International format, e.g. +44 20 7946 0000."
      />
      <Field
        label="Title"
        value={v.title}
        onChange={(e) => set("title", e.target.value)}
        error={errors.title}
        autoComplete="off"
      />
      <Field
        label="Employee number"
        value={v.employeeNumber}
        onChange={(e) => set("employeeNumber", e.target.value)}
        error={errors.employeeNumber}
        autoComplete="off"
      />
      {mode === "create" && <CreateOnlyFields {...props} />}
    </div>
  );
}

function CreateOnlyFields({ values: v, errors, set }: FieldsProps) {
  return (
    <div className="user-form-wide">
      <label className="check">
        <input type="checkbox" checked={v.virtual} onChange={(e) => set("virtual", e.target.checked)} />
        Virtual user (listed and schedulable, but never signs in)
      </label>
      {!v.virtual && (
        <fieldset className="choice">
          <legend>Password</legend>
          <label>
            <input
              type="radio"
              name="passwordMode"
              checked={v.passwordMode === "invite"}
              onChange={() => set("passwordMode", "invite")}
            />
            Send an invitation email to set a password
          </label>
          <label>
            <input
              type="radio"
              name="passwordMode"
              checked={v.passwordMode === "set"}
              onChange={() => set("passwordMode", "set")}
            />
            Set password manually
          </label>
          {v.passwordMode === "set" && (
            <>
              <Field
                label="New password"
                type="password"
                autoComplete="new-password"
                value={v.password}
                onChange={(e) => set("password", e.target.value)}
                error={errors.password}
                required
              />
              <label className="check">
                <input
                  type="checkbox"
                  checked={v.mustChangePassword}
                  onChange={(e) => set("mustChangePassword", e.target.checked)}
                />
                Must change the password at next sign-in
              </label>
            </>
          )}
        </fieldset>
      )}
    </div>
  );
}
