-- AlterTable
ALTER TABLE "payments"."Payment" ADD COLUMN     "refundRequestedAt" TIMESTAMP(3);
