/**
 * The grid: permissions as rows (grouped by category, each group collapsible), "Tenant" and each
 * workspace as columns. Every cell is a button whose text says allowed / denied / only granted
 * patients (a mark and words, not colour alone); focusing or pressing it asks for its explanation.
 * Arrow keys move between cells, Home and End to a row's ends (with Ctrl, the grid's); the header
 * row and the permission column stay in view. The grid is one Tab stop (a roving tabindex: the
 * selected cell, else the first), and a focused cell is scrolled clear of the sticky header and
 * permission column.
 *
 * An ARIA grid (`role="grid"`), since it is navigated like one: a screen reader then hands the
 * arrow keys to it. Its rows, cells and headers take their grid roles (row, gridcell, columnheader,
 * rowheader) from the table's own elements; spelt out, they would only repeat them.
 */
import type { KeyboardEvent } from "react";
import { byCategory, CELL_TEXT, cellState, type GridData, matches, type Permission } from "./model.ts";

export interface CellRef {
  readonly permission: Permission;
  /** null: the Tenant column (no workspace named). */
  readonly workspaceId: string | null;
}

export const cellKey = (c: { permission: { key: string }; workspaceId: string | null }) =>
  `${c.permission.key}\u0000${c.workspaceId ?? ""}`;

/** Scrolls the grid's box so that `cell` is in view and not under the sticky header or column. */
function reveal(cell: HTMLElement) {
  const box = cell.closest<HTMLElement>(".effective-scroll");
  if (!box) return;
  const b = box.getBoundingClientRect();
  const c = cell.getBoundingClientRect();
  const left = cell.closest("tr")?.querySelector("th")?.getBoundingClientRect().right ?? b.left;
  const top = box.querySelector("thead")?.getBoundingClientRect().bottom ?? b.top;
  const right = b.left + box.clientLeft + box.clientWidth;
  const bottom = b.top + box.clientTop + box.clientHeight;
  if (c.right > right) box.scrollLeft += c.right - right;
  else if (c.left < left) box.scrollLeft -= left - c.left;
  if (c.bottom > bottom) box.scrollTop += c.bottom - bottom;
  else if (c.top < top) box.scrollTop -= top - c.top;
}

/**
 * The data grid pattern's keys (WAI-ARIA APG): an arrow moves focus to the nearest cell that way (at
 * an edge it stays, with no scrolling); Home and End to the first and last cell of the row, and with
 * Ctrl to those of the grid (its first and last row). A tenant-only row has its Tenant cell alone.
 */
function onKey(event: KeyboardEvent<HTMLTableElement>) {
  const moves: Record<string, [number, number]> = {
    ArrowUp: [-1, 0],
    ArrowDown: [1, 0],
    ArrowLeft: [0, -1],
    ArrowRight: [0, 1],
  };
  const move = moves[event.key];
  const edge = event.key === "Home" || event.key === "End";
  const from = event.target as HTMLElement;
  if ((!move && !edge) || !from.dataset.row) return;
  event.preventDefault();
  const rows = [...event.currentTarget.querySelectorAll<HTMLTableRowElement>("tr[data-cells]")];
  const row = Number(from.dataset.row);
  const col = Number(from.dataset.col);
  const cellsOf = (r: number) => [
    ...(rows[r]?.querySelectorAll<HTMLButtonElement>("button[data-col]") ?? []),
  ];
  if (!move) {
    const cells = cellsOf(event.ctrlKey ? (event.key === "Home" ? 0 : rows.length - 1) : row);
    (event.key === "Home" ? cells[0] : cells.at(-1))?.focus();
    return;
  }
  const at = (r: number, c: number) =>
    rows[r]?.querySelector<HTMLButtonElement>(`button[data-col="${c}"]`) ?? null;
  let next: HTMLButtonElement | null = null;
  if (move[0] !== 0) {
    for (let r = row + move[0]; r >= 0 && r < rows.length && !next; r += move[0]) next = at(r, col);
  } else {
    const cols = cellsOf(row).length;
    for (let c = col + move[1]; c >= 0 && c <= cols + 1 && !next; c += move[1]) next = at(row, c);
  }
  next?.focus();
}

