-- AlterTable
ALTER TABLE "payment" ADD COLUMN     "breakdown" JSONB;

-- CreateTable
CREATE TABLE "price_rules" (
    "cinema_id" UUID NOT NULL,
    "currency" TEXT NOT NULL,
    "seat_classes" JSONB NOT NULL,
    "ticket_types" JSONB NOT NULL,
    "time_rules" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "price_rules_pkey" PRIMARY KEY ("cinema_id")
);

