/**
 * `koa2` is Koa 2 installed under an npm alias for the test suite. It ships no types; `@types/koa`
 * describes the API that Koa 2 and 3 share, which is all the tests use.
 */
declare module 'koa2' {
  import Koa = require('koa');
  export = Koa;
}
