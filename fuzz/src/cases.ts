/**
 * What the fuzzer sends: fast-check arbitraries of whole requests, in families. Random header
 * values and schemes; random Basic pairs and random JWTs (signed right, wrong or not at all);
 * mutations of valid credentials (flipped bits in the text or in the decoded bytes, inserted,
 * deleted and replaced characters, swapped, dropped and grafted segments, re-encoded segments:
 * padding, the other base64 alphabet, non-zero unused bits); JWTs with an altered `alg`, `kid`,
 * forbidden header or claim, re-signed or not; odd whitespace and scheme case; header-name
 * variants; duplicate `Authorization` headers; values around 8 KiB and past the server's header
 * limit; and raw bytes an HTTP client would refuse to send (CR LF, NUL, obs-fold, UTF-8).
 */
import fc from 'fast-check';
import { type BaseCredential, b64url, type FuzzKeys, sign } from './credentials.js';

/** One request of the fuzz run. */
export interface FuzzCase {
  readonly family: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** The `Authorization` values, one header line each; `undefined`: no such header. */
  readonly authorization?: readonly string[] | undefined;
  /** The spelling of the header name (default `Authorization`). */
  readonly headerName?: string;
  readonly body?: string;
  /** Raw request text (sent as UTF-8) on its own connection instead of through the HTTP client. */
  readonly raw?: string;
  /**
   * The verdict, when the `Authorization` values alone do not decide it: raw requests (the HTTP
   * parser decides what the field becomes) and values sent under another header name.
   */
  readonly verdict?: 'invalid' | 'either' | { readonly equivalentTo: readonly string[] };
  /** The statuses the contract pins for this request, when it does. */
  readonly statuses?: readonly number[];
}

const WHOAMI = '/v2/whoami';
const OTHER_PATHS = [
  '/v2/apps/app_a',
  '/v2/apps/app_b',
  '/v2/apps',
  '/v2/apps/app_a/users/u1',
  '/v2/whoami?x=1',
  '/v2/apps/app_a/users/u1/messages',
] as const;

/** Mostly `GET /v2/whoami`, where a valid credential must answer 200; sometimes another route. */
const route = fc.oneof(
  { weight: 17, arbitrary: fc.constant({ method: 'GET' as const, path: WHOAMI }) },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom(...OTHER_PATHS)
      .map((path) =>
        path.endsWith('/messages')
          ? { method: 'POST' as const, path, body: '{"text":"fuzz"}' }
          : { method: 'GET' as const, path },
      ),
  },
);

