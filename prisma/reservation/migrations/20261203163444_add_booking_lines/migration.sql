-- AlterTable
ALTER TABLE "reservation" ADD COLUMN     "lines" JSONB;