export function PermissionGrid(props: {
  readonly data: GridData;
  readonly filter: string;
  readonly collapsed: ReadonlySet<string>;
  readonly onToggle: (category: string) => void;
  readonly selected: string | null;
  readonly onSelect: (cell: CellRef, how: "focus" | "click") => void;
  readonly explainId: string;
}) {
  const { data } = props;
  const filtering = props.filter.trim() !== "";
  const groups = byCategory(data.permissions)
    .map((g) => ({
      ...g,
      items: g.items.filter((p) => matches(p, props.filter)),
      open: !props.collapsed.has(g.category) || filtering,
    }))
    .filter((g) => g.items.length > 0);
  const columns: { id: string | null; name: string }[] = [
    { id: null, name: "Tenant" },
    ...data.workspaces.map((w) => ({ id: w.id, name: w.name })),
  ];
  /** A tenant-only permission has the Tenant column alone. */
  const columnsOf = (p: Permission) => (p.scope === "tenant" ? columns.slice(0, 1) : columns);
  if (groups.length === 0) return <p className="empty">No permission matches this filter.</p>;
  // The one cell Tab reaches: the selected one while it is shown, else the first.
  const shown = groups.flatMap((g) => (g.open ? g.items : []));
  const selectedShown =
    props.selected !== null &&
    shown.some((p) =>
      columnsOf(p).some((c) => cellKey({ permission: p, workspaceId: c.id }) === props.selected),
    );
  const first = shown[0];
  const tabStop = selectedShown
    ? props.selected
    : first
      ? cellKey({ permission: first, workspaceId: null })
      : null;
  let rowIndex = 0;
  return (
    <div className="effective-scroll">
      {/* biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: a grid is a table navigated by arrow keys, which this one is. */}
      <table className="effective-grid" role="grid" aria-readonly="true" onKeyDown={onKey}>
        <caption className="visually-hidden">Effective permissions by tenant and workspace</caption>
        <thead>
          <tr>
            <th scope="col">Permission</th>
            <th scope="col">Tenant</th>
            {data.workspaces.map((w) => (
              <th scope="col" key={w.id}>
                {w.name}
                {!w.access && <span className="effective-noaccess">No access</span>}
                {w.roleId && (
                  <span className="perm-key">
                    Role here: {data.roleNames.get(w.roleId) ?? "per-workspace role"}
                  </span>
                )}
              </th>
            ))}
          </tr>
        </thead>
        {groups.map((g) => {
          const open = g.open;
          return (
            <tbody key={g.category}>
              <tr className="category">
                {/* Not spanning the row: a spanning cell cannot stay in view when scrolled sideways. */}
                <th scope="rowgroup">
                  <button type="button" aria-expanded={open} onClick={() => props.onToggle(g.category)}>
                    <span aria-hidden="true">{open ? "▾ " : "▸ "}</span>
                    {g.category} ({g.items.length})
                  </button>
                </th>
                <td colSpan={columns.length} />
              </tr>
              {open &&
                g.items.map((p) => {
                  const r = rowIndex++;
                  const tenantOnly = p.scope === "tenant";
                  return (
                    <tr key={p.key} data-cells="">
                      <th scope="row">
                        {p.label}
                        <span className="perm-key">{p.key}</span>
                      </th>
                      {columnsOf(p).map((c, ci) => (
                        <td key={c.id ?? ""}>
                          <Cell
                            data={data}
                            permission={p}
                            column={c}
                            row={r}
                            col={ci}
                            selected={props.selected === cellKey({ permission: p, workspaceId: c.id })}
                            tabStop={tabStop === cellKey({ permission: p, workspaceId: c.id })}
                            explainId={props.explainId}
                            onSelect={props.onSelect}
                          />
                        </td>
                      ))}
                      {tenantOnly && data.workspaces.length > 0 && (
                        <td colSpan={data.workspaces.length} className="effective-tenant-only">
                          Tenant-wide: the same in every workspace
                        </td>
                      )}
                    </tr>
                  );
                })}
            </tbody>
          );
        })}
      </table>
    </div>
  );
}

function Cell(props: {
  readonly data: GridData;
  readonly permission: Permission;
  readonly column: { id: string | null; name: string };
  readonly row: number;
  readonly col: number;
  readonly selected: boolean;
  readonly tabStop: boolean;
  readonly explainId: string;
  readonly onSelect: (cell: CellRef, how: "focus" | "click") => void;
}) {
  const state = cellState(props.data, props.permission, props.column.id);
  const shown = CELL_TEXT[state === "tenant-only" ? "denied" : state];
  const cell: CellRef = { permission: props.permission, workspaceId: props.column.id };
  return (
    <button
      type="button"
      className={`effective-cell ${state}`}
      data-row={props.row}
      data-col={props.col}
      tabIndex={props.tabStop ? 0 : -1}
      aria-current={props.selected ? "true" : undefined}
      aria-controls={props.explainId}
      // One name, its visible word first ("Allowed: Read patients in Oncology"): a hidden span
      // after the word was read with a space before its colon.
      aria-label={`${shown.text}: ${props.permission.label} in ${props.column.name}`}
      onFocus={(e) => {
        reveal(e.currentTarget);
        props.onSelect(cell, "focus");
      }}
      onClick={() => props.onSelect(cell, "click")}
    >
      <span className="mark" aria-hidden="true">
        {shown.mark}
      </span>
      {shown.text}
    </button>
  );
}
