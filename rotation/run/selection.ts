/**
 * Which stacks a run processes, read and judged: as named or every stack of the project, then the
 * shard. With `--regenerate-unused-key` and `--shard`, every stack of the backend is read first
 * (its masked outputs only: one `stack output` each) so that the stacks of each gateway fall in one
 * shard; the key regeneration then sees the shard's gateways whole. Without
 * regeneration a shard is a plain hash of each name, and no other stack is read.
 */
import type { Logger } from "../report/logger";
import { redactSecrets } from "../report/redaction";
import { Shard, inGroupedShard, inShard } from "../policy/shard";
import type { StackBackend } from "../pulumi/stackBackend";
import { StackUnits, StackView } from "./stackReader";

/** The stacks named on the command line, or every stack of the project. */
export type StackSelection = { readonly all: true } | { readonly all: false; readonly names: readonly string[] };

/** What the selection needs of the run. */
export interface SelectionContext {
    readonly backend: StackBackend;
    readonly signal: AbortSignal;
    readonly log: Logger;
    /** Reads and judges `names` (concurrently); `verify` adds the ARM validity check. */
    readonly read: (names: readonly string[], verify: boolean) => Promise<StackView[]>;
    /** Reads the units of `names` (concurrently), without judging them. */
    readonly readUnits: (names: readonly string[]) => Promise<StackUnits[]>;
    /** Judges stacks as read (concurrently); `verify` adds the ARM validity check. */
    readonly judge: (read: readonly StackUnits[], verify: boolean) => Promise<StackView[]>;
    /** Run-level errors (the stacks could not be listed). */
    readonly errors: string[];
}

/** The run's stacks. */
export interface Selected {
    /** The selected stacks of the shard, judged with validity checks, in selection order. */
    readonly views: StackView[];
    /**
     * The backend's other stacks the key regeneration must see: those that may share a gateway
     * with a selected stack, and those whose gateways are unknown. Read and judged on demand
     * (after the renewals), without validity checks.
     */
    readonly others: () => Promise<Others>;
}

/** The other stacks, or why the backend's stacks are not all known (no key may be regenerated then). */
export interface Others {
    readonly views: StackView[];
    readonly unknown?: string;
}

const UNLISTED = "the project's stacks could not be listed, so other stacks of the gateways are unknown";

async function listStacks(context: SelectionContext): Promise<string[] | undefined> {
    try {
        return await context.backend.listStacks(context.signal);
    } catch (error) {
        context.errors.push(
            `could not list the project's stacks: ${redactSecrets(error instanceof Error ? error.message : String(error))}`,
        );
        return undefined;
    }
}

/** The named stacks (deduplicated), or every stack the backend lists. */
async function candidates(
    selection: StackSelection,
    context: SelectionContext,
    listed: () => Promise<string[] | undefined>,
): Promise<string[]> {
    if (!selection.all) {
        return [...new Set(selection.names)];
    }
    const names = (await listed()) ?? [];
    if (names.length === 0 && context.errors.length === 0) {
        context.errors.push("the backend has no stacks of this project: check the logged-in backend (`pulumi whoami -v`) and --work-dir");
    }
    return names;
}

/** Selects, reads and judges the run's stacks. */
export async function selectStacks(
    selection: StackSelection,
    shard: Shard | undefined,
    regenerateUnusedKey: boolean,
    context: SelectionContext,
): Promise<Selected> {
    let listing: Promise<string[] | undefined> | undefined;
    const listed = () => (listing ??= listStacks(context));
    const names = await candidates(selection, context, listed);
    return shard !== undefined && regenerateUnusedKey
        ? byGatewayGroup(names, shard, listed, context)
        : byName(names, shard, listed, context);
}

/** The shard by each name's hash; the other stacks are read only for a key regeneration. */
async function byName(
    names: readonly string[],
    shard: Shard | undefined,
    listed: () => Promise<string[] | undefined>,
    context: SelectionContext,
): Promise<Selected> {
    const selected = inShard(names, shard);
    const chosen = new Set(selected);
    return {
        views: await context.read(selected, true),
        others: async () => {
            const all = await listed();
            const views = await context.read(
                (all ?? []).filter((name) => !chosen.has(name)),
                false,
            );
            return all === undefined ? { views, unknown: UNLISTED } : { views };
        },
    };
}

/**
 * The shard with the stacks of each gateway together: every stack of the backend is read first to
 * learn its gateways. The others the key regeneration sees are the unselected stacks of this
 * shard's groups (siblings of named stacks) and every stack whose gateways are unknown.
 */
async function byGatewayGroup(
    names: readonly string[],
    shard: Shard,
    listed: () => Promise<string[] | undefined>,
    context: SelectionContext,
): Promise<Selected> {
    const listedStacks = await listed();
    const backendStacks = listedStacks ?? [];
    const read = new Map((await context.readUnits([...new Set([...backendStacks, ...names])])).map((units) => [units.name, units]));
    const gateways = [...read.values()]
        .filter((units) => units.unreadable === undefined)
        .map((units) => ({ stack: units.name, gatewayResourceIds: units.units.map((unit) => unit.gatewayResourceId) }));
    const inThisShard = new Set(inGroupedShard([...read.keys()], gateways, shard));
    const selected = names.filter((name) => inThisShard.has(name));
    const chosen = new Set(selected);
    context.log.info(
        `shard ${shard.index}/${shard.count}: ${selected.length} of ${names.length} stacks, the stacks of each gateway kept ` +
            `together (read the outputs of all ${read.size})`,
    );
    return {
        views: await context.judge(
            selected.map((name) => read.get(name)!),
            true,
        ),
        others: async () => {
            const others = backendStacks.filter(
                (name) => !chosen.has(name) && (inThisShard.has(name) || read.get(name)?.unreadable !== undefined),
            );
            const views = await context.judge(
                others.map((name) => read.get(name)!),
                false,
            );
            return listedStacks === undefined ? { views, unknown: UNLISTED } : { views };
        },
    };
}
