/** Comparing two ways of doing the same thing by the median of a few timed runs each. */

export function median(values: readonly number[]): number {
    if (values.length === 0) {
        throw new Error("no measurements");
    }
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A ratio of medians, with the figures it came from. */
export interface Comparison {
    readonly ratio: number;
    readonly medianMs: number;
    readonly baselineMedianMs: number;
    /** One line for the test output: the ratio first, the raw medians of this machine in parentheses. */
    readonly summary: string;
}

/** `measured` against `baseline` (milliseconds per run). */
export function compare(label: string, measured: readonly number[], baseline: readonly number[]): Comparison {
    const medianMs = median(measured);
    const baselineMedianMs = median(baseline);
    const ratio = medianMs / baselineMedianMs;
    const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    return {
        ratio,
        medianMs,
        baselineMedianMs,
        summary:
            `${label}: ratio ${ratio.toFixed(2)} ` +
            `(medians on this machine ${seconds(medianMs)} vs ${seconds(baselineMedianMs)}; ` +
            `runs ${measured.map(seconds).join(", ")} vs ${baseline.map(seconds).join(", ")})`,
    };
}
