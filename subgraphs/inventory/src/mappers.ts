import type { StockItem } from './generated/prisma/client.js';

/** Parent types of the GraphQL types (see tools/codegen.ts). */
export type StockModel = StockItem;
/** Inventory knows a product by its id only. */
export type ProductModel = { id: string };
