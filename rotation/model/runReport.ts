/** What a run did, unit by unit: the single source for the table, the JSON and the job summary. */
import type { TokenSnapshot } from "../../components/contract/rotationContract";
import type { GatewayKeyType } from "../../components/token/keyType";
import type { ResourceFailure } from "./engineRecord";
import type { PendingChange } from "./pendingChange";

/** `check` reads outputs only, `rotate` renews due tokens, `dry-run` previews what `rotate` would do. */
export type RunMode = "check" | "rotate" | "dry-run";

/**
 * The outcome for one unit (a gateway of a stack), or for a stack none of whose units could be read.
 * - `fresh`, `due`, `expired`, `invalidated`: the token's status (`--check`).
 * - `not-due`: left alone, the token is fresh (no update).
 * - `not-applicable`: the gateway does not use a token, or the stack has no gateway or was never deployed.
 * - `rotated`: renewed and verified; `previewed`: a dry run showed the changes.
 * - `blocked`: the preview showed changes beyond the rotation's; nothing was changed.
 * - `not-found`, `failed`, `cancelled`: see the message.
 */
export type StackResult =
    | "fresh"
    | "due"
    | "expired"
    | "invalidated"
    | "not-due"
    | "not-applicable"
    | "rotated"
    | "previewed"
    | "blocked"
    | "not-found"
    | "failed"
    | "cancelled";

/** What was done: read outputs, nothing, a targeted update or a preview. */
export type StackAction = "check" | "none" | "rotate" | "preview";

/** What happened to the gateway key the live tokens do not use (`--regenerate-unused-key`). */
export interface KeyRegenerationReport {
    readonly status: "regenerated" | "skipped" | "failed";
    /** The key regenerated or attempted, never a live one. */
    readonly keyType?: GatewayKeyType;
    /** Why it was skipped or how it failed. */
    readonly reason?: string;
}

/** One unit's (or one unreadable stack's) line of the report. */
export interface StackReport {
    readonly stack: string;
    /** The gateway key within the stack's `apimGatewayRotation` output; absent for a stack-level result. */
    readonly gateway?: string;
    readonly gatewayResourceId?: string;
    readonly action: StackAction;
    /** The update or preview ran with a renewal trigger (`--force`, an invalidated token, a sibling's key). */
    readonly forced: boolean;
    readonly result: StackResult;
    /** The token before the run. */
    readonly before?: TokenSnapshot;
    /** The token after a rotation. */
    readonly after?: TokenSnapshot;
    /** Present only with `--regenerate-unused-key`. */
    readonly keyRegeneration?: KeyRegenerationReport;
    /** What the update did, or the preview would do, from the engine's events ("GatewayToken updated", ...). */
    readonly changes?: readonly string[];
    /** Changes beyond the rotation's that the preview showed (blocked, or applied with --include-pending-changes). */
    readonly pendingChanges?: readonly PendingChange[];
    /** The resources the engine reported failing, with their messages. */
    readonly failures?: readonly ResourceFailure[];
    /** Why the unit ended up with this result, or what to do about it. */
    readonly message?: string;
    /** Further remarks (pending changes included, a sibling rotated for a key, validity not verified). */
    readonly notes?: readonly string[];
}

/** A unit an event did not renew because its live token was issued by a recent renewal (the event cooldown). */
export interface FoldedUnit {
    /** `stack/gateway`. */
    readonly unit: string;
    /** When the live token, the renewal the event was folded into, was issued; ISO 8601. */
    readonly issuedAt: string;
}

/** What became of one gateway named by Azure's expiry events (`--event`), or of an event of another type. */
export interface EventReport {
    /** The event types seen (for an ignored event, its type). */
    readonly eventTypes: readonly string[];
    /**
     * `matched`: the units in {@link stacks} were handled (see their lines: renewed, or not for a reason);
     * `folded`: none was renewed, each folded into a recent renewal (see {@link foldedInto}) or refused (see the
     * message); `not-found`: no selected stack holds the gateway; `ignored`: an event of another type.
     */
    readonly result: "matched" | "folded" | "not-found" | "ignored";
    readonly serviceResourceId?: string;
    readonly gateway?: string;
    readonly instances?: readonly string[];
    /** The earliest expiry the events state, ISO 8601. */
    readonly expiresAt?: string;
    /** The units (`stack/gateway`) holding the gateway. */
    readonly stacks: readonly string[];
    /** The units the event did not renew, and the renewal each was folded into (the event cooldown). */
    readonly foldedInto?: readonly FoldedUnit[];
    readonly message: string;
}

export interface RunReport {
    readonly mode: RunMode;
    readonly force: boolean;
    readonly regenerateUnusedKey: boolean;
    readonly includePendingChanges: boolean;
    /** ISO 8601. */
    readonly startedAt: string;
    /** ISO 8601. */
    readonly finishedAt: string;
    /** One entry per unit, in a stable order (stack selection order, then gateway key). */
    readonly stacks: readonly StackReport[];
    /** Failures not tied to one stack (e.g. the stacks could not be listed). */
    readonly errors: readonly string[];
    /** The run was cancelled by a signal before it completed. */
    readonly cancelled: boolean;
    /** With `--event`: one entry per gateway the events name, and per event of another type. */
    readonly events?: readonly EventReport[];
}
