/**
 * `KeyscopeModule`: `forRoot` checks its options at once and `forRootAsync` when the app starts;
 * the authenticator is injectable by `KEYSCOPE_AUTHENTICATOR`; `KeyscopeExceptionFilter` answers
 * refusals (also those of another copy of keyscope) and leaves every other error to Nest; with
 * `passErrors` the app's own filter gets the `AuthError`. Every test runs on both platforms.
 */
import {
  type AuthError,
  type Authenticator,
  ConfigurationError,
  createAuthenticator,
  ForbiddenError,
  KEYSCOPE_AUTHENTICATOR,
  KeyscopeExceptionFilter,
  KeyscopeModule,
  RequireScope,
} from '@keyscope/nestjs';
import { basic, CHALLENGES, createProbe } from '@keyscope/test-kit';
import {
  type ArgumentsHost,
  Catch,
  Controller,
  type ExceptionFilter,
  Get,
  Inject,
  NotFoundException,
} from '@nestjs/common';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { fixture, keys, nestApp, PLATFORMS } from './support.js';

const appKey = basic(keys.appA.id, keys.appA.secret);

it('forRoot checks its options at once', () => {
  expect(() => KeyscopeModule.forRoot({ store: {} } as never)).toThrow(ConfigurationError);
  expect(() => KeyscopeModule.forRoot({ authenticator: {} } as never)).toThrow(ConfigurationError);
});

describe.each(PLATFORMS)('KeyscopeModule on Nest %s', (platform) => {
  const probe = createProbe();

  @Controller('v2/apps')
  class AppsController {
    constructor(@Inject(KEYSCOPE_AUTHENTICATOR) readonly authenticator: Authenticator) {}

    @Get(':appId')
    @RequireScope('app')
    one() {
      probe.ran('one');
      return { ok: true };
    }

    @Get()
    missing() {
      throw new NotFoundException();
    }
  }

  it('forRootAsync makes the authenticator when the app starts, and refuses bad options then', async () => {
    const authenticator = createAuthenticator({ store: fixture.createStore() });
    const app = await nestApp(platform, {
      imports: [KeyscopeModule.forRootAsync({ useFactory: async () => ({ authenticator }) })],
      controllers: [AppsController],
    });
    expect(app.get(AppsController).authenticator).toBe(authenticator);
    await expect(
      nestApp(platform, {
        imports: [KeyscopeModule.forRootAsync({ useFactory: () => ({ store: {} }) as never })],
      }),
    ).rejects.toBeInstanceOf(ConfigurationError);
  });

  it('answers refusals exactly and leaves every other error to Nest', async () => {
    probe.reset();
    const app = await nestApp(platform, {
      imports: [KeyscopeModule.forRoot({ store: fixture.createStore() })],
      controllers: [AppsController],
    });
    const api = request(app.getHttpServer());
    const refused = await api.get('/v2/apps/app_a');
    expect(refused.status).toBe(401);
    expect(refused.headers['content-type']).toBe('application/json');
    expect(refused.headers['www-authenticate']).toBe(CHALLENGES.both);
    expect(refused.body).toEqual({
      errors: [{ code: 'unauthorized', title: 'Authentication required' }],
    });
    const notFound = await api.get('/v2/apps').set('Authorization', appKey);
    expect(notFound.status).toBe(404);
    expect(notFound.body).toMatchObject({ statusCode: 404 });
    expect(probe.calls).toEqual([]);
  });

  it('answers a refusal of another copy of keyscope (recognised by its brand)', async () => {
    probe.reset();
    class ForeignRefusal extends Error {
      readonly status = 403;
      readonly code = 'forbidden';
      readonly headers = { 'WWW-Authenticate': CHALLENGES.insufficientScope('app') };
      toBody() {
        return { errors: [{ code: this.code, title: this.message }] };
      }
    }
    Object.defineProperty(ForeignRefusal.prototype, Symbol.for('keyscope.AuthError'), {
      value: true,
    });
    const authenticator: Authenticator = {
      ...createAuthenticator({ store: fixture.createStore() }),
      authenticate: () => Promise.reject(new ForeignRefusal('Insufficient scope')),
    };
    const app = await nestApp(platform, {
      imports: [KeyscopeModule.forRoot({ authenticator })],
      controllers: [AppsController],
    });
    const res = await request(app.getHttpServer())
      .get('/v2/apps/app_a')
      .set('Authorization', appKey);
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['www-authenticate']).toBe(CHALLENGES.insufficientScope('app'));
    expect(probe.calls).toEqual([]);
  });

  it("passErrors: the app's own filter gets the AuthError", async () => {
    probe.reset();
    const seen: unknown[] = [];
    @Catch()
    class OwnFilter implements ExceptionFilter {
      catch(error: unknown, host: ArgumentsHost) {
        seen.push(error);
        new KeyscopeExceptionFilter().catch(error, host); // the same answer, after logging
      }
    }
    const app = await nestApp(
      platform,
      {
        imports: [KeyscopeModule.forRoot({ store: fixture.createStore(), passErrors: true })],
        controllers: [AppsController],
      },
      (nest) => nest.useGlobalFilters(new OwnFilter()),
    );
    const res = await request(app.getHttpServer())
      .get('/v2/apps/app_b')
      .set('Authorization', appKey);
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toBe('application/json');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(ForbiddenError);
    expect(seen[0]).toMatchObject({ reason: 'resource_not_allowed' } satisfies Partial<AuthError>);
    expect(probe.calls).toEqual([]);
  });

  it("passErrors without a filter of the app's: Nest's own filter answers 500, never a pass", async () => {
    probe.reset();
    const app = await nestApp(platform, {
      imports: [KeyscopeModule.forRoot({ store: fixture.createStore(), passErrors: true })],
      controllers: [AppsController],
    });
    const res = await request(app.getHttpServer())
      .get('/v2/apps/app_b')
      .set('Authorization', appKey);
    expect(res.status).toBe(500);
    expect(probe.calls).toEqual([]);
  });
});