/** Characters an HTTP client may send in a header value: HTAB, visible ASCII, SP, obs-text. */
const headerChar = fc
  .oneof(
    { weight: 10, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
    { weight: 2, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
    { weight: 1, arbitrary: fc.constant(9) },
  )
  .map((code) => String.fromCharCode(code));
const headerText = (maxLength: number) => fc.string({ unit: headerChar, maxLength });
const token68 = fc.stringMatching(/^[A-Za-z0-9\-._~+/]{1,200}=*$/);
const spaces = fc.constantFrom(' ', ' ', ' ', '  ', '   ', '\t', ' \t', '');
const ows = fc.constantFrom('', '', '', ' ', '\t', '  ', ' \t ');
const scheme = fc.oneof(
  fc.constantFrom('Basic', 'Bearer', 'basic', 'bearer', 'BASIC', 'BEARER', 'bAsIc', 'BeArEr'),
  fc.constantFrom('Digest', 'Token', 'Negotiate', 'Bearer:', 'Basic,', 'B\xe9arer', 'JWT', 'MAC'),
  fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/),
);

const isSendable = (value: string) => /^[\t\x20-\x7e\x80-\xff]*$/.test(value);

/** Builds the fuzz arbitraries of one run's keys. */
export function fuzzCases(keys: FuzzKeys, now = Date.now()): fc.Arbitrary<FuzzCase> {
  const creds = keys.credentials;
  const valid = creds.filter((c) => c.valid);
  const jwts = creds.filter((c) => c.scheme === 'Bearer');
  const seconds = Math.floor(now / 1000);
  const base = fc.constantFrom(...creds);
  const validBase = fc.constantFrom(...valid);
  const field = (c: BaseCredential) => `${c.scheme} ${c.token}`;
  const request = (
    family: string,
    r: { method: 'GET' | 'POST'; path: string; body?: string },
    authorization: readonly string[] | undefined,
    extra: Partial<FuzzCase> = {},
  ): FuzzCase => ({ family, ...r, authorization, ...extra });

  // 1. Random header values, no or several fields.
  const garbage = fc
    .tuple(route, fc.array(headerText(120), { minLength: 0, maxLength: 2 }))
    .map(([r, fields]) => request('random-value', r, fields.length === 0 ? undefined : fields));

  // 2. A scheme, spaces and a random token68.
  const schemeAndToken = fc
    .tuple(route, ows, scheme, spaces, token68, ows)
    .map(([r, lead, s, sp, t, trail]) =>
      request('random-token68', r, [`${lead}${s}${sp}${t}${trail}`]),
    );

  // 3. Random Basic pairs, mixing real key ids and secrets.
  const keyId = fc.oneof(
    fc.constantFrom(...keys.keys.map((k) => k.id)),
    fc.constantFrom(...keys.keys.map((k) => k.id.toUpperCase())),
    fc.constantFrom(...keys.keys.map((k) => ` ${k.id}`)),
    fc.string({ maxLength: 40 }),
    fc.constantFrom('', '__proto__', 'constructor', 'toString', 'hasOwnProperty'),
  );
  const secret = fc.oneof(
    fc.constantFrom(...keys.secrets),
    fc.constantFrom(...keys.secrets.map((s) => `${s} `)),
    fc.constantFrom(...keys.secrets.map((s) => s.normalize('NFD'))),
    fc.string({ maxLength: 60 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
  );
  const basicRandom = fc
    .tuple(route, keyId, fc.constantFrom(':', '::', ''), secret, fc.boolean())
    .map(([r, id, colon, s, utf8]) =>
      request('random-basic', r, [
        `Basic ${Buffer.from(`${id}${colon}${s}`, utf8 ? 'utf8' : 'latin1').toString('base64')}`,
      ]),
    );

  // 4. Random JWTs: random or plausible header and claims, signed right, wrong or not at all.
  const alg = fc.constantFrom(
    'HS256',
    'HS384',
    'HS512',
    'none',
    'None',
    'RS256',
    'ES256',
    'hs256',
    '',
  );
  const kid = fc.oneof(
    fc.constantFrom(...keys.keys.map((k) => k.id)),
    fc.constantFrom('', 'unknown', '__proto__', 'constructor', '../../etc/passwd'),
    fc.string({ maxLength: 30 }),
    fc.integer(),
    fc.constant(null),
  );
  const header = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record(
        { alg, kid, typ: fc.constantFrom('JWT', 'jwt', 'JOSE', 'at+jwt') },
        { requiredKeys: ['alg'] },
      ),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );
  const timeClaim = fc.oneof(
    fc.integer({ min: seconds + 3600, max: seconds + 7 * 86400 }),
    fc.integer({ min: seconds - 7 * 86400, max: seconds - 3600 }),
    fc.constantFrom(1e300, -1e300, 8.64e12 + 1, 0, '123', null, true),
  );
  const claims = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record(
        {
          scope: fc.constantFrom('app', 'appUser', 'user', 'account', 'admin', '', 'APP'),
          userId: fc.oneof(fc.constantFrom('u1', '', 'u2'), fc.integer()),
          external_id: fc.constantFrom('ext-1', ''),
          exp: timeClaim,
          nbf: timeClaim,
          iat: timeClaim,
        },
        { requiredKeys: [] },
      ),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );
  const signing = fc.constantFrom('right', 'right', 'wrong', 'empty', 'garbage');
  const jwtRandom = fc
    .tuple(route, header, claims, signing, validBase)
    .map(([r, h, p, how, fallback]) => {
      const input = `${b64url(JSON.stringify(h) ?? 'null')}.${b64url(JSON.stringify(p) ?? 'null')}`;
      const named =
        typeof h === 'object' && h !== null && !Array.isArray(h) && typeof h.kid === 'string'
          ? keys.byId.get(h.kid)
          : undefined;
      const secretOf = (named ?? fallback.key).secret;
      const signature =
        how === 'right'
          ? sign(input, secretOf)
          : how === 'wrong'
            ? sign(input, `${secretOf}x`)
            : how === 'empty'
              ? ''
              : 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
      return request('random-jwt', r, [`Bearer ${input}.${signature}`]);
    });

  // 5. Mutations of valid (and of well-formed but refused) credentials.
  const op = fc.oneof(
    fc.record({
      op: fc.constant('flipCharBit' as const),
      at: fc.nat(),
      bit: fc.integer({ min: 0, max: 6 }),
    }),
    fc.record({
      op: fc.constant('flipByteBit' as const),
      segment: fc.nat(2),
      at: fc.nat(),
      bit: fc.integer({ min: 0, max: 7 }),
    }),
    fc.record({
      op: fc.constant('insert' as const),
      at: fc.nat(),
      text: fc.oneof(fc.stringMatching(/^[A-Za-z0-9+/=._~-]{1,3}$/), headerText(3)),
    }),
    fc.record({
      op: fc.constant('delete' as const),
      at: fc.nat(),
      count: fc.integer({ min: 1, max: 4 }),
    }),
    fc.record({
      op: fc.constant('replace' as const),
      at: fc.nat(),
      char: fc.stringMatching(/^[A-Za-z0-9+/=._~-]$/),
    }),
    fc.record({
      op: fc.constant('truncate' as const),
      keep: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
    fc.record({ op: fc.constant('swapSegments' as const), i: fc.nat(2), j: fc.nat(2) }),
    fc.record({ op: fc.constant('dropSegment' as const), i: fc.nat(2) }),
    fc.record({ op: fc.constant('graft' as const), i: fc.nat(2), from: fc.nat() }),
    fc.record({
      op: fc.constant('reencode' as const),
      segment: fc.nat(2),
      how: fc.constantFrom(
        'pad',
        'unpad',
        'otherAlphabet',
        'unusedBits',
        'doublePad',
        'upper',
        'lower',
      ),
    }),
    fc.record({ op: fc.constant('swapScheme' as const) }),
    fc.record({
      op: fc.constant('appendSegment' as const),
      text: fc.constantFrom('', 'e30', 'AAAA'),
    }),
  );
  type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

  const mutate = (c: BaseCredential, ops: readonly Op[]): string => {
    let s: string = c.scheme;
    let t = c.token;
    for (const o of ops) {
      const at = (n: number) => (t.length === 0 ? 0 : n % t.length);
      switch (o.op) {
        case 'flipCharBit': {
          const i = at(o.at);
          t = t.slice(0, i) + String.fromCharCode(t.charCodeAt(i) ^ (1 << o.bit)) + t.slice(i + 1);
          break;
        }
        case 'flipByteBit':
          t = mapSegment(t, s, o.segment, (bytes) => {
            if (bytes.length > 0) bytes[o.at % bytes.length]! ^= 1 << o.bit;
            return bytes;
          });
          break;
        case 'insert': {
          const i = t.length === 0 ? 0 : o.at % (t.length + 1);
          t = t.slice(0, i) + o.text + t.slice(i);
          break;
        }
        case 'delete': {
          const i = at(o.at);
          t = t.slice(0, i) + t.slice(i + o.count);
          break;
        }
        case 'replace': {
          const i = at(o.at);
          t = t.slice(0, i) + o.char + t.slice(i + 1);
          break;
        }
        case 'truncate':
          t = t.slice(0, Math.floor(t.length * o.keep));
          break;
        case 'swapSegments': {
          const parts = t.split('.');
          const i = o.i % parts.length;
          const j = o.j % parts.length;
          [parts[i], parts[j]] = [parts[j]!, parts[i]!];
          t = parts.join('.');
          break;
        }
        case 'dropSegment': {
          const parts = t.split('.');
          parts.splice(o.i % parts.length, 1);
          t = parts.join('.');
          break;
        }
        case 'graft': {
          const donor = jwts[o.from % jwts.length]!.token.split('.');
          const parts = t.split('.');
          const i = o.i % Math.max(parts.length, 1);
          parts[i] = donor[o.i % 3]!;
          t = parts.join('.');
          break;
        }
        case 'reencode':
          t = reencode(t, s, o.segment, o.how);
          break;
        case 'swapScheme':
          s = s.toLowerCase() === 'basic' ? 'Bearer' : 'Basic';
          break;
        case 'appendSegment':
          t = `${t}.${o.text}`;
          break;
      }
    }
    return `${s} ${t}`;
  };
  const mutation = fc
    .tuple(route, base, fc.array(op, { minLength: 1, maxLength: 3 }))
    .map(([r, c, ops]) => {
      const value = mutate(c, ops);
      return isSendable(value)
        ? request('mutated', r, [value])
        : request('mutated-raw', r, undefined, {
            raw: rawRequest(r, [`Authorization: ${value}`]),
            verdict: 'invalid',
          });
    });

  // 6. JWTs with an altered header or claims, re-signed (right or wrong key) or not.
  const DELETE = Symbol('delete');
  const headerEdit = fc.oneof(
    fc.record({
      name: fc.constant('alg'),
      value: fc.constantFrom<unknown>(
        'none',
        'HS384',
        'HS512',
        'RS256',
        'ES256',
        'PS256',
        'EdDSA',
        'hs256',
        'HS256 ',
        '',
        null,
        256,
        ['HS256'],
        DELETE,
      ),
    }),
    fc.record({
      name: fc.constant('kid'),
      value: fc.oneof(
        fc.constantFrom(...keys.keys.map((k) => k.id)),
        fc.constantFrom<unknown>(...keys.keys.map((k) => k.id.toUpperCase())),
        fc.constantFrom<unknown>(
          '',
          ' ',
          'unknown_key',
          '__proto__',
          'constructor',
          null,
          0,
          [],
          {},
          DELETE,
        ),
        fc.constantFrom(...keys.keys.map((k) => `${k.id} `)),
        fc.constantFrom(...keys.keys.map((k) => `${k.id}\u0000`)),
      ),
    }),
    fc.record({
      name: fc.constant('typ'),
      value: fc.constantFrom<unknown>(
        'JWT',
        'jwt',
        'application/jwt',
        'JOSE',
        'at+jwt',
        '',
        null,
        1,
        DELETE,
      ),
    }),
    fc.record({
      name: fc.constantFrom('crit', 'jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256'),
      value: fc.constantFrom<unknown>(
        ['exp'],
        [],
        { kty: 'oct', k: 'AAAA' },
        'https://attacker.example/jwks.json',
        ['MIIB'],
        'AAAA',
      ),
    }),
    fc.record({
      name: fc.constantFrom('b64', 'cty', 'zip', 'enc', 'x-extra'),
      value: fc.constantFrom<unknown>(false, true, 'JWT', 'DEF', 'A128GCM', 1),
    }),
  );
  const claimEdit = fc.oneof(
    fc.record({
      name: fc.constant('scope'),
      value: fc.constantFrom<unknown>(
        'app',
        'appUser',
        'user',
        'account',
        'admin',
        'APP',
        'app ',
        '',
        null,
        ['app'],
        { app: true },
        DELETE,
      ),
    }),
    fc.record({
      name: fc.constantFrom('userId', 'external_id'),
      value: fc.constantFrom<unknown>('u1', 'u2', '', ' ', null, 1, ['u1'], DELETE),
    }),
    fc.record({
      name: fc.constantFrom('exp', 'nbf', 'iat'),
      value: fc.oneof(timeClaim, fc.constant<unknown>(DELETE)),
    }),
    fc.record({
      name: fc.constantFrom('sub', 'aud', 'iss', 'jti', '__proto__', 'constructor'),
      value: fc.constantFrom<unknown>('x', 1, null, { scope: 'account' }, ['a']),
    }),
  );
  const RAW_CLAIMS = [
    (scope: string) => `{"scope":"${scope}","scope":"account"}`,
    (scope: string) => `{"scope":"account","scope":"${scope}"}`,
    (scope: string) => `{"scope":"${scope}","exp":1e400}`,
    (scope: string) => `{"scope":"${scope}","exp":"${seconds + 3600}"}`,
    (scope: string) => `{"scope":"${scope}","userId":"u1","external_id":"e",}`,
    (scope: string) => `\ufeff{"scope":"${scope}"}`,
    (scope: string) => `{"__proto__":{"scope":"${scope}"}}`,
    () => '[]',
    () => 'null',
    () => '"app"',
    () => '',
  ];
  const jwtAltered = fc
    .tuple(
      route,
      fc.constantFrom(...jwts),
      fc.array(headerEdit, { maxLength: 2 }),
      fc.array(claimEdit, { maxLength: 2 }),
      fc.option(fc.nat(RAW_CLAIMS.length - 1), { freq: 6 }),
      fc.constantFrom('keep', 'right', 'right', 'rightAlg', 'wrong', 'empty'),
    )
    .filter(([, , h, p, raw]) => h.length + p.length > 0 || raw !== null)
    .map(([r, c, hEdits, pEdits, raw, how]) => {
      const [h, p, sig] = c.token.split('.') as [string, string, string];
      const hdr = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >;
      const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >;
      for (const e of hEdits) apply(hdr, e.name, e.value, DELETE);
      for (const e of pEdits) apply(payload, e.name, e.value, DELETE);
      const payloadText =
        raw === null ? JSON.stringify(payload) : RAW_CLAIMS[raw]!(String(payload.scope ?? 'app'));
      const input = `${b64url(JSON.stringify(hdr))}.${b64url(payloadText)}`;
      const named = typeof hdr.kid === 'string' ? keys.byId.get(hdr.kid) : undefined;
      const secretOf = (named ?? c.key).secret;
      const hash = hdr.alg === 'HS384' ? 'sha384' : hdr.alg === 'HS512' ? 'sha512' : 'sha256';
      const signature =
        how === 'keep'
          ? sig
          : how === 'right'
            ? sign(input, secretOf)
            : how === 'rightAlg'
              ? sign(input, secretOf, hash)
              : how === 'wrong'
                ? sign(input, `${secretOf}-wrong`)
                : '';
      return request(`jwt-altered:${how}`, r, [`Bearer ${input}.${signature}`]);
    });

  // 7. Whitespace and scheme case: mostly equivalent to the valid credential, some not.
  const caseOf = (text: string, mask: number) =>
    [...text].map((ch, i) => ((mask >> i) & 1 ? ch.toUpperCase() : ch.toLowerCase())).join('');
  const whitespace = fc
    .tuple(
      route,
      validBase,
      ows,
      fc.integer({ min: 0, max: 63 }),
      fc.constantFrom(' ', '  ', '    ', '\t', ' \t', '\xa0', '', ' \u0085'),
      ows,
    )
    .map(([r, c, lead, mask, sep, trail]) => {
      const value = `${lead}${caseOf(c.scheme, mask)}${sep}${c.token}${trail}`;
      return isSendable(value)
        ? request('whitespace', r, [value], {
            ...(/^ +$/.test(sep) ? {} : { statuses: sep === '' ? [400, 401] : [400] }),
          })
        : request('whitespace-raw', r, undefined, {
            raw: rawRequest(r, [`Authorization: ${value}`]),
            verdict: 'invalid',
          });
    });

  // 8. The header's name: its case does not matter, other names are not credentials.
  const headerName = fc
    .tuple(
      route,
      validBase,
      fc.constantFrom(
        'authorization',
        'AUTHORIZATION',
        'aUtHoRiZaTiOn',
        'Authorisation',
        'X-Authorization',
        'Proxy-Authorization',
        'Authorization2',
        'Authentication',
      ),
    )
    .map(([r, c, name]) =>
      request('header-name', r, [field(c)], {
        headerName: name,
        ...(name.toLowerCase() !== 'authorization' && {
          verdict: 'invalid' as const,
          statuses: [401],
        }),
      }),
    );

  // 9. Several Authorization fields: always 400, even when each is valid.
  const duplicate = fc
    .tuple(
      route,
      fc.array(fc.oneof(validBase.map(field), base.map(field), headerText(40)), {
        minLength: 2,
        maxLength: 4,
      }),
    )
    .map(([r, fields]) => request('duplicate', r, fields, { statuses: [400] }));

  // 10. Long values: up to 8 KiB, just past it (400), and past the server's header limit (431).
  const huge = fc
    .tuple(
      route,
      base,
      fc.constantFrom(8000, 8191, 8192, 8193, 9000, 12_000, 16_000, 16_384, 17_000, 32_768, 70_000),
      fc.constantFrom('A', '=', '.', ' ', 'a.b'),
    )
    .map(([r, c, length, pad]) => {
      const start = field(c);
      const value = (start + pad.repeat(Math.ceil(length / pad.length))).slice(
        0,
        Math.max(length, start.length + 1),
      );
      const trimmed = value.replace(/[ \t]+$/, '');
      return request('huge', r, [value], {
        ...(trimmed.length > 8192 ? { statuses: [400, 431] } : {}),
      });
    });

  // 11. Raw bytes: CR LF injection, NUL, bare LF, obs-fold, UTF-8, spaces before the colon.
  const rawBytes = fc
    .tuple(
      route,
      validBase,
      fc.constantFrom('crlf', 'nul', 'lf', 'cr', 'fold', 'utf8', 'colonSpace', 'del', 'ctl'),
      fc.nat(),
    )
    .map(([r, c, kind, n]) => {
      const v = field(c);
      const i = 1 + (n % (v.length - 1));
      const lines: Record<string, [string[], FuzzCase['verdict']]> = {
        crlf: [[`Authorization: ${v}\r\nX-Fuzz: 1`], { equivalentTo: [v] }],
        nul: [[`Authorization: ${v.slice(0, i)}\u0000${v.slice(i)}`], 'invalid'],
        lf: [[`Authorization: ${v.slice(0, i)}\n${v.slice(i)}`], 'invalid'],
        cr: [[`Authorization: ${v.slice(0, i)}\r${v.slice(i)}`], 'invalid'],
        fold: [[`Authorization: ${c.scheme}\r\n  ${c.token}`], 'either'],
        utf8: [[`Authorization: ${v.slice(0, i)}\u2028${v.slice(i)}`], 'invalid'],
        colonSpace: [[`Authorization : ${v}`], 'invalid'],
        del: [[`Authorization: ${v.slice(0, i)}\u007f${v.slice(i)}`], 'invalid'],
        ctl: [[`Authorization: ${v.slice(0, i)}\u0001${v.slice(i)}`], 'invalid'],
      };
      const [headerLines, verdict] = lines[kind]!;
      return request(`raw:${kind}`, r, undefined, { raw: rawRequest(r, headerLines), verdict });
    });

  // 12. The valid credentials themselves, so that every run proves it can tell.
  const unmodified = fc.tuple(route, base).map(([r, c]) => request('unmodified', r, [field(c)]));

  return fc.oneof(
    { weight: 6, arbitrary: garbage },
    { weight: 6, arbitrary: schemeAndToken },
    { weight: 6, arbitrary: basicRandom },
    { weight: 8, arbitrary: jwtRandom },
    { weight: 30, arbitrary: mutation },
    { weight: 20, arbitrary: jwtAltered },
    { weight: 8, arbitrary: whitespace },
    { weight: 2, arbitrary: headerName },
    { weight: 3, arbitrary: duplicate },
    { weight: 3, arbitrary: huge },
    { weight: 3, arbitrary: rawBytes },
    { weight: 5, arbitrary: unmodified },
  );
}

function apply(target: Record<string, unknown>, name: string, value: unknown, del: symbol): void {
  if (value === del) delete target[name];
  else
    Object.defineProperty(target, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
}

/** Applies `change` to the decoded bytes of one segment (Basic has one, a JWT three). */
function mapSegment(
  token: string,
  scheme: string,
  index: number,
  change: (bytes: Buffer) => Buffer,
): string {
  if (scheme.toLowerCase() === 'basic') {
    return change(Buffer.from(token, 'base64')).toString('base64');
  }
  const parts = token.split('.');
  const i = index % parts.length;
  parts[i] = change(Buffer.from(parts[i]!, 'base64url')).toString('base64url');
  return parts.join('.');
}

/** The same bytes, written another way: padding, the other alphabet, non-zero unused bits... */
function reencode(token: string, scheme: string, index: number, how: string): string {
  const basic = scheme.toLowerCase() === 'basic';
  const parts = basic ? [token] : token.split('.');
  const i = index % parts.length;
  const segment = parts[i]!;
  const bytes = Buffer.from(segment, basic ? 'base64' : 'base64url');
  let out = segment;
  switch (how) {
    case 'pad':
      out = basic
        ? `${segment}=`
        : bytes.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
      break;
    case 'unpad':
      out = segment.replace(/=+$/, '');
      break;
    case 'otherAlphabet':
      out = basic ? bytes.toString('base64url') : bytes.toString('base64');
      break;
    case 'unusedBits': {
      // Set the unused low bits of the last character, when it has any.
      const alphabet = basic
        ? 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
        : 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const body = segment.replace(/=+$/, '');
      const padding = segment.slice(body.length);
      const last = alphabet.indexOf(body.at(-1) ?? 'A');
      const unused = body.length % 4 === 2 ? 0b1111 : body.length % 4 === 3 ? 0b11 : 0;
      if (unused !== 0 && last >= 0) out = body.slice(0, -1) + alphabet[last | unused] + padding;
      else out = `${segment}A`;
      break;
    }
    case 'doublePad':
      out = `${segment}==`;
      break;
    case 'upper':
      out = segment.toUpperCase();
      break;
    case 'lower':
      out = segment.toLowerCase();
      break;
  }
  parts[i] = out;
  return parts.join('.');
}

/** A raw HTTP/1.1 request with the given header lines, closing its connection after. */
function rawRequest(
  r: { method: string; path: string; body?: string },
  headerLines: readonly string[],
): string {
  const body = r.body ?? '';
  const head = [
    `${r.method} ${r.path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Connection: close',
    ...headerLines,
    ...(body === ''
      ? []
      : ['Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`]),
  ];
  return `${head.join('\r\n')}\r\n\r\n${body}`;
}
