/**
 * Reads a request's JSON body for the Koa example, with a size limit, so the example needs no body
 * parser package. It is called by a handler after the route's guard, so a body is only ever read
 * for an authorized caller. Failures are `BodyError`s with their status and public code; their
 * titles are fixed and never quote the body.
 */
import type { Context } from 'koa';

/**
 * Why a body was refused: 400 `bad_request` (missing or not JSON), 413 `payload_too_large`,
 * 415 `unsupported_media_type`.
 *
 * @example
 * ```ts
 * if (error instanceof BodyError) ctx.status = error.status;
 * ```
 */
export class BodyError extends Error {
  override readonly name = 'BodyError';
  readonly status: 400 | 413 | 415;
  readonly code: 'bad_request' | 'payload_too_large' | 'unsupported_media_type';
  constructor(status: BodyError['status'], code: BodyError['code'], title: string) {
    super(title);
    this.status = status;
    this.code = code;
  }
}

/**
 * Reads and parses the JSON body of `ctx.req` (any JSON value), up to `limit` bytes.
 *
 * @throws {BodyError} without a body or with an empty one (400), when the body is not `application/json` in UTF-8 or is
 * compressed (415), larger than `limit` (413), or not valid JSON (400).
 * @example
 * ```ts
 * router.post('/things', async (ctx) => {
 *   ctx.body = { received: await readJsonBody(ctx, 100 * 1024) };
 * });
 * ```
 */
export async function readJsonBody(ctx: Context, limit: number): Promise<unknown> {
  const type = ctx.request.is('application/json');
  if (type === null || ctx.request.length === 0) {
    throw new BodyError(400, 'bad_request', 'A JSON request body is required');
  }
  const charset = ctx.request.charset.toLowerCase();
  const encoding = (ctx.get('Content-Encoding') || 'identity').toLowerCase();
  if (type === false || (charset !== '' && charset !== 'utf-8') || encoding !== 'identity') {
    throw new BodyError(
      415,
      'unsupported_media_type',
      'The request body must be application/json in UTF-8',
    );
  }
  const declared = ctx.request.length;
  if (declared !== undefined && declared > limit) throw tooLarge();
  const bytes = await readAtMost(ctx, limit);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw notJson();
  }
  try {
    return JSON.parse(text);
  } catch {
    throw notJson();
  }
}

const tooLarge = () => new BodyError(413, 'payload_too_large', 'The request body is too large');
const notJson = () => new BodyError(400, 'bad_request', 'The request body is not valid JSON');

function readAtMost(ctx: Context, limit: number): Promise<Buffer> {
  const req = ctx.req;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        // Let the rest drain unread, so the 413 can still be sent on this connection.
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: unknown) => {
      cleanup();
      reject(error instanceof Error ? error : new Error('request aborted'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onError);
  });
}
