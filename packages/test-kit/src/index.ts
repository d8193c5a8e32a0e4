/**
 * `@keyscope/test-kit` (private): what every keyscope adapter is tested with. A fixture keys
 * document with secrets drawn at test time, builders for Basic credentials and JWTs, the contract's
 * routes described once (`defineContractRoutes`), and THE case table with its runner
 * (`runCaseTable`), so that all adapters are held to the same answers and cannot drift apart.
 */
export {
  type Case,
  type CaseExpectation,
  type CaseHeaders,
  CHALLENGES,
  CREDENTIALS,
  type CredentialKind,
  caseTable,
  REALM,
  TITLES,
} from './case-table.js';
export {
  type ContractGuard,
  type ContractRequest,
  type ContractResponse,
  type ContractRoute,
  type ContractRouteName,
  type ContractRoutesOptions,
  defineContractRoutes,
  whoamiBody,
} from './contract-routes.js';
export { basic, bearer, rawToken, type TokenClaims, token } from './credentials.js';
export {
  createFixture,
  FIXTURE,
  type Fixture,
  type FixtureKeys,
  randomSecret,
  type TestKey,
} from './fixture.js';
export { createProbe, type Probe } from './probe.js';
export {
  checkCurl,
  type QuickStart,
  type QuickStartCurl,
  type QuickStartServer,
  readQuickStart,
  serveQuickStart,
} from './readme-quick-start.js';
export {
  type CaseSetup,
  type RunCaseTableOptions,
  runCaseTable,
  type ServerFactory,
} from './run-case-table.js';
export {
  type ExampleAppFactory,
  type ExampleAppOptions,
  type ExampleRouteName,
  runExampleAppSuite,
} from './run-example-app-suite.js';
export {
  type ExamplePostgresSuiteOptions,
  type PostgresTestSupport,
  runExamplePostgresSuite,
} from './run-example-postgres-suite.js';
export {
  type ExampleServerSuiteOptions,
  runExampleServerSuite,
} from './run-example-server-suite.js';
export { type HttpAnswer, sendRequest } from './send-request.js';
export {
  type ExitedServer,
  type LaunchCommand,
  type RunningServer,
  type ServerProcess,
  type ServerProcessOptions,
  serverProcess,
} from './server-process.js';
export { faultyStore, readJsonBody, type StoreFault } from './test-store.js';
