-- AlterTable
ALTER TABLE "payment" ADD COLUMN     "refund_requested_at" TIMESTAMPTZ(3);

