-- AlterTable
ALTER TABLE "my_reservation" ADD COLUMN     "refunded_amount_cents" INTEGER,
ADD COLUMN     "seats_released" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "ticket_code" TEXT;

-- CreateTable
CREATE TABLE "status_change" (
    "event_id" UUID NOT NULL,
    "reservation_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "kind" TEXT NOT NULL,
    "description" TEXT NOT NULL,

    CONSTRAINT "status_change_pkey" PRIMARY KEY ("event_id")
);

-- CreateIndex
CREATE INDEX "status_change_reservation_id_at_idx" ON "status_change"("reservation_id", "at");

-- AddForeignKey
ALTER TABLE "status_change" ADD CONSTRAINT "status_change_reservation_id_fkey" FOREIGN KEY ("reservation_id") REFERENCES "my_reservation"("reservation_id") ON DELETE RESTRICT ON UPDATE CASCADE;

