/**
 * Keeps the documented list of rejection reasons in step with the code: `STATUS` is a
 * `Record<RejectionReason, number>`, so `tsc` fails when the type gains or loses a reason, and the
 * test fails when the table of the core README ("Rejection reasons") differs from it in a reason
 * or a status.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RejectionReason } from '../src/index.js';

/** Every reason and the status it comes with. */
const STATUS: Record<RejectionReason, number> = {
  header_too_long: 400,
  multiple_headers: 400,
  malformed_header: 400,
  missing_credentials: 401,
  unsupported_scheme: 401,
  malformed_basic: 401,
  unknown_key: 401,
  wrong_secret: 401,
  key_revoked: 401,
  key_expired: 401,
  malformed_token: 401,
  unsupported_algorithm: 401,
  missing_kid: 401,
  forbidden_header: 401,
  bad_signature: 401,
  token_expired: 401,
  token_not_yet_valid: 401,
  token_issued_in_future: 401,
  invalid_claims: 401,
  scope_not_allowed: 401,
  insufficient_scope: 403,
  resource_not_allowed: 403,
  missing_resource: 403,
  rate_limited: 429,
  store_unavailable: 503,
};

describe('the rejection reasons', () => {
  it('the core README documents exactly these reasons, with their statuses', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(
      readme.indexOf('### Rejection reasons'),
      readme.indexOf('\n## ', readme.indexOf('### Rejection reasons')),
    );
    const rows = [...section.matchAll(/^\| `([a-z_]+)` +\| (\d{3}) +\|/gm)].map(
      ([, reason, status]) => [reason, Number(status)],
    );
    expect(Object.fromEntries(rows)).toEqual(STATUS);
    expect(rows).toHaveLength(Object.keys(STATUS).length);
  });
});
