/**
 * "Manage patient access" (W13): enter a patient reference, see the access granted on that
 * patient, grant and revoke; and who can read the patient at all (roles included, `who-can`),
 * tenant-wide or in one workspace. The reference is kept in the address (`?patient=`), so the view
 * survives a reload and can be linked. Staffgate stores the reference only, never patient data.
 * Refusals name permissions by label and workspaces by name, as on the Users page.
 */
import { type FormEvent, useEffect, useState } from "react";
import { Field } from "../components/Field.tsx";
import { NoAccess } from "../components/NoAccess.tsx";
import { useLoad } from "../components/useLoad.ts";
import { navigate, useSearch } from "../router.tsx";
import { ApiContext, useApi, useSession } from "../session.tsx";
import "../styles/admin.css";
import { PatientGrants } from "./patient-access/PatientGrants.tsx";
import { WhoCanRead } from "./patient-access/WhoCanRead.tsx";
import { useLabelledApi } from "./roles/useLabelledApi.ts";
import { listAllWorkspaces } from "./workspaces/useWorkspaces.ts";

export function PatientAccessPage() {
  const { can } = useSession();
  if (!can("patient_access.manage")) {
    return (
      <NoAccess
        title="Manage Patient Access"
        what="managing patient access"
        needs={["patient_access.manage"]}
      />
    );
  }
  return <PatientAccessView />;
}

function PatientAccessView() {
  const plainApi = useApi();
  const [names] = useLoad(async () => {
    const [permissions, workspaces] = await Promise.all([
      plainApi.permissions.list(),
      listAllWorkspaces(plainApi),
    ]);
    return { catalog: permissions.items, workspaces };
  }, [plainApi]);
  const api = useLabelledApi(names.kind === "ready" ? names.value : null);
  const search = useSearch();
  const current = new URLSearchParams(search).get("patient")?.trim() ?? "";
  const [ref, setRef] = useState(current);
  const [error, setError] = useState<string | undefined>(undefined);
  // Each grant or revocation: who can read the patient is asked again.
  const [changes, setChanges] = useState(0);
  // Where who can read is asked: "" tenant-wide, else a workspace's id.
  const [whoWorkspace, setWhoWorkspace] = useState("");
  const [granting, setGranting] = useState(false);

  // Back and forward change the address: the box follows it.
  useEffect(() => setRef(current), [current]);

  const changed = (grantedIn?: string | null) => {
    setChanges((n) => n + 1);
    // A grant limited to a workspace shows only there: the list goes there to show the grantee.
    if (grantedIn) setWhoWorkspace(grantedIn);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = ref.trim();
    if (!value) {
      setError("Enter the patient reference used by the clinical application.");
      return;
    }
    setError(undefined);
    navigate(`/patient-access?${new URLSearchParams({ patient: value }).toString()}`);
  };

  return (
    <ApiContext.Provider value={api}>
      <h1>Manage Patient Access</h1>
      <p className="muted">
        Give a person access to one patient beyond what their role allows, and see who can read the patient.
        Use the patient reference from the clinical application.
      </p>
      <search>
        <form className="inline-form" onSubmit={submit} noValidate>
          <Field
            label="Patient reference"
            name="patient"
            value={ref}
            onChange={(e) => setRef(e.target.value)}
            error={error}
            maxLength={200}
            autoComplete="off"
            spellCheck={false}
          />
          <button type="submit" className="primary">
            Show access
          </button>
        </form>
      </search>
      {current ? (
        <>
          <PatientGrants key={current} patientRef={current} onChanged={changed} onGranting={setGranting} />
          <WhoCanRead
            key={`who-${current}`}
            patientRef={current}
            version={changes}
            workspaceId={whoWorkspace}
            onWorkspace={setWhoWorkspace}
            filtersHidden={granting}
          />
        </>
      ) : (
        <p className="empty">Enter a patient reference to see who has access.</p>
      )}
    </ApiContext.Provider>
  );
}
