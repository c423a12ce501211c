-- Cinemas (branches) and drawn auditorium layouts. Written to apply to a database with rows:
-- existing halls move into a default cinema and get a rectangle of standard seats as their layout.

-- CreateTable
CREATE TABLE "cinema" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL,
    "max_seats_per_booking" INTEGER NOT NULL DEFAULT 8,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cinema_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "cinema_name_key" ON "cinema"("name");

-- The default cinema every existing (and cinema-less) auditorium belongs to.
INSERT INTO "cinema" ("id", "name", "address", "time_zone", "max_seats_per_booking")
VALUES (gen_random_uuid(), 'CineMA Seoul', 'Seoul', 'Asia/Seoul', 8);

-- DropIndex
DROP INDEX "auditorium_name_key";

-- AlterTable: nullable first, backfilled, then required.
ALTER TABLE "auditorium" ADD COLUMN     "cinema_id" UUID,
ADD COLUMN     "layout" TEXT;

UPDATE "auditorium"
   SET "cinema_id" = (SELECT "id" FROM "cinema" WHERE "name" = 'CineMA Seoul'),
       "layout" = array_to_string(array_fill(repeat('S', "seats_per_row"), ARRAY["rows"]), E'\n');

ALTER TABLE "auditorium" ALTER COLUMN "cinema_id" SET NOT NULL,
ALTER COLUMN "layout" SET NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "auditorium_cinema_id_name_key" ON "auditorium"("cinema_id", "name");

-- AddForeignKey
ALTER TABLE "auditorium" ADD CONSTRAINT "auditorium_cinema_id_fkey" FOREIGN KEY ("cinema_id") REFERENCES "cinema"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
