import { useQuery } from "urql";
import { PageTitle } from "../components/PageTitle.tsx";
import { ErrorMessage } from "../errors.tsx";
import { useI18n } from "../i18n.tsx";
import { MOVIES, type ScreeningSummary } from "../queries.ts";
import { Link } from "../router.tsx";

export function MoviesPage() {
  const { t } = useI18n();
  const [{ data, error, fetching }, refetch] = useQuery({ query: MOVIES, requestPolicy: "cache-and-network" });
  return (
    <>
      <PageTitle>{t("movies.title")}</PageTitle>
      <p className="lead">{t("movies.intro")}</p>
      <ErrorMessage error={error} onRetry={() => refetch({ requestPolicy: "network-only" })} />
      {fetching && !data && <p aria-busy="true">{t("common.loading")}</p>}
      {data?.movies.length === 0 && <p>{t("movies.none")}</p>}
      <ul className="movie-list">
        {data?.movies.map((movie) => (
          <li key={movie.id} className="card movie" data-movie={movie.title}>
            <div className="poster" aria-hidden="true">{movie.title.slice(0, 1)}</div>
            <div className="movie-body">
              <h2>{movie.title}</h2>
              <p className="meta">
                <span className={`rating rating-${movie.rating.toLowerCase()}`}>{t(`rating.${movie.rating}`)}</span>
                <span>{t("common.minutes", { n: movie.runtimeMinutes })}</span>
              </p>
              <p className="summary">{movie.summary}</p>
              {movie.screenings.length === 0 ? <p className="muted">{t("movies.noScreenings")}</p> : <Screenings screenings={movie.screenings} />}
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}

/** Screenings grouped by their Seoul calendar day, one link per screening. */
function Screenings({ screenings }: { screenings: ScreeningSummary[] }) {
  const { t, day, time, dateTime, money } = useI18n();
  const days = new Map<string, ScreeningSummary[]>();
  for (const s of screenings) days.set(day(s.startsAt), [...(days.get(day(s.startsAt)) ?? []), s]);
  return (
    <dl className="days">
      {[...days].map(([label, list]) => (
        <div className="day" key={label}>
          <dt>{label}</dt>
          <dd>
            <ul className="screenings">
              {list.map((s) => (
                <li key={s.id}>
                  <Link
                    to={`/screenings/${s.id}`}
                    className={`screening-chip${s.availableSeatCount === 0 ? " sold-out" : ""}`}
                    aria-label={t("movies.screeningLink", { time: dateTime(s.startsAt), hall: s.auditorium.name, n: s.availableSeatCount })}
                  >
                    <span className="chip-time">{time(s.startsAt)}</span>
                    <span className="chip-meta">{s.auditorium.name} · {money(s.priceCents, s.currency)}</span>
                    <span className="chip-seats">
                      {s.availableSeatCount === 0 ? t("movies.soldOut") : t("movies.seatsLeft", { n: s.availableSeatCount })}
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
          </dd>
        </div>
      ))}
    </dl>
  );
}
