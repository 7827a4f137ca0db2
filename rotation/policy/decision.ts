/**
 * The per-unit policy, pure and table-tested: where a unit's token stands (a chain of rules, the
 * first that applies wins, like cert-manager's readiness policy chain), whether this run renews
 * it, and whether a previewed rotation may proceed.
 */
import type { RotationUnit } from "../../components/contract/rotationContract";
import { tokenStatus } from "../../components/token/status";
import { PendingChange, describePendingChange } from "../model/pendingChange";
import type { RunMode } from "../model/runReport";

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

type Rule = (facts: UnitFacts) => Assessment | undefined;

const command = (facts: UnitFacts) => `apim-gateway-rotate --stack ${facts.stack}`;

/** The chain, in order: the first rule that returns an assessment decides. */
const RULES: readonly Rule[] = [
    ({ unit }) =>
        unit.authType !== "token"
            ? { status: "not-applicable", reason: `the gateway authenticates with ${unit.authType}, not a token: nothing to rotate` }
            : undefined,
    ({ unit }) =>
        unit.token === undefined || unit.targets === undefined
            ? { status: "not-applicable", reason: "the gateway exports no token to rotate" }
            : undefined,
    (facts) =>
        tokenStatus(facts.unit.token!, facts.now) === "expired"
            ? {
                  status: "expired",
                  reason: `expired at ${facts.unit.token!.expiresAt}: the gateway no longer receives configuration; run \`${command(facts)} --force\` now`,
              }
            : undefined,
    (facts) =>
        facts.validity?.state === "invalid"
            ? { status: "invalidated", reason: `${facts.validity.reason}: the gateway is rejected; run \`${command(facts)} --force\` now` }
            : undefined,
    (facts) =>
        tokenStatus(facts.unit.token!, facts.now) === "due"
            ? {
                  status: "due",
                  reason: `inside its renewal window since ${facts.unit.token!.renewAfter}: the scheduled rotation renews it, or run \`${command(facts)}\``,
              }
            : undefined,
    (facts) => ({ status: "fresh", reason: `not due until ${facts.unit.token!.renewAfter}` }),
];

/** Where the unit's token stands. */
export function assessUnit(facts: UnitFacts): Assessment {
    for (const rule of RULES) {
        const assessment = rule(facts);
        if (assessment !== undefined) {
            return assessment;
        }
    }
    throw new Error("unreachable: the last rule always applies");
}

/** What this run does to a unit. */
export type UnitPlan =
    | { readonly rotate: false; readonly reason: string }
    | {
          readonly rotate: true;
          /** Run with a renewal trigger: the token is renewed although its window has not opened. */
          readonly forced: boolean;
          readonly reason: string;
      };

/** Whether the run renews the unit: due, expired or invalidated tokens, and any token with `--force`. */
export function planUnit(assessment: Assessment, options: { readonly mode: RunMode; readonly force: boolean }): UnitPlan {
    if (assessment.status === "not-applicable" || options.mode === "check") {
        return { rotate: false, reason: assessment.reason };
    }
    switch (assessment.status) {
        case "expired":
        case "due":
            return { rotate: true, forced: options.force, reason: assessment.reason };
        case "invalidated":
            // Still inside its window by the dates, so only a trigger makes the component renew it.
            return { rotate: true, forced: true, reason: assessment.reason };
        case "fresh":
            return options.force
                ? { rotate: true, forced: true, reason: "renewal forced (--force)" }
                : { rotate: false, reason: assessment.reason };
    }
}

/** Whether a previewed rotation may go ahead. */
export type PreviewVerdict = { readonly proceed: true; readonly note?: string } | { readonly proceed: false; readonly reason: string };

/** A rotation whose preview shows changes beyond its own is blocked, unless the operator includes them. */
export function judgePreview(pending: readonly PendingChange[], includePendingChanges: boolean): PreviewVerdict {
    if (pending.length === 0) {
        return { proceed: true };
    }
    const listed = pending.map(describePendingChange).join("; ");
    if (includePendingChanges) {
        return { proceed: true, note: `pending changes applied as well (--include-pending-changes): ${listed}` };
    }
    return {
        proceed: false,
        reason:
            `blocked: pending changes: ${listed}. Nothing was changed: deploy them with \`pulumi up\` after review, ` +
            `or rotate with --include-pending-changes to apply them too`,
    };
}

/** Sort key of the scheduler: expired and invalidated first, then due, then the earliest renewAfter. */
export function urgency(assessment: Assessment, unit: RotationUnit): readonly [number, number] {
    const rank = assessment.status === "expired" || assessment.status === "invalidated" ? 0 : assessment.status === "due" ? 1 : 2;
    const renewAfter = unit.token !== undefined ? Date.parse(unit.token.renewAfter) : Number.POSITIVE_INFINITY;
    return [rank, renewAfter];
}
