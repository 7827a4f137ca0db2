/**
 * The rotation run: which stacks, what each needs, and what happened. Pure orchestration over
 * the {@link StackBackend} seam, a clock, a key regenerator and a logger, so every rule here is
 * testable without Pulumi, Azure or Kubernetes.
 */
import type { AzureCloudSettings } from "../components/token/cloud";
import { GatewayKeyType, otherKeyType } from "../components/token/keyType";
import { Clock } from "./clock";
import { Logger, StackLogger } from "./logger";
import { redactSecrets } from "./redact";
import { KeyRegenerationReport, RunMode, RunReport, StackAction, StackReport } from "./report";
import { RetryPolicy, withRetries } from "./retry";
import { MaskedOutputs, StackBackend, StackHandle, StackLockedError, StackMissingError, TargetedOperation } from "./stackBackend";
import { ProcessProbe } from "./staleLock";
import {
    RENEWAL_TRIGGER_ENV,
    TokenSnapshot,
    readAuthType,
    readAzureCloud,
    readGatewayResourceId,
    readRotationTargets,
    readTokenSnapshot,
} from "./stackContract";
import { TokenStatus, tokenStatus } from "./tokenStatus";
import { judgeLock } from "./updateMarkers";

/** Regenerates one gateway key through ARM (components/token/arm.ts `regenerateGatewayKey`). */
export type KeyRegenerator = (
    gatewayResourceId: string,
    keyType: GatewayKeyType,
    cloud?: AzureCloudSettings,
) => Promise<void>;

/** The stacks named on the command line, or every stack of the project. */
export type StackSelection = { readonly all: true } | { readonly all: false; readonly names: readonly string[] };

/** What to do, as decided by the command line. */
export interface RotationPlan {
    readonly mode: RunMode;
    readonly stacks: StackSelection;
    /** Renew even tokens that are not due. */
    readonly force: boolean;
    /** After a verified rotation, regenerate the key the new token does not use. */
    readonly regenerateUnusedKey: boolean;
    /** Patience with a stack locked by another update. */
    readonly lockRetry: RetryPolicy;
    /**
     * Release a lock whose holder ran on a host of this name and is not running here, even
     * without a marker proving it ran in this PID namespace (`--release-stale-locks`).
     */
    readonly releaseStaleLocks: boolean;
}

export interface OrchestratorDeps {
    readonly backend: StackBackend;
    readonly clock: Clock;
    readonly regenerateKey: KeyRegenerator;
    readonly log: Logger;
    /** Aborted on SIGINT/SIGTERM: the running operation is cancelled and no further stack starts. */
    readonly signal: AbortSignal;
    /** Records which Pulumi process took each update, and judges whether a lock's holder still runs. */
    readonly processes: ProcessProbe;
}

function describe(error: unknown): string {
    return redactSecrets(error instanceof Error ? error.message : String(error));
}

function tokenChanged(before: TokenSnapshot, after: TokenSnapshot): boolean {
    return before.expiresAt !== after.expiresAt || before.keyType !== after.keyType || before.issuedAt !== after.issuedAt;
}

function checkMessage(stack: string, status: TokenStatus, token: TokenSnapshot): string | undefined {
    switch (status) {
        case "fresh":
            return undefined;
        case "due":
            return `inside its renewal window since ${token.renewAfter}: the scheduled rotation renews it, or run \`apim-gateway-rotate --stack ${stack}\``;
        case "expired":
            return `expired at ${token.expiresAt}: the gateway no longer receives configuration; run \`apim-gateway-rotate --stack ${stack} --force\` now`;
    }
}

/** The mutable facts about one stack gathered so far, so a failure can still report them. */
interface Progress {
    action: StackAction;
    forced: boolean;
    before?: TokenSnapshot;
    /** An update was started, so the live token is uncertain after a failure. */
    updateStarted: boolean;
}

