// Gift vouchers (관람권): a customer checks a code at checkout; staff issue and list them (payment subgraph).
import { gql } from "urql";
import type { SeatClass } from "./queries.ts";

export type VoucherStatus = "ACTIVE" | "REDEEMED" | "EXPIRED";
export interface Voucher {
  code: string;
  seatClass: SeatClass;
  cinemaId: string | null;
  status: VoucherStatus;
  label: string | null;
  expiresAt: string | null;
  createdAt: string;
  /** Staff only. */
  redemption: { reservationId: string; customerId: string; seat: string; redeemedAt: string } | null;
}

/** The voucher if it can pay a seat of this class at this cinema; else VOUCHER_INVALID with the reason. */
export const CHECK_VOUCHER = gql<{ voucher: Pick<Voucher, "code" | "seatClass" | "cinemaId" | "status"> }, { code: string; seatClass: SeatClass; cinemaId?: string | null }>`
  query CheckVoucher($code: String!, $seatClass: SeatClass, $cinemaId: ID) {
    voucher(code: $code, seatClass: $seatClass, cinemaId: $cinemaId) { code seatClass cinemaId status }
  }
`;

const VOUCHER_FIELDS = `code seatClass cinemaId status label expiresAt createdAt redemption { reservationId customerId seat redeemedAt }`;

export interface IssueVouchersInput {
  seatClass: SeatClass;
  count: number;
  cinemaId?: string | null;
  label?: string | null;
  expiresAt?: string | null;
}
export const ISSUE_VOUCHERS = gql<{ issueVouchers: Voucher[] }, { input: IssueVouchersInput }>`
  mutation IssueVouchers($input: IssueVouchersInput!) { issueVouchers(input: $input) { ${VOUCHER_FIELDS} } }
`;

export const VOUCHERS = gql<
  { vouchers: { nodes: Voucher[]; endCursor: string | null; hasNextPage: boolean } },
  { status?: VoucherStatus | null; code?: string | null; first?: number; after?: string | null }
>`
  query Vouchers($status: VoucherStatus, $code: String, $first: Int, $after: String) {
    vouchers(status: $status, code: $code, first: $first, after: $after) { nodes { ${VOUCHER_FIELDS} } endCursor hasNextPage }
  }
`;
