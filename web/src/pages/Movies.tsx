import { useState } from "react";
import { useQuery } from "urql";
import { PageTitle } from "../components/PageTitle.tsx";
import { ErrorMessage } from "../errors.tsx";
import { useI18n } from "../i18n.tsx";
import { MOVIES, type ScreeningSummary } from "../queries.ts";
import { MovieCard } from "../components/MovieCard.tsx";
import { CINEMAS, type Cinema } from "../queries-cinema.ts";
import { Programme, ScreeningItem } from "./Programme.tsx";

/** The customer's cinema, kept in this browser so a returning customer lands on it. */
const CHOICE_KEY = "cinema.choice";

export function MoviesPage() {
  const { t } = useI18n();
  const [cinemas] = useQuery({ query: CINEMAS, requestPolicy: "cache-and-network" });
  const [chosen, setChosen] = useState<string>(() => localStorage.getItem(CHOICE_KEY) ?? "");
  const list = cinemas.data?.cinemas ?? [];
  // A remembered cinema that is gone (or not loaded yet) shows every cinema's programme.
  const cinema = list.find((c) => c.id === chosen);
  const choose = (id: string) => {
    if (id) localStorage.setItem(CHOICE_KEY, id);
    else localStorage.removeItem(CHOICE_KEY);
    setChosen(id);
  };
  return (
    <>
      <PageTitle>{t("movies.title")}</PageTitle>
      <CinemaPicker cinemas={list} value={cinema?.id ?? ""} onChange={choose} />
      <ErrorMessage error={cinemas.error} />
      {cinema ? (
        <Programme key={cinema.id} cinema={cinema} />
      ) : chosen && !cinemas.data && !cinemas.error ? (
        // A returning customer's cinema is on its way: no flash of every cinema's list first.
        <p aria-busy="true">{t("common.loading")}</p>
      ) : (
        <AllMovies />
      )}
    </>
  );
}

function CinemaPicker({ cinemas, value, onChange }: { cinemas: Cinema[]; value: string; onChange: (id: string) => void }) {
  const { t } = useI18n();
  const current = cinemas.find((c) => c.id === value);
  return (
    <div className="cinema-picker">
      <div className="field">
        <label htmlFor="cinema-choice">{t("cinema.label")}</label>
        <select id="cinema-choice" value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">{t("cinema.all")}</option>
          {cinemas.map((c) => (
            <option key={c.id} value={c.id}>{c.name}</option>
          ))}
        </select>
      </div>
      <p className="muted cinema-address">{current ? current.address : t("cinema.pickHint")}</p>
    </div>
  );
}

/** Every movie with its screenings at every cinema, by day: before a cinema is chosen. */
function AllMovies() {
  const { t } = useI18n();
  const [{ data, error, fetching }, refetch] = useQuery({ query: MOVIES, requestPolicy: "cache-and-network" });
  return (
    <>
      <p className="lead">{t("movies.intro")}</p>
      <ErrorMessage error={error} onRetry={() => refetch({ requestPolicy: "network-only" })} />
      {fetching && !data && <p aria-busy="true">{t("common.loading")}</p>}
      {data?.movies.length === 0 && <p>{t("movies.none")}</p>}
      <ul className="movie-list">
        {data?.movies.map((movie) => (
          <MovieCard key={movie.id} movie={movie}>
            {movie.screenings.length === 0 ? <p className="muted">{t("movies.noScreenings")}</p> : <Screenings screenings={movie.screenings} />}
          </MovieCard>
        ))}
      </ul>
    </>
  );
}

/** Screenings grouped by their Seoul calendar day, one link per screening. */
function Screenings({ screenings }: { screenings: ScreeningSummary[] }) {
  const { day } = useI18n();
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
                  <ScreeningItem screening={s} cinemaName={s.cinema?.name} />
                </li>
              ))}
            </ul>
          </dd>
        </div>
      ))}
    </dl>
  );
}
