-- CreateTable
CREATE TABLE "waiting_room" (
    "screening_id" UUID NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "rate_per_second" DOUBLE PRECISION NOT NULL,
    "pass_ttl_seconds" INTEGER NOT NULL,
    "joined" INTEGER NOT NULL DEFAULT 0,
    "admitted" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "advanced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "waiting_room_pkey" PRIMARY KEY ("screening_id")
);

-- CreateTable
CREATE TABLE "waiting_room_entry" (
    "screening_id" UUID NOT NULL,
    "customer_id" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "joined_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "pass_issued_at" TIMESTAMPTZ(3),

    CONSTRAINT "waiting_room_entry_pkey" PRIMARY KEY ("screening_id","customer_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "waiting_room_entry_screening_id_number_key" ON "waiting_room_entry"("screening_id", "number");

