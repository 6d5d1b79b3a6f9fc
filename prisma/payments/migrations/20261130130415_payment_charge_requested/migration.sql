-- AlterTable
ALTER TABLE "payments"."Payment" ADD COLUMN     "chargeRequestedAt" TIMESTAMP(3);

-- A payment still PENDING was opened by a reservation, whose charge may have been sent already.
UPDATE "payments"."Payment" SET "chargeRequestedAt" = "createdAt" WHERE "status" = 'PENDING';