/** Runs the plan over the selected stacks, one at a time, and reports on each. */
export async function runRotation(plan: RotationPlan, deps: OrchestratorDeps): Promise<RunReport> {
    const { backend, clock, log, signal } = deps;
    const startedAt = clock.now().toISOString();
    const errors: string[] = [];
    /** The action of a stack nothing was done to: reading outputs is the action of `--check`. */
    const idleAction: StackAction = plan.mode === "check" ? "check" : "none";

    const skippedKey = (reason: string): KeyRegenerationReport | undefined =>
        plan.regenerateUnusedKey ? { status: "skipped", reason } : undefined;

    async function selectStacks(): Promise<string[]> {
        if (!plan.stacks.all) {
            return [...new Set(plan.stacks.names)];
        }
        try {
            const names = await backend.listStacks();
            if (names.length === 0) {
                errors.push(
                    "the backend has no stacks of this project: check the logged-in backend (`pulumi whoami -v`) and --work-dir",
                );
            }
            return names;
        } catch (error) {
            errors.push(`could not list the project's stacks: ${describe(error)}`);
            return [];
        }
    }

    function withLockRetries<T>(stack: string, slog: StackLogger, handle: StackHandle, operation: () => Promise<T>): Promise<T> {
        let released = false;
        /** Why the last lock was not released, for the operator. */
        let keptBecause: string | undefined;
        /** One attempt; a lock proven stale is released (once per stack) and the attempt repeated at once. */
        const attempt = async (): Promise<T> => {
            try {
                return await operation();
            } catch (error) {
                if (released || !(error instanceof StackLockedError) || signal.aborted) {
                    throw error;
                }
                const decision = judgeLock(stack, error.holders, deps.processes, plan.releaseStaleLocks);
                if (!decision.release) {
                    keptBecause = decision.reason;
                    throw error;
                }
                released = true;
                slog.warn(`stack ${stack}: ${decision.reason}; releasing it (pulumi cancel) and trying again`);
                await handle.releaseLock();
                deps.processes.forget(error.holders);
                return operation();
            }
        };
        return withRetries(
            attempt,
            (error) => error instanceof StackLockedError && !signal.aborted,
            plan.lockRetry,
            (ms) => clock.sleep(ms, signal),
            ({ nextAttempt, totalAttempts, delayMs }) =>
                slog.warn(
                    `stack ${stack} is locked by another update; attempt ${nextAttempt} of ${totalAttempts} in ${delayMs / 1000}s`,
                ),
        ).catch((error: unknown) => {
            if (error instanceof StackLockedError && !signal.aborted) {
                throw new Error(
                    `${error.message} Gave up after ${plan.lockRetry.retries + 1} attempts: wait for the other update ` +
                        `to finish, or, if none is running, release the lock with \`pulumi cancel --stack ${stack}\`.` +
                        (keptBecause !== undefined ? ` Not released automatically: ${keptBecause}.` : ""),
                );
            }
            throw error;
        });
    }

    async function targeted<T>(
        stack: string,
        slog: StackLogger,
        handle: StackHandle,
        run: (operation: TargetedOperation) => Promise<T>,
        targets: string[],
        env: Record<string, string>,
    ): Promise<T> {
        const output = slog.engine();
        const tracking = deps.processes.trackUpdate(stack);
        try {
            return await withLockRetries(stack, slog, handle, () => run({ targets, env, output, signal }));
        } finally {
            tracking.stop();
            output.end();
        }
    }

    async function regenerateUnusedKey(
        slog: StackLogger,
        outputs: MaskedOutputs,
        live: TokenSnapshot,
    ): Promise<KeyRegenerationReport> {
        if (signal.aborted) {
            return { status: "skipped", reason: "the run was cancelled" };
        }
        const unused = otherKeyType(live.keyType);
        try {
            const gatewayResourceId = readGatewayResourceId(outputs);
            const cloud = readAzureCloud(outputs);
            slog.info(`regenerating the ${unused} key; the live token is signed with the ${live.keyType} key`);
            await deps.regenerateKey(gatewayResourceId, unused, cloud);
            return { status: "regenerated", keyType: unused };
        } catch (error) {
            return { status: "failed", keyType: unused, reason: describe(error) };
        }
    }

    async function rotateOrPreview(
        stack: string,
        slog: StackLogger,
        handle: StackHandle,
        outputs: MaskedOutputs,
        before: TokenSnapshot,
        progress: Progress,
    ): Promise<StackReport> {
        const targets = readRotationTargets(outputs);
        const env: Record<string, string> = plan.force ? { [RENEWAL_TRIGGER_ENV]: clock.now().toISOString() } : {};
        progress.forced = plan.force;
        const base = { stack, forced: plan.force, before };

        if (plan.mode === "dry-run") {
            progress.action = "preview";
            slog.info(`previewing the renewal (${targets.length} targets and their dependents)`);
            const changes = await targeted(stack, slog, handle, (op) => handle.preview(op), targets, env);
            return {
                ...base,
                action: "preview",
                result: "previewed",
                changes,
                keyRegeneration: skippedKey("dry run: nothing was changed"),
            };
        }

        progress.action = "rotate";
        progress.updateStarted = true;
        slog.info(`renewing the token and rolling the gateway (${targets.length} targets and their dependents)`);
        await targeted(stack, slog, handle, (op) => handle.up(op), targets, env);

        const afterOutputs = await handle.outputs(signal);
        const after = readTokenSnapshot(afterOutputs);
        if (!tokenChanged(before, after)) {
            return {
                ...base,
                action: "rotate",
                result: "failed",
                after,
                message:
                    "the update succeeded but the token outputs did not change: check that the stack program passes " +
                    `${RENEWAL_TRIGGER_ENV} to the token's renewalTrigger and that rotationTargets includes the GatewayToken`,
                keyRegeneration: skippedKey("the token was not renewed, so the other key may still sign the live token"),
            };
        }
        slog.info(`rotated: new token signed with the ${after.keyType} key, expires ${after.expiresAt}`);
        return {
            ...base,
            action: "rotate",
            result: "rotated",
            after,
            ...(plan.regenerateUnusedKey ? { keyRegeneration: await regenerateUnusedKey(slog, afterOutputs, after) } : {}),
        };
    }

    async function processStack(stack: string, progress: Progress): Promise<StackReport> {
        const slog = log.forStack(stack);
        let handle: StackHandle;
        try {
            handle = await backend.selectStack(stack);
        } catch (error) {
            if (error instanceof StackMissingError) {
                return {
                    stack,
                    action: progress.action,
                    forced: false,
                    result: "not-found",
                    message: describe(error),
                    keyRegeneration: skippedKey("stack not found"),
                };
            }
            throw error;
        }

        const outputs = await handle.outputs(signal);
        const authType = readAuthType(outputs);
        if (authType !== "token") {
            const reason =
                authType === undefined
                    ? "the stack has no outputs (never deployed): nothing to rotate"
                    : `the gateway authenticates with ${authType}, not a token: nothing to rotate`;
            slog.info(reason);
            return {
                stack,
                action: progress.action,
                forced: false,
                result: "not-applicable",
                message: reason,
                keyRegeneration: skippedKey("the gateway does not use a token"),
            };
        }

        const before = readTokenSnapshot(outputs);
        progress.before = before;
        const status = tokenStatus(before, clock.now());
        slog.info(`token signed with the ${before.keyType} key, renew after ${before.renewAfter}, expires ${before.expiresAt}: ${status}`);

        if (plan.mode === "check") {
            const message = checkMessage(stack, status, before);
            return { stack, action: "check", forced: false, result: status, before, ...(message ? { message } : {}) };
        }
        if (status === "fresh" && !plan.force) {
            return {
                stack,
                action: "none",
                forced: false,
                result: "not-due",
                before,
                message: `not due until ${before.renewAfter}`,
                keyRegeneration: skippedKey(
                    "nothing was rotated in this run, so nothing proves that tokens signed with the other key are out of use",
                ),
            };
        }
        return rotateOrPreview(stack, slog, handle, outputs, before, progress);
    }

    async function reportStack(stack: string): Promise<StackReport> {
        const progress: Progress = { action: idleAction, forced: false, updateStarted: false };
        try {
            return await processStack(stack, progress);
        } catch (error) {
            const cancelled = signal.aborted;
            return {
                stack,
                action: progress.action,
                forced: progress.forced,
                result: cancelled ? "cancelled" : "failed",
                ...(progress.before ? { before: progress.before } : {}),
                message: cancelled ? `cancelled: ${describe(error)}` : describe(error),
                keyRegeneration: skippedKey(
                    cancelled
                        ? "the run was cancelled"
                        : progress.updateStarted
                          ? "the rollout failed: the live token's key is uncertain, so no key was touched"
                          : "nothing was rotated",
                ),
            };
        }
    }

    const names = await selectStacks();
    const stacks: StackReport[] = [];
    for (const stack of names) {
        if (signal.aborted) {
            stacks.push({
                stack,
                action: idleAction,
                forced: false,
                result: "cancelled",
                message: "not started: the run was cancelled",
                keyRegeneration: skippedKey("the run was cancelled"),
            });
            continue;
        }
        stacks.push(await reportStack(stack));
    }

    return {
        mode: plan.mode,
        force: plan.force,
        regenerateUnusedKey: plan.regenerateUnusedKey,
        startedAt,
        finishedAt: clock.now().toISOString(),
        stacks,
        errors,
        cancelled: signal.aborted,
    };
}
