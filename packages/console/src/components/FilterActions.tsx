/** "Search" (applies the filters) and "Clear filters", at the end of a filter form. */
export function FilterActions(props: {
  readonly busy: boolean;
  readonly onClear: () => void;
  readonly className: string;
}) {
  return (
    <div className={props.className}>
      <button type="submit" className="primary" disabled={props.busy}>
        Search
      </button>
      <button type="button" onClick={props.onClear}>
        Clear filters
      </button>
    </div>
  );
}
