// Seeds the demo chain through the public API (as staff), once: three cinemas in Seoul, each with
// two drawn halls (aisles, a premium band, a couple row at the back, wheelchair spaces with
// companions, a blocked seat), movies, and a week of screenings in Seoul time (morning 09:30 shows
// and weekends included); tomorrow's 20:30 premiere in the first cinema's Hall 1 behind a waiting
// room (so the on-sale flow can be tried), and a few gift vouchers (seed-vouchers.ts). Run by
// `npm run up`; skipped when movies already exist.
import { seedVouchers } from "./seed-vouchers.ts";

const MOVIES = [
  { title: "서울의 밤 (Night in Seoul)", summary: "A taxi driver, a lost violin and one long night across the city.", runtimeMinutes: 118, rating: "AGE_12" },
  { title: "바다의 노래 (Song of the Sea)", summary: "A haenyeo grandmother teaches her grandson to dive off Jeju.", runtimeMinutes: 104, rating: "ALL" },
  { title: "The Last Projectionist", summary: "The final week of a small-town cinema, told from its projection booth.", runtimeMinutes: 131, rating: "AGE_15" },
] as const;

const layout = (...lines: string[]) => lines.join("\n");
/**
 * Every cinema's big hall is drawn the same (116 seats): the browser tests book its plain seats
 * A-1, B-1/B-2, C-5/C-6, D-6/D-7, E-6–E-9, F-3/F-4 and G-1–G-4 one by one, whichever "Hall 1" they get.
 */
export const HALL_1 = layout(
  "...SSSSSSSSSS...",
  "..SSSSSSSSSSSS..",
  "SSS.SSSSSSSS.SSS",
  "SSS.SSSSSSSS.SSS",
  "................",
  "SSS.PPPPPPPP.SSS",
  "SSS.PPPPPPPP.SSS",
  "SSS.PPPPPPPP.SXS",
  "Ww..SSSSSSSS..wW",
  "................",
  "CC.CCCC..CCCC.CC",
);
/** The second halls differ by cinema. */
export const HALL_2 = [
  layout("..SSSSSSSS..", ".SSSSSSSSSS.", "SS.SSSSSS.SS", "SS.PPPPPP.SS", "SS.PPPPPP.XS", "Ww.SSSSSS.wW", "............", "CC.CCCC.CC"),
  layout("SSSSSSSSSS", "SSSSSSSSSS", "SSSXSSSSSS", "..........", "PPPP..PPPP", "PPPP..PPPP", "Ww.SSSS.wW", "", "CCCC..CCCC"),
  layout("....SSSSSSSS....", "...SSSSSSSSSS...", "SSS.PPPPPPPP.SSS", "SSS.PPPPPPPP.SSS", "Ww..SSSSSSXS..wW", "................", "CC.CC.CC.CC.CC.CC"),
];

/** The migration's default cinema becomes the first branch; the others are opened. */
const DEFAULT_CINEMA = "CineMA Seoul";
const CINEMAS = [
  { name: "CineMA 강남 (Gangnam)", address: "서울특별시 강남구 강남대로 438 (438 Gangnam-daero, Gangnam-gu, Seoul)", timeZone: "Asia/Seoul", maxSeatsPerBooking: 8 },
  { name: "CineMA 홍대 (Hongdae)", address: "서울특별시 마포구 양화로 176 (176 Yanghwa-ro, Mapo-gu, Seoul)", timeZone: "Asia/Seoul", maxSeatsPerBooking: 6 },
  { name: "CineMA 잠실 (Jamsil)", address: "서울특별시 송파구 올림픽로 300 (300 Olympic-ro, Songpa-gu, Seoul)", timeZone: "Asia/Seoul", maxSeatsPerBooking: 10 },
];

/**
 * Local start times (Asia/Seoul, UTC+9, no daylight saving) and base prices in KRW, per hall;
 * `weekendOnly` slots run on Saturdays and Sundays. The cinema's price rules then take off the
 * morning discount and add the weekend surcharge. 30 screenings a cinema a week, 90 in all.
 */
const SLOTS: { time: string; priceCents: number; weekendOnly?: boolean }[][] = [
  [
    { time: "09:30", priceCents: 14000, weekendOnly: true },
    { time: "14:00", priceCents: 14000 },
    { time: "20:30", priceCents: 15000 },
  ],
  [
    { time: "09:30", priceCents: 14000 },
    { time: "17:00", priceCents: 14000 },
  ],
];
const DAYS = 7;

