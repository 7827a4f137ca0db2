/**
 * How long an ARM gateway call may wait: per request, and in all (retries and Retry-After waits
 * included). Without these bounds an ARM endpoint that stops answering holds `pulumi up` and the
 * scheduled rotation until the CI job's own timeout, with no message naming ARM.
 */

/** Seconds one ARM request may go unanswered before it is abandoned (and retried within the budget). */
export const ARM_TIMEOUT_ENV = "APIM_GATEWAY_ARM_TIMEOUT_SECONDS";

/** Seconds a whole ARM call may take: every attempt, retry delay and Retry-After wait. */
export const ARM_RETRY_BUDGET_ENV = "APIM_GATEWAY_ARM_RETRY_BUDGET_SECONDS";

/**
 * Defaults. ARM answers the gateway actions in seconds, so a request unanswered for 30 s is
 * stuck; 120 s leaves room for the client's retries of 5xx and throttling answers (3 retries,
 * exponential from 1 s) and a few stuck requests, and still fails a scheduled job quickly.
 */
export const armCallDefaults = { timeoutSeconds: 30, retryBudgetSeconds: 120, maxRetries: 3 } as const;

/** The largest value either variable accepts: an hour. */
const maxSeconds = 3600;

/** The bounds of one ARM call, in milliseconds. */
export interface ArmCallLimits {
    /** One request unanswered this long is abandoned. */
    readonly timeoutMs: number;
    /** The whole call, retries included, is abandoned after this long. */
    readonly retryBudgetMs: number;
    /** Retries of 5xx, 408, 429 and network errors by the Azure client, within the budget. */
    readonly maxRetries: number;
}

/**
 * The limits from the environment (defaults for unset variables). A value that is not a whole
 * number of seconds from 1 to 3600, or a budget shorter than one request's timeout, is refused
 * with an error naming the variable.
 */
export function armCallLimits(env: Readonly<Record<string, string | undefined>>): ArmCallLimits {
    const timeoutSeconds = seconds(env, ARM_TIMEOUT_ENV, armCallDefaults.timeoutSeconds);
    const retryBudgetSeconds = seconds(env, ARM_RETRY_BUDGET_ENV, armCallDefaults.retryBudgetSeconds);
    if (retryBudgetSeconds < timeoutSeconds) {
        throw new Error(
            `${ARM_RETRY_BUDGET_ENV} (${retryBudgetSeconds}) must be at least ${ARM_TIMEOUT_ENV} (${timeoutSeconds}): ` +
                "the budget covers every attempt of an ARM call. Raise the budget or lower the timeout.",
        );
    }
    return { timeoutMs: timeoutSeconds * 1000, retryBudgetMs: retryBudgetSeconds * 1000, maxRetries: armCallDefaults.maxRetries };
}

function seconds(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number): number {
    const text = env[name];
    if (text === undefined || text.trim() === "") {
        return fallback;
    }
    const value = Number(text);
    if (!/^\s*\d+\s*$/.test(text) || value < 1 || value > maxSeconds) {
        throw new Error(
            `${name} must be a whole number of seconds from 1 to ${maxSeconds}; got "${text}". Unset it for the default (${fallback}).`,
        );
    }
    return value;
}
