-- CreateEnum
CREATE TYPE "VoucherStatus" AS ENUM ('ACTIVE', 'REDEEMED');

-- AlterTable
ALTER TABLE "payment" ADD COLUMN     "refund_cents" INTEGER;

-- CreateTable
CREATE TABLE "voucher" (
    "code" TEXT NOT NULL,
    "seat_class" TEXT NOT NULL,
    "cinema_id" UUID,
    "status" "VoucherStatus" NOT NULL DEFAULT 'ACTIVE',
    "payment_id" UUID,
    "seat" TEXT,
    "label" TEXT,
    "issued_by" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "redeemed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "voucher_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "partial_refund" (
    "id" UUID NOT NULL,
    "payment_id" UUID NOT NULL,
    "seats" TEXT[],
    "amount_cents" INTEGER NOT NULL,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "refunded_at" TIMESTAMPTZ(3),

    CONSTRAINT "partial_refund_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "voucher_payment_id_idx" ON "voucher"("payment_id");

-- CreateIndex
CREATE INDEX "partial_refund_payment_id_idx" ON "partial_refund"("payment_id");

-- CreateIndex
CREATE INDEX "partial_refund_refunded_at_requested_at_idx" ON "partial_refund"("refunded_at", "requested_at");

