/**
 * `toResponse(error)`: every `AuthError` renders its status, its exact `WWW-Authenticate` and the
 * contract's JSON body; anything else renders a 500 `internal_error` that reveals nothing.
 */
import { CHALLENGES } from '@keyscope/test-kit';
import { describe, expect, it } from 'vitest';
import {
  createAuthenticator,
  createMemoryStore,
  ForbiddenError,
  toResponse,
} from '../src/index.js';

const store = createMemoryStore({ version: 1, apps: [], keys: [] });

describe('toResponse', () => {
  it('renders a refusal with its status, challenge and JSON body', async () => {
    const error = await createAuthenticator({ store })
      .authenticate({})
      .catch((e: unknown) => e);
    const response = toResponse(error);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(CHALLENGES.both);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toStrictEqual({
      errors: [{ code: 'unauthorized', title: 'Authentication required' }],
    });
  });

  it('renders a 403 for a Bearer caller with insufficient_scope', async () => {
    const response = toResponse(
      new ForbiddenError('app', {
        reason: 'insufficient_scope',
        method: 'jwt',
        headers: { 'WWW-Authenticate': CHALLENGES.insufficientScope('app') },
      }),
    );
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(CHALLENGES.insufficientScope('app'));
    expect(await response.json()).toMatchObject({ errors: [{ code: 'forbidden' }] });
  });

  it('renders any other error as a 500 that reveals nothing', async () => {
    const response = toResponse(new Error('database password is hunter2'));
    expect(response.status).toBe(500);
    expect(response.headers.get('www-authenticate')).toBeNull();
    const text = await response.text();
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(text)).toStrictEqual({
      errors: [{ code: 'internal_error', title: 'Internal server error' }],
    });
  });
});
