-- AlterTable
ALTER TABLE "dashboard_screening" ADD COLUMN     "cancelled_at" TIMESTAMPTZ(3),
ADD COLUMN     "scheduled" BOOLEAN NOT NULL DEFAULT true;

-- AlterTable
ALTER TABLE "dashboard_booking" ADD COLUMN     "cancelled_seats" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "partial_refunded_cents" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "partial_refunds" JSONB NOT NULL DEFAULT '{}';

