import { useState, type FormEvent, type ReactNode } from "react";
import { Field, Outcome } from "../components/Form.tsx";
import { zonedIso } from "../dates.ts";
import { AuditoriumForm } from "./admin/AuditoriumForm.tsx";
import { BlockSeats } from "./admin/BlockSeats.tsx";
import { CancelScreening } from "./admin/CancelScreening.tsx";
import { CinemaSettings } from "./admin/CinemaSettings.tsx";
import { PriceRulesForm } from "./admin/PriceRulesForm.tsx";
import { Vouchers } from "./admin/Vouchers.tsx";
import { useMutation, useQuery } from "urql";
import { LiveBadge } from "../components/LiveBadge.tsx";
import { PageTitle } from "../components/PageTitle.tsx";
import { ErrorMessage } from "../errors.tsx";
import { useLiveScreening } from "../hooks.ts";
import { useI18n } from "../i18n.tsx";
import { ADMIN_DATA, REGISTER_MOVIE, SCHEDULE_SCREENING, SET_WAITING_ROOM, WAITING_ROOMS, type AdminCinema, type WaitingRoom } from "../queries.ts";
import { hallOf } from "../components/ScreeningChip.tsx";
import { Link } from "../router.tsx";
import { useSession } from "../session.tsx";

const RATINGS = ["ALL", "AGE_12", "AGE_15", "AGE_18"] as const;

/** Staff pages are hidden from customers; the API refuses their mutations anyway (FORBIDDEN). */
export function AdminGate({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const { session } = useSession();
  if (session?.role === "admin") return <>{children}</>;
  return (
    <>
      <PageTitle>{t("admin.title")}</PageTitle>
      <p className="notice">{t("admin.onlyStaff")}</p>
      <Link className="button button-primary" to="/signin?returnTo=%2Fadmin">{t("nav.signIn")}</Link>
    </>
  );
}

/** The cinema staff last managed, in this browser. */
const ADMIN_CHOICE_KEY = "cinema.adminChoice";

export function AdminPage() {
  const { t } = useI18n();
  const [{ data, error }, refetch] = useQuery({ query: ADMIN_DATA, requestPolicy: "cache-and-network" });
  const reload = () => refetch({ requestPolicy: "network-only" });
  const [chosen, setChosen] = useState(() => localStorage.getItem(ADMIN_CHOICE_KEY) ?? "");
  const cinemas = data?.cinemas ?? [];
  const cinema = cinemas.find((c) => c.id === chosen) ?? cinemas[0];
  const choose = (id: string) => {
    localStorage.setItem(ADMIN_CHOICE_KEY, id);
    setChosen(id);
  };
  const movies = (data?.movies ?? []).map((m) => ({ ...m, screenings: m.screenings.filter((s) => !s.cinema || s.cinema.id === cinema?.id) }));
  return (
    <>
      <PageTitle>{t("admin.title")}</PageTitle>
      <ErrorMessage error={error} onRetry={reload} />
      <div className="cinema-picker">
        <Field id="admin-cinema" label={t("admin.cinema")}>
          <select id="admin-cinema" value={cinema?.id ?? ""} onChange={(e) => choose(e.target.value)}>
            {cinemas.map((c) => (
              <option key={c.id} value={c.id}>{c.name}</option>
            ))}
          </select>
        </Field>
      </div>
      <div className="admin-grid">
        <MovieForm onDone={reload} />
        <ScreeningForm movies={data?.movies ?? []} cinema={cinema} onDone={reload} />
        {cinema && <CinemaSettings key={cinema.id} cinema={cinema} onDone={reload} />}
        <AuditoriumForm cinemaId={cinema?.id} onDone={reload} />
        {cinema && <PriceRulesForm cinemaId={cinema.id} />}
      </div>
      <Occupancy movies={movies} />
      <Vouchers cinemas={cinemas} />
    </>
  );
}

function MovieForm({ onDone }: { onDone: () => void }) {
  const { t } = useI18n();
  const [result, register] = useMutation(REGISTER_MOVIE);
  const [ok, setOk] = useState<string>();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const f = new FormData(form);
    const res = await register({
      input: { title: String(f.get("title")), summary: String(f.get("summary")), runtimeMinutes: Number(f.get("runtime")), rating: String(f.get("rating")) },
    });
    if (res.data) {
      setOk(t("admin.registered", { title: res.data.registerMovie.title }));
      form.reset();
      onDone();
    }
  };
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="movie-form">
      <h2 id="movie-form">{t("admin.movie")}</h2>
      <Field id="movie-title" label={t("admin.movieTitle")}>
        <input id="movie-title" name="title" required maxLength={200} />
      </Field>
      <Field id="movie-summary" label={t("admin.summary")}>
        <textarea id="movie-summary" name="summary" required rows={3} maxLength={4000} />
      </Field>
      <div className="field-row">
        <Field id="movie-runtime" label={t("admin.runtime")}>
          <input id="movie-runtime" name="runtime" type="number" required min={1} max={600} defaultValue={120} />
        </Field>
        <Field id="movie-rating" label={t("admin.rating")}>
          <select id="movie-rating" name="rating" defaultValue="ALL">
            {RATINGS.map((r) => (
              <option key={r} value={r}>{t(`rating.${r}`)}</option>
            ))}
          </select>
        </Field>
      </div>
      <Outcome ok={ok} error={result.error} />
      <button type="submit" className="button button-primary" disabled={result.fetching}>{t("admin.register")}</button>
    </form>
  );
}

