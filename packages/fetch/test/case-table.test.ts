/**
 * The shared case table of the test kit, run against `@keyscope/fetch` three times: as a plain
 * fetch handler (`authenticate` + `requireScope` with a real URLPattern), the same with
 * `requireScope('any')` guarding `/v2/whoami`, and as a Hono app using
 * the documented middleware recipe. Both are served through a small node:http -> `Request` bridge,
 * which joins repeated `Authorization` lines as every fetch runtime does.
 */
import { runCaseTable } from '@keyscope/test-kit';
import { URLPattern } from 'urlpattern-polyfill/urlpattern';
import { toListener } from './support/bridge.js';
import { createFetchApp } from './support/fetch-app.js';
import { createHonoApp } from './support/hono-app.js';

runCaseTable('@keyscope/fetch: plain fetch handler', (store, probe) =>
  toListener(createFetchApp(store, { URLPattern, probe })),
);

runCaseTable(
  "@keyscope/fetch: plain fetch handler, /v2/whoami behind requireScope('any')",
  (store, probe) =>
    toListener(createFetchApp(store, { URLPattern, probe, whoami: "requireScope('any')" })),
);

runCaseTable('@keyscope/fetch: Hono app with the documented middleware', (store, probe) => {
  const app = createHonoApp(store, probe);
  return toListener((request) => app.fetch(request));
});
