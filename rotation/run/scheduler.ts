/**
 * Runs work over a fleet: at most N tasks in flight, in the order given (the caller puts the most
 * urgent first), results returned in the input order so reports are stable. A task that throws is
 * the caller's bug: tasks report their own failures. Once `signal` aborts, tasks not yet started
 * get `skipped()` instead.
 */
export async function runPool<T, R>(
    items: readonly T[],
    concurrency: number,
    task: (item: T) => Promise<R>,
    skipped: (item: T) => R,
    signal: AbortSignal,
): Promise<R[]> {
    const results = new Array<R>(items.length);
    let next = 0;
    const worker = async (): Promise<void> => {
        while (next < items.length) {
            const index = next++;
            results[index] = signal.aborted ? skipped(items[index]) : await task(items[index]);
        }
    };
    await Promise.all(Array.from({ length: Math.min(Math.max(concurrency, 1), items.length) }, worker));
    return results;
}

/** `items` sorted by `key` (lexicographic on the tuple), ties kept in their given order. */
export function byUrgency<T>(items: readonly T[], key: (item: T) => readonly number[]): T[] {
    const keyed = items.map((item, index) => ({ item, index, key: key(item) }));
    keyed.sort((a, b) => {
        for (let i = 0; i < Math.max(a.key.length, b.key.length); i++) {
            const difference = (a.key[i] ?? 0) - (b.key[i] ?? 0);
            if (difference !== 0 && !Number.isNaN(difference)) {
                return difference;
            }
        }
        return a.index - b.index;
    });
    return keyed.map((entry) => entry.item);
}
