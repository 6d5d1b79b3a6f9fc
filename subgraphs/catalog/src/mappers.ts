import type { Category, Product } from './generated/prisma/client.js';

/** Parent types of the GraphQL types (see tools/codegen.ts). */
export type ProductModel = Product;
export type CategoryModel = Category;
