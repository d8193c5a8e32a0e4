/**
 * The one way every example server ends on SIGTERM and SIGINT: close gracefully (stop accepting,
 * answer the requests in flight, close the store), flush the log so that no line is lost while
 * its reader is alive, and exit with code 0. Requests that are still running after the grace
 * period are cut off; the exit code is 1 only when closing failed. Further signals while closing
 * change nothing: a signal sent to the process group may reach the server twice (directly, and
 * forwarded by a parent such as pnpm), and must not cut the drain short.
 */

/**
 * Options of {@link exitOnSignals}.
 *
 * @example
 * ```ts
 * const options: ExitOnSignalsOptions = { close: () => app.close(), graceMs: 5000 };
 * ```
 */
export interface ExitOnSignalsOptions {
  /** Stops the server gracefully and closes the store; resolves when done. */
  readonly close: () => Promise<void>;
  /** Most milliseconds given to `close` before the process exits anyway (default 5000). */
  readonly graceMs?: number;
  /** The log writer to flush before exiting (see `createLogWriter`), if the server logs. */
  readonly log?: { flush(timeoutMs: number): Promise<boolean> };
  /** Most milliseconds given to the log's reader to take the last lines (default 5000). */
  readonly flushMs?: number;
}

/**
 * Installs the SIGTERM and SIGINT handlers: on the first signal, `close()` (at most `graceMs`),
 * then `log.flush()` (at most `flushMs`), then `process.exit` with 0, or 1 when `close` failed.
 *
 * @example
 * ```ts
 * exitOnSignals({ close: () => closeHttpServer(server).then(() => store.close()), log });
 * ```
 */
export function exitOnSignals(options: ExitOnSignalsOptions): void {
  const graceMs = options.graceMs ?? 5000;
  const flushMs = options.flushMs ?? 5000;
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), graceMs);
    });
    const closed = await Promise.race([
      options.close().then(
        () => true,
        (error: unknown) => {
          console.error(`closing failed: ${(error as Error)?.message ?? String(error)}`);
          return false;
        },
      ),
      grace,
    ]);
    clearTimeout(timer);
    await options.log?.flush(flushMs);
    process.exit(closed ? 0 : 1);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      void stop();
    });
  }
}
