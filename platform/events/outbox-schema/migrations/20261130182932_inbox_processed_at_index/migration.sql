-- migrate:no-transaction
-- The inbox by age, for the retention that deletes its oldest ids (platform/events/retention.ts).
-- Built concurrently: an inbox that has grown for a while is not locked against the consumers'
-- inserts meanwhile.

-- CreateIndex
CREATE INDEX CONCURRENTLY IF NOT EXISTS "ProcessedEvent_processedAt_idx" ON "subgraph_schema"."ProcessedEvent"("processedAt");
