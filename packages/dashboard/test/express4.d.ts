/**
 * `express4` is Express 4 installed under an npm alias for the test suite. It ships no types;
 * the tests only use the API that Express 4 and 5 share, so Express 5's typings stand in for it.
 */
declare module 'express4' {
  import express = require('express');
  export = express;
}
