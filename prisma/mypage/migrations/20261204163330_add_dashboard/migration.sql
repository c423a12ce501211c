-- CreateTable
CREATE TABLE "dashboard_screening" (
    "screening_id" UUID NOT NULL,
    "cinema_id" TEXT,
    "cinema_name" TEXT,
    "time_zone" TEXT NOT NULL,
    "movie_id" TEXT NOT NULL,
    "movie_title" TEXT NOT NULL,
    "auditorium_name" TEXT NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "local_day" TEXT NOT NULL,
    "seats_for_sale" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,

    CONSTRAINT "dashboard_screening_pkey" PRIMARY KEY ("screening_id")
);

-- CreateTable
CREATE TABLE "dashboard_booking" (
    "reservation_id" UUID NOT NULL,
    "screening_id" UUID,
    "seat_count" INTEGER NOT NULL DEFAULT 0,
    "amount_cents" INTEGER NOT NULL DEFAULT 0,
    "currency" TEXT,
    "confirmed" BOOLEAN NOT NULL DEFAULT false,
    "cancelled" BOOLEAN NOT NULL DEFAULT false,
    "refunded_cents" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "dashboard_booking_pkey" PRIMARY KEY ("reservation_id")
);

-- CreateTable
CREATE TABLE "read_model_rebuild" (
    "id" UUID NOT NULL,
    "model" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "events_replayed" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "read_model_rebuild_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "dashboard_screening_local_day_idx" ON "dashboard_screening"("local_day");

-- CreateIndex
CREATE INDEX "dashboard_booking_screening_id_idx" ON "dashboard_booking"("screening_id");

-- CreateIndex
CREATE INDEX "read_model_rebuild_model_started_at_idx" ON "read_model_rebuild"("model", "started_at");

