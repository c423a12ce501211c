import { SignJWT, errors as joseErrors, jwtVerify } from "jose";
import { derivedKey } from "@cinema/platform/auth";
import { AppError, ErrorCode } from "@cinema/platform/errors";

/**
 * A waiting-room pass: a short-lived HS256 token (jose) naming the customer, the screening and the
 * place in line, so `reserve` checks it without a lookup. Its key is derived from JWT_SECRET with
 * a label of its own (as the internal identity key is), so no other token of the platform can
 * pass for one, nor a pass for another token.
 */
const ISSUER = "cinema";
const AUDIENCE = "cinema-waiting-room";
let key: Uint8Array | undefined;
const passKey = () => (key ??= derivedKey("cinema-waiting-room-pass-v1"));

export interface PassClaims {
  customerId: string;
  screeningId: string;
  number: number;
  expiresAt: Date;
}

export function signPass({ customerId, screeningId, number, expiresAt }: PassClaims): Promise<string> {
  return new SignJWT({ scr: screeningId, num: number })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(customerId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(passKey());
}

const invalid = () =>
  new AppError(ErrorCode.PASS_INVALID, "This waiting-room pass is not valid for you and this screening; join the waiting room for your own.");
export const passExpired = () =>
  new AppError(ErrorCode.PASS_EXPIRED, "Your turn has ended and the pass expired. 접속자가 많아 기다리셔야 합니다 — please join the waiting room again.");

/** Null when `pass` lets `customerId` book `screeningId` now; otherwise the refusal to answer. */
export async function passRefusal(pass: string, customerId: string, screeningId: string): Promise<AppError | null> {
  try {
    // The signature is checked before the claims: an expired pass is a genuine one.
    const { payload } = await jwtVerify(pass, passKey(), { algorithms: ["HS256"], issuer: ISSUER, audience: AUDIENCE, requiredClaims: ["exp", "sub"] });
    return payload.sub === customerId && payload.scr === screeningId ? null : invalid();
  } catch (err) {
    return err instanceof joseErrors.JWTExpired ? passExpired() : invalid();
  }
}
