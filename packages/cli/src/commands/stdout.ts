/** Output to stdout as Unix tools write it: with back-pressure, and quietly stopping once the reader has gone. */
import { once } from "node:events";

/** A write to a pipe whose reader has closed it (`staffgate audit export | head -1`). */
export function isClosedPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === "EPIPE";
}

/**
 * Writes every chunk, waiting for "drain" so a large export streams with constant memory. When
 * the reader closes the pipe it stops reading `chunks` (ending the query underneath) and returns
 * normally: the reader has what it wanted, which is not an error. Any other write error throws.
 */
export async function writeAll(
  chunks: AsyncIterable<string>,
  out: NodeJS.WriteStream = process.stdout,
): Promise<void> {
  let failure: unknown;
  const onError = (error: unknown) => {
    failure ??= error;
  };
  out.on("error", onError);
  try {
    for await (const chunk of chunks) {
      if (failure !== undefined || out.destroyed) break;
      if (!out.write(chunk)) await Promise.race([once(out, "drain"), once(out, "close")]).catch(onError);
    }
  } finally {
    out.off("error", onError);
  }
  if (failure !== undefined && !isClosedPipe(failure)) throw failure;
}
