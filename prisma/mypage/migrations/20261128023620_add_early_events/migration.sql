-- CreateTable
CREATE TABLE "early_event" (
    "event_id" UUID NOT NULL,
    "reservation_id" UUID NOT NULL,
    "payload" JSONB NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "early_event_pkey" PRIMARY KEY ("event_id")
);

-- CreateIndex
CREATE INDEX "early_event_reservation_id_idx" ON "early_event"("reservation_id");

