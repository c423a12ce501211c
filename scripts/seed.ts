// Seeds the demo cinema through the public API (as staff), once: movies, two auditoriums and a
// week of screenings in Seoul time, tomorrow's 20:30 premiere in Hall 1 behind a waiting room (so
// the on-sale flow can be tried). Run by `npm run up`; skipped when movies already exist.

const MOVIES = [
  { title: "서울의 밤 (Night in Seoul)", summary: "A taxi driver, a lost violin and one long night across the city.", runtimeMinutes: 118, rating: "AGE_12" },
  { title: "바다의 노래 (Song of the Sea)", summary: "A haenyeo grandmother teaches her grandson to dive off Jeju.", runtimeMinutes: 104, rating: "ALL" },
  { title: "The Last Projectionist", summary: "The final week of a small-town cinema, told from its projection booth.", runtimeMinutes: 131, rating: "AGE_15" },
] as const;
const AUDITORIUMS = [
  { name: "1관 (Hall 1)", rows: 8, seatsPerRow: 12 },
  { name: "2관 (Hall 2)", rows: 5, seatsPerRow: 10 },
];
/** Local start times (Asia/Seoul, UTC+9, no daylight saving) and the price of each slot in KRW. */
const SLOTS = [
  { time: "10:00", priceCents: 11000 },
  { time: "13:30", priceCents: 14000 },
  { time: "17:00", priceCents: 14000 },
  { time: "20:30", priceCents: 15000 },
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
  const auditoriumIds: string[] = [];
  for (const input of AUDITORIUMS) {
    const data = await call<{ createAuditorium: { id: string } }>(
      gatewayUrl,
      adminToken,
      `mutation ($input: CreateAuditoriumInput!) { createAuditorium(input: $input) { id } }`,
      { input },
    );
    auditoriumIds.push(data.createAuditorium.id);
  }
  let screenings = 0;
  let premiere: string | undefined;
  for (let day = 1; day <= DAYS; day++) {
    for (const [slotIndex, slot] of SLOTS.entries()) {
      for (const [hall, auditoriumId] of auditoriumIds.entries()) {
        const data = await call<{ scheduleScreening: { id: string } }>(
          gatewayUrl,
          adminToken,
          `mutation ($input: ScheduleScreeningInput!) { scheduleScreening(input: $input) { id } }`,
          {
            input: {
              movieId: movieIds[(day + slotIndex + hall) % movieIds.length],
              auditoriumId,
              startsAt: `${seoulDate(day)}T${slot.time}:00+09:00`,
              priceCents: slot.priceCents,
            },
          },
        );
        screenings++;
        if (day === 1 && slotIndex === SLOTS.length - 1 && hall === 0) premiere = data.scheduleScreening.id;
      }
    }
  }
  // A slow room (2 customers a second), so a person trying it sees the queue move.
  await call(gatewayUrl, adminToken, `mutation ($input: SetWaitingRoomInput!) { setWaitingRoom(input: $input) { enabled } }`, {
    input: { screeningId: premiere, enabled: true, ratePerSecond: 2 },
  });
  return { seeded: true, screenings };
}
