/**
 * keyscope's record of one request: the authenticator that handled it and the context it made
 * (none after an optional authentication let a request without credentials through). The adapter
 * kit writes it when it authenticates a request, and a guard reads it to know whether this request
 * is already authenticated, and by which authenticator: it never trusts the context a framework
 * slot holds (`req.auth`, `ctx.state.auth`), which any other library may write.
 *
 * The record lives on the request object itself, as a non-enumerable property under a symbol that
 * only this module holds, so spreading or `Object.assign`ing a request does not copy it, and the
 * record remembers the object it was made for (in a private field): a record found on any other
 * object, even copied there with its symbol, is not this request's. A plain object cannot pass for
 * one (the private field is the brand), and neither can a record of another copy of keyscope (the
 * ESM and the CommonJS build in one process): a guard then authenticates again or fails closed.
 */
import type { Authenticator } from '../authenticate.js';
import type { AuthContext } from '../types.js';

/** The property that holds the record; unknown outside this module. */
const RECORD = Symbol('keyscope.requestRecord');

/** What keyscope knows about one request: who authenticated it, and the caller, if any. */
export class RequestRecord {
  /** The request object this record was made for, and the only one it speaks for. */
  readonly #request: object;
  /** The authenticator that handled the request, which also authorizes its context. */
  readonly authenticator: Authenticator;
  /** The caller, or `undefined` after an optional authentication found no credentials. */
  readonly context: AuthContext | undefined;

  private constructor(request: object, authenticator: Authenticator, context?: AuthContext) {
    this.#request = request;
    this.authenticator = authenticator;
    this.context = context;
  }

  /**
   * Records on `request` that `authenticator` handled it and made `context` (replacing an earlier
   * record of the same request).
   *
   * @throws {TypeError} when `request` cannot take a property (a frozen object).
   */
  static write(
    request: object,
    authenticator: Authenticator,
    context: AuthContext | undefined,
  ): RequestRecord {
    const record = new RequestRecord(request, authenticator, context);
    Object.defineProperty(request, RECORD, { value: record, configurable: true });
    return record;
  }

  /** The record keyscope made for `request`, or `undefined` when there is none. */
  static read(request: object): RequestRecord | undefined {
    const found: unknown = (request as { [RECORD]?: unknown })[RECORD];
    if (typeof found !== 'object' || found === null || !(#request in found)) return undefined;
    const record = found as RequestRecord;
    return record.#request === request ? record : undefined;
  }
}
