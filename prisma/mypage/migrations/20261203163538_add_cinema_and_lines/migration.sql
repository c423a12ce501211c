-- AlterTable
ALTER TABLE "screening_info" ADD COLUMN     "cinema_name" TEXT;

-- AlterTable
ALTER TABLE "my_reservation" ADD COLUMN     "cinema_name" TEXT,
ADD COLUMN     "lines" JSONB;

