/**
 * Store helpers for tests: a store that fails on purpose (to prove a store failure is a 503 and
 * never a pass), and a small JSON body reader for servers that have no body parser of their own.
 */
import type { IncomingMessage } from 'node:http';
import type { KeyStore } from '@keyscope/core';

/** The message of a {@link faultyStore}'s failures, which must never reach a caller. */
export const STORE_DOWN = 'test-kit: the key store is down';

/** Which store operation fails: key look-up, or listing the apps an entity reaches. */
export type StoreFault = 'findKey' | 'appsFor';

/**
 * Wraps a store so that one of its operations rejects, as a database that went away would.
 *
 * @example
 * ```ts
 * const store = faultyStore(fixture.createStore(), 'findKey');
 * // every authentication now answers 503 service_unavailable
 * ```
 */
export function faultyStore(store: KeyStore, fault: StoreFault): KeyStore {
  const down = () => Promise.reject(new Error(STORE_DOWN));
  return {
    findKey: fault === 'findKey' ? down : (id) => store.findKey(id),
    appsFor: fault === 'appsFor' ? down : (entity) => store.appsFor(entity),
  };
}

/**
 * Reads a request body as JSON (`undefined` when empty), for test servers without a body parser.
 *
 * @throws {SyntaxError} when the body is not JSON.
 * @example
 * ```ts
 * router.post('/echo', async (ctx) => { ctx.body = { received: await readJsonBody(ctx.req) }; });
 * ```
 */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : JSON.parse(text);
}
