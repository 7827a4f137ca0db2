/**
 * Patience with a locked stack: an operation that meets another update's lock is retried with
 * backoff, and a lock proven stale (see staleLock.ts) is released once with `pulumi cancel` and
 * the operation repeated at once.
 */
import type { Clock } from "./clock";
import type { StackLogger } from "./logger";
import { RetryPolicy, withRetries } from "./retry";
import { StackLockedError } from "./stackBackend";
import { ProcessProbe, staleLockReason } from "./staleLock";

export interface LockRetryContext {
    readonly stack: string;
    readonly policy: RetryPolicy;
    readonly clock: Clock;
    readonly signal: AbortSignal;
    readonly processes: ProcessProbe;
    readonly log: StackLogger;
    /** `pulumi cancel` on the stack. */
    readonly releaseLock: () => Promise<void>;
}

/** Runs `operation`, waiting out (or releasing, when stale) another update's lock. */
export function withLockRetries<T>(context: LockRetryContext, operation: () => Promise<T>): Promise<T> {
    const { stack, policy, clock, signal, log } = context;
    let released = false;
    const attempt = async (): Promise<T> => {
        try {
            return await operation();
        } catch (error) {
            const stale =
                !released && error instanceof StackLockedError && !signal.aborted ? staleLockReason(error.holders, context.processes) : undefined;
            if (stale === undefined) {
                throw error;
            }
            released = true;
            log.warn(`stack ${stack}: ${stale}; releasing it (pulumi cancel) and trying again`);
            await context.releaseLock();
            return operation();
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
                    `to finish, or, if none is running, release the lock with \`pulumi cancel --stack ${stack}\`.`,
            );
        }
        throw error;
    });
}
