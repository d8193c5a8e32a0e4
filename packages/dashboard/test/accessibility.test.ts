/**
 * Accessibility checked by a machine, and keyboard-only use, in Chromium. axe-core (through
 * `@axe-core/playwright`, pinned; its rules ship in the package, nothing is downloaded) runs on
 * every page of the dashboard, signed out and signed in, refusal pages included, and finds no
 * violation of the WCAG 2.1 A and AA rules. Every refusal page of a signed-in operator keeps the
 * frame (navigation, who is signed in, Sign out), and a form sent from another site is refused
 * with a page that says so, not "not signed in". An operator creates, rotates and revokes a key
 * with the keyboard alone.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  available,
  CHROMIUM,
  requireChromium,
  type Stage,
  signInWith,
  startStage,
  tabTo,
} from './browser.js';

requireChromium();

/** The rules checked: WCAG 2.0 and 2.1, levels A and AA. */
const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** The WCAG 2.1 A/AA violations axe finds on the page, in a form a failure message can show. */
async function violationsOf(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_21_AA).analyze();
  // axe ran its rules on this page (a check that ran nothing would find nothing).
  expect(results.passes.length).toBeGreaterThan(5);
  return results.violations.map((violation) => ({
    rule: violation.id,
    help: violation.help,
    nodes: violation.nodes.map((node) => node.target.join(' ')),
  }));
}

