/**
 * Rotates (or, in a dry run, previews) one unit: the targeted preview first, the pending-changes
 * guard on its events, then the same targeted update and a check that the token outputs changed.
 * Every failure ends as the unit's report; nothing here throws.
 */
import {
    RENEWAL_TRIGGER_ENV,
    ROTATION_OUTPUT,
    RotationUnit,
    TokenSnapshot,
    parseRotationOutput,
} from "../../components/contract/rotationContract";
import type { GatewayKeyType } from "../../components/token/keyType";
import type { Clock } from "./clock";
import { judgePreview } from "../policy/decision";
import { EngineRecord, describeSteps } from "../model/engineRecord";
import { withLockRetries } from "./lockRetries";
import { withThrottleRetries } from "./throttling";
import type { StackLogger } from "../report/logger";
import { pendingChanges } from "../policy/pendingChanges";
import { redactSecrets } from "../report/redaction";
import type { StackReport } from "../model/runReport";
import type { RetryPolicy } from "../model/retry";
import { EngineOperationError, MaskedOutputs, StackBackend, TargetedOperation } from "../pulumi/stackBackend";
import type { ProcessProbe } from "../policy/staleLock";

/** What every unit's run shares. */
export interface RunnerContext {
    readonly backend: StackBackend;
    readonly clock: Clock;
    readonly signal: AbortSignal;
    readonly processes: ProcessProbe;
    readonly lockRetry: RetryPolicy;
    /** `--release-stale-locks`. */
    readonly releaseStaleLocks: boolean;
    /** A dry run previews only. */
    readonly dryRun: boolean;
    readonly includePendingChanges: boolean;
}

/** One unit to renew. */
export interface UnitJob {
    readonly stack: string;
    readonly unit: RotationUnit;
    /** Run with a renewal trigger. */
    readonly forced: boolean;
    readonly log: StackLogger;
    /** Remarks gathered before the run (carried into the report). */
    readonly notes: readonly string[];
}

/** The unit's report, and what the shared-gateway policy needs from it. */
export interface UnitOutcome {
    readonly report: StackReport;
    /** The key of the live token after the run; undefined when uncertain. */
    readonly keyType?: GatewayKeyType;
    readonly rotated: boolean;
    /** Why the live key is not known. */
    readonly uncertain?: string;
}

function describe(error: unknown): string {
    return redactSecrets(error instanceof Error ? error.message : String(error));
}

function tokenChanged(before: TokenSnapshot, after: TokenSnapshot): boolean {
    return before.expiresAt !== after.expiresAt || before.keyType !== after.keyType || before.issuedAt !== after.issuedAt;
}

/** The unit's token in the outputs after the update, or why it cannot be read. */
function tokenAfter(outputs: MaskedOutputs, key: string): TokenSnapshot | string {
    const output = outputs[ROTATION_OUTPUT];
    if (output === undefined || output.secret) {
        return `the stack output "${ROTATION_OUTPUT}" is ${output === undefined ? "missing" : "a secret"} after the update`;
    }
    const parsed = parseRotationOutput(output.value).find((entry) => entry.key === key);
    if (parsed === undefined) {
        return `the gateway "${key}" is no longer in the stack output "${ROTATION_OUTPUT}"`;
    }
    return "error" in parsed ? parsed.error : (parsed.unit.token ?? `the gateway "${key}" no longer exports a token`);
}

