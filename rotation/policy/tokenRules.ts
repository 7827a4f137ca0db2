/**
 * Where a unit's token stands, as a chain of named rules like cert-manager's trigger policies:
 * each rule looks at the unit's facts and either decides or passes; the first that decides wins.
 * Pure and table-tested, rule by rule and as a chain.
 */
import type { RotationUnit, TokenSnapshot } from "../../components/contract/rotationContract";
import { tokenStatus } from "../../components/token/status";

/** What ARM says of the key that signed a token. */
export type TokenValidity =
    | { readonly state: "valid" }
    | { readonly state: "invalid"; readonly reason: string }
    | { readonly state: "unknown"; readonly reason: string };

/** Where a unit stands before anything is done to it. */
export type UnitStatus = "fresh" | "due" | "expired" | "invalidated" | "not-applicable";

export interface UnitFacts {
    readonly stack: string;
    readonly unit: RotationUnit;
    readonly now: Date;
    /** Absent when not verified (an expired token, or no token). */
    readonly validity?: TokenValidity;
}

export interface Assessment {
    readonly status: UnitStatus;
    /** Why, in words an operator can act on. */
    readonly reason: string;
}

/** A rule decides (an assessment) or passes (`undefined`) to the next one. */
export type TokenRule = (facts: UnitFacts) => Assessment | undefined;

const command = (facts: UnitFacts) => `apim-gateway-rotate --stack ${facts.stack}`;

/** The token of a unit that exports one, for the rules after `no-token-exported`. */
function exportedToken({ unit }: UnitFacts): TokenSnapshot | undefined {
    return unit.authType === "token" && unit.targets !== undefined ? unit.token : undefined;
}

/** An Entra-authenticated gateway has no token to rotate. */
export const notTokenAuth: TokenRule = ({ unit }) =>
    unit.authType !== "token"
        ? { status: "not-applicable", reason: `the gateway authenticates with ${unit.authType}, not a token: nothing to rotate` }
        : undefined;

/** A token-authenticated gateway that exports no token (or no targets) cannot be rotated. */
export const noTokenExported: TokenRule = ({ unit }) =>
    unit.token === undefined || unit.targets === undefined
        ? { status: "not-applicable", reason: "the gateway exports no token to rotate" }
        : undefined;

/** Past its expiry the gateway no longer receives configuration. */
export const expired: TokenRule = (facts) => {
    const token = exportedToken(facts);
    return token !== undefined && tokenStatus(token, facts.now) === "expired"
        ? {
              status: "expired",
              reason: `expired at ${token.expiresAt}: the gateway no longer receives configuration; run \`${command(facts)} --force\` now`,
          }
        : undefined;
};

/** ARM proved the signing key regenerated since the token was issued: the gateway is rejected. */
export const keyRegenerated: TokenRule = (facts) =>
    facts.validity?.state === "invalid"
        ? { status: "invalidated", reason: `${facts.validity.reason}: the gateway is rejected; run \`${command(facts)} --force\` now` }
        : undefined;

/** Inside the renewal window: the scheduled rotation renews it. */
export const insideRenewalWindow: TokenRule = (facts) => {
    const token = exportedToken(facts);
    return token !== undefined && tokenStatus(token, facts.now) === "due"
        ? {
              status: "due",
              reason: `inside its renewal window since ${token.renewAfter}: the scheduled rotation renews it, or run \`${command(facts)}\``,
          }
        : undefined;
};

/** Nothing else applies: the token is fresh until its window opens. */
export const fresh: TokenRule = (facts) => {
    const token = exportedToken(facts);
    return token !== undefined ? { status: "fresh", reason: `not due until ${token.renewAfter}` } : undefined;
};

/** The chain, in order, each rule by its name. */
export const TOKEN_RULES: readonly { readonly name: string; readonly rule: TokenRule }[] = [
    { name: "not-token-auth", rule: notTokenAuth },
    { name: "no-token-exported", rule: noTokenExported },
    { name: "expired", rule: expired },
    { name: "key-regenerated", rule: keyRegenerated },
    { name: "inside-renewal-window", rule: insideRenewalWindow },
    { name: "fresh", rule: fresh },
];

/** The first rule of the chain that decides, and its assessment. */
export function decidingRule(facts: UnitFacts): { readonly name: string; readonly assessment: Assessment } {
    for (const { name, rule } of TOKEN_RULES) {
        const assessment = rule(facts);
        if (assessment !== undefined) {
            return { name, assessment };
        }
    }
    throw new Error("unreachable: a unit passed by no-token-exported has a token, which fresh always assesses");
}

/** Where the unit's token stands. */
export function assessUnit(facts: UnitFacts): Assessment {
    return decidingRule(facts).assessment;
}