// A browser on a loaded 2-core machine is slow: each step gets a generous bound, never a
// wall-clock assertion.
describe.skipIf(!available)(`accessibility in Chromium (${CHROMIUM})`, { timeout: 120_000 }, () => {
  let stage: Stage;
  let page: Page;
  let base: string;
  /** A page of another site, with a form that posts to the dashboard. */
  let attacker: Server;
  let attackerUrl: string;

  /** Runs axe on the page as it is now; `name` says which page it was (for the failure). */
  async function check(name: string, target: Page = page) {
    await target.waitForLoadState('load');
    expect({ page: name, violations: await violationsOf(target) }).toEqual({
      page: name,
      violations: [],
    });
  }

  /** Asserts the frame of a signed-in page. */
  async function expectFrame() {
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Apps' }).count()).toBe(1);
    expect(await page.getByText(`Signed in with ${stage.fixture.keys.account.id}`).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(1);
  }

  beforeAll(async () => {
    stage = await startStage({ signInLimit: { maxPerKeyAndAddress: 2 } });
    page = stage.page;
    base = stage.dashboardUrl;
    // Another site: `localhost` is not the site of `127.0.0.1`, so the browser sends no
    // SameSite=Strict cookie with the form, and says `Sec-Fetch-Site: cross-site`.
    attacker = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><html lang="en"><title>Elsewhere</title>
<form method="post" action="${base}/apps/app_a/keys"><input type="hidden" name="_csrf" value="x">
<input type="hidden" name="name" value="planted"><button>Win a prize</button></form></html>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerUrl = `http://localhost:${(attacker.address() as AddressInfo).port}/`;
  }, 120_000);

  afterAll(async () => {
    await stage?.close();
    await new Promise((resolve) => attacker?.close(resolve));
  });

  it('finds no WCAG 2.1 A/AA violation on the pages of a signed-out visitor', async () => {
    await page.goto(`${base}/sign-in`);
    await check('sign-in');
    await page.getByLabel('Key id').fill('act_nobody');
    await page.getByLabel('Secret').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await check('sign-in refused');
    await page.getByLabel('Secret').fill('wrong again');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Secret').fill('and again');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Too many attempts' }).waitFor();
    await check('too many attempts (429)');
    await page.goto(`${base}/sign-in?ended=expired`);
    await check('sign-in after an expired session');
    await page.goto(`${base}/nope`);
    await check('404, signed out');
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
  });

  it('finds none on the pages of a signed-in operator, refusals included, all in the frame', async () => {
    await signInWith(page, base, stage.fixture.keys.account);
    await check('apps');
    await page.goto(`${base}/apps/app_a`);
    await check('app keys');
    await page.getByLabel('Name (optional, for people)').fill('Axe');
    await page.getByRole('button', { name: 'Create key for app app_a' }).click();
    await page.getByRole('heading', { name: 'Key created' }).waitFor();
    await check('key created (secret shown once)');
    await page.reload();
    await page.getByRole('heading', { name: 'Secret no longer shown' }).waitFor();
    await expectFrame();
    await check('secret no longer shown (410)');
    await page.goto(`${base}/apps/app_a/keys/${stage.fixture.keys.appA.id}/revoke`);
    await check('revoke confirmation');
    await page.goto(`${base}/apps/app_a/token`);
    await check('test token');
    await page.getByLabel('End user id (the userId claim)').fill('user_1');
    await page.getByRole('button', { name: 'Mint token' }).click();
    await page.getByRole('heading', { name: 'Token for user user_1' }).waitFor();
    await check('test token minted (shown once)');
    await page.reload();
    await page.getByText('That test token was shown once').waitFor();
    await check('test token no longer shown (410)');
    await page.goto(`${base}/service-accounts`);
    await check('service accounts');
    await page.goto(`${base}/apps/app_c`);
    await page.getByRole('heading', { name: 'Not one of your apps' }).waitFor();
    await expectFrame();
    await check('app out of reach (403)');
    await page.goto(`${base}/apps/app_a/keys/app_000000000000000000000000/revoke`);
    await expectFrame();
    await check('no such key (404)');
    await page.goto(`${base}/nope`);
    await expectFrame();
    await check('404, signed in');

    // A form whose one-time token is not one of this session's.
    await page.goto(`${base}/apps/app_a`);
    await page
      .locator(`form[action="/keyscope/apps/app_a/keys"] input[name="_csrf"]`)
      .evaluate((input: { value: string }) => {
        input.value = 'forged';
      });
    await page.getByRole('button', { name: 'Create key for app app_a' }).click();
    await page.getByRole('heading', { name: 'Form refused' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toContain(
      'This form is out of date or did not come from this dashboard, so nothing was changed.',
    );
    await expectFrame();
    await check('form refused (403)');
  });

  it('refuses a form from another site with a page that says so, while the session lives on', async () => {
    await page.goto(attackerUrl);
    await page.getByRole('button', { name: 'Win a prize' }).click();
    await page.getByRole('heading', { name: 'Form refused' }).waitFor();
    const alert = (await page.getByRole('alert').textContent()) as string;
    expect(alert).toContain('This form was sent from another site, so it was refused');
    expect(alert).not.toMatch(/not signed in|session/i);
    await check('form from another site refused (403)');
    // Nothing was planted, and the operator is still signed in.
    const keys = await stage.fixture.store.listKeys({ entity: { type: 'app', id: 'app_a' } });
    expect(keys.some((key) => key.displayName === 'planted')).toBe(false);
    await page.goto(`${base}/apps`);
    await expectFrame();
  });

  it('creates, rotates and revokes a key with the keyboard alone', async () => {
    await page.goto(`${base}/apps/app_b`);
    await tabTo(page, 'Name (optional, for people)');
    await page.keyboard.type('Keyboard');
    await tabTo(page, 'Expires');
    await page.keyboard.press('ArrowDown'); // In 7 days
    await tabTo(page, 'Create key for app app_b');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Key created' }).waitFor();
    const created = (await page.locator('#created-key-id').textContent()) as string;
    const stored = await stage.fixture.store.findKey(created);
    expect(stored?.displayName).toBe('Keyboard');
    expect(stored?.expiresAt).toBeInstanceOf(Date);
    await tabTo(page, 'Copy secret');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('#copy-status').textContent())
      .toBe('Copied the secret to the clipboard.');
    await tabTo(page, 'Back to the keys of app app_b');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/apps/app_b`);

    await tabTo(page, `Rotate key ${created}`);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Key rotated' }).waitFor();
    const replacement = (await page.locator('#created-key-id').textContent()) as string;
    expect(replacement).not.toBe(created);
    await tabTo(page, 'revoke the old key');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `Revoke key ${created}?` }).waitFor();
    await check('revoke confirmation, reached by keyboard');
    await tabTo(page, `Revoke key ${created}`);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/apps/app_b`);
    expect(await page.getByRole('status').textContent()).toContain(`Key ${created} is revoked.`);
    expect((await stage.fixture.store.findKey(created))?.revokedAt).toBeInstanceOf(Date);
    expect((await stage.fixture.store.findKey(replacement))?.revokedAt).toBeUndefined();
    expect(stage.consoleErrors).toEqual([]);
  });

  it('finds none on the page of a form sent after the session ended', async () => {
    await page.goto(`${base}/apps/app_a`);
    // Signed out in another tab; this tab still shows the form.
    const other = await stage.context.newPage();
    await other.goto(`${base}/apps`);
    await other.getByRole('button', { name: 'Sign out' }).click();
    await other.waitForURL(`${base}/sign-in?ended=signed-out`);
    await check('signed out', other);
    await other.close();
    await page.getByRole('button', { name: 'Create key for app app_a' }).click();
    await page.getByRole('heading', { name: 'Not signed in' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toContain(
      'This form came without a session, so nothing was changed',
    );
    await check('form after sign-out (403)');
  });
});
