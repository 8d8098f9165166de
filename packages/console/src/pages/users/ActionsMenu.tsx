/**
 * A WAI-ARIA menu button: Enter, Space or ArrowDown opens the menu on its first item (ArrowUp on
 * its last), the arrows, Home and End move, a letter jumps to the next item starting with it,
 * Escape closes and returns focus to the button, Tab closes and moves on, a click outside closes.
 * A disabled item (`aria-disabled`) stays focusable so its reason is read, and does nothing.
 * The open menu is placed against the viewport (menuPlacement.ts), so the table's scroll box on a
 * narrow screen cannot clip it.
 */
import { Fragment, type KeyboardEvent, useEffect, useId, useLayoutEffect, useRef, useState } from "react";
import { placeMenu } from "./menuPlacement.ts";

export interface MenuItem {
  readonly id: string;
  readonly label: string;
  /** Items of different groups are separated by a line. */
  readonly group: number;
  /** Shown but not usable; `reason` says why. */
  readonly disabled?: boolean;
  /** A second line under the label. */
  readonly reason?: string;
}

export function ActionsMenu(props: {
  /** The button's accessible name: it starts with its visible label, "Actions". */
  readonly name: string;
  readonly items: readonly MenuItem[];
  readonly onSelect: (id: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const wrap = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const items = useRef<(HTMLButtonElement | null)[]>([]);
  const menu = useRef<HTMLDivElement>(null);
  const menuId = useId();
  const buttonId = `${menuId}-button`;
  const count = props.items.length;

  // Placed before it is painted, and again whenever the page or the table scrolls or resizes.
  useLayoutEffect(() => {
    if (!open) return;
    const place = () => {
      if (button.current && menu.current) placeMenu(button.current, menu.current);
    };
    place();
    window.addEventListener("scroll", place, true);
    window.addEventListener("resize", place);
    return () => {
      window.removeEventListener("scroll", place, true);
      window.removeEventListener("resize", place);
    };
  }, [open]);

  useEffect(() => {
    if (open) items.current[active]?.focus({ preventScroll: true });
  }, [open, active]);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (!wrap.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", onPointer);
    return () => document.removeEventListener("pointerdown", onPointer);
  }, [open]);

  const openAt = (index: number) => {
    setActive(index);
    setOpen(true);
  };
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const choose = (id: string) => {
    close();
    props.onSelect(id);
  };

  const onButtonKey = (event: KeyboardEvent<HTMLButtonElement>) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      openAt(event.key === "ArrowDown" ? 0 : count - 1);
    }
  };

  const onItemKey = (event: KeyboardEvent<HTMLButtonElement>, index: number) => {
    let next: number | null = null;
    if (event.key === "ArrowDown") next = (index + 1) % count;
    else if (event.key === "ArrowUp") next = (index - 1 + count) % count;
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = count - 1;
    else if (event.key === "Escape") {
      event.preventDefault();
      close();
      return;
    } else if (event.key === "Tab") {
      setOpen(false);
      return;
    } else if (event.key.length === 1 && /\S/.test(event.key)) {
      const letter = event.key.toLowerCase();
      for (let step = 1; step <= count; step++) {
        const i = (index + step) % count;
        if (props.items[i]?.label.toLowerCase().startsWith(letter)) {
          next = i;
          break;
        }
      }
    }
    if (next !== null) {
      event.preventDefault();
      setActive(next);
    }
  };

  return (
    <div className="actions-menu-wrap" ref={wrap}>
      <button
        ref={button}
        id={buttonId}
        type="button"
        className="actions-menu-button"
        aria-label={props.name}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => (open ? setOpen(false) : openAt(0))}
        onKeyDown={onButtonKey}
      >
        Actions <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <div ref={menu} className="actions-menu" role="menu" id={menuId} aria-labelledby={buttonId}>
          {props.items.map((item, i) => (
            <Fragment key={item.id}>
              {i > 0 && props.items[i - 1]?.group !== item.group && <hr className="actions-menu-separator" />}
              <button
                ref={(el) => {
                  items.current[i] = el;
                }}
                type="button"
                role="menuitem"
                tabIndex={i === active ? 0 : -1}
                aria-disabled={item.disabled ? true : undefined}
                onClick={() => {
                  if (!item.disabled) choose(item.id);
                }}
                onKeyDown={(e) => onItemKey(e, i)}
              >
                {item.label}
                {item.reason && <span className="actions-menu-reason">{item.reason}</span>}
              </button>
            </Fragment>
          ))}
        </div>
      )}
    </div>
  );
}
