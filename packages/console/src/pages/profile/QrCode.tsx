/**
 * A QR code drawn as inline SVG: the page's CSP (`default-src 'self'`) forbids the data: URL image
 * the library would make, so its module matrix becomes one path of dark runs.
 */
import qrcode from "qrcode-generator";
import { useMemo } from "react";

/** Modules of light margin the QR specification asks for around the code. */
const QUIET = 4;

export function QrCode({ value, label }: { readonly value: string; readonly label: string }) {
  const { size, d } = useMemo(() => {
    const qr = qrcode(0, "M");
    qr.addData(value);
    qr.make();
    const n = qr.getModuleCount();
    let path = "";
    for (let row = 0; row < n; row++) {
      for (let col = 0; col < n; col++) {
        if (!qr.isDark(row, col)) continue;
        let run = 1;
        while (col + run < n && qr.isDark(row, col + run)) run++;
        path += `M${col + QUIET} ${row + QUIET}h${run}v1h-${run}z`;
        col += run - 1;
      }
    }
    return { size: n + 2 * QUIET, d: path };
  }, [value]);
  return (
    <svg
      className="qr"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${size} ${size}`}
      shapeRendering="crispEdges"
      xmlns="http://www.w3.org/2000/svg"
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
