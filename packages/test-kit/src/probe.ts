/**
 * The probe: a test server's protected handlers report to it when they run, so that every
 * rejection test can prove the handler never ran.
 */

/** Records which route handlers ran. */
export interface Probe {
  /** Called by a route handler when it runs. */
  ran(route: string): void;
  /** The routes whose handlers ran, in order. */
  readonly calls: readonly string[];
  /** Forgets every call. */
  reset(): void;
}

/**
 * Creates an empty probe.
 *
 * @example
 * ```ts
 * const probe = createProbe();
 * app.get('/v2/apps/:appId', requireScope('app'), (req, res) => { probe.ran('app'); res.json({}); });
 * expect(probe.calls).toEqual([]);
 * ```
 */
export function createProbe(): Probe {
  const calls: string[] = [];
  return {
    ran(route) {
      calls.push(route);
    },
    calls,
    reset() {
      calls.length = 0;
    },
  };
}
