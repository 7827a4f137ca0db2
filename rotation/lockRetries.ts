/**
 * Patience with a locked stack: an operation that meets another update's lock is retried with
 * backoff, and a lock proven stale (staleLock.ts decides, updateMarkers.ts gathers the evidence)
 * is released once with `pulumi cancel` and the operation repeated at once. Every Pulumi process
 * the operation starts is recorded while it runs, so that a later run can prove its lock stale.
 */
import type { Clock } from "./clock";
import type { StackLogger } from "./logger";
import { RetryPolicy, withRetries } from "./retry";
import { StackLockedError } from "./stackBackend";
import { ProcessProbe } from "./staleLock";
import { judgeLock } from "./updateMarkers";

export interface LockRetryContext {
    readonly stack: string;
    readonly policy: RetryPolicy;
    readonly clock: Clock;
    readonly signal: AbortSignal;
    readonly processes: ProcessProbe;
    /** Release a lock of this host's name whose holder is not running here, without the marker's proof (`--release-stale-locks`). */
    readonly releaseStaleLocks: boolean;
    readonly log: StackLogger;
    /** `pulumi cancel` on the stack. */
    readonly releaseLock: () => Promise<void>;
}

/** Runs `operation`, waiting out (or releasing, when stale) another update's lock. */
export function withLockRetries<T>(context: LockRetryContext, operation: () => Promise<T>): Promise<T> {
    const { stack, policy, clock, signal, log } = context;
    let released = false;
    /** Why the last lock was not released, for the operator. */
    let keptBecause: string | undefined;
    const tracked = async (): Promise<T> => {
        const tracking = context.processes.trackUpdate(stack);
        try {
            return await operation();
        } finally {
            tracking.stop();
        }
    };
    const attempt = async (): Promise<T> => {
        try {
            return await tracked();
        } catch (error) {
            if (released || !(error instanceof StackLockedError) || signal.aborted) {
                throw error;
            }
            const decision = judgeLock(stack, error.holders, context.processes, context.releaseStaleLocks);
            if (!decision.release) {
                keptBecause = decision.reason;
                throw error;
            }
            released = true;
            log.warn(`stack ${stack}: ${decision.reason}; releasing it (pulumi cancel) and trying again`);
            await context.releaseLock();
            context.processes.forget(error.holders);
            return tracked();
        }
    };
    return withRetries(
        attempt,
        (error) => error instanceof StackLockedError && !signal.aborted,
        policy,
        (ms) => clock.sleep(ms, signal),
        ({ nextAttempt, totalAttempts, delayMs }) =>
            log.warn(`stack ${stack} is locked by another update; attempt ${nextAttempt} of ${totalAttempts} in ${delayMs / 1000}s`),
    ).catch((error: unknown) => {
        if (error instanceof StackLockedError && !signal.aborted) {
            throw new Error(
                `${error.message} Gave up after ${policy.retries + 1} attempts: wait for the other update ` +
                    `to finish, or, if none is running, release the lock with \`pulumi cancel --stack ${stack}\`.` +
                    (keptBecause !== undefined ? ` Not released automatically: ${keptBecause}.` : ""),
            );
        }
        throw error;
    });
}
