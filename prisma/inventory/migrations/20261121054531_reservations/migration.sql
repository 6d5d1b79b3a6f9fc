-- CreateEnum
CREATE TYPE "inventory"."ReservationStatus" AS ENUM ('RESERVED', 'COMMITTED', 'RELEASED', 'FAILED');

-- CreateTable
CREATE TABLE "inventory"."Reservation" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "orderId" UUID NOT NULL,
    "status" "inventory"."ReservationStatus" NOT NULL,
    "lines" JSONB NOT NULL,
    "reason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Reservation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Reservation_tenantId_orderId_key" ON "inventory"."Reservation"("tenantId", "orderId");
