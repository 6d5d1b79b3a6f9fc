-- CreateTable
CREATE TABLE "catalog"."TenantCurrency" (
    "tenantId" UUID NOT NULL,
    "currency" CHAR(3) NOT NULL,

    CONSTRAINT "TenantCurrency_pkey" PRIMARY KEY ("tenantId")
);
