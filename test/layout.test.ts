// The layout parser (movie/domain/layout.ts) as docs/cinema-chain.md describes it: a pure function,
// no stack needed.
import { describe, expect, it } from "vitest";
import { parseLayout, rectangleLayout } from "../subgraphs/movie/domain/layout.ts";
import { localDayRange, parseLocalDate, canonicalTimeZone } from "@cinema/platform/time-zone";

const DOC_EXAMPLE = [
  "....SSSSSSSS....",
  "...SSSSSSSSSS...",
  "SSS.PPPPPPPP.SSS",
  "SSS.PPPPPPPP.SSS",
  "Ww..SSSSSSSS..wW",
  "................",
  "CC.CC.CC.CC.CC.CC",
].join("\n");

const seat = (layout: string, label: string) => parseLayout(layout).seats.find((s) => s.label === label);
const messages = (layout: string) => parseLayout(layout).errors.map((e) => e.message);

describe("parseLayout", () => {
  it("parses the example of the design: lettering, numbering, classes, grid positions", () => {
    const p = parseLayout(DOC_EXAMPLE);
    expect(p.errors).toEqual([]);
    expect(p.gridRows).toBe(7);
    expect(p.gridColumns).toBe(17);
    // 8 + 10 + 14 + 14 + 12 + 12
    expect(p.capacity).toBe(70);
    expect(p.seats).toHaveLength(70);
    expect([...new Set(p.seats.map((s) => s.row))]).toEqual(["A", "B", "C", "D", "E", "F"]);
    expect(seat(DOC_EXAMPLE, "A-1")).toEqual({
      label: "A-1", row: "A", number: 1, gridRow: 1, gridColumn: 5, seatClass: "STANDARD", pairLabel: null, blocked: false,
    });
    // Numbers count seats only: C-4 is the first premium seat, after the aisle at column 4.
    expect(seat(DOC_EXAMPLE, "C-4")).toMatchObject({ gridRow: 3, gridColumn: 5, seatClass: "PREMIUM" });
    expect(seat(DOC_EXAMPLE, "C-14")).toMatchObject({ gridColumn: 16, seatClass: "STANDARD" });
    // The cross aisle (line 6) is drawn, not lettered: the couple row is F on line 7.
    expect(seat(DOC_EXAMPLE, "F-1")).toMatchObject({ gridRow: 7, gridColumn: 1, seatClass: "COUPLE", pairLabel: "F-2" });
    expect(seat(DOC_EXAMPLE, "F-2")).toMatchObject({ gridColumn: 2, pairLabel: "F-1" });
    expect(seat(DOC_EXAMPLE, "F-12")).toMatchObject({ gridColumn: 17, pairLabel: "F-11" });
  });

  it("ties each companion seat to its wheelchair space; the space may be sold alone", () => {
    expect(seat(DOC_EXAMPLE, "E-1")).toMatchObject({ seatClass: "WHEELCHAIR", pairLabel: null });
    expect(seat(DOC_EXAMPLE, "E-2")).toMatchObject({ seatClass: "COMPANION", pairLabel: "E-1" });
    expect(seat(DOC_EXAMPLE, "E-11")).toMatchObject({ seatClass: "COMPANION", pairLabel: "E-12" });
    expect(seat(DOC_EXAMPLE, "E-12")).toMatchObject({ seatClass: "WHEELCHAIR", pairLabel: null });
    // A W without companion is fine.
    expect(parseLayout("W.SSS").errors).toEqual([]);
  });

  it("marks X as a blocked standard seat that still counts and is numbered", () => {
    const p = parseLayout("SXS");
    expect(p.errors).toEqual([]);
    expect(p.seats.map((s) => [s.label, s.seatClass, s.blocked])).toEqual([
      ["A-1", "STANDARD", false],
      ["A-2", "STANDARD", true],
      ["A-3", "STANDARD", false],
    ]);
    expect(p.capacity).toBe(3);
  });

  it("pairs couples from the left within each run: CCCC is two pairs", () => {
    const p = parseLayout("CCCC.CC");
    expect(p.errors).toEqual([]);
    expect(p.seats.map((s) => s.pairLabel)).toEqual(["A-2", "A-1", "A-4", "A-3", "A-6", "A-5"]);
  });

  it("treats spaces like dots, and ignores trailing spaces, blank lines at the end and CRLF", () => {
    const p = parseLayout("SS  SS   \r\n\r\n  PP\r\n\n\n");
    expect(p.errors).toEqual([]);
    expect(p.gridRows).toBe(3);
    expect(p.gridColumns).toBe(6);
    expect(seat("SS  SS   \r\n\r\n  PP\r\n\n\n", "A-3")).toMatchObject({ gridColumn: 5 });
    expect(seat("SS  SS\n\n  PP", "B-1")).toMatchObject({ gridRow: 3, gridColumn: 3, seatClass: "PREMIUM" });
  });

  it("legacy rows × seatsPerRow is a rectangle of standard seats", () => {
    const p = parseLayout(rectangleLayout(5, 10));
    expect(p.errors).toEqual([]);
    expect(p.capacity).toBe(50);
    expect(p.seats.at(-1)).toMatchObject({ label: "E-10", seatClass: "STANDARD" });
  });

  it("names line, row and column of an unpartnered couple seat, as the design's example says", () => {
    const layout = ["SSSS", "SSSS", "", "SSCCC", ""].join("\n");
    expect(parseLayout(layout).errors).toEqual([
      { line: 4, row: "C", column: 5, message: "Row C (line 4), column 5: a couple seat needs its partner beside it (CC)." },
    ]);
  });

  it("refuses companions without a wheelchair space, between two, or two for one space", () => {
    expect(messages("SwS")).toEqual(["Row A (line 1), column 2: a companion seat (w) must be directly beside a wheelchair space (W)."]);
    expect(messages("WwW")).toEqual([
      "Row A (line 1), column 2: a companion seat (w) must be beside exactly one wheelchair space (W), not between two.",
    ]);
    expect(messages("wWw")).toEqual(["Row A (line 1), column 2: a wheelchair space (W) may have only one companion seat (w) beside it."]);
    // Above a W is not beside it.
    expect(messages("W\nw")).toEqual(["Row B (line 2), column 1: a companion seat (w) must be directly beside a wheelchair space (W)."]);
    // Two spaces with a companion each is fine.
    expect(parseLayout("WwwW").errors).toEqual([]);
  });

  it("refuses unknown marks, naming where they are (in a row and on a cross aisle)", () => {
    const errors = parseLayout("SSQS\n..#").errors;
    expect(errors).toEqual([
      { line: 1, row: "A", column: 3, message: expect.stringMatching(/^Row A \(line 1\), column 3: "Q" is not a layout mark/) },
      { line: 2, row: null, column: 3, message: expect.stringMatching(/^Line 2, column 3: "#" is not a layout mark/) },
    ]);
    // The unknown mark is not a seat: numbering goes on past it.
    expect(seat("SSQS", "A-3")).toMatchObject({ gridColumn: 4 });
  });

  it("refuses an empty layout or one without seats", () => {
    for (const text of ["", "   \n\n", "....\n...."]) {
      expect(messages(text)).toEqual(["Line 1, column 1: a layout needs at least one seat (S, P, C, W, w or X)."]);
    }
  });

  it("limits rows to 26 (A–Z) and lines to 60 columns", () => {
    expect(parseLayout(Array(26).fill("S").join("\n")).errors).toEqual([]);
    const tall = parseLayout(Array(28).fill("..S").join("\n"));
    expect(tall.errors).toEqual([{ line: 27, row: null, column: 3, message: "Line 27, column 3: too many rows of seats: at most 26 (lettered A–Z)." }]);
    expect(tall.seats.at(-1)?.row).toBe("Z");
    expect(parseLayout("S".repeat(60)).errors).toEqual([]);
    expect(messages(`${"S".repeat(61)}\n${".".repeat(65)}`)).toEqual([
      "Row A (line 1), column 61: the line is too wide: at most 60 columns.",
      "Line 2, column 61: the line is too wide: at most 60 columns.",
    ]);
  });

  it("returns all errors, in the order of the drawing", () => {
    const errors = parseLayout(["CCC.Sw", "..?..", "SQS.wW"].join("\n")).errors;
    expect(errors.map((e) => [e.line, e.row, e.column])).toEqual([
      [1, "A", 3],
      [1, "A", 6],
      [2, null, 3],
      [3, "B", 2],
    ]);
  });
});

