/**
 * What a run does with a unit once the token rules have assessed where its token stands:
 * whether it renews it and how urgently, whether a previewed rotation may go ahead, and whether
 * the update renewed the token. Pure and table-tested.
 */
import {
    ROTATION_OUTPUT,
    RENEWAL_TRIGGER_ENV,
    RotationUnit,
    TokenSnapshot,
    parseRotationOutput,
} from "../../components/contract/rotationContract";
import { resourceIdKey } from "../../components/token/resourceId";
import type { MaskedOutputs } from "../model/maskedOutputs";
import { PendingChange, describePendingChange } from "../model/pendingChange";
import type { RunMode } from "../model/runReport";
import type { Assessment } from "./tokenRules";

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

/** What the update did to the unit's token. */
export type UpdateVerdict =
    | { readonly renewed: true; readonly after: TokenSnapshot }
    | {
          readonly renewed: false;
          /** The token the outputs show, when they show one. */
          readonly after?: TokenSnapshot;
          readonly reason: string;
      };

/** The unit in the outputs after the update, or why it cannot be read. */
function unitAfter(outputs: MaskedOutputs, key: string): RotationUnit | string {
    const output = outputs[ROTATION_OUTPUT];
    if (output === undefined || output.secret) {
        return `the stack output "${ROTATION_OUTPUT}" is ${output === undefined ? "missing" : "a secret"} after the update`;
    }
    const parsed = parseRotationOutput(output.value).find((entry) => entry.key === key);
    if (parsed === undefined) {
        return `the gateway "${key}" is no longer in the stack output "${ROTATION_OUTPUT}"`;
    }
    return "error" in parsed ? parsed.error : parsed.unit;
}

/**
 * A successful update renewed the unit's token only when its token outputs changed, and only
 * while the outputs still name the gateway they named before (a program that moved the token to
 * another gateway did not renew this unit's).
 */
export function judgeUpdate(before: RotationUnit, outputs: MaskedOutputs): UpdateVerdict {
    const unit = unitAfter(outputs, before.key);
    if (typeof unit === "string") {
        return { renewed: false, reason: unit };
    }
    const after = unit.token;
    if (after === undefined) {
        return { renewed: false, reason: `the gateway "${before.key}" no longer exports a token` };
    }
    if (resourceIdKey(unit.gatewayResourceId) !== resourceIdKey(before.gatewayResourceId)) {
        return {
            renewed: false,
            after,
            reason: `the update moved the gateway "${before.key}" from ${before.gatewayResourceId} to ${unit.gatewayResourceId}`,
        };
    }
    const token = before.token!;
    const changed = token.expiresAt !== after.expiresAt || token.keyType !== after.keyType || token.issuedAt !== after.issuedAt;
    return changed
        ? { renewed: true, after }
        : {
              renewed: false,
              after,
              reason:
                  "the update succeeded but the token outputs did not change: check that the stack passes " +
                  `${RENEWAL_TRIGGER_ENV} on to the token (the component reads it unless token.renewalTrigger is set)`,
          };
}

/** Sort key of the scheduler: expired and invalidated first, then due, then the earliest renewAfter. */
export function urgency(assessment: Assessment, unit: RotationUnit): readonly [number, number] {
    const rank = assessment.status === "expired" || assessment.status === "invalidated" ? 0 : assessment.status === "due" ? 1 : 2;
    const renewAfter = unit.token !== undefined ? Date.parse(unit.token.renewAfter) : Number.POSITIVE_INFINITY;
    return [rank, renewAfter];
}