function ScreeningForm({ movies, cinema, onDone }: { movies: { id: string; title: string }[]; cinema: AdminCinema | undefined; onDone: () => void }) {
  const auditoriums = cinema?.auditoriums ?? [];
  const timeZone = cinema?.timeZone ?? "Asia/Seoul";
  const { t, dateTime } = useI18n();
  const [result, schedule] = useMutation(SCHEDULE_SCREENING);
  const [ok, setOk] = useState<string>();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const f = new FormData(form);
    // The field holds the cinema's wall-clock time ("2026-12-24T19:30"), whatever the browser's
    // own time zone is.
    const startsAt = zonedIso(String(f.get("startsAt")), timeZone);
    const res = await schedule({
      input: { movieId: String(f.get("movieId")), auditoriumId: String(f.get("auditoriumId")), startsAt, priceCents: Number(f.get("price")) },
    });
    if (res.data) {
      setOk(t("admin.scheduled", { title: res.data.scheduleScreening.movie.title, time: dateTime(res.data.scheduleScreening.startsAt, timeZone) }));
      onDone();
    }
  };
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="screening-form">
      <h2 id="screening-form">{t("admin.screening")}</h2>
      <Field id="screening-movie" label={t("admin.pickMovie")}>
        <select id="screening-movie" name="movieId" required defaultValue="">
          <option value="" disabled>{t("admin.choose")}</option>
          {movies.map((m) => (
            <option key={m.id} value={m.id}>{m.title}</option>
          ))}
        </select>
      </Field>
      <Field id="screening-hall" label={t("admin.pickHall")}>
        <select id="screening-hall" name="auditoriumId" required defaultValue="">
          <option value="" disabled>{t("admin.choose")}</option>
          {auditoriums.map((a) => (
            <option key={a.id} value={a.id}>{a.name} ({a.capacity})</option>
          ))}
        </select>
      </Field>
      <Field id="screening-starts" label={timeZone === "Asia/Seoul" ? t("admin.startsAt") : t("admin.startsAtZone", { zone: timeZone })}>
        <input id="screening-starts" name="startsAt" type="datetime-local" required step={60} />
      </Field>
      <Field id="screening-price" label={t("admin.price")}>
        <input id="screening-price" name="price" type="number" required min={1} step={1} defaultValue={12000} />
      </Field>
      <Outcome ok={ok} error={result.error} />
      <button type="submit" className="button button-primary" disabled={result.fetching}>{t("admin.schedule")}</button>
    </form>
  );
}

