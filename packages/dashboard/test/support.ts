/**
 * What the dashboard tests share: a keys file written at test time (two accounts, their apps, a
 * service account, and keys of every kind with secrets from `generateKey`), a dashboard mounted at
 * `/keyscope` on a fresh Express app, a recorder of audit events, and helpers that sign in through
 * the real form, send a page's form with its one-time token, follow a redirect, and check the
 * page frame.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateKey,
  openWritableFileStore,
  type WritableFileKeyStore,
  type WritableFileStoreOptions,
} from '@keyscope/core';
import { type DashboardEvent, type DashboardOptions, dashboard } from '@keyscope/dashboard';
import express, { type Express } from 'express';
import request from 'supertest';
import { expect } from 'vitest';

/** A key of the fixture, with its secret. */
export interface FixtureKey {
  readonly id: string;
  readonly secret: string;
}

/** The keys of the fixture. */
export interface FixtureKeys {
  /** The user account acc_1 (apps app_a and app_b). */
  readonly account: FixtureKey;
  /** The user account acc_2 (app app_c). */
  readonly otherAccount: FixtureKey;
  /** The service account svc_1 of acc_1, granted app_a only. */
  readonly service: FixtureKey;
  /** An app key of app_a. */
  readonly appA: FixtureKey;
  /** An app key of app_b. */
  readonly appB: FixtureKey;
  /** A revoked key of acc_1. */
  readonly revokedAccount: FixtureKey;
}

/** A fixture: its directory, keys file, keys and an open writable store on the file. */
export interface Fixture {
  readonly dir: string;
  readonly file: string;
  readonly keys: FixtureKeys;
  readonly store: WritableFileKeyStore;
  /** Every audit event, in order. */
  readonly events: DashboardEvent[];
  /** Closes the store and removes the directory. */
  cleanup(): void;
}

function mint(type: 'app' | 'userAccount' | 'serviceAccount'): FixtureKey {
  const { id, secret } = generateKey(type);
  return { id, secret };
}

/** Writes a fresh keys file and opens it. */
export async function createFixture(options: WritableFileStoreOptions = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'keyscope-dashboard-'));
  const file = join(dir, 'keys.json');
  const keys: FixtureKeys = {
    account: mint('userAccount'),
    otherAccount: mint('userAccount'),
    service: mint('serviceAccount'),
    appA: mint('app'),
    appB: mint('app'),
    revokedAccount: mint('userAccount'),
  };
  const document = {
    version: 1,
    apps: [
      { id: 'app_a', accountId: 'acc_1' },
      { id: 'app_b', accountId: 'acc_1' },
      { id: 'app_c', accountId: 'acc_2' },
    ],
    serviceAccounts: [{ id: 'svc_1', accountId: 'acc_1', appIds: ['app_a'] }],
    keys: [
      {
        ...keys.account,
        entity: { type: 'userAccount', id: 'acc_1' },
        displayName: 'Operator',
        createdAt: '2024-01-02T03:00:00Z',
      },
      { ...keys.otherAccount, entity: { type: 'userAccount', id: 'acc_2' } },
      {
        ...keys.service,
        entity: { type: 'serviceAccount', id: 'svc_1' },
        displayName: 'CI',
        createdAt: '2024-03-04T05:06:07Z',
      },
      {
        ...keys.appA,
        entity: { type: 'app', id: 'app_a' },
        displayName: 'Backend',
        createdAt: '2024-01-02T03:04:05Z',
      },
      { ...keys.appB, entity: { type: 'app', id: 'app_b' } },
      {
        ...keys.revokedAccount,
        entity: { type: 'userAccount', id: 'acc_1' },
        revokedAt: '2020-01-01T00:00:00Z',
      },
    ],
  };
  writeFileSync(file, JSON.stringify(document, null, 2));
  const store = await openWritableFileStore(file, { watch: false, ...options });
  return {
    dir,
    file,
    keys,
    store,
    events: [],
    cleanup() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An Express app with the dashboard mounted at `/keyscope`, recording events in the fixture. */
export function createTestApp(
  fixture: Fixture,
  options: Partial<DashboardOptions> = {},
  configure?: (app: Express) => void,
): Express {
  const app = express();
  configure?.(app);
  app.use(
    '/keyscope',
    dashboard({
      store: fixture.store,
      onEvent: (event) => fixture.events.push(event),
      ...options,
    }),
  );
  return app;
}

/** The value of the hidden `_csrf` field of a page. */
export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (match === null) throw new Error('no CSRF field on the page');
  return match[1] as string;
}

/** The `Set-Cookie` values of a response. */
export function setCookies(response: request.Response): string[] {
  const value = response.headers['set-cookie'] as unknown;
  return Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : [];
}

/** The `Set-Cookie` value of the cookie `name`. */
export function setCookie(response: request.Response, name: string): string | undefined {
  return setCookies(response).find((cookie) => cookie.startsWith(`${name}=`));
}

/** An agent that keeps cookies, signed in with `key` through the form. */
export async function signIn(app: Express, key: FixtureKey): Promise<request.Agent> {
  const agent = request.agent(app);
  const form = await agent.get('/keyscope/sign-in').expect(200);
  await agent
    .post('/keyscope/sign-in')
    .type('form')
    .send({ _csrf: csrfOf(form.text), keyId: key.id, secret: key.secret })
    .expect(303)
    .expect('Location', '/keyscope/apps');
  return agent;
}

/**
 * The one-time token of the form that posts to `action` on a page (its hidden `_csrf` field; every
 * form of a signed-in page has its own).
 */
export function formTokenOf(html: string, action: string): string {
  const at = html.indexOf(`action="${action}"`);
  if (at < 0) throw new Error(`no form posting to ${action} on the page`);
  const match = /name="_csrf" value="([^"]+)"/.exec(html.slice(at));
  if (match === null) throw new Error(`no token in the form posting to ${action}`);
  return match[1] as string;
}

/** Opens `page` and reads the one-time token of its form that posts to `action`. */
export async function tokenFor(agent: request.Agent, page: string, action: string) {
  const response = await agent.get(page).expect(200);
  return formTokenOf(response.text, action);
}

/** Opens `page`, then sends its form that posts to `action` with its one-time token and `fields`. */
export async function submit(
  agent: request.Agent,
  page: string,
  action: string,
  fields: Record<string, string> = {},
): Promise<request.Response> {
  const token = await tokenFor(agent, page, action);
  return agent
    .post(action)
    .type('form')
    .send({ _csrf: token, ...fields });
}

/** Follows a 303 with a GET, as a browser does. */
export async function follow(
  agent: request.Agent,
  response: request.Response,
): Promise<request.Response> {
  expect(response.status).toBe(303);
  return agent.get(response.headers.location as string);
}

/** Asserts that a page keeps the frame of a signed-in operator: navigation, who, Sign out. */
export function expectFrame(html: string, keyId: string): void {
  expect(html).toContain('<nav aria-label="Main">');
  expect(html).toContain(`Signed in with <code>${keyId}</code>`);
  expect(html).toMatch(/<button type="submit">Sign out<\/button>/);
}

/** Asserts that no audit event holds any of these texts (secrets, tokens). */
export function expectNoSecretsIn(events: readonly DashboardEvent[], secrets: readonly string[]) {
  const text = JSON.stringify(events);
  for (const secret of secrets) expect(text).not.toContain(secret);
}