/** Renews (or previews the renewal of) one unit. */
export async function runUnit(context: RunnerContext, job: UnitJob): Promise<UnitOutcome> {
    const { backend, clock, signal } = context;
    const { stack, unit, log } = job;
    const targets = unit.targets!;
    const before = unit.token!;
    const base = {
        stack,
        gateway: unit.key,
        gatewayResourceId: unit.gatewayResourceId,
        forced: job.forced,
        before,
    };
    const notes = [...job.notes];
    const env: Record<string, string> = job.forced ? { [RENEWAL_TRIGGER_ENV]: clock.now().toISOString() } : {};
    const targeted = async <T>(run: (operation: TargetedOperation) => Promise<T>): Promise<T> => {
        const output = log.engine();
        try {
            return await withThrottleRetries(
                () =>
                    withLockRetries(
                        {
                            stack,
                            policy: context.lockRetry,
                            clock,
                            signal,
                            processes: context.processes,
                            releaseStaleLocks: context.releaseStaleLocks,
                            log,
                            releaseLock: () => backend.releaseLock(stack),
                        },
                        () => run({ targets: [targets.token, targets.secret, targets.deployment], env, output, signal }),
                    ),
                (ms) => clock.sleep(ms, signal),
                (ms, attempt) => log.warn(`ARM is throttling the token requests; attempt ${attempt} in ${ms / 1000}s`),
            );
        } finally {
            output.end();
        }
    };
    const withNotes = () => (notes.length > 0 ? { notes } : {});
    const failed = (action: StackReport["action"], error: unknown, updateStarted: boolean): UnitOutcome => {
        const record: EngineRecord | undefined = error instanceof EngineOperationError ? error.record : undefined;
        return {
            report: {
                ...base,
                action,
                result: signal.aborted ? "cancelled" : "failed",
                message: signal.aborted
                    ? `cancelled during the ${action === "preview" ? "preview" : "update"}: the engine was interrupted and stopped cleanly`
                    : describe(error),
                ...(record && record.steps.length > 0 ? { changes: describeSteps(record.steps) } : {}),
                ...(record && record.failures.length > 0 ? { failures: record.failures } : {}),
                ...withNotes(),
            },
            rotated: false,
            ...(updateStarted ? { uncertain: "its rollout failed" } : { keyType: before.keyType }),
        };
    };

    log.info(`previewing the renewal (token, Secret, Deployment and their dependents)${job.forced ? " with a renewal trigger" : ""}`);
    let preview: EngineRecord;
    try {
        preview = await targeted((operation) => backend.preview(stack, operation));
    } catch (error) {
        return failed("preview", error, false);
    }
    const pending = pendingChanges(preview.steps, targets);
    const verdict = judgePreview(pending, context.includePendingChanges);
    const previewed = describeSteps(preview.steps);
    if (!verdict.proceed) {
        log.warn(verdict.reason);
        return {
            report: {
                ...base,
                action: "preview",
                result: "blocked",
                changes: previewed,
                pendingChanges: pending,
                message: verdict.reason,
                ...withNotes(),
            },
            keyType: before.keyType,
            rotated: false,
        };
    }
    if (verdict.note !== undefined) {
        notes.push(verdict.note);
        log.warn(verdict.note);
    }
    const included = pending.length > 0 ? { pendingChanges: pending } : {};
    if (context.dryRun) {
        return {
            report: { ...base, action: "preview", result: "previewed", changes: previewed, ...included, ...withNotes() },
            keyType: before.keyType,
            rotated: false,
        };
    }

    log.info("renewing the token and rolling the gateway");
    let outcome: { record: EngineRecord; outputs: MaskedOutputs };
    try {
        outcome = await targeted((operation) => backend.up(stack, operation));
    } catch (error) {
        return failed("rotate", error, true);
    }
    const changes = describeSteps(outcome.record.steps);
    const after = tokenAfter(outcome.outputs, unit.key);
    if (typeof after === "string" || !tokenChanged(before, after)) {
        return {
            report: {
                ...base,
                action: "rotate",
                result: "failed",
                changes,
                ...included,
                ...(typeof after === "string" ? {} : { after }),
                message:
                    typeof after === "string"
                        ? after
                        : "the update succeeded but the token outputs did not change: check that the stack passes " +
                          `${RENEWAL_TRIGGER_ENV} on to the token (the component reads it unless token.renewalTrigger is set)`,
                ...withNotes(),
            },
            rotated: false,
            uncertain: "its token outputs are not as expected after the update",
        };
    }
    log.info(
        `rotated: ${changes.join(", ") || "no resource changes reported"}; new token signed with the ${after.keyType} key, expires ${after.expiresAt}`,
    );
    return {
        report: { ...base, action: "rotate", result: "rotated", after, changes, ...included, ...withNotes() },
        keyType: after.keyType,
        rotated: true,
    };
}
