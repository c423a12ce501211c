import { useI18n } from "../i18n.tsx";
import type { ScreeningSummary } from "../queries.ts";
import { Link } from "../router.tsx";

/** One screening as a link: its start (in the cinema's time zone), hall, price and seats left. */
export function ScreeningChip({ screening: s, cinemaName, timeZone }: { screening: ScreeningSummary; cinemaName?: string; timeZone?: string }) {
  const { t, time, dateTime, money } = useI18n();
  const hall = cinemaName ? `${cinemaName} ${s.auditorium.name}` : s.auditorium.name;
  return (
    <Link
      to={`/screenings/${s.id}`}
      className={`screening-chip${s.availableSeatCount === 0 ? " sold-out" : ""}`}
      aria-label={t("movies.screeningLink", { time: dateTime(s.startsAt, timeZone), hall, n: s.availableSeatCount })}
    >
      <span className="chip-time">{time(s.startsAt, timeZone)}</span>
      <span className="chip-meta">{hall} · {money(s.priceCents, s.currency)}</span>
      <span className="chip-seats">{s.availableSeatCount === 0 ? t("movies.soldOut") : t("movies.seatsLeft", { n: s.availableSeatCount })}</span>
    </Link>
  );
}

/** "CineMA Yeouido · Hall 1": where a screening is, once customers choose among cinemas. */
export const hallOf = (s: { auditorium: { name: string }; cinema?: { name: string } | null }) =>
  s.cinema ? `${s.cinema.name} · ${s.auditorium.name}` : s.auditorium.name;