function Occupancy({ movies }: { movies: { id: string; title: string; screenings: { id: string; startsAt: string; availableSeatCount: number; auditorium: { name: string; capacity: number } }[] }[] }) {
  const { t, dateTime } = useI18n();
  const [{ data }] = useQuery({ query: WAITING_ROOMS, requestPolicy: "cache-and-network" });
  const rooms = new Map((data?.waitingRooms ?? []).map((r) => [r.screeningId, r]));
  const rows = movies
    .flatMap((m) => m.screenings.map((s) => ({ ...s, title: m.title })))
    .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  return (
    <section className="card occupancy" aria-labelledby="occupancy-title">
      <h2 id="occupancy-title">{t("admin.occupancy")}</h2>
      {rows.length === 0 ? (
        <p className="muted">{t("admin.noScreenings")}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("admin.pickMovie")}</th>
              <th scope="col">{t("common.when")}</th>
              <th scope="col">{t("admin.pickHall")}</th>
              <th scope="col">{t("admin.available")}</th>
              <th scope="col">{t("admin.waitingRoom")}</th>
              <th scope="col"><span className="visually-hidden">{t("admin.view")}</span></th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => {
              const sold = s.auditorium.capacity - s.availableSeatCount;
              return (
                <tr key={s.id} data-screening={s.id}>
                  <td>{s.title}</td>
                  <td>{dateTime(s.startsAt)}</td>
                  <td>{s.auditorium.name}</td>
                  <td>
                    <meter min={0} max={s.auditorium.capacity} value={sold} aria-hidden="true" />{" "}
                    <span>{s.availableSeatCount} / {s.auditorium.capacity}</span>
                    <span className="visually-hidden">{t("admin.sold", { sold, capacity: s.auditorium.capacity })}</span>
                  </td>
                  <td><RoomSwitch screeningId={s.id} room={rooms.get(s.id)} /></td>
                  <td><Link to={`/admin/screenings/${s.id}`}>{t("admin.view")}</Link></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

/**
 * A screening's waiting room: on or off, and the rate passes are handed out at (empty: the
 * server's default). While on, customers queue for a pass before they may choose seats.
 */
function RoomSwitch({ screeningId, room }: { screeningId: string; room: WaitingRoom | undefined }) {
  const { t } = useI18n();
  const [result, save] = useMutation(SET_WAITING_ROOM);
  const current = result.data?.setWaitingRoom ?? room;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const rate = String(f.get("rate") ?? "");
    void save({ input: { screeningId, enabled: f.get("enabled") === "on", ratePerSecond: rate ? Number(rate) : null } });
  };
  return (
    <form className="room-switch" onSubmit={submit} data-room={screeningId}>
      <label>
        <input type="checkbox" name="enabled" defaultChecked={current?.enabled ?? false} /> {t("admin.waitingRoomOn")}
      </label>
      <label>
        <span className="visually-hidden">{t("admin.rate")}</span>
        <input type="number" name="rate" min={0.1} max={10000} step="any" placeholder={t("admin.rate")} title={t("admin.rate")} defaultValue={current?.ratePerSecond ?? ""} />
      </label>
      <button type="submit" className="button button-secondary" disabled={result.fetching}>{t("admin.save")}</button>
      {current?.enabled && <span className="muted">{t("admin.waitingNow", { n: current.waiting })}</span>}
      <ErrorMessage error={result.error} />
    </form>
  );
}

/** A screening's seat map as staff see it: read-only, live. */
export function AdminScreeningPage({ id }: { id: string }) {
  const { t, dateTime } = useI18n();
  const { screening, seats, availableSeatCount, error, refetch } = useLiveScreening(id);
  return (
    <>
      <Link to="/admin" className="back">← {t("admin.title")}</Link>
      <ErrorMessage error={error} onRetry={() => refetch({ requestPolicy: "network-only" })} />
      {screening && (
        <>
          <PageTitle>{screening.movie.title}</PageTitle>
          <p className="lead">
            {t("screening.when", { time: dateTime(screening.startsAt, screening.cinema?.timeZone), hall: hallOf(screening) })} ·{" "}
            <span data-testid="available-count">{t("screening.available", { n: availableSeatCount ?? 0, capacity: screening.auditorium.capacity })}</span>{" "}
            <LiveBadge />
          </p>
          <BlockSeats screeningId={id} seats={seats} onDone={() => refetch({ requestPolicy: "network-only" })} />
          <CancelScreening screeningId={id} onCancelled={() => refetch({ requestPolicy: "network-only" })} />
        </>
      )}
    </>
  );
}
