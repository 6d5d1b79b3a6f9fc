-- Baseline of the platform's tables. Every subgraph's own init migration created them before the
-- platform owned them (that history stays as it is), so on those databases this changes nothing
-- and only records the baseline; a schema without them gets them here.

-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "subgraph_schema";

-- CreateTable
CREATE TABLE IF NOT EXISTS "subgraph_schema"."OutboxEvent" (
    "id" UUID NOT NULL,
    "tenantId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "aggregateType" TEXT NOT NULL,
    "aggregateId" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "traceparent" TEXT,
    "occurredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "publishedAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "seq" BIGSERIAL NOT NULL,

    CONSTRAINT "OutboxEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE IF NOT EXISTS "subgraph_schema"."ProcessedEvent" (
    "consumer" TEXT NOT NULL,
    "eventId" UUID NOT NULL,
    "processedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProcessedEvent_pkey" PRIMARY KEY ("consumer","eventId")
);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "OutboxEvent_publishedAt_seq_idx" ON "subgraph_schema"."OutboxEvent"("publishedAt", "seq");
