/**
 * The pair rule (platform seat-pairs.ts) in SQL, over a seat row and the asked labels ($labels): a
 * couple seat goes with its partner, a companion seat with its wheelchair space. A wheelchair space
 * may be booked alone.
 */
export const pairRuleHolds = (labels: string) =>
  `(seat_class NOT IN ('COUPLE', 'COMPANION') OR pair_label IS NULL OR pair_label = ANY(${labels}))`;
