-- AlterTable
ALTER TABLE "dashboard_screening" ADD COLUMN     "for_sale_version" INTEGER NOT NULL DEFAULT 0;

