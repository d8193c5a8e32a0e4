/**
 * The layout in Chromium at the widths operators use, 360 px (a phone) to 1920 px: with a key
 * whose name is 100 characters without a space, and ids longer than usual, no element of the keys
 * table overflows its card (bounding boxes compared), every Rotate and Revoke control lies inside
 * it, the full name is on the page, and no page scrolls sideways. Screenshots at 360, 768 and 1280
 * px are taken on every run (into `test-results/screenshots/`; `KEYSCOPE_SCREENSHOTS=1` also writes
 * them into `docs/` for the README).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  available,
  CHROMIUM,
  requireChromium,
  type Stage,
  signInWith,
  startStage,
} from './browser.js';

requireChromium();

/** A name a browser cannot break at a space. */
const LONG_NAME = `Payments${'x'.repeat(84)}Gateway`;

/** An element sticking out of the box it must stay in. */
interface Overflow {
  readonly element: string;
  readonly box: { left: number; right: number; top: number; bottom: number };
  readonly card: { left: number; right: number; top: number; bottom: number };
}

/** Every element of the keys table (the table itself included) that is not inside its card. */
function overflowsOf(page: Page): Promise<Overflow[]> {
  return page.evaluate(() => {
    type Rect = {
      left: number;
      right: number;
      top: number;
      bottom: number;
      width: number;
      height: number;
    };
    type Node = {
      getBoundingClientRect(): Rect;
      closest(selector: string): Node | null;
      querySelectorAll(selector: string): ArrayLike<Node>;
      tagName: string;
      textContent: string | null;
      getClientRects(): ArrayLike<Rect>;
    };
    const doc = (
      globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<Node> } }
    ).document;
    const found: Overflow[] = [];
    const tables = Array.from(doc.querySelectorAll('table.keys'));
    if (tables.length === 0) throw new Error('no keys table on the page');
    for (const table of tables) {
      const card = table.closest('.card');
      if (card === null) throw new Error('a keys table outside a card');
      const c = card.getBoundingClientRect();
      for (const element of [table, ...Array.from(table.querySelectorAll('*'))]) {
        // Visually hidden parts (the caption, the headers of the narrow layout) take 1 px.
        if (element.getClientRects().length === 0) continue;
        const b = element.getBoundingClientRect();
        if (b.width <= 1 && b.height <= 1) continue;
        const slack = 0.5;
        if (
          b.left < c.left - slack ||
          b.right > c.right + slack ||
          b.top < c.top - slack ||
          b.bottom > c.bottom + slack
        ) {
          found.push({
            element: `${element.tagName.toLowerCase()} "${(element.textContent ?? '').trim().slice(0, 40)}"`,
            box: { left: b.left, right: b.right, top: b.top, bottom: b.bottom },
            card: { left: c.left, right: c.right, top: c.top, bottom: c.bottom },
          });
        }
      }
    }
    return found;
  });
}

/** How far the page scrolls sideways (0: not at all). */
function sidewaysScroll(page: Page): Promise<number> {
  return page.evaluate(() => {
    const root = (
      globalThis as unknown as {
        document: { documentElement: { scrollWidth: number; clientWidth: number } };
      }
    ).document.documentElement;
    return root.scrollWidth - root.clientWidth;
  });
}

// A browser on a loaded 2-core machine is slow: each step gets a generous bound, never a
// wall-clock assertion.
describe.skipIf(!available)(`the layout in Chromium (${CHROMIUM})`, { timeout: 120_000 }, () => {
  let stage: Stage;
  let page: Page;
  let longKeyId: string;

  beforeAll(async () => {
    stage = await startStage();
    page = stage.page;
    const { store } = stage.fixture;
    const long = await store.createKey({
      entity: { type: 'app', id: 'app_a' },
      displayName: LONG_NAME,
    });
    longKeyId = long.record.id;
    await store.createKey({
      entity: { type: 'serviceAccount', id: 'svc_1' },
      displayName: `Deploy${'y'.repeat(94)}`,
    });
    await signInWith(page, stage.dashboardUrl, stage.fixture.keys.account);
  }, 120_000);

  afterAll(async () => {
    await stage?.close();
  });

  for (const width of [360, 768, 1280]) {
    it(`keeps every element of the keys table inside its card at ${width} px`, async () => {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${stage.dashboardUrl}/apps/app_a`);
      await page.getByRole('heading', { name: 'API keys' }).waitFor();
      await stage.shot(`layout-${width}`);
      expect(await overflowsOf(page)).toEqual([]);
      expect(await sidewaysScroll(page)).toBe(0);
      // The whole name is there to read, and the actions of every active key are in reach.
      const row = page.getByRole('row').filter({ hasText: longKeyId });
      expect(await row.getByText(LONG_NAME).count()).toBe(1);
      const card = await page
        .locator('section.card', { has: page.locator('table.keys') })
        .boundingBox();
      const controls = page.locator('table.keys').getByRole('button', { name: /^Rotate/ });
      const links = page.locator('table.keys').getByRole('link', { name: /^Revoke/ });
      expect(await controls.count()).toBe(3);
      expect(await links.count()).toBe(3);
      for (const control of [...(await controls.all()), ...(await links.all())]) {
        const box = await control.boundingBox();
        expect(box).not.toBeNull();
        if (box === null || card === null) continue;
        expect(box.x).toBeGreaterThanOrEqual(card.x);
        expect(box.x + box.width).toBeLessThanOrEqual(card.x + card.width + 0.5);
        await expect.poll(() => control.isVisible()).toBe(true);
      }
    });
  }

  it('lets no page scroll sideways, from 360 to 1920 px', async () => {
    const pages = [
      '/apps',
      '/apps/app_a',
      `/apps/app_a/keys/${longKeyId}/revoke`,
      '/apps/app_a/token',
      '/service-accounts',
      '/nope',
    ];
    for (const width of [360, 414, 600, 768, 1024, 1152, 1280, 1440, 1920]) {
      await page.setViewportSize({ width, height: 900 });
      for (const path of pages) {
        await page.goto(`${stage.dashboardUrl}${path}`);
        expect({ width, path, scroll: await sidewaysScroll(page) }).toEqual({
          width,
          path,
          scroll: 0,
        });
      }
      await page.goto(`${stage.dashboardUrl}/apps/app_a`);
      expect({ width, overflows: await overflowsOf(page) }).toEqual({ width, overflows: [] });
      await page.goto(`${stage.dashboardUrl}/service-accounts`);
      expect({ width, overflows: await overflowsOf(page) }).toEqual({ width, overflows: [] });
    }
  });

  it('shows a new key and its secret without sideways scrolling on a phone', async () => {
    await page.setViewportSize({ width: 360, height: 900 });
    await page.goto(`${stage.dashboardUrl}/apps/app_b`);
    await page.getByLabel('Name (optional, for people)').fill(LONG_NAME);
    await page.getByRole('button', { name: 'Create key for app app_b' }).click();
    await page.getByRole('heading', { name: 'Key created' }).waitFor();
    await stage.shot('key-created-360', { docs: false });
    expect(await sidewaysScroll(page)).toBe(0);
    expect(stage.consoleErrors).toEqual([]);
  });
});