describe("local days", () => {
  it("reads YYYY-MM-DD real dates only", () => {
    expect(parseLocalDate("2026-12-24")).toEqual({ y: 2026, m: 12, d: 24 });
    for (const bad of ["2026-02-30", "2026-13-01", "26-12-24", "2026-12-24T00:00", "tomorrow", ""]) expect(parseLocalDate(bad)).toBeNull();
    expect(parseLocalDate("2028-02-29")).not.toBeNull();
  });

  it("a day in Seoul is 15:00 UTC the day before to 15:00 UTC", () => {
    const { from, to } = localDayRange({ y: 2026, m: 12, d: 24 }, "Asia/Seoul");
    expect(from.toISOString()).toBe("2026-12-23T15:00:00.000Z");
    expect(to.toISOString()).toBe("2026-12-24T15:00:00.000Z");
  });

  it("a day with a DST change is 23 or 25 hours long", () => {
    const spring = localDayRange({ y: 2026, m: 3, d: 8 }, "America/New_York");
    expect(spring.from.toISOString()).toBe("2026-03-08T05:00:00.000Z");
    expect(spring.to.toISOString()).toBe("2026-03-09T04:00:00.000Z");
    const autumn = localDayRange({ y: 2026, m: 11, d: 1 }, "America/New_York");
    expect(autumn.to.getTime() - autumn.from.getTime()).toBe(25 * 3_600_000);
  });

  it("knows IANA time zones and spells them as Intl does", () => {
    expect(canonicalTimeZone("Asia/Seoul")).toBe("Asia/Seoul");
    expect(canonicalTimeZone("asia/seoul")).toBe("Asia/Seoul");
    expect(canonicalTimeZone("Mars/Olympus")).toBeNull();
    expect(canonicalTimeZone("")).toBeNull();
  });
});
