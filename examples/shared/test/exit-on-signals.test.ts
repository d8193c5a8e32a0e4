/**
 * `exitOnSignals`, the examples' one way to end: on SIGTERM or SIGINT it closes (at most the
 * grace period), then flushes the log, then exits 0; 1 when closing failed; a further signal
 * while closing starts nothing twice and cuts nothing short. `process.exit` is replaced by a spy;
 * the handlers it installs are called directly and removed after each test.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exitOnSignals } from '../src/index.js';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
type Listener = (...args: never) => unknown;
let before: Map<string, Listener[]>;
let exit: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  before = new Map(SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
});

afterEach(() => {
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.includes(listener)) process.off(signal, listener as () => void);
    }
  }
  vi.restoreAllMocks();
});

/** The handlers installed by the test, called directly (the worker's own ones are left alone). */
function send(signal: (typeof SIGNALS)[number]): void {
  for (const listener of process.listeners(signal)) {
    if (!before.get(signal)?.includes(listener)) (listener as (signal: string) => void)(signal);
  }
}

/** Records the order of close, flush and exit. */
function recorder() {
  const events: string[] = [];
  exit.mockImplementation(((code: number) => {
    events.push(`exit ${code}`);
  }) as never);
  return events;
}

describe('exitOnSignals', () => {
  it.each(SIGNALS)('on %s: closes, then flushes the log, then exits 0', async (signal) => {
    const events = recorder();
    let finishClose = () => {};
    exitOnSignals({
      close: () => {
        events.push('close');
        return new Promise<void>((resolve) => {
          finishClose = () => {
            events.push('closed');
            resolve();
          };
        });
      },
      log: {
        flush: async (timeoutMs) => {
          events.push(`flush ${timeoutMs}`);
          return true;
        },
      },
    });
    send(signal);
    send(signal); // a second signal (the group's, forwarded by pnpm) starts nothing
    await vi.waitFor(() => expect(events).toEqual(['close']));
    finishClose();
    await vi.waitFor(() => expect(events).toEqual(['close', 'closed', 'flush 5000', 'exit 0']));
  });

  it('exits 1, after flushing, when closing fails', async () => {
    const events = recorder();
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {});
    exitOnSignals({
      close: () => Promise.reject(new Error('pool already closed')),
      log: {
        flush: async () => {
          events.push('flush');
          return true;
        },
      },
    });
    send('SIGTERM');
    await vi.waitFor(() => expect(events).toEqual(['flush', 'exit 1']));
    expect(stderr).toHaveBeenCalledWith('closing failed: pool already closed');
  });

  it('gives up waiting for the requests in flight after the grace period, and exits 0', async () => {
    const events = recorder();
    exitOnSignals({
      close: () => new Promise<void>(() => {}),
      graceMs: 20,
      log: {
        flush: async (timeoutMs) => {
          events.push(`flush ${timeoutMs}`);
          return false;
        },
      },
      flushMs: 30,
    });
    send('SIGINT');
    await vi.waitFor(() => expect(events).toEqual(['flush 30', 'exit 0']));
  });

  it('exits without a log to flush', async () => {
    const events = recorder();
    exitOnSignals({ close: async () => {} });
    send('SIGTERM');
    await vi.waitFor(() => expect(events).toEqual(['exit 0']));
  });
});
