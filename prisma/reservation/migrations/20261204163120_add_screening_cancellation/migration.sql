-- AlterTable
ALTER TABLE "reservation" ADD COLUMN     "cancel_reason" TEXT,
ADD COLUMN     "refunded_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "screening_cancellation" (
    "screening_id" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "cancelled_by" TEXT NOT NULL,
    "requested_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "screening_cancellation_pkey" PRIMARY KEY ("screening_id")
);

-- CreateIndex
CREATE INDEX "reservation_screening_id_status_idx" ON "reservation"("screening_id", "status");

