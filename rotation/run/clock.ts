import { setTimeout as delay } from "node:timers/promises";

/** Time, injectable so tests control "now" and never really wait. */
export interface Clock {
    now(): Date;
    /** Resolves after `ms`; rejects as soon as `signal` aborts. */
    sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
    now: () => new Date(),
    sleep: (ms, signal) => delay(ms, undefined, { signal }),
};
