/**
 * Takes samples of the cluster every `intervalMs` while something runs, never overlapping one
 * sample with the next; a failed sample is kept as an error (the minimums are unknown for that instant).
 */
export interface Sampler<T> {
    /** Ends the sampling and returns every sample taken and every error. */
    stop(): Promise<{ samples: T[]; errors: string[] }>;
}

export function sampleEvery<T>(intervalMs: number, take: () => Promise<T>): Sampler<T> {
    const samples: T[] = [];
    const errors: string[] = [];
    let running = true;
    const loop = (async () => {
        while (running) {
            const tick = performance.now();
            try {
                samples.push(await take());
            } catch (error) {
                errors.push((error as Error).message);
            }
            await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (performance.now() - tick))));
        }
    })();
    return {
        async stop() {
            running = false;
            await loop;
            return { samples, errors };
        },
    };
}
