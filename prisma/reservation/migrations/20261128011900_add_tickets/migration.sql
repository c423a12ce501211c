-- CreateEnum
CREATE TYPE "TicketStatus" AS ENUM ('ISSUED', 'VOID');

-- AlterTable
ALTER TABLE "reservation" ADD COLUMN     "screening_starts_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "ticket" (
    "id" UUID NOT NULL,
    "reservation_id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "status" "TicketStatus" NOT NULL DEFAULT 'ISSUED',
    "issued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "voided_at" TIMESTAMPTZ(3),

    CONSTRAINT "ticket_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ticket_reservation_id_key" ON "ticket"("reservation_id");

-- CreateIndex
CREATE UNIQUE INDEX "ticket_code_key" ON "ticket"("code");

-- AddForeignKey
ALTER TABLE "ticket" ADD CONSTRAINT "ticket_reservation_id_fkey" FOREIGN KEY ("reservation_id") REFERENCES "reservation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

