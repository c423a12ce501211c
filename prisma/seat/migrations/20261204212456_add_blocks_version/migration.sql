-- AlterTable
ALTER TABLE "screening_inventory" ADD COLUMN     "blocks_version" INTEGER NOT NULL DEFAULT 0;

