/**
 * ARM throttling across a fleet: the Azure SDK's client already waits as `Retry-After` asks (three
 * times per call); when many stacks rotate at once it can still run out of patience. Such a
 * failure is not the unit's fault, so the operation is repeated after a longer backoff instead of
 * being reported as failed.
 */
import { ARM_THROTTLED } from "../../components/token/errors";
import { RetryPolicy, withRetries } from "../model/retry";
import { EngineOperationError } from "../pulumi/stackBackend";

/** Patience with a throttled operation: 30 s, 60 s, 120 s, 240 s. */
export const THROTTLE_RETRY: RetryPolicy = { retries: 4, initialDelayMs: 30_000, maxDelayMs: 300_000 };

/** The error is ARM throttling: the GatewayToken's failure inside an update, or a 429 from a direct ARM call. */
export function isThrottled(error: unknown): boolean {
    if (error instanceof EngineOperationError) {
        return error.record.failures.some((failure) => failure.message.includes(ARM_THROTTLED));
    }
    return (error as { statusCode?: unknown } | undefined)?.statusCode === 429;
}

/** Runs `operation`, repeating it after a backoff while it fails on throttling. */
export function withThrottleRetries<T>(
    operation: () => Promise<T>,
    sleep: (ms: number) => Promise<void>,
    onRetry: (delayMs: number, attempt: number) => void,
    policy: RetryPolicy = THROTTLE_RETRY,
): Promise<T> {
    return withRetries(operation, isThrottled, policy, sleep, ({ delayMs, nextAttempt }) => onRetry(delayMs, nextAttempt));
}
