import { z } from "zod";
import { idSchema } from "@cinema/platform/validation";

export const setWaitingRoomInput = z.object({
  screeningId: idSchema,
  enabled: z.boolean(),
  // Null keeps the room's current value (or the default for a new room).
  ratePerSecond: z.number().min(0.1, "must be at least 0.1 passes per second").max(10_000, "must be at most 10000 passes per second").nullish(),
  passTtlSeconds: z.number().int("must be whole seconds").min(5, "must be at least 5 seconds").max(3600, "must be at most 3600 seconds").nullish(),
});
export type SetWaitingRoomInput = z.infer<typeof setWaitingRoomInput>;

/** The pass `reserve` may carry: a compact JWT, nothing bigger. */
export const passSchema = z.string().max(2048, "must be a pass from joinWaitingRoom").nullish();
