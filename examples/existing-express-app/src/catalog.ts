/**
 * The shop's data, as the app had it before keyscope: a small in-memory catalog of products and
 * the orders of each shop. It stands in for the database of a real app; the tests spy on it to see
 * which handlers ran.
 */

/** A product of the catalog. */
export interface Product {
  readonly id: string;
  readonly name: string;
  readonly priceCents: number;
}

/** An order placed in one shop. */
export interface Order {
  readonly id: string;
  readonly productId: string;
  readonly quantity: number;
}

/** What the routes need from the shop's data. */
export interface Catalog {
  listProducts(): readonly Product[];
  findProduct(id: string): Product | undefined;
  addProduct(product: Product): Product;
  listOrders(shopId: string): readonly Order[];
  stats(): { readonly products: number; readonly orders: number };
}

/**
 * Creates the in-memory catalog with a few products, and orders for the shops `app_a` and
 * `app_b` (a shop is an app in keyscope's terms).
 *
 * @example
 * ```ts
 * const catalog = createCatalog();
 * catalog.findProduct('p_1')?.name; // 'Teapot'
 * ```
 */
export function createCatalog(): Catalog {
  const products = new Map<string, Product>([
    ['p_1', { id: 'p_1', name: 'Teapot', priceCents: 2400 }],
    ['p_2', { id: 'p_2', name: 'Cup', priceCents: 600 }],
    ['p_3', { id: 'p_3', name: 'Kettle', priceCents: 4100 }],
  ]);
  const orders = new Map<string, Order[]>([
    ['app_a', [{ id: 'o_1', productId: 'p_1', quantity: 1 }]],
    [
      'app_b',
      [
        { id: 'o_2', productId: 'p_2', quantity: 4 },
        { id: 'o_3', productId: 'p_3', quantity: 1 },
      ],
    ],
  ]);
  return {
    listProducts: () => [...products.values()],
    findProduct: (id) => products.get(id),
    addProduct(product) {
      products.set(product.id, product);
      return product;
    },
    listOrders: (shopId) => orders.get(shopId) ?? [],
    stats: () => ({
      products: products.size,
      orders: [...orders.values()].reduce((sum, list) => sum + list.length, 0),
    }),
  };
}
