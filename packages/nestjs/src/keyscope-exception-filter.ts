/**
 * `KeyscopeExceptionFilter`: answers keyscope's refusals exactly as every keyscope adapter does
 * (status, `WWW-Authenticate`, the JSON body with `Content-Type: application/json` and no charset)
 * on Nest's Express and Fastify platforms. It catches only refusals, of any copy of keyscope;
 * everything else goes on to Nest's other filters.
 */
import { isAuthError } from '@keyscope/core';
import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { render } from './internal/glue.js';

/** Stands for every `AuthError` in `@Catch()`: Nest picks filters with `instanceof`. */
// biome-ignore lint/complexity/noStaticOnlyClass: `instanceof` needs a class (Symbol.hasInstance)
class AnyAuthError {
  static [Symbol.hasInstance](value: unknown): boolean {
    return isAuthError(value);
  }
}

/**
 * The filter `KeyscopeModule` binds globally (unless `passErrors`). Bind it yourself with
 * `@UseFilters(KeyscopeExceptionFilter)` or `app.useGlobalFilters(new KeyscopeExceptionFilter())`.
 *
 * @example
 * ```ts
 * app.useGlobalFilters(new KeyscopeExceptionFilter());
 * ```
 */
@Catch(AnyAuthError)
export class KeyscopeExceptionFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    render(host.switchToHttp().getResponse(), error);
  }
}
