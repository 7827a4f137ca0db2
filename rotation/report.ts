/** What a run did, stack by stack: the single source for the table, the JSON and the job summary. */
import type { GatewayKeyType } from "../components/token/keyType";
import { TokenSnapshot } from "./stackContract";
import { ChangeSummary } from "./stackBackend";

/** `check` reads outputs only, `rotate` renews due tokens, `dry-run` previews what `rotate` would do. */
export type RunMode = "check" | "rotate" | "dry-run";

/**
 * The outcome for one stack.
 * - `fresh`, `due`, `expired`: the token's status (`--check`).
 * - `not-due`: left alone, the token is fresh (no update, no ARM call).
 * - `not-applicable`: the gateway does not use a token, or the stack was never deployed.
 * - `rotated`: renewed and verified; `previewed`: a dry run showed the changes.
 * - `not-found`, `failed`, `cancelled`: see the report's message.
 */
export type StackResult =
    | "fresh"
    | "due"
    | "expired"
    | "not-due"
    | "not-applicable"
    | "rotated"
    | "previewed"
    | "not-found"
    | "failed"
    | "cancelled";

/** What was done to the stack: read its outputs, nothing, a targeted update or a preview. */
export type StackAction = "check" | "none" | "rotate" | "preview";

/** What happened to the gateway key the live token does not use (`--regenerate-unused-key`). */
export interface KeyRegenerationReport {
    readonly status: "regenerated" | "skipped" | "failed";
    /** The key regenerated or attempted, never the live one. */
    readonly keyType?: GatewayKeyType;
    /** Why it was skipped or how it failed. */
    readonly reason?: string;
}

export interface StackReport {
    readonly stack: string;
    readonly action: StackAction;
    /** The update or preview ran with a renewal trigger (`--force`). */
    readonly forced: boolean;
    readonly result: StackResult;
    /** The token before the run (absent when the outputs could not be read). */
    readonly before?: TokenSnapshot;
    /** The token after a rotation. */
    readonly after?: TokenSnapshot;
    /** Present only with `--regenerate-unused-key`. */
    readonly keyRegeneration?: KeyRegenerationReport;
    /** What a dry run would change. */
    readonly changes?: ChangeSummary;
    /** Why the stack ended up with this result, or what to do about it. */
    readonly message?: string;
}

export interface RunReport {
    readonly mode: RunMode;
    readonly force: boolean;
    readonly regenerateUnusedKey: boolean;
    /** ISO 8601. */
    readonly startedAt: string;
    /** ISO 8601. */
    readonly finishedAt: string;
    readonly stacks: readonly StackReport[];
    /** Failures not tied to one stack (e.g. the stacks could not be listed). */
    readonly errors: readonly string[];
    /** The run was cancelled by a signal before it completed. */
    readonly cancelled: boolean;
}
