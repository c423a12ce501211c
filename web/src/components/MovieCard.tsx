import type { ReactNode } from "react";
import { useI18n } from "../i18n.tsx";
import type { Movie } from "../queries.ts";

/** A movie's card in a list, with its screenings (or a note) below the summary. */
export function MovieCard({ movie, children }: { movie: Pick<Movie, "title" | "rating" | "runtimeMinutes" | "summary">; children: ReactNode }) {
  const { t } = useI18n();
  return (
    <li className="card movie" data-movie={movie.title}>
      <div className="poster" aria-hidden="true">{movie.title.slice(0, 1)}</div>
      <div className="movie-body">
        <h2>{movie.title}</h2>
        <p className="meta">
          <span className={`rating rating-${movie.rating.toLowerCase()}`}>{t(`rating.${movie.rating}`)}</span>
          <span>{t("common.minutes", { n: movie.runtimeMinutes })}</span>
        </p>
        <p className="summary">{movie.summary}</p>
        {children}
      </div>
    </li>
  );
}

