/**
 * Acme Shop, an Express app that existed before keyscope: public pages (`/`, `/products`), an
 * admin area, and each shop's orders, with its own request ids, logging and error handler.
 * keyscope was added in a few lines (marked `keyscope:` below; the README shows the diff): the
 * admin area needs an account key, a shop's orders need that shop's app key (or its account's),
 * and everything else stays open. With `passErrors`, refusals go to the app's own error handler,
 * which renders them in the app's shape with their status and `WWW-Authenticate` header.
 */
import { authenticate, type KeyStore, requireScope } from '@keyscope/express';
import express, { type Express } from 'express';
import { type Catalog, createCatalog } from './catalog.js';
import { HttpError, handleErrors } from './errors.js';
import { logRequests, requestId } from './middleware.js';

/** Options of {@link createApp}. */
export interface AppOptions {
  /** keyscope: where the API keys come from (the keys file, in `server.ts`). */
  readonly store: KeyStore;
  /** The shop's data (default: a fresh in-memory catalog). */
  readonly catalog?: Catalog;
  /** Where request log lines go (default `console.log`). */
  readonly log?: (line: string) => void;
  /** Where unexpected errors are reported (default `console.error`). */
  readonly report?: (error: unknown) => void;
}

/**
 * Builds the shop's app.
 *
 * @example
 * ```ts
 * const app = createApp({ store: await openFileStore('keys.json') });
 * app.listen(3000);
 * ```
 */
export function createApp(options: AppOptions): Express {
  const catalog = options.catalog ?? createCatalog();
  const app = express();
  app.disable('x-powered-by');
  app.use(requestId());
  app.use(logRequests(options.log ?? ((line) => console.log(line))));

  // keyscope: who the caller is, then what it may reach; refusals go to our error handler.
  const keyscope = authenticate({ store: options.store, passErrors: true });
  const accountKey = requireScope('account', { passErrors: true });
  const shopKey = requireScope('app', { appId: (req) => req.params.shopId, passErrors: true });

  app.get('/', (_req, res) => {
    res.json({ name: 'Acme Shop', links: ['/products', '/admin/stats'] });
  });

  app.get('/products', (_req, res) => {
    res.json({ products: catalog.listProducts() });
  });

  app.get('/products/:productId', (req, res) => {
    const product = catalog.findProduct(req.params.productId);
    if (product === undefined) throw new HttpError(404, 'No such product');
    res.json({ product });
  });

  const admin = express.Router();
  admin.use(keyscope, accountKey); // keyscope: the admin area needs an account key
  admin.get('/stats', (_req, res) => {
    res.json({ stats: catalog.stats() });
  });
  admin.post('/products', express.json({ limit: '10kb' }), (req, res) => {
    const { id, name, priceCents } = req.body ?? {};
    if (typeof id !== 'string' || typeof name !== 'string' || !Number.isInteger(priceCents)) {
      throw new HttpError(400, 'A product needs an id, a name and an integer priceCents');
    }
    res.status(201).json({ product: catalog.addProduct({ id, name, priceCents }) });
  });
  app.use('/admin', admin);

  // keyscope: a shop is an app; only its app key (or its account's) may use its area.
  app.use('/shops/:shopId', keyscope, shopKey);
  app.get('/shops/:shopId/orders', (req, res) => {
    res.json({ orders: catalog.listOrders(req.params.shopId) });
  });

  app.use((_req, _res, next) => {
    next(new HttpError(404, 'Not found'));
  });
  app.use(handleErrors(options.report ?? ((error) => console.error(error))));
  return app;
}
