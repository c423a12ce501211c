-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "outbox_event" (
    "seq" BIGSERIAL NOT NULL,
    "id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_event_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "processed_event" (
    "consumer" TEXT NOT NULL,
    "event_id" UUID NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_event_pkey" PRIMARY KEY ("consumer","event_id")
);

-- CreateTable
CREATE TABLE "screening_info" (
    "screening_id" UUID NOT NULL,
    "movie_id" UUID NOT NULL,
    "movie_title" TEXT NOT NULL,
    "auditorium_name" TEXT NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "screening_info_pkey" PRIMARY KEY ("screening_id")
);

-- CreateTable
CREATE TABLE "my_reservation" (
    "reservation_id" UUID NOT NULL,
    "customer_id" TEXT NOT NULL,
    "screening_id" UUID NOT NULL,
    "movie_title" TEXT,
    "auditorium_name" TEXT,
    "screening_starts_at" TIMESTAMPTZ(3),
    "seats" TEXT[],
    "amount_cents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "reservation_status" TEXT NOT NULL,
    "payment_status" TEXT,
    "ticket_status" TEXT,
    "version" INTEGER NOT NULL,
    "booked_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "my_reservation_pkey" PRIMARY KEY ("reservation_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "outbox_event_id_key" ON "outbox_event"("id");

-- CreateIndex
CREATE INDEX "outbox_event_sent_at_seq_idx" ON "outbox_event"("sent_at", "seq");

-- CreateIndex
CREATE INDEX "my_reservation_customer_id_booked_at_idx" ON "my_reservation"("customer_id", "booked_at");

