-- CreateTable
CREATE TABLE "accounts"."RefreshToken" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "sessionId" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "RefreshToken_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RefreshToken_tenantId_sessionId_idx" ON "accounts"."RefreshToken"("tenantId", "sessionId");

-- CreateIndex
CREATE INDEX "RefreshToken_tenantId_userId_expiresAt_idx" ON "accounts"."RefreshToken"("tenantId", "userId", "expiresAt");

-- AddForeignKey
ALTER TABLE "accounts"."RefreshToken" ADD CONSTRAINT "RefreshToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "accounts"."User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