async function call<T>(gatewayUrl: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(gatewayUrl, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(`seed: ${body.errors.map((e) => e.message).join("; ")}`);
  return body.data!;
}

/** The Seoul calendar date `days` from now, as YYYY-MM-DD. */
function seoulDate(days: number): string {
  return new Date(Date.now() + 9 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);
}
const isWeekend = (date: string) => [0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay());

/**
 * Every branch's prices (payment's price rules, in won): the chain's seat-class surcharges and
 * ticket-type discounts, and the usual time rules — 조조 (morning) showings cheaper, weekends dearer.
 */
const PRICE_RULES = {
  seatClasses: [
    { seatClass: "PREMIUM", surchargeCents: 3000 },
    { seatClass: "COUPLE", surchargeCents: 4000 },
  ],
  ticketTypes: [
    { ticketType: "YOUTH", discountCents: 3000 },
    { ticketType: "SENIOR", discountCents: 5000 },
    { ticketType: "DISABLED", discountCents: 6000 },
  ],
  timeRules: [
    { label: "Morning (before 10:00)", days: ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"], from: "00:00", until: "10:00", amountCents: -3000 },
    { label: "Weekend", days: ["SAT", "SUN"], from: "00:00", until: "24:00", amountCents: 1000 },
  ],
};

/** The three branches: the default cinema renamed into the first, the others created. */
async function openCinemas(gatewayUrl: string, adminToken: string): Promise<string[]> {
  const { cinemas } = await call<{ cinemas: { id: string; name: string }[] }>(gatewayUrl, adminToken, `{ cinemas { id name } }`);
  const ids: string[] = [];
  for (const [i, input] of CINEMAS.entries()) {
    const existing = cinemas.find((c) => c.name === input.name) ?? (i === 0 ? cinemas.find((c) => c.name === DEFAULT_CINEMA) : undefined);
    if (existing) {
      await call(gatewayUrl, adminToken, `mutation ($id: ID!, $input: UpdateCinemaInput!) { updateCinema(id: $id, input: $input) { id } }`, {
        id: existing.id,
        input,
      });
      ids.push(existing.id);
    } else {
      const data = await call<{ createCinema: { id: string } }>(
        gatewayUrl,
        adminToken,
        `mutation ($input: CreateCinemaInput!) { createCinema(input: $input) { id } }`,
        { input },
      );
      ids.push(data.createCinema.id);
    }
  }
  return ids;
}

export async function seedDemo(gatewayUrl: string, adminToken: string): Promise<{ seeded: boolean; screenings: number }> {
  const existing = await call<{ movies: unknown[] }>(gatewayUrl, adminToken, `{ movies { id } }`);
  if (existing.movies.length > 0) return { seeded: false, screenings: 0 };

  const movieIds: string[] = [];
  for (const input of MOVIES) {
    const data = await call<{ registerMovie: { id: string } }>(
      gatewayUrl,
      adminToken,
      `mutation ($input: RegisterMovieInput!) { registerMovie(input: $input) { id } }`,
      { input },
    );
    movieIds.push(data.registerMovie.id);
  }
  const cinemaIds = await openCinemas(gatewayUrl, adminToken);
  for (const cinemaId of cinemaIds) {
    await call(gatewayUrl, adminToken, `mutation ($input: PriceRulesInput!) { setPriceRules(input: $input) { cinemaId } }`, { input: { cinemaId, ...PRICE_RULES } });
  }
  /** Per cinema, its halls in SLOTS order. */
  const halls: string[][] = [];
  for (const [c, cinemaId] of cinemaIds.entries()) {
    const inputs = [
      { cinemaId, name: "1관 (Hall 1)", layout: HALL_1 },
      { cinemaId, name: "2관 (Hall 2)", layout: HALL_2[c % HALL_2.length] },
    ];
    const ids: string[] = [];
    for (const input of inputs) {
      const data = await call<{ createAuditorium: { id: string } }>(
        gatewayUrl,
        adminToken,
        `mutation ($input: CreateAuditoriumInput!) { createAuditorium(input: $input) { id } }`,
        { input },
      );
      ids.push(data.createAuditorium.id);
    }
    halls.push(ids);
  }

  let screenings = 0;
  let premiere: string | undefined;
  for (let day = 1; day <= DAYS; day++) {
    const date = seoulDate(day);
    for (const [c, cinemaHalls] of halls.entries()) {
      for (const [hall, auditoriumId] of cinemaHalls.entries()) {
        for (const [slotIndex, slot] of SLOTS[hall]!.entries()) {
          if (slot.weekendOnly && !isWeekend(date)) continue;
          const data = await call<{ scheduleScreening: { id: string } }>(
            gatewayUrl,
            adminToken,
            `mutation ($input: ScheduleScreeningInput!) { scheduleScreening(input: $input) { id } }`,
            {
              input: {
                movieId: movieIds[(day + slotIndex + hall + c) % movieIds.length],
                auditoriumId,
                startsAt: `${date}T${slot.time}:00+09:00`,
                priceCents: slot.priceCents,
              },
            },
          );
          screenings++;
          if (day === 1 && c === 0 && hall === 0 && slot.time === "20:30") premiere = data.scheduleScreening.id;
        }
      }
    }
  }
  await seedVouchers((query, variables) => call(gatewayUrl, adminToken, query, variables));
  // A slow room (2 customers a second), so a person trying it sees the queue move.
  await call(gatewayUrl, adminToken, `mutation ($input: SetWaitingRoomInput!) { setWaitingRoom(input: $input) { enabled } }`, {
    input: { screeningId: premiere, enabled: true, ratePerSecond: 2 },
  });
  return { seeded: true, screenings };
}
