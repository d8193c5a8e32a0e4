/**
 * `createLogWriter`, the examples' log destination that never blocks serving, against a stream
 * the test stalls and releases: lines are written in order, the first at once and the rest of a
 * turn together; past the bound
 * lines are dropped and counted, and every line after them until the reader has caught up;
 * then exactly one line reports how many were dropped, before any newer line; `flush()` waits
 * for all of it, gives up after its timeout while the reader stays stalled, and a stream that
 * fails (EPIPE) turns every line into a counted drop instead of an error.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogWriter, defaultDroppedLine } from '../src/index.js';

/** A stream whose writes complete only when the test says so, while `stalled`. */
function controlledStream() {
  const chunks: string[] = [];
  const held: Array<() => void> = [];
  let stalled = false;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      if (stalled) held.push(() => callback());
      else callback();
    },
  });
  return {
    stream,
    chunks,
    /** Every line written, in order. */
    lines: () => chunks.join('').split('\n').slice(0, -1),
    stall: () => {
      stalled = true;
    },
    release: () => {
      stalled = false;
      for (const done of held.splice(0)) done();
    },
  };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
/** A line of exactly `size` bytes, newline included. */
const line = (n: number, size = 100) => `${`line ${n} `.padEnd(size - 1, '.')}\n`;
const report = (count: number) => `dropped ${count}\n`;

describe('createLogWriter', () => {
  it('hands a line over at once when nothing is pending, and the rest of the turn in one write', async () => {
    const target = controlledStream();
    const log = createLogWriter({ stream: target.stream });
    expect([log.write(line(1)), log.write(line(2)), log.write(line(3))]).toEqual([
      true,
      true,
      true,
    ]);
    expect(target.chunks).toEqual([line(1)]);
    await nextTurn();
    expect(target.chunks).toEqual([line(1), line(2) + line(3)]);
    expect(await log.flush(1000)).toBe(true);
    expect(log.dropped).toBe(0);
  });

  it('drops the lines past the bound while the reader is stalled, then reports them once', async () => {
    const target = controlledStream();
    const log = createLogWriter({
      stream: target.stream,
      maxBufferedBytes: 1000,
      droppedLine: report,
    });
    target.stall();
    for (let n = 1; n <= 5; n += 1) log.write(line(n));
    await nextTurn(); // 500 bytes handed to the stalled stream
    const accepted = [6, 7, 8, 9, 10].map((n) => log.write(line(n))); // exactly 1000 bytes pending
    expect(accepted).toEqual([true, true, true, true, true]);
    expect(log.write(line(11))).toBe(false); // 1100 > 1000
    // Once dropping, every line is dropped until the reader has caught up, even one that fits.
    expect(log.write('x\n')).toBe(false);
    await nextTurn();
    expect(log.dropped).toBe(2);
    // The stalled reader holds the first write; the rest waits in memory.
    expect(target.lines()).toEqual([line(1).slice(0, -1)]);

    target.release();
    expect(await log.flush(1000)).toBe(true);
    log.write(line(12));
    expect(await log.flush(1000)).toBe(true);
    const expected = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => line(n).slice(0, -1));
    expect(target.lines()).toEqual([...expected, 'dropped 2', line(12).slice(0, -1)]);
    expect(log.dropped).toBe(2);
  });

  it('reports at once a line longer than the whole bound, when nothing is pending', async () => {
    const target = controlledStream();
    const log = createLogWriter({
      stream: target.stream,
      maxBufferedBytes: 100,
      droppedLine: report,
    });
    expect(log.write(line(1, 101))).toBe(false);
    expect(log.write(line(2, 50))).toBe(true);
    expect(await log.flush(1000)).toBe(true);
    expect(target.lines()).toEqual(['dropped 1', line(2, 50).slice(0, -1)]);
  });

  it('counts the bound in bytes, not characters', async () => {
    const target = controlledStream();
    const log = createLogWriter({
      stream: target.stream,
      maxBufferedBytes: 10,
      droppedLine: report,
    });
    target.stall();
    expect(log.write('éééé\n')).toBe(true); // 9 bytes
    expect(log.write('é\n')).toBe(false); // 3 more
    target.release();
    expect(await log.flush(1000)).toBe(true);
    expect(target.lines()).toEqual(['éééé', 'dropped 1']);
  });

  it('flush gives up after its timeout while the reader stays stalled, and resolves later ones', async () => {
    const target = controlledStream();
    const log = createLogWriter({ stream: target.stream });
    target.stall();
    log.write(line(1));
    expect(await log.flush(20)).toBe(false);
    const later = log.flush(5000);
    target.release();
    expect(await later).toBe(true);
    expect(target.lines()).toEqual([line(1).slice(0, -1)]);
  });

  it('flush resolves at once when nothing is pending', async () => {
    const log = createLogWriter({ stream: controlledStream().stream });
    expect(await log.flush(0)).toBe(true);
  });

  it('turns a failed stream (a reader gone) into counted drops, never an error', async () => {
    const failing = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const log = createLogWriter({ stream: failing });
    log.write(line(1));
    const flushed = log.flush(1000);
    expect(await flushed).toBe(false);
    expect(log.write(line(2))).toBe(false);
    expect(log.write(line(3))).toBe(false);
    expect(log.dropped).toBe(2);
    expect(await log.flush(1000)).toBe(false);
  });

  it('refuses a bound that is not a positive number', () => {
    for (const maxBufferedBytes of [0, -1, Number.NaN]) {
      expect(() =>
        createLogWriter({ stream: controlledStream().stream, maxBufferedBytes }),
      ).toThrow(RangeError);
    }
  });
});

describe('defaultDroppedLine', () => {
  it('is one pino-shaped JSON warning with the count', () => {
    const text = defaultDroppedLine(42);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.indexOf('\n')).toBe(text.length - 1);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(parsed).toEqual({
      level: 40,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      event: 'log_lines_dropped',
      dropped: 42,
      msg: 'log lines dropped: stdout was not read',
    });
  });
});
