/**
 * What both hooks share: how a hook finds the plugin's settings (failing closed when the plugin is
 * not registered in the route's context), how a guard reads a Fastify request (core's `readNodeRequest` on `request.raw`, the
 * route's `request.params`), and how a refusal is answered: core's status, headers and JSON body,
 * exactly, or thrown to Fastify's error handler with `passErrors`.
 */
import {
  ConfigurationError,
  type GuardAccess,
  isAuthError,
  type NamedResource,
  readNodeRequest,
  toErrorResponse,
} from '@keyscope/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KeyscopeSettings } from '../plugin.js';

/** The plugin's settings for the route's context; a hook without them fails closed (a 500). */
export function settingsOf(request: FastifyRequest): KeyscopeSettings {
  const settings = (request.server as { keyscope?: KeyscopeSettings }).keyscope;
  if (settings === undefined) {
    throw new ConfigurationError('register the @keyscope/fastify plugin before using its hooks');
  }
  return settings;
}

/** How the kit's guards read a Fastify request. */
export const access: GuardAccess<FastifyRequest> = {
  // Every raw Authorization value (rawHeaders under `inject`): a repeated field is refused (400).
  request: (request) => readNodeRequest(request.raw),
  resource: (request) => (request.params ?? {}) as NamedResource,
  setContext: (request, auth) => {
    request.auth = auth;
  },
};

/** Answers a refusal (and returns the reply, which ends the hook chain); throws anything else. */
export function answer(error: unknown, reply: FastifyReply, pass: boolean): FastifyReply {
  if (pass || !isAuthError(error)) throw error;
  const { status, headers, body } = toErrorResponse(error);
  // A Buffer: Fastify would add `; charset=utf-8` to a string sent as JSON.
  return reply
    .code(status)
    .headers(headers)
    .send(Buffer.from(JSON.stringify(body)));
}
