/**
 * The log writer of the example servers: an asynchronous, bounded destination for JSON log lines
 * (a pino destination), so that logging never blocks serving. A line that comes while nothing is
 * pending is handed to the stream at once (so it goes out before the answer that caused it);
 * lines that come while others are pending are queued and written together once per turn of the
 * event loop, so a busy server makes one write per turn, not one per line. When stdout's reader
 * stalls (a stuck log shipper, a blocking container log driver, a paused terminal), lines wait in
 * memory up to a bound; lines beyond it are dropped and counted, and once the reader has taken
 * everything queued, one line reports how many were dropped. `flush()` waits until every accepted
 * line (and that report) has been written, so a server that flushes before it exits loses nothing
 * while its reader is alive. A reader that is gone (EPIPE) never crashes the server: lines are
 * dropped and counted from then on.
 */
import { createWriteStream, fstatSync } from 'node:fs';
import type { Writable } from 'node:stream';

/**
 * Options of {@link createLogWriter}.
 *
 * @example
 * ```ts
 * const options: LogWriterOptions = { maxBufferedBytes: 64 * 1024 };
 * ```
 */
export interface LogWriterOptions {
  /**
   * Where lines go. Default: stdout, written without ever blocking the event loop: through
   * `process.stdout` when it is a pipe or a socket (Node then waits for the reader
   * asynchronously), else (a terminal, a file) through writes on Node's thread pool, because
   * `process.stdout` writes to those synchronously.
   */
  readonly stream?: Writable;
  /**
   * Most bytes of lines accepted but not yet written (default 1 MiB). A line that would pass it
   * is dropped, and so is every line after it until the reader has taken everything pending.
   */
  readonly maxBufferedBytes?: number;
  /**
   * The line that reports `count` dropped lines (with its newline). Default: a JSON line in pino's
   * shape, `{"level":40,"time":"<ISO instant>","event":"log_lines_dropped","dropped":<count>,"msg":...}`.
   */
  readonly droppedLine?: (count: number) => string;
}

/**
 * A log writer made by {@link createLogWriter}. It is a pino destination: `pino(options, writer)`.
 *
 * @example
 * ```ts
 * const log = createLogWriter();
 * log.write('{"msg":"hello"}\n');
 * await log.flush(5000);
 * ```
 */
export interface LogWriter {
  /** Queues one line (with its newline); `false` when it was dropped. Never blocks. */
  write(line: string): boolean;
  /** Lines dropped since the writer was made. */
  readonly dropped: number;
  /**
   * Resolves `true` once every accepted line, and the report of dropped lines if any, has been
   * written; `false` if that did not happen within `timeoutMs` (a reader that stays stalled) or
   * the stream failed.
   */
  flush(timeoutMs: number): Promise<boolean>;
}

const DEFAULT_MAX_BUFFERED = 1024 * 1024;

/** The default report: a pino-shaped warning, so that log readers parse it like any other line. */
export function defaultDroppedLine(count: number): string {
  const line = {
    level: 40,
    time: new Date().toISOString(),
    event: 'log_lines_dropped',
    dropped: count,
    msg: 'log lines dropped: stdout was not read',
  };
  return `${JSON.stringify(line)}\n`;
}

/**
 * Makes a log writer (see {@link LogWriter}) on stdout or the given stream.
 *
 * @throws {RangeError} when `maxBufferedBytes` is not a positive number.
 * @example
 * ```ts
 * import { pino } from 'pino';
 *
 * const log = createLogWriter({ maxBufferedBytes: 1024 * 1024 });
 * const audit = pino({ base: undefined }, log);
 * audit.info({ event: 'authenticated' }, 'authenticated');
 * process.once('SIGTERM', () => void log.flush(5000).then(() => process.exit(0)));
 * ```
 */
export function createLogWriter(options: LogWriterOptions = {}): LogWriter {
  const max = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED;
  if (!(max > 0)) throw new RangeError('maxBufferedBytes must be a positive number');
  const stream = options.stream ?? stdoutStream();
  const droppedLine = options.droppedLine ?? defaultDroppedLine;

  let queue: string[] = [];
  let queuedBytes = 0;
  /** Bytes accepted and not yet written: queued, or handed to the stream. */
  let pending = 0;
  let scheduled = false;
  let dropped = 0;
  /** Lines dropped and not reported yet; while above zero, every line is dropped. */
  let unreported = 0;
  let failed = false;
  let waiters: Array<(flushed: boolean) => void> = [];

  const settle = (flushed: boolean) => {
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve(flushed);
  };

  // A reader that is gone (EPIPE) or a stream that fails: drop from now on, never crash.
  stream.on('error', () => {
    failed = true;
    settle(false);
  });

  function writeQueued(): void {
    scheduled = false;
    if (queue.length === 0 || failed) return;
    const chunk = queue.length === 1 ? (queue[0] as string) : queue.join('');
    const size = queuedBytes;
    queue = [];
    queuedBytes = 0;
    stream.write(chunk, (error) => written(size, error));
  }

  function written(size: number, error: Error | null | undefined): void {
    pending -= size;
    if (error) {
      failed = true;
      settle(false);
    } else if (pending === 0) {
      // Everything accepted has reached the reader: it is back, so report what it missed.
      if (unreported > 0) report();
      else settle(true);
    }
  }

  function accept(line: string): void {
    const size = Buffer.byteLength(line);
    if (pending === 0) {
      // Nothing queued or in flight: hand it over now, so it goes out before the answer.
      pending = size;
      stream.write(line, (error) => written(size, error));
      return;
    }
    queue.push(line);
    queuedBytes += size;
    pending += size;
    if (!scheduled) {
      scheduled = true;
      setImmediate(writeQueued);
    }
  }

  function report(): void {
    const line = droppedLine(unreported);
    unreported = 0;
    accept(line);
  }

  return {
    write(line) {
      if (failed) {
        dropped += 1;
        return false;
      }
      if (unreported > 0 || pending + Buffer.byteLength(line) > max) {
        dropped += 1;
        unreported += 1;
        // Nothing pending (a line longer than the whole bound): the reader is not behind.
        if (pending === 0) report();
        return false;
      }
      accept(line);
      return true;
    },
    get dropped() {
      return dropped;
    },
    flush(timeoutMs) {
      if (failed) return Promise.resolve(false);
      if (pending === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const finish = (flushed: boolean) => {
          clearTimeout(timer);
          resolve(flushed);
        };
        const timer = setTimeout(() => {
          waiters = waiters.filter((waiter) => waiter !== finish);
          resolve(false);
        }, timeoutMs);
        waiters.push(finish);
      });
    },
  };
}

/**
 * Stdout as a stream that never blocks the event loop. Node writes to a pipe or a socket
 * asynchronously (it polls for the reader), but to a terminal or a file synchronously: for those,
 * a stream of its own on file descriptor 1 writes from the thread pool, where a paused terminal
 * holds one thread and never the event loop.
 */
function stdoutStream(): Writable {
  const stat = fstatSync(1);
  if (stat.isFIFO() || stat.isSocket()) return process.stdout;
  return createWriteStream('', { fd: 1, autoClose: false });
}
