/**
 * The import dialog's examples of the `workspaces` and `workspaceRoles` cells, from the tenant's own
 * workspaces and roles: a fixed `ward-a=Physicist;ward-b=Dosimetrist` named radiotherapy roles to
 * a veterinary practice (browser audit). Until they are loaded, or when the tenant has too few,
 * a neutral example that names no real role.
 */
export interface ImportExample {
  /** `ward-a;ward-b`: the `workspaces` cell. */
  readonly workspaces: string;
  /** `ward-a=Nurse;ward-b=Receptionist`: the `workspaceRoles` cell. */
  readonly workspaceRoles: string;
}

const NEUTRAL: ImportExample = {
  workspaces: "ward-a;ward-b",
  workspaceRoles: "ward-a=Role name;ward-b=Other role name",
};

/** A value the cell's syntax can carry as it is (no separator inside it). */
const plain = (value: string) => value.trim() !== "" && !/[;=,"\n]/.test(value);

export function importExample(
  workspaces: readonly { readonly slug: string }[] | null,
  roles: readonly { readonly name: string; readonly system?: boolean }[] | null,
): ImportExample {
  const slugs = (workspaces ?? []).map((w) => w.slug).filter(plain);
  // A practice's own roles first: the built-in Administrator is an odd role to hold in one ward.
  const names = [...(roles ?? [])]
    .sort((a, b) => Number(a.system ?? false) - Number(b.system ?? false))
    .map((r) => r.name)
    .filter(plain);
  const [a, b] = slugs;
  const [first, second] = names;
  if (a === undefined || first === undefined) return NEUTRAL;
  if (b === undefined) return { workspaces: a, workspaceRoles: `${a}=${first}` };
  return { workspaces: `${a};${b}`, workspaceRoles: `${a}=${first};${b}=${second ?? first}` };
}
