-- CreateEnum
CREATE TYPE "SeatClass" AS ENUM ('STANDARD', 'PREMIUM', 'COUPLE', 'WHEELCHAIR', 'COMPANION');

-- AlterEnum
ALTER TYPE "SeatStatus" ADD VALUE 'BLOCKED';

-- AlterTable (grid positions are added nullable, backfilled, then made NOT NULL)
ALTER TABLE "seat" ADD COLUMN     "grid_column" INTEGER,
ADD COLUMN     "grid_row" INTEGER,
ADD COLUMN     "pair_label" TEXT,
ADD COLUMN     "seat_class" "SeatClass" NOT NULL DEFAULT 'STANDARD';

-- Backfill: existing seat maps are rectangles, drawn row by row (A = 1) and seat by seat.
UPDATE "seat" SET "grid_row" = ascii("row") - 64, "grid_column" = "number";

ALTER TABLE "seat" ALTER COLUMN "grid_column" SET NOT NULL,
ALTER COLUMN "grid_row" SET NOT NULL;
