/**
 * Patience with a locked stack: an operation that meets another update's lock is retried with
 * backoff, and a lock proven stale (by the stale-lock policy, on the update markers' evidence)
 * is released once with `pulumi cancel` and the operation repeated at once. Every Pulumi process
 * the operation starts is recorded while it runs, so that a later run can prove its lock stale.
 *
 * `pulumi cancel` deletes every lock present when it runs, so a release must never meet a lock
 * taken after the judgement: judge → release → retry runs under this host's mutex for the stack
 * (one rotation at a time; another finds it held and treats the lock as live), the evidence is
 * gathered again under it, and the operation is attempted once more just before releasing, which
 * re-reads the holders; the lock is released only when they are exactly the judged ones.
 */
import type { Clock } from "./clock";
import type { StackLogger } from "../report/logger";
import { RetryPolicy, withRetries } from "../model/retry";
import { StackLockedError } from "../pulumi/stackBackend";
import { LockHolder, ProcessProbe, describeLockHolders, sameHolders } from "../policy/staleLock";
import { judgeLock } from "../evidence/updateMarkers";

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
    /** Judge → re-read → release → retry, under this host's mutex for the stack; throws `locked` when the lock is kept. */
    const release = async (locked: StackLockedError): Promise<T> => {
        const hold = await context.processes.holdStack(stack);
        if (hold === "held" || hold === "unsupported") {
            keptBecause =
                hold === "held"
                    ? "another rotation on this host is releasing this stack's lock right now"
                    : "this platform has no host-wide mutex to release it safely under (release it with `pulumi cancel` once " +
                      "no update runs)";
            throw locked;
        }
        try {
            // Gathered again under the mutex: a rotation that released this lock meanwhile forgot its markers.
            const decision = judgeLock(stack, locked.holders, context.processes, context.releaseStaleLocks);
            if (!decision.release) {
                keptBecause = decision.reason;
                throw locked;
            }
            let current: readonly LockHolder[];
            try {
                return await tracked();
            } catch (error) {
                if (!(error instanceof StackLockedError) || signal.aborted) {
                    throw error;
                }
                current = error.holders;
                if (!sameHolders(locked.holders, current)) {
                    keptBecause = `the lock changed since it was judged (now ${describeLockHolders(current) || "held by unnamed holders"})`;
                    throw error;
                }
            }
            released = true;
            log.warn(`stack ${stack}: ${decision.reason}; releasing it (pulumi cancel) and trying again`);
            await context.releaseLock();
            context.processes.forget(current);
            return await tracked();
        } finally {
            await hold.release();
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
            return release(error);
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
