/**
 * What the end-to-end tests share: Debian's Chromium (`/usr/bin/chromium`, or `KEYSCOPE_CHROMIUM`)
 * driven by `playwright-core` through `executablePath` (nothing is downloaded), a dashboard and the
 * Express example API on their own ports over one keys file (the API with its own file store, as a
 * separate server would have), a persistent browser profile with clipboard access, a recorder of
 * console errors (a CSP violation is one; a page answered 4xx on purpose is not), and the
 * screenshot helper (every run writes into `test-results/screenshots/`; `KEYSCOPE_SCREENSHOTS=1`
 * also writes the README's pictures into `docs/`). Without Chromium the suites are skipped with a
 * notice, except under `CI=true`, where that is a failure.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FileKeyStore, type KeysDocument, openFileStore } from '@keyscope/core';
import type { DashboardOptions } from '@keyscope/dashboard';
import type { BrowserContext, Page } from 'playwright-core';
import { it } from 'vitest';
import { createApp } from '../../../examples/express/src/app.js';
import { createFixture, createTestApp, type Fixture } from './support.js';

/** The browser binary. */
export const CHROMIUM = process.env.KEYSCOPE_CHROMIUM ?? '/usr/bin/chromium';
/** Whether the browser is there. */
export const available = existsSync(CHROMIUM);
const underCi = process.env.CI === 'true';
const refreshDocs = process.env.KEYSCOPE_SCREENSHOTS === '1';
const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));
/** Where every run's screenshots go (ignored by git). */
export const SHOTS = fileURLToPath(new URL('../test-results/screenshots/', import.meta.url));

/** Call once per test file: a notice (or, under CI, a failing test) when Chromium is missing. */
export function requireChromium(): void {
  if (!available) {
    console.warn(
      `\n  NOTICE: ${CHROMIUM} not found: the dashboard's end-to-end tests are ${underCi ? 'FAILING (CI=true)' : 'skipped'}. Install it with: apt-get install -y chromium\n`,
    );
  }
  it.runIf(!available && underCi)('needs Chromium under CI', () => {
    throw new Error(`${CHROMIUM} is missing; .ci/run installs it (apt-get install -y chromium)`);
  });
}

/** A running dashboard, API and browser. */
export interface Stage {
  readonly fixture: Fixture;
  /** The API's own store on the keys file. */
  readonly apiStore: FileKeyStore;
  /** `http://127.0.0.1:port/keyscope`. */
  readonly dashboardUrl: string;
  readonly apiUrl: string;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and page errors seen so far. */
  readonly consoleErrors: string[];
  /**
   * Resolves once the API's store holds a document that `ready` accepts (at once if it already
   * does); fails after a generous 15 s, so a loaded machine is never mistaken for a defect.
   */
  apiReloaded(ready: (document: KeysDocument) => boolean): Promise<void>;
  /** Calls the API with an `Authorization` value. */
  api(path: string, authorization: string): Promise<globalThis.Response>;
  /**
   * Takes a screenshot into `test-results/screenshots/` (and, with `KEYSCOPE_SCREENSHOTS=1`, into
   * `docs/` for the README unless `docs` is false); returns its path.
   */
  shot(
    name: string,
    options?: { readonly fullPage?: boolean; readonly page?: Page; readonly docs?: boolean },
  ): Promise<string>;
  close(): Promise<void>;
}

