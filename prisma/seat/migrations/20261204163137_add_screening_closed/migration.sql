-- AlterTable
ALTER TABLE "screening_inventory" ADD COLUMN     "closed_at" TIMESTAMPTZ(3);

