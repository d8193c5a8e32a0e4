/**
 * What the guard, the decorators and the exception filter share: the metadata key of
 * `@RequireScope()`, how a guard reads a request of either Nest platform (Express's `req` is a
 * Node request; Fastify's `request` holds one in `raw`), where the guard leaves the caller it
 * checked (`request.auth`, and a mark only this package reads, for `@Auth()`), and how a refusal
 * is written on either platform's response: core's status, headers and JSON body, exactly.
 */
import {
  type AuthContext,
  type GuardAccess,
  type NamedResource,
  type NodeRequestLike,
  readNodeRequest,
  toErrorResponse,
} from '@keyscope/core';

/** A request of Nest's Express platform (a Node request) or of its Fastify platform. */
export type NestRequest = Partial<NodeRequestLike> & {
  readonly raw?: NodeRequestLike;
  readonly params?: unknown;
  auth?: AuthContext | undefined;
};

/** The metadata key under which `@RequireScope()` leaves what the route requires. */
export const REQUIRED = Symbol('keyscope.requireScope');

/** The caller the guard checked for this very request object (read by `@Auth()`). */
const CHECKED = Symbol('keyscope.checkedCaller');

/** How the kit's guards read a Nest request. */
export const access: GuardAccess<NestRequest> = {
  request: (req) =>
    readNodeRequest(
      Array.isArray(req.rawHeaders) ? (req as NodeRequestLike) : (req.raw ?? { rawHeaders: [] }),
    ),
  resource: (req) => (req.params ?? {}) as NamedResource,
  setContext: (req, auth) => {
    req.auth = auth; // over anything another library put there
    Object.defineProperty(req, CHECKED, { value: auth, configurable: true });
  },
};

/** The caller a keyscope guard let through on this request, if one did. */
export function checkedCaller(req: object): AuthContext | undefined {
  return Object.getOwnPropertyDescriptor(req, CHECKED)?.value as AuthContext | undefined;
}

/** The parts of Express's and Fastify's responses a refusal is written with. */
type NestResponse =
  | {
      readonly headersSent: boolean;
      writeHead(status: number, headers: Record<string, string>): { end(body: string): void };
    }
  | {
      readonly raw: unknown;
      readonly sent: boolean;
      code(status: number): { headers(h: Record<string, string>): { send(b: Buffer): unknown } };
    };

/** Writes a refusal (or a 500 for any other error) exactly: no charset is added to the JSON. */
export function render(response: NestResponse, error: unknown): void {
  const { status, headers, body } = toErrorResponse(error);
  const payload = JSON.stringify(body);
  if ('raw' in response) {
    if (!response.sent) response.code(status).headers(headers).send(Buffer.from(payload));
  } else if (!response.headersSent) {
    response.writeHead(status, headers).end(payload);
  }
}