async function listen(app: RequestListener) {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const stop = (server: Server | undefined) =>
  new Promise<void>((resolve) => {
    if (server === undefined) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
  });

/**
 * Starts a fixture with a few more keys (so that the pages look like an app in use), the API and
 * the dashboard on it, and Chromium.
 */
export async function startStage(
  options: Partial<DashboardOptions> = {},
  viewport = { width: 1180, height: 760 },
): Promise<Stage> {
  const fixture = await createFixture();
  const { store } = fixture;
  await store.createKey({
    entity: { type: 'app', id: 'app_a' },
    displayName: 'Staging',
    expiresAt: new Date(Date.now() + 90 * 86_400_000),
  });
  const old = await store.createKey({
    entity: { type: 'app', id: 'app_a' },
    displayName: 'Old CI',
  });
  await store.revokeKey(old.record.id);

  const reloadWaiters: ((document: KeysDocument) => void)[] = [];
  const apiStore = await openFileStore(fixture.file, {
    pollInterval: 100,
    onReload: (document) => {
      for (const waiter of [...reloadWaiters]) waiter(document);
    },
    onReloadError: () => {},
  });
  const api = await listen(createApp({ store: apiStore }) as RequestListener);
  const dash = await listen(
    createTestApp(fixture, { apiBaseUrl: api.origin, ...options }) as RequestListener,
  );

  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'keyscope-chromium-'));
  mkdirSync(SHOTS, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport,
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const consoleErrors: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (message) => {
      // Chromium logs every page answered 4xx (a refusal, a secret already shown) as an error;
      // those statuses are what the tests ask for and assert. Anything else counts.
      const status = /^Failed to load resource: the server responded with a status of 4\d\d /;
      if (message.type() === 'error' && !status.test(message.text())) {
        consoleErrors.push(message.text());
      }
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  };
  context.on('page', watch);
  const page = context.pages()[0] ?? (await context.newPage());
  watch(page);

  return {
    fixture,
    apiStore,
    dashboardUrl: `${dash.origin}/keyscope`,
    apiUrl: api.origin,
    context,
    page,
    consoleErrors,
    apiReloaded(ready) {
      return new Promise<void>((resolve, reject) => {
        const done = (error?: Error) => {
          clearTimeout(timer);
          reloadWaiters.splice(reloadWaiters.indexOf(waiter), 1);
          if (error === undefined) resolve();
          else reject(error);
        };
        const waiter = (document: KeysDocument) => {
          if (ready(document)) done();
        };
        const timer = setTimeout(
          () => done(new Error('the API did not reload the keys file within 15 s')),
          15_000,
        );
        reloadWaiters.push(waiter);
        waiter(apiStore.document);
      });
    },
    api: (path, authorization) => fetch(`${api.origin}${path}`, { headers: { authorization } }),
    async shot(name, { fullPage = true, page: target = page, docs = true } = {}) {
      const path = join(SHOTS, `${name}.png`);
      await target.screenshot({ path, fullPage });
      if (refreshDocs && docs) {
        mkdirSync(DOCS, { recursive: true });
        await target.screenshot({ path: join(DOCS, `${name}.png`), fullPage });
      }
      return path;
    },
    async close() {
      await context.close();
      await stop(dash.server);
      await stop(api.server);
      apiStore.close();
      fixture.cleanup();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in through the form (by mouse: the keyboard path has its own tests). */
export async function signInWith(
  page: Page,
  dashboardUrl: string,
  key: { readonly id: string; readonly secret: string },
): Promise<void> {
  await page.goto(`${dashboardUrl}/sign-in`);
  await page.getByLabel('Key id').fill(key.id);
  await page.getByLabel('Secret').fill(key.secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${dashboardUrl}/apps`);
}

/**
 * Presses Tab (at most `max` times) until the focused element is the one `name` describes: its
 * accessible text (the text, `aria-label`, or the label of a form field) contains `name`. Fails
 * if it never is: a control out of keyboard reach is a defect.
 */
export async function tabTo(page: Page, name: string, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = (globalThis as unknown as { document: { activeElement: FocusedElement } })
        .document.activeElement;
      if (element === null) return '';
      const label = element.labels?.[0]?.textContent ?? '';
      return `${element.textContent ?? ''} ${element.getAttribute('aria-label') ?? ''} ${label}`;
    });
    if (focused.replace(/\s+/g, ' ').includes(name)) return;
  }
  throw new Error(`"${name}" is not reachable with Tab`);
}

/** The parts of a focused element `tabTo` reads (this file compiles without the DOM library). */
interface FocusedElement {
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  readonly labels?: ArrayLike<{ readonly textContent: string | null }> | null;
}
