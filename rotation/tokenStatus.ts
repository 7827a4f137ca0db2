import { TokenSnapshot } from "./stackContract";

/** Where a token stands: `fresh` (before its renewal window), `due` (inside it) or `expired`. */
export type TokenStatus = "fresh" | "due" | "expired";

/** The token's status at `now`. */
export function tokenStatus(token: TokenSnapshot, now: Date): TokenStatus {
    if (now.getTime() >= Date.parse(token.expiresAt)) {
        return "expired";
    }
    return now.getTime() >= Date.parse(token.renewAfter) ? "due" : "fresh";
}
