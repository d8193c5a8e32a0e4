/**
 * `@keyscope/dashboard`: a key-management dashboard for keyscope, as an Express router to mount
 * where the app likes. Operators sign in with a user-account or service-account key, then see,
 * create, rotate and revoke the API keys of the apps that key reaches, manage service accounts and
 * mint short-lived test tokens. Server-rendered, no build step, nothing loaded from elsewhere.
 */
export { dashboard } from './dashboard.js';
export type {
  DashboardAction,
  DashboardEvent,
  DashboardOperator,
  DashboardOptions,
  DashboardSignInLimit,
} from './types.js';
