import { useState } from "react";
import { useQuery } from "urql";
import { ScreeningChip } from "../components/ScreeningChip.tsx";
import { weekFrom } from "../dates.ts";
import { ErrorMessage } from "../errors.tsx";
import { useI18n } from "../i18n.tsx";
import { PROGRAMME, type Cinema, type ProgrammeScreening } from "../queries-cinema.ts";
import type { ScreeningSummary } from "../queries.ts";
import { MovieCard } from "../components/MovieCard.tsx";

/** One cinema's programme: a day of the coming week (the cinema's own days), grouped by movie. */
export function Programme({ cinema }: { cinema: Cinema }) {
  const { t, localDay } = useI18n();
  const days = weekFrom(cinema.timeZone);
  const [date, setDate] = useState(days[0]!);
  const [{ data, error, fetching }, refetch] = useQuery({ query: PROGRAMME, variables: { id: cinema.id, date }, requestPolicy: "cache-and-network" });
  const screenings = data?.cinema?.screenings ?? [];
  const dayName = (d: string, i: number) => (i === 0 ? t("day.today") : i === 1 ? t("day.tomorrow") : null);
  return (
    <>
      <div className="day-picker" role="group" aria-label={t("day.label")}>
        {days.map((d, i) => (
          <button key={d} type="button" className="day-button" data-date={d} aria-pressed={d === date} onClick={() => setDate(d)}>
            {dayName(d, i) && <span className="day-name">{dayName(d, i)}</span>}
            <span>{localDay(d)}</span>
          </button>
        ))}
      </div>
      <h2 className="programme-title" aria-live="polite">
        {t("programme.title", { cinema: cinema.name, day: localDay(date) })}
      </h2>
      <p className="lead">{t("cinema.localTimes", { zone: cinema.timeZone })}</p>
      <ErrorMessage error={error} onRetry={() => refetch({ requestPolicy: "network-only" })} />
      {fetching && !data && <p aria-busy="true">{t("common.loading")}</p>}
      {data && screenings.length === 0 && <p className="card" data-testid="no-screenings">{t("programme.none")}</p>}
      <ul className="movie-list" data-testid="programme">
        {byMovie(screenings).map(({ movie, list }) => (
          <MovieCard key={movie.id} movie={movie}>
            <ul className="screenings">
              {list.map((s) => (
                <li key={s.id}>
                  <ScreeningItem screening={s} timeZone={cinema.timeZone} />
                </li>
              ))}
            </ul>
          </MovieCard>
        ))}
      </ul>
    </>
  );
}

/** A screening of a list: a link to its seat map, or, when staff called it off, a label that books nothing. */
export function ScreeningItem({ screening, cinemaName, timeZone }: { screening: ScreeningSummary; cinemaName?: string; timeZone?: string }) {
  return screening.status === "CANCELLED" ? (
    <CancelledScreening screening={screening} cinemaName={cinemaName} timeZone={timeZone} />
  ) : (
    <ScreeningChip screening={screening} cinemaName={cinemaName} timeZone={timeZone} />
  );
}

/** A screening the cinema cancelled: where and when it was, that it is cancelled and why; not a link. */
function CancelledScreening({ screening: s, cinemaName, timeZone }: { screening: ScreeningSummary; cinemaName?: string; timeZone?: string }) {
  const { t, time, dateTime } = useI18n();
  const hall = cinemaName ? `${cinemaName} ${s.auditorium.name}` : s.auditorium.name;
  return (
    <div className="screening-chip sold-out" data-status="CANCELLED" data-testid="cancelled-screening" aria-label={t("programme.cancelledScreening", { time: dateTime(s.startsAt, timeZone), hall })}>
      <span className="chip-time"><s>{time(s.startsAt, timeZone)}</s> <span className="badge badge-cancelled">{t("programme.cancelled")}</span></span>
      <span className="chip-meta">{hall}</span>
      {s.cancelReason && <span className="chip-seats">{s.cancelReason}</span>}
    </div>
  );
}

/** Movies in the order of their first screening of the day, each with its screenings by time. */
function byMovie<S extends ProgrammeScreening>(screenings: S[]) {
  const movies = new Map<string, { movie: S["movie"]; list: S[] }>();
  for (const s of [...screenings].sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt))) {
    const entry = movies.get(s.movie.id) ?? { movie: s.movie, list: [] as S[] };
    entry.list.push(s);
    movies.set(s.movie.id, entry);
  }
  return [...movies.values()];
}
