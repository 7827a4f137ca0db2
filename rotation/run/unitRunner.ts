/**
 * Rotates (or, in a dry run, previews) one unit, as a controller: the targeted preview, the
 * policy's judgement of it (pending changes), the same targeted update, and the policy's
 * judgement of its result (the token outputs changed). Every outcome ends as the unit's report,
 * built by the report builders below; nothing here throws.
 */
import { RENEWAL_TRIGGER_ENV, RotationUnit, TokenSnapshot } from "../../components/contract/rotationContract";
import type { GatewayKeyType } from "../../components/token/keyType";
import { EngineRecord, describeSteps } from "../model/engineRecord";
import type { MaskedOutputs } from "../model/maskedOutputs";
import type { PendingChange } from "../model/pendingChange";
import type { RetryPolicy } from "../model/retry";
import type { StackReport } from "../model/runReport";
import { judgePreview, judgeUpdate } from "../policy/decision";
import { pendingChanges } from "../policy/pendingChanges";
import type { ProcessProbe } from "../policy/staleLock";
import { EngineOperationError, StackBackend, TargetedOperation } from "../pulumi/stackBackend";
import type { StackLogger } from "../report/logger";
import { redactSecrets } from "../report/redaction";
import type { Clock } from "./clock";
import { withLockRetries } from "./lockRetries";
import { withThrottleRetries } from "./throttling";

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

/** The unit's outcomes as reports: its facts, the notes gathered so far, and what the engine did. */
function unitReports(job: UnitJob, notes: readonly string[]) {
    const before = job.unit.token!;
    const base = { stack: job.stack, gateway: job.unit.key, gatewayResourceId: job.unit.gatewayResourceId, forced: job.forced, before };
    const withNotes = () => (notes.length > 0 ? { notes: [...notes] } : {});
    const included = (pending: readonly PendingChange[]) => (pending.length > 0 ? { pendingChanges: pending } : {});
    const unchanged = (report: StackReport): UnitOutcome => ({ report, keyType: before.keyType, rotated: false });
    return {
        failed(action: "preview" | "rotate", error: unknown, signal: AbortSignal): UnitOutcome {
            const record: EngineRecord | undefined = error instanceof EngineOperationError ? error.record : undefined;
            const message = signal.aborted
                ? `cancelled during the ${action === "preview" ? "preview" : "update"}: the engine was interrupted and stopped cleanly`
                : redactSecrets(error instanceof Error ? error.message : String(error));
            const report: StackReport = {
                ...base,
                action,
                result: signal.aborted ? "cancelled" : "failed",
                message,
                ...(record && record.steps.length > 0 ? { changes: describeSteps(record.steps) } : {}),
                ...(record && record.failures.length > 0 ? { failures: record.failures } : {}),
                ...withNotes(),
            };
            // A failed update may have rolled out part of the renewal: the live key is no longer known.
            return action === "rotate" ? { report, rotated: false, uncertain: "its rollout failed" } : unchanged(report);
        },
        blocked(preview: EngineRecord, pending: readonly PendingChange[], reason: string): UnitOutcome {
            const changes = describeSteps(preview.steps);
            return unchanged({
                ...base,
                action: "preview",
                result: "blocked",
                changes,
                pendingChanges: pending,
                message: reason,
                ...withNotes(),
            });
        },
        previewed(preview: EngineRecord, pending: readonly PendingChange[]): UnitOutcome {
            const changes = describeSteps(preview.steps);
            return unchanged({ ...base, action: "preview", result: "previewed", changes, ...included(pending), ...withNotes() });
        },
        notRenewed(record: EngineRecord, pending: readonly PendingChange[], after: TokenSnapshot | undefined, reason: string): UnitOutcome {
            const report: StackReport = {
                ...base,
                action: "rotate",
                result: "failed",
                changes: describeSteps(record.steps),
                ...included(pending),
                ...(after !== undefined ? { after } : {}),
                message: reason,
                ...withNotes(),
            };
            return { report, rotated: false, uncertain: "its token outputs are not as expected after the update" };
        },
        rotated(record: EngineRecord, pending: readonly PendingChange[], after: TokenSnapshot): UnitOutcome {
            const changes = describeSteps(record.steps);
            const report: StackReport = {
                ...base,
                action: "rotate",
                result: "rotated",
                after,
                changes,
                ...included(pending),
                ...withNotes(),
            };
            return { report, keyType: after.keyType, rotated: true };
        },
    };
}

/** Runs a targeted operation on the unit's token, Secret and Deployment, patient with locks and ARM throttling. */
function targetedOn(context: RunnerContext, job: UnitJob) {
    const { backend, clock, signal } = context;
    const { stack, log } = job;
    const targets = job.unit.targets!;
    const env: Record<string, string> = job.forced ? { [RENEWAL_TRIGGER_ENV]: clock.now().toISOString() } : {};
    const lockRetry = {
        stack,
        policy: context.lockRetry,
        clock,
        signal,
        processes: context.processes,
        releaseStaleLocks: context.releaseStaleLocks,
        log,
        releaseLock: () => backend.releaseLock(stack),
    };
    return async <T>(run: (operation: TargetedOperation) => Promise<T>): Promise<T> => {
        const output = log.engine();
        try {
            return await withThrottleRetries(
                () =>
                    withLockRetries(lockRetry, () =>
                        run({ targets: [targets.token, targets.secret, targets.deployment], env, output, signal }),
                    ),
                (ms) => clock.sleep(ms, signal),
                (ms, attempt) => log.warn(`ARM is throttling the token requests; attempt ${attempt} in ${ms / 1000}s`),
            );
        } finally {
            output.end();
        }
    };
}

/** Renews (or previews the renewal of) one unit. */
export async function runUnit(context: RunnerContext, job: UnitJob): Promise<UnitOutcome> {
    const { backend, signal } = context;
    const { stack, unit, log } = job;
    const notes = [...job.notes];
    const reports = unitReports(job, notes);
    const targeted = targetedOn(context, job);

    log.info(`previewing the renewal (token, Secret, Deployment and their dependents)${job.forced ? " with a renewal trigger" : ""}`);
    let preview: EngineRecord;
    try {
        preview = await targeted((operation) => backend.preview(stack, operation));
    } catch (error) {
        return reports.failed("preview", error, signal);
    }
    const pending = pendingChanges(preview.steps, unit.targets!);
    const verdict = judgePreview(pending, context.includePendingChanges);
    if (!verdict.proceed) {
        log.warn(verdict.reason);
        return reports.blocked(preview, pending, verdict.reason);
    }
    if (verdict.note !== undefined) {
        notes.push(verdict.note);
        log.warn(verdict.note);
    }
    if (context.dryRun) {
        return reports.previewed(preview, pending);
    }

    log.info("renewing the token and rolling the gateway");
    let update: { record: EngineRecord; outputs: MaskedOutputs };
    try {
        update = await targeted((operation) => backend.up(stack, operation));
    } catch (error) {
        return reports.failed("rotate", error, signal);
    }
    const result = judgeUpdate(unit, update.outputs);
    if (!result.renewed) {
        return reports.notRenewed(update.record, pending, result.after, result.reason);
    }
    const changes = describeSteps(update.record.steps).join(", ") || "no resource changes reported";
    log.info(`rotated: ${changes}; new token signed with the ${result.after.keyType} key, expires ${result.after.expiresAt}`);
    return reports.rotated(update.record, pending, result.after);
}
