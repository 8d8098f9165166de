/**
 * Where an open Actions menu goes: fixed to the viewport under its button (above it when there is
 * no room below), its right edge at the button's, kept inside the screen with a margin. Fixed, it
 * escapes the table's sideways scroll box that would clip an absolutely placed menu.
 */

/** Space kept between the menu and the screen's edges, and between the menu and its button. */
const MARGIN = 8;
const GAP = 4;

export function placeMenu(button: HTMLElement, menu: HTMLElement): void {
  const at = button.getBoundingClientRect();
  const width = menu.offsetWidth;
  const viewWidth = document.documentElement.clientWidth;
  const viewHeight = window.innerHeight;
  // The natural height first, so a menu that was squeezed before is measured whole.
  menu.style.maxHeight = "";
  const height = menu.offsetHeight;
  const left = Math.max(MARGIN, Math.min(at.right - width, viewWidth - width - MARGIN));
  const below = viewHeight - at.bottom - GAP - MARGIN;
  const above = at.top - GAP - MARGIN;
  let top: number;
  if (height <= below) top = at.bottom + GAP;
  else if (height <= above) top = at.top - GAP - height;
  else {
    // Fits neither way: as much of the screen as there is, scrolling inside.
    top = MARGIN;
    menu.style.maxHeight = `${viewHeight - 2 * MARGIN}px`;
  }
  menu.style.left = `${left}px`;
  menu.style.top = `${top}px`;
}
