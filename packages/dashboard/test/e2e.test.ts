/**
 * End-to-end in a real headless Chromium (see `browser.ts`): an operator signs in through the
 * form, creates a key, copies its secret with the copy button (read back from the clipboard), uses
 * it against the Express example API, revokes it, and sees the API refuse it. The API runs on its
 * own file store following the same keys file, as a separate server would, so the dashboard's
 * change reaches it through the file, without a restart. Also: the one-time reveal as a browser
 * meets it (a reload, Back and a second tab do not show the secret again), keyboard access, labels,
 * focus, the token tab and the service-accounts page, with no console error (a CSP violation
 * would be one). `KEYSCOPE_SCREENSHOTS=1` saves the screenshots of the package README into `docs/`.
 */
import { basicAuthorization } from '@keyscope/core';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { available, CHROMIUM, requireChromium, type Stage, startStage } from './browser.js';
import type { Fixture } from './support.js';

// What the page functions below use of the browser (this file compiles without the DOM library).
declare const document: { activeElement: { id: string; textContent: string | null } | null };
declare const navigator: { clipboard: { readText(): Promise<string> } };
declare function getComputedStyle(element: unknown): { outlineStyle: string };

requireChromium();

// A browser on a loaded 2-core machine is slow: each step gets a generous bound, never a
// wall-clock assertion.
describe.skipIf(!available)(`the dashboard in Chromium (${CHROMIUM})`, { timeout: 120_000 }, () => {
  let stage: Stage;
  let fixture: Fixture;
  let page: Page;
  let dashboardUrl: string;
  let apiUrl: string;

  beforeAll(async () => {
    stage = await startStage();
    ({ fixture, page, dashboardUrl, apiUrl } = stage);
  }, 120_000);

  afterAll(async () => {
    await stage?.close();
  });

  const shot = (name: string) => stage.shot(name);
  const api = (path: string, authorization: string) => stage.api(path, authorization);

  it('signs in with the keyboard through the labelled form', async () => {
    await page.goto(`${dashboardUrl}/`);
    expect(new URL(page.url()).pathname).toBe('/keyscope/sign-in');
    await shot('sign-in');
    // Tab order: the skip link, then the key id, the secret and the button.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Tab');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('keyId');
    // The focus is visible.
    const outline = await page.evaluate(
      () => getComputedStyle(document.activeElement).outlineStyle,
    );
    expect(outline).toBe('solid');
    await page.keyboard.type(fixture.keys.account.id);
    await page.keyboard.press('Tab');
    await page.keyboard.type(fixture.keys.account.secret);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${dashboardUrl}/apps`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Apps');
    expect(
      await page.getByRole('list', { name: 'Apps' }).getByRole('link').allTextContents(),
    ).toEqual(['app_a', 'app_b']);
    await shot('apps');
  });

  let created: { id: string; secret: string };

  it('creates a key and copies its secret with the copy button', async () => {
    await page.getByRole('link', { name: 'app_a' }).click();
    await page.getByLabel('Name (optional, for people)').fill('Mobile backend');
    await page.getByLabel('Expires').selectOption('365d');
    await page.getByRole('button', { name: 'Create key for app app_a' }).click();
    await page.getByRole('heading', { name: 'Key created' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('shown only this once');

    await page.getByRole('button', { name: 'Copy secret' }).click();
    await expect
      .poll(() => page.locator('#copy-status').textContent())
      .toBe('Copied the secret to the clipboard.');
    const secret = await page.evaluate(() => navigator.clipboard.readText());
    expect(secret).toBe(await page.locator('#created-key-secret').textContent());
    await page.getByRole('button', { name: 'Copy key id' }).click();
    await expect
      .poll(() => page.evaluate(() => navigator.clipboard.readText()))
      .toMatch(/^app_[0-9a-f]{24}$/);
    const id = await page.evaluate(() => navigator.clipboard.readText());
    created = { id, secret };
    await page.locator('#copy-status').evaluate((element: { textContent: string | null }) => {
      element.textContent = '';
    });
    await shot('key-created');
  });

  it('the example API accepts the new key at once', async () => {
    const response = await api('/v2/whoami', basicAuthorization(created));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      keyId: created.id,
      scope: 'app',
      appId: 'app_a',
    });
    expect((await api('/v2/apps/app_a', basicAuthorization(created))).status).toBe(200);
  });

  it('does not show the secret again: not in a second tab, not on a reload', async () => {
    const revealUrl = page.url();
    expect(new URL(revealUrl).pathname).toMatch(/\/keys\/app_[0-9a-f]{24}\/secret\/[\w-]{43}$/);
    const tab = await stage.context.newPage();
    await tab.goto(revealUrl);
    await tab.getByRole('heading', { name: 'Secret no longer shown' }).waitFor();
    expect(await tab.content()).not.toContain(created.secret);
    await tab.close();
    await page.reload();
    await page.getByRole('heading', { name: 'Secret no longer shown' }).waitFor();
    expect(await page.content()).not.toContain(created.secret);
    // Still one new key: the reload sent no form again.
    const keys = await fixture.store.listKeys({ entity: { type: 'app', id: 'app_a' } });
    expect(keys.filter((key) => key.displayName === 'Mobile backend')).toHaveLength(1);
  });

  it('does not show a rotated secret again on Back, from the back-forward cache either', async () => {
    await page.getByRole('link', { name: 'Back to the keys of app app_a' }).click();
    const row = page.getByRole('row').filter({ hasText: 'Staging' });
    await row.getByRole('button', { name: /^Rotate/ }).click();
    await page.getByRole('heading', { name: 'Key rotated' }).waitFor();
    const secret = (await page.locator('#created-key-secret').textContent()) as string;
    expect(secret.length).toBeGreaterThan(40);
    await page.getByRole('link', { name: 'Back to the keys of app app_a' }).click();
    await page.waitForURL(`${dashboardUrl}/apps/app_a`);
    await page.goBack();
    await page.getByRole('heading', { name: 'Secret no longer shown' }).waitFor();
    expect(await page.content()).not.toContain(secret);
    // Forward again, and on with the key created above.
    await page.getByRole('link', { name: 'Back to the keys of app app_a' }).click();
    await page.waitForURL(`${dashboardUrl}/apps/app_a`);
  });

  it('lists the key without its secret, then revokes it; the API refuses it', async () => {
    const row = page.getByRole('row').filter({ hasText: created.id });
    expect(await row.getByRole('cell').allTextContents()).toEqual([
      created.id,
      'Mobile backend',
      expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d$/),
      expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d$/),
      'Active',
      expect.stringContaining('Rotate'),
    ]);
    expect(await page.content()).not.toContain(created.secret);
    await shot('app-keys');

    await row.getByRole('link', { name: `Revoke key ${created.id}` }).click();
    await page.getByRole('button', { name: `Revoke key ${created.id}` }).click();
    await page.waitForURL(`${dashboardUrl}/apps/app_a`);
    expect(await page.getByRole('status').textContent()).toContain(`Key ${created.id} is revoked.`);
    expect(await page.getByRole('row').filter({ hasText: created.id }).textContent()).toContain(
      'Revoked',
    );

    // The API reads the file on its own (no restart): once its store has reloaded the file, it
    // refuses the key. The wait is bounded generously; the contract's two seconds are measured by
    // the core's reload tests and the benchmarks, not asserted on a loaded machine here.
    await stage.apiReloaded((document) =>
      document.keys.some((key) => key.id === created.id && typeof key.revokedAt === 'string'),
    );
    const response = await api('/v2/apps/app_a', basicAuthorization(created));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Basic realm="keyscope", charset="UTF-8", Bearer realm="keyscope"',
    );
  });

  it('mints a test token that the API accepts as the end user', async () => {
    await page.getByRole('link', { name: 'Test token' }).click();
    await page.getByLabel('Signing key').selectOption(fixture.keys.appA.id);
    await page.getByLabel('End user id (the userId claim)').fill('user_42');
    await page.getByLabel('Lifetime').selectOption('900');
    await page.getByRole('button', { name: 'Mint token' }).click();
    await page.getByRole('heading', { name: 'Token for user user_42' }).waitFor();
    const token = (await page.locator('#minted-token').textContent()) as string;
    const curl = (await page.locator('#minted-curl').textContent()) as string;
    expect(curl).toBe(
      `curl -H 'Authorization: Bearer ${token}' '${apiUrl}/v2/apps/app_a/users/user_42'`,
    );
    const response = await api('/v2/apps/app_a/users/user_42', `Bearer ${token}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ user: { id: 'user_42', appId: 'app_a' } });
    await shot('token');
  });

  it('shows the service accounts and their grants', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Service accounts' })
      .click();
    await page.getByRole('heading', { name: 'Service account svc_1' }).waitFor();
    expect(
      await page.getByRole('link', { name: 'Service accounts' }).getAttribute('aria-current'),
    ).toBe('page');
    expect(await page.getByLabel('App to grant').locator('option').allTextContents()).toEqual([
      'app_b',
    ]);
    await shot('service-accounts');
  });

  it('signs out, and raised no console error (no CSP violation) on the way', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${dashboardUrl}/sign-in?ended=signed-out`);
    expect(await page.getByRole('status').textContent()).toBe('You signed out.');
    await page.goto(`${dashboardUrl}/apps`);
    expect(new URL(page.url()).pathname).toBe('/keyscope/sign-in');
    expect(stage.consoleErrors).toEqual([]);
  });
});
