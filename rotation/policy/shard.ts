/**
 * `--shard K/N`: a stable partition of the stack list by a hash of each name, so the N jobs of a
 * CI matrix cover every stack exactly once, whatever order the backend lists them in and however
 * stacks come and go (a new stack moves no other stack to another shard).
 *
 * With `--regenerate-unused-key` a shard must also hold every stack of each of its gateways, or no
 * job could prove a key unused: stacks that share a gateway (transitively: a platform stack runs
 * several) form a group, and a group goes where its smallest stack name hashes. A stack that
 * shares no gateway is a group of one, so it lands in the same shard as without regeneration.
 */
import { createHash } from "node:crypto";
import { resourceIdKey } from "../../components/token/resourceId";

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

/** A stack of the backend and the ARM ids of the gateways it runs, as read from its outputs. */
export interface StackGateways {
    readonly stack: string;
    readonly gatewayResourceIds: readonly string[];
}

/**
 * The stacks linked by shared gateways, transitively (a union-find over the gateway ids, compared
 * as {@link resourceIdKey}: however each stack spells an id, one gateway is one link): each
 * group sorted by name, the groups by their smallest name. Every stack is in exactly one group.
 */
export function gatewayGroups(stacks: readonly StackGateways[]): string[][] {
    const parent = new Map<string, string>();
    const root = (stack: string): string => {
        let current = stack;
        while (parent.get(current) !== current) {
            current = parent.get(current)!;
        }
        parent.set(stack, current);
        return current;
    };
    const firstStackOf = new Map<string, string>();
    for (const { stack } of stacks) {
        parent.set(stack, stack);
    }
    for (const { stack, gatewayResourceIds } of stacks) {
        for (const id of gatewayResourceIds.map(resourceIdKey)) {
            const first = firstStackOf.get(id);
            if (first === undefined) {
                firstStackOf.set(id, stack);
            } else {
                parent.set(root(stack), root(first));
            }
        }
    }
    const groups = new Map<string, string[]>();
    for (const stack of parent.keys()) {
        groups.set(root(stack), [...(groups.get(root(stack)) ?? []), stack]);
    }
    return [...groups.values()].map((group) => group.sort(byName)).sort((a, b) => byName(a[0], b[0]));
}

/** Code-unit order: the same on every machine, whatever its locale. */
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The names of `stacks` in `shard` when the stacks of one gateway must share a shard: each
 * stack's group (from `gateways`, every stack of the backend) goes where its smallest name
 * hashes; a stack not in `gateways` (not found, unreadable) goes by its own name.
 */
export function inGroupedShard(stacks: readonly string[], gateways: readonly StackGateways[], shard: Shard | undefined): string[] {
    if (shard === undefined) {
        return [...stacks];
    }
    const anchor = new Map(gatewayGroups(gateways).flatMap((group) => group.map((stack) => [stack, group[0]] as const)));
    return stacks.filter((stack) => shardOf(anchor.get(stack) ?? stack, shard.count) === shard.index);
}
