/**
 * `--shard K/N`: a stable partition of the stack list by a hash of each name, so the N jobs of a
 * CI matrix cover every stack exactly once, whatever order the backend lists them in and however
 * stacks come and go (a new stack moves no other stack to another shard).
 */
import { createHash } from "node:crypto";

/** Shard K (1-based) of N. */
export interface Shard {
    readonly index: number;
    readonly count: number;
}

/** The largest N accepted: more jobs than that is a typo. */
export const MAX_SHARDS = 1000;

/** Parses `K/N`; returns the reason when it is not a shard. */
export function parseShard(text: string): Shard | { readonly error: string } {
    const match = /^(\d+)\/(\d+)$/.exec(text.trim());
    if (!match) {
        return { error: `--shard must be K/N (e.g. 2/4), got "${text}"` };
    }
    const index = Number(match[1]);
    const count = Number(match[2]);
    if (count < 1 || count > MAX_SHARDS) {
        return { error: `--shard ${text}: N must be from 1 to ${MAX_SHARDS}` };
    }
    if (index < 1 || index > count) {
        return { error: `--shard ${text}: K must be from 1 to N (${count}); shards are numbered from 1` };
    }
    return { index, count };
}

/** The shard (1-based) a stack name falls in among `count`. */
export function shardOf(stack: string, count: number): number {
    return (createHash("sha256").update(stack, "utf8").digest().readUInt32BE(0) % count) + 1;
}

/** The names of `stacks` in `shard`, in their given order. */
export function inShard(stacks: readonly string[], shard: Shard | undefined): string[] {
    return shard === undefined ? [...stacks] : stacks.filter((stack) => shardOf(stack, shard.count) === shard.index);
}
