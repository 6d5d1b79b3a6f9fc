-- Written by hand: Prisma's schema language has no CHECK constraints. Stock can never go below
-- zero, whatever code runs: the database itself refuses it.
ALTER TABLE "inventory"."StockItem" ADD CONSTRAINT "StockItem_available_not_negative" CHECK ("available" >= 0);
ALTER TABLE "inventory"."StockItem" ADD CONSTRAINT "StockItem_reserved_not_negative" CHECK ("reserved" >= 0);
