/**
 * Test support: a Nest app built from the given controllers and module imports on either
 * platform (no logger; a failing start rejects instead of aborting the process), ready for
 * supertest, and closed after each test.
 */
import 'reflect-metadata';
import { createFixture } from '@keyscope/test-kit';
import type { DynamicModule, INestApplication, Provider, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterEach } from 'vitest';

export const PLATFORMS = ['express', 'fastify'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const fixture = createFixture();
export const { keys } = fixture;

const open: INestApplication[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((app) => app.close()));
});

class Root {}

/**
 * A started (not listening) Nest app.
 *
 * @example
 * ```ts
 * const server = await nestApp('fastify', { imports: [KeyscopeModule.forRoot({ store })], controllers: [C] });
 * ```
 */
export async function nestApp(
  platform: Platform,
  metadata: { imports?: DynamicModule[]; controllers?: Type[]; providers?: Provider[] },
  prepare?: (app: INestApplication) => void,
): Promise<INestApplication> {
  const module: DynamicModule = { module: Root, ...metadata };
  const app =
    platform === 'express'
      ? await NestFactory.create(module, new ExpressAdapter(), {
          logger: false,
          abortOnError: false,
        })
      : await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), {
          logger: false,
          abortOnError: false,
        });
  prepare?.(app);
  await app.init();
  if (platform === 'fastify') {
    await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  }
  open.push(app);
  return app;
}
