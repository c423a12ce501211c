-- AlterEnum
ALTER TYPE "NotificationKind" ADD VALUE 'SEATS_CANCELLED';

