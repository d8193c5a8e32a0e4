/**
 * `Refusal`: thrown by a route when it will not do what was asked (an app the operator may not see,
 * a key that is not there, a form without its CSRF token). The router renders it as a message page
 * with its status; it never carries a secret.
 */

/** A refusal to render as a message page. */
export class Refusal extends Error {
  override readonly name = 'Refusal';
  readonly status: number;
  readonly title: string;
  constructor(status: number, title: string, message: string) {
    super(message);
    this.status = status;
    this.title = title;
  }
}
