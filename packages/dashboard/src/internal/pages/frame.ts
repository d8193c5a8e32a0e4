/**
 * What every page needs from the request besides its own data: the nonce, the mount path, the
 * signed-in operator and a one-time notice. Pages take a `Frame` and add their title and body.
 */
import type { PageInput } from '../layout.js';

/** The per-request part of a page. */
export type Frame = Pick<PageInput, 'nonce' | 'base' | 'operator' | 'notice'>;

/** A path segment for a URL: ids may hold any character but control characters. */
export const segment = (id: string): string => encodeURIComponent(id);
