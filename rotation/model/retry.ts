/** How often and how patiently to retry an operation that failed for a transient reason. */
export interface RetryPolicy {
    /** Retries after the first attempt; 0 disables retrying. */
    readonly retries: number;
    /** Wait before the first retry, in milliseconds; each further retry waits twice as long. */
    readonly initialDelayMs: number;
    /** Upper bound of a single wait, in milliseconds. */
    readonly maxDelayMs: number;
}

/** Announced before each wait, so the caller can log it. */
export interface RetryNotice {
    /** The attempt that is about to start (2 for the first retry). */
    readonly nextAttempt: number;
    readonly totalAttempts: number;
    readonly delayMs: number;
    readonly error: unknown;
}

/** The wait before retry number `retry` (1-based): exponential, capped. */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
    return Math.min(policy.initialDelayMs * 2 ** (retry - 1), policy.maxDelayMs);
}

/**
 * Runs `operation`, retrying it with exponential backoff while `isRetryable` accepts the error.
 * Rethrows the last error when the retries are used up or the error is not retryable; a `sleep`
 * that rejects (cancellation) ends the loop with its rejection.
 */
export async function withRetries<T>(
    operation: () => Promise<T>,
    isRetryable: (error: unknown) => boolean,
    policy: RetryPolicy,
    sleep: (ms: number) => Promise<void>,
    onRetry: (notice: RetryNotice) => void,
): Promise<T> {
    const totalAttempts = policy.retries + 1;
    for (let attempt = 1; ; attempt++) {
        try {
            return await operation();
        } catch (error) {
            if (attempt >= totalAttempts || !isRetryable(error)) {
                throw error;
            }
            const delayMs = backoffDelay(policy, attempt);
            onRetry({ nextAttempt: attempt + 1, totalAttempts, delayMs, error });
            await sleep(delayMs);
        }
    }
}
