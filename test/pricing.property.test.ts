// The price of a booking (payment/domain/pricing.ts), pure: properties over any rules and seats,
// and examples of time rules on the cinema's own wall clock.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { priceBooking, type PricingRequest } from "../subgraphs/payment/domain/pricing.ts";
import { DEFAULT_RULES, USUAL_TIME_RULES, SEAT_CLASSES, TICKET_TYPES, WEEKDAYS, type PriceRules } from "../subgraphs/payment/domain/price-rules.ts";

/** The defaults with the usual morning and weekend rules (which a cinema has once it saves them). */
const RULES: PriceRules = { ...DEFAULT_RULES, timeRules: USUAL_TIME_RULES };

const amount = fc.integer({ min: -1_000_000, max: 1_000_000 });
const hhmm = (max: number) => fc.integer({ min: 0, max }).map((m) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`);
const timeRule = fc
  .record({ label: fc.string({ minLength: 1, maxLength: 20 }), days: fc.uniqueArray(fc.constantFrom(...WEEKDAYS), { minLength: 1 }), from: hhmm(1439), until: hhmm(1440), amountCents: amount })
  .filter((r) => r.from < r.until);
const rules: fc.Arbitrary<PriceRules> = fc.record({
  currency: fc.constant("KRW"),
  seatClasses: fc.record(Object.fromEntries(SEAT_CLASSES.map((c) => [c, amount])) as Record<(typeof SEAT_CLASSES)[number], fc.Arbitrary<number>>),
  ticketTypes: fc.record(Object.fromEntries(TICKET_TYPES.map((t) => [t, fc.integer({ min: 0, max: 1_000_000 })])) as Record<(typeof TICKET_TYPES)[number], fc.Arbitrary<number>>),
  timeRules: fc.array(timeRule, { maxLength: 6 }),
});
const request: fc.Arbitrary<PricingRequest> = fc.record({
  currency: fc.constant("KRW"),
  timeZone: fc.constantFrom("Asia/Seoul", "UTC", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"),
  startsAt: fc.date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2035-12-31T23:59:00Z"), noInvalidDate: true }),
  basePriceCents: fc.integer({ min: 0, max: 10_000_000 }),
  lines: fc.array(
    fc.record({ seat: fc.constantFrom("A-1", "B-2", "C-3", "J-40"), seatClass: fc.constantFrom(...SEAT_CLASSES), ticketType: fc.constantFrom(...TICKET_TYPES) }),
    { maxLength: 20 },
  ),
});

describe("priceBooking: properties", () => {
  it("prices are non-negative integers, items sum to the seat price, seat prices to the total", () => {
    fc.assert(
      fc.property(request, rules, (req, r) => {
        const b = priceBooking(req, r);
        expect(b.currency).toBe(req.currency);
        expect(b.lines).toHaveLength(req.lines.length);
        expect(Number.isInteger(b.totalCents) && b.totalCents >= 0).toBe(true);
        expect(b.lines.reduce((s, l) => s + l.priceCents, 0)).toBe(b.totalCents);
        b.lines.forEach((line, i) => {
          expect(line).toMatchObject(req.lines[i]!);
          expect(Number.isInteger(line.priceCents) && line.priceCents >= 0).toBe(true);
          expect(line.items[0]).toEqual({ kind: "BASE", label: "Base price", amountCents: req.basePriceCents });
          expect(line.items.reduce((s, it) => s + it.amountCents, 0)).toBe(line.priceCents);
          let running = 0;
          for (const item of line.items) {
            expect(Number.isInteger(item.amountCents)).toBe(true);
            if (item.kind !== "BASE") expect(item.amountCents).not.toBe(0);
            running += item.amountCents;
            expect(running).toBeGreaterThanOrEqual(0); // never below 0 along the way either
          }
          // Kinds in the documented order, at most one SEAT_CLASS and one TICKET_TYPE.
          const order = ["BASE", "SEAT_CLASS", "TIME", "TICKET_TYPE"];
          const kinds = line.items.map((it) => order.indexOf(it.kind));
          expect(kinds).toEqual([...kinds].sort((a, c) => a - c));
          expect(line.items.filter((it) => it.kind === "SEAT_CLASS").length).toBeLessThanOrEqual(1);
          expect(line.items.filter((it) => it.kind === "TICKET_TYPE").length).toBeLessThanOrEqual(1);
        });
      }),
      { numRuns: 500 },
    );
  });

  it("without a floor reached, a seat's price is the plain sum of its parts", () => {
    const positive = rules.map((r) => ({ ...r, seatClasses: Object.fromEntries(SEAT_CLASSES.map((c) => [c, Math.abs(r.seatClasses[c])])) as PriceRules["seatClasses"], timeRules: r.timeRules.map((t) => ({ ...t, amountCents: Math.abs(t.amountCents) })) }));
    fc.assert(
      fc.property(request, positive, (req, r) => {
        const b = priceBooking({ ...req, basePriceCents: req.basePriceCents + 1_000_000 * 8 }, r);
        for (const line of b.lines) {
          const time = line.items.filter((it) => it.kind === "TIME").reduce((s, it) => s + it.amountCents, 0);
          expect(line.priceCents).toBe(req.basePriceCents + 8_000_000 + r.seatClasses[line.seatClass] + time - r.ticketTypes[line.ticketType]);
        }
      }),
      { numRuns: 200 },
    );
  });
});

const price = (startsAt: string, opts: Partial<PricingRequest> = {}, r: PriceRules = RULES) =>
  priceBooking({ currency: "KRW", timeZone: "Asia/Seoul", startsAt: new Date(startsAt), basePriceCents: 12000, lines: [{ seat: "A-1", seatClass: "STANDARD", ticketType: "ADULT" }], ...opts }, r);
const timeLabels = (startsAt: string, opts?: Partial<PricingRequest>) => price(startsAt, opts).lines[0]!.items.filter((i) => i.kind === "TIME").map((i) => i.label);

describe("priceBooking: examples", () => {
  it("the default rules on a weekday evening: premium youth = 12,000 + 3,000 − 3,000", () => {
    // 2026-12-02 is a Wednesday; 19:30 in Seoul.
    const b = price("2026-12-02T10:30:00Z", { lines: [{ seat: "D-5", seatClass: "PREMIUM", ticketType: "YOUTH" }, { seat: "D-6", seatClass: "STANDARD", ticketType: "ADULT" }] });
    expect(b).toEqual({
      currency: "KRW",
      totalCents: 24000,
      lines: [
        { seat: "D-5", seatClass: "PREMIUM", ticketType: "YOUTH", priceCents: 12000, items: [
          { kind: "BASE", label: "Base price", amountCents: 12000 },
          { kind: "SEAT_CLASS", label: "Premium seat", amountCents: 3000 },
          { kind: "TICKET_TYPE", label: "Youth", amountCents: -3000 },
        ] },
        { seat: "D-6", seatClass: "STANDARD", ticketType: "ADULT", priceCents: 12000, items: [{ kind: "BASE", label: "Base price", amountCents: 12000 }] },
      ],
    });
  });

  it("weekend is Seoul's weekend: Friday 15:00 UTC is Saturday 00:00 in Seoul, Sunday 15:00 UTC is Monday there", () => {
    expect(timeLabels("2026-12-04T14:59:00Z")).toEqual([]); // Fri 23:59 in Seoul
    expect(timeLabels("2026-12-04T15:00:00Z")).toEqual(["Morning (before 10:00)", "Weekend"]); // Sat 00:00
    expect(timeLabels("2026-12-05T11:00:00Z")).toEqual(["Weekend"]); // Sat 20:00 (Sat in UTC too)
    expect(timeLabels("2026-12-06T14:59:00Z")).toEqual(["Weekend"]); // Sun 23:59 in Seoul
    expect(timeLabels("2026-12-06T15:00:00Z")).toEqual(["Morning (before 10:00)"]); // Mon 00:00 in Seoul, still Sunday in UTC
    // The same instant in New York is Sunday 10:00: weekend, not morning.
    expect(timeLabels("2026-12-06T15:00:00Z", { timeZone: "America/New_York" })).toEqual(["Weekend"]);
  });

  it("morning is from 00:00 up to but not including 10:00 local time", () => {
    expect(timeLabels("2026-12-02T00:59:00Z")).toEqual(["Morning (before 10:00)"]); // 09:59 Seoul
    expect(timeLabels("2026-12-02T01:00:00Z")).toEqual([]); // 10:00 Seoul
    expect(timeLabels("2026-12-01T15:00:00Z")).toEqual(["Morning (before 10:00)"]); // 00:00 Seoul
    expect(timeLabels("2026-12-02T00:30:00Z")).toEqual(["Morning (before 10:00)"]); // 09:30, the seed's morning show
    expect(price("2026-12-02T00:30:00Z").totalCents).toBe(9000);
  });

  it("floors at 0 and shows what was applied: a cheap morning show for a disabled guest", () => {
    const b = price("2026-12-02T00:30:00Z", { basePriceCents: 5000, lines: [{ seat: "E-1", seatClass: "WHEELCHAIR", ticketType: "DISABLED" }] });
    expect(b.lines[0]!.items).toEqual([
      { kind: "BASE", label: "Base price", amountCents: 5000 },
      { kind: "TIME", label: "Morning (before 10:00)", amountCents: -3000 },
      { kind: "TICKET_TYPE", label: "Disabled", amountCents: -2000 },
    ]);
    expect(b.totalCents).toBe(0);
    // Once at 0, a further reduction applies nothing and is left out; a surcharge after it counts in full.
    const r: PriceRules = { ...DEFAULT_RULES, seatClasses: { ...DEFAULT_RULES.seatClasses, STANDARD: -20000 }, timeRules: [{ label: "Late", days: ["WED"], from: "19:00", until: "24:00", amountCents: 500 }] };
    expect(price("2026-12-02T10:30:00Z", { lines: [{ seat: "A-1", seatClass: "STANDARD", ticketType: "SENIOR" }] }, r).lines[0]!.items).toEqual([
      { kind: "BASE", label: "Base price", amountCents: 12000 },
      { kind: "SEAT_CLASS", label: "Standard seat", amountCents: -12000 },
      { kind: "TIME", label: "Late", amountCents: 500 },
      { kind: "TICKET_TYPE", label: "Senior", amountCents: -500 },
    ]);
  });

  it("an until of 24:00 includes 23:59; time rules apply in their saved order, one item each", () => {
    const r: PriceRules = { ...DEFAULT_RULES, timeRules: [
      { label: "Late night", days: ["WED"], from: "22:00", until: "24:00", amountCents: -1000 },
      { label: "Midweek", days: ["WED"], from: "00:00", until: "24:00", amountCents: -500 },
    ] };
    expect(price("2026-12-02T14:59:00Z", {}, r).lines[0]!.items.map((i) => [i.label, i.amountCents])).toEqual([["Base price", 12000], ["Late night", -1000], ["Midweek", -500]]);
  });
});
