/**
 * `Refusal`: thrown by a route when it will not do what was asked (an app the operator may not see,
 * a key that is not there, a form without its one-time token). The router renders it as a message
 * page with its status, inside the page frame when the operator is signed in; it never carries a
 * secret. Its message says what actually happened.
 */

/** Where a refusal page leads. */
export interface RefusalLink {
  /** A path under the dashboard's mount path (`/apps`), or an absolute path when `absolute`. */
  readonly href: string;
  readonly label: string;
  readonly absolute?: boolean | undefined;
}

/** A refusal to render as a message page. */
export class Refusal extends Error {
  override readonly name = 'Refusal';
  readonly status: number;
  readonly title: string;
  /** Where the page leads; default: the apps when signed in, else the sign-in page. */
  readonly link: RefusalLink | undefined;
  constructor(status: number, title: string, message: string, link?: RefusalLink) {
    super(message);
    this.status = status;
    this.title = title;
    this.link = link;
  }
}
