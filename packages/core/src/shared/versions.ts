/** Optimistic concurrency: `If-Match` carries the version the client last read. */
import { AppError } from "./errors.ts";

export function expectVersion(current: number, ifMatch: number | undefined): void {
  if (ifMatch !== undefined && ifMatch !== current) {
    throw new AppError("PRECONDITION_FAILED", `The resource is at version ${current}; you sent ${ifMatch}`);
  }
}
