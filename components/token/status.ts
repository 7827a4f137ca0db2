/** Where a token stands against its renewal window; pure, shared by the component's docs and the rotation CLI. */

/** `fresh` (before its renewal window), `due` (inside it) or `expired`. */
export type TokenStatus = "fresh" | "due" | "expired";

/** The instants a status is judged by, ISO 8601. */
export interface TokenWindow {
    readonly expiresAt: string;
    readonly renewAfter: string;
}

/** The token's status at `now`. */
export function tokenStatus(token: TokenWindow, now: Date): TokenStatus {
    if (now.getTime() >= Date.parse(token.expiresAt)) {
        return "expired";
    }
    return now.getTime() >= Date.parse(token.renewAfter) ? "due" : "fresh";
}
