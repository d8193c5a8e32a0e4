/**
 * `fastify4` is Fastify 4 installed under an npm alias for the test suite. The tests only use the
 * API that Fastify 4 and 5 share, so Fastify 5's typings stand in for it.
 */
declare module 'fastify4' {
  import fastify = require('fastify');
  export = fastify;
}
