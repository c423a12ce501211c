-- CreateEnum
CREATE TYPE "ScreeningStatus" AS ENUM ('SCHEDULED', 'CANCELLED');

-- AlterTable
ALTER TABLE "cinema" ADD COLUMN     "cancel_cutoff_minutes" INTEGER NOT NULL DEFAULT 20;

-- AlterTable
ALTER TABLE "screening" ADD COLUMN     "cancel_reason" TEXT,
ADD COLUMN     "cancelled_at" TIMESTAMPTZ(3),
ADD COLUMN     "status" "ScreeningStatus" NOT NULL DEFAULT 'SCHEDULED';

