/** Polling until a condition holds, with the last observation in the error when it never does. */

/** How long and how often to look. */
export interface WaitOptions {
    readonly timeoutMs: number;
    /** Default 100 ms. */
    readonly intervalMs?: number;
}

/**
 * Calls `check` until it returns a value other than `undefined` and returns that value. A
 * thrown error counts as "not yet" (a listener not up yet refuses connections) and is reported
 * if time runs out, unless `check` marks it fatal by throwing a `FatalWaitError`.
 */
export async function waitFor<T>(description: string, check: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
    const deadline = performance.now() + options.timeoutMs;
    let last = "no attempt finished";
    for (;;) {
        try {
            const value = await check();
            if (value !== undefined) {
                return value;
            }
            last = "the condition did not hold";
        } catch (error) {
            if (error instanceof FatalWaitError) {
                throw error;
            }
            last = (error as Error).message;
        }
        if (performance.now() > deadline) {
            throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${description}; last: ${last}`);
        }
        await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
    }
}

/** Ends a `waitFor` at once: waiting longer cannot help (e.g. the process being waited for exited). */
export class FatalWaitError extends Error {
    override readonly name = "FatalWaitError";
}
