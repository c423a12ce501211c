// Demo gift vouchers (관람권) for `npm run up`: a few codes of each common class, good at every
// cinema, so a newcomer can pay a seat with one. They are printed once, when seeded, and staff see
// them any time on the admin page (label "Demo voucher") or with the `vouchers` query.

/** How many codes of each class the demo chain gets. */
const DEMO_VOUCHERS = [
  { seatClass: "STANDARD", count: 3 },
  { seatClass: "PREMIUM", count: 2 },
  { seatClass: "COUPLE", count: 2 },
] as const;
export const DEMO_VOUCHER_LABEL = "Demo voucher";

type Call = <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;

/** Issues the demo vouchers through the gateway as staff; answers the codes by class. */
export async function seedVouchers(call: Call): Promise<{ seatClass: string; codes: string[] }[]> {
  const seeded = [];
  for (const { seatClass, count } of DEMO_VOUCHERS) {
    const data = await call<{ issueVouchers: { code: string }[] }>(
      `mutation ($input: IssueVouchersInput!) { issueVouchers(input: $input) { code } }`,
      { input: { seatClass, count, label: DEMO_VOUCHER_LABEL } },
    );
    seeded.push({ seatClass, codes: data.issueVouchers.map((v) => v.code) });
  }
  // Said where `npm run up` prints its summary; test runs seed quietly.
  if (!process.env.VITEST) {
    console.log(["", "Demo gift vouchers (관람권), one seat of the class each, at every cinema:", ...seeded.map((s) => `  ${s.seatClass.padEnd(10)}${s.codes.join("  ")}`)].join("\n"));
  }
  return seeded;
}
