import { requireRole } from '#platform/auth';
import { ValidationError, isId, requireId, requireMoney, requireText } from '#platform/errors';
import { createEvent } from '#platform/events';
import { CatalogEvents } from '#contracts';
import { decodeCursor, pageSize, toConnection, type Connection } from '#platform/subgraph';
import { UniqueViolation } from '#platform/db';
import type { CatalogContext } from '../context.js';
import { DuplicateSkuError, TenantWithoutCurrencyError } from '../errors.js';
import type { Category, Product } from '../generated/prisma/client.js';

export interface CreateProductInput {
  sku: string;
  name: string;
  description?: string | null;
  price: { amount: number; currency: string };
  categoryId: string;
}

export interface ProductListArgs {
  first?: number | null;
  after?: string | null;
  search?: string | null;
  categoryId?: string | null;
}

export class ProductService {
  async list(ctx: CatalogContext, args: ProductListArgs): Promise<Connection<Product>> {
    const { products } = ctx.repos;
    const size = pageSize(args.first);
    const cursor = decodeCursor(args.after, 2);
    const search = args.search?.trim() ?? '';
    if (search.length > 200) throw new ValidationError('search', 'search must be at most 200 characters.');
    // PostgreSQL text cannot hold NUL: refuse it as input instead of failing in the database.
    if (search.includes('\u0000')) throw new ValidationError('search', 'search must not contain NUL characters.');
    const filter = { search, categoryId: args.categoryId ? requireId(args.categoryId, 'categoryId') : null };
    const [rows, total] = await Promise.all([
      products.page(filter, size, cursor ? { name: String(cursor[0]), id: String(cursor[1]) } : null),
      products.count(filter),
    ]);
    return toConnection(rows, size, total, (p) => [p.name, p.id]);
  }

  /** A product of the caller's tenant, or null: another tenant's id is indistinguishable from none. */
  async get(ctx: CatalogContext, id: string): Promise<Product | null> {
    return isId(id) ? ctx.loaders.productById.load(id.toLowerCase()) : null;
  }

  async category(ctx: CatalogContext, product: Pick<Product, 'categoryId'>): Promise<Category> {
    const category = await ctx.loaders.categoryById.load(product.categoryId);
    if (!category) throw new Error(`category ${product.categoryId} of a product is missing`);
    return category;
  }

  async create(ctx: CatalogContext, input: CreateProductInput): Promise<Product> {
    const caller = requireRole(ctx.caller, 'ADMIN');
    const sku = requireText(input.sku, 'input.sku', { max: 64 });
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(sku)) {
      throw new ValidationError('input.sku', 'input.sku may hold only letters, digits, ".", "_" and "-".');
    }
    const name = requireText(input.name, 'input.name', { max: 200 });
    const description = requireText(input.description, 'input.description', { min: 0, max: 5000 });
    const price = requireMoney(input.price, 'input.price');
    const categoryId = requireId(input.categoryId, 'input.categoryId');

    return ctx.transaction(async (tx) => {
      const { products, categories, currency } = tx.repos;
      // Money is written in the tenant's own currency only: an order's lines never mix currencies.
      const own = await currency.get();
      if (!own) throw new TenantWithoutCurrencyError();
      if (price.currency !== own) throw new ValidationError('input.price.currency', `input.price.currency must be ${own}, the currency of this shop.`);
      const [category] = await categories.findByIds([categoryId]);
      if (!category) throw new ValidationError('input.categoryId', 'input.categoryId is not a category of this tenant.');
      if (await products.skuExists(sku)) throw new DuplicateSkuError(sku);
      let product: Product;
      try {
        product = await products.create({ sku, name, description, priceAmount: price.amount, priceCurrency: price.currency, categoryId });
      } catch (error) {
        // Two concurrent creates of one sku: the unique index decides.
        if (error instanceof UniqueViolation) throw new DuplicateSkuError(sku);
        throw error;
      }
      await tx.emit(
        createEvent(CatalogEvents.productCreated, {
          tenantId: caller.tenantId,
          aggregateId: product.id,
          payload: { productId: product.id, sku, name, price },
        }),
      );
      return product;
    });
  }
}
