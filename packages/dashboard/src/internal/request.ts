/**
 * Small readers of the Express request: form fields (strings only; a repeated field counts as
 * missing), the client address for the sign-in limiter, the request's own origin, and whether a
 * browser said the form came from another site (`Sec-Fetch-Site`).
 */
import type { Request } from 'express';

/** The form field `name`, when it was sent once as text. */
export function field(req: Request, name: string): string | undefined {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** The client's address (Express's `req.ip`, which honours the app's `trust proxy`). */
export function clientAddress(req: Request): string {
  return req.ip ?? req.socket?.remoteAddress ?? 'unknown';
}

/** `http://host:port` of the request, for `curl` lines. */
export function requestOrigin(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

/** Whether the browser says this request was sent by another site (a cross-site form post). */
export function fromAnotherSite(req: Request): boolean {
  const site = req.get('sec-fetch-site');
  return site === 'cross-site' || site === 'same-site';
}
