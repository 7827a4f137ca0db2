/**
 * What an update or preview did, folded from the engine's structured events (the Automation API's
 * `onEvent`): each resource step with its property paths, each failure with its URN, the summary.
 * Only URNs, types, operations, property paths and diagnostic messages are kept, never the
 * states the events carry.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { redactSecrets } from "./redact";

/** One resource operation the engine planned or performed (never `same`). */
export interface ResourceStep {
    readonly urn: string;
    readonly op: string;
    /** Changed property paths: the provider's detailed diff, else its top-level diff keys. */
    readonly paths: readonly string[];
}

/** A resource (or the program, without URN) the engine reported an error for. */
export interface ResourceFailure {
    readonly urn?: string;
    readonly message: string;
}

/** The engine's account of one operation. */
export interface EngineRecord {
    readonly steps: readonly ResourceStep[];
    readonly failures: readonly ResourceFailure[];
    /** Resource count by operation, from the summary event. */
    readonly summary?: Readonly<Record<string, number>>;
}

/** Operations that change nothing. */
const UNCHANGED = new Set(["same", "read", "refresh"]);

/** Collects events; {@link record} returns what was collected so far. */
export class EngineRecorder {
    private readonly steps = new Map<string, ResourceStep>();
    private readonly failures: ResourceFailure[] = [];
    private summary?: Record<string, number>;

    /** Pass as `onEvent`. */
    readonly onEvent = (event: EngineEvent): void => {
        const pre = event.resourcePreEvent?.metadata;
        if (pre !== undefined && !UNCHANGED.has(pre.op)) {
            // The engine sends `null` for an absent diff (a dynamic provider's, a delete); an event
            // handler that throws loses the event silently in the SDK.
            const paths = pre.detailedDiff ? Object.keys(pre.detailedDiff) : (pre.diffs ?? []);
            // A replacement shows as several steps of one URN (create-replacement, replace, delete-replaced).
            this.steps.set(`${pre.urn}\u0000${pre.op}`, { urn: pre.urn, op: pre.op, paths: [...paths].sort() });
        }
        const diagnostic = event.diagnosticEvent;
        if (diagnostic !== undefined && diagnostic.severity === "error") {
            this.failures.push({ ...(diagnostic.urn ? { urn: diagnostic.urn } : {}), message: redactSecrets(diagnostic.message.trim()) });
        }
        const failed = event.resOpFailedEvent?.metadata;
        if (failed !== undefined && !this.failures.some((failure) => failure.urn === failed.urn)) {
            this.failures.push({ urn: failed.urn, message: `${failed.op} failed` });
        }
        if (event.summaryEvent !== undefined) {
            this.summary = { ...event.summaryEvent.resourceChanges } as Record<string, number>;
        }
    };

    record(): EngineRecord {
        return { steps: [...this.steps.values()], failures: [...this.failures], ...(this.summary ? { summary: this.summary } : {}) };
    }
}

/**
 * A provider resource updated without a changed property: the engine refreshes a default
 * provider's record (seen after a stack's config file was rewritten) without changing any
 * resource. A provider update that changes a property is a real change.
 */
export function isNoOpProviderUpdate(step: ResourceStep): boolean {
    const type = step.urn.split("::").at(-2) ?? "";
    return type.startsWith("pulumi:providers:") && step.op === "update" && step.paths.length === 0;
}

/** `urn:pulumi:stack::project::a:b:Deployment$kubernetes:core/v1:Secret::name` → `Secret`. */
export function resourceKind(urn: string): string {
    const parts = urn.split("::");
    const type = parts.length >= 4 ? parts[parts.length - 2] : urn;
    const own = type.slice(type.lastIndexOf("$") + 1);
    return own.slice(own.lastIndexOf(":") + 1);
}

/** `urn:...::name` → `name`. */
export function resourceName(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

const VERBS: Readonly<Record<string, (kind: string) => string>> = {
    create: (kind) => `${kind} created`,
    update: (kind) => `${kind} updated`,
    delete: (kind) => `${kind} deleted`,
    replace: (kind) => `${kind} replaced`,
    "create-replacement": (kind) => `${kind} created`,
    "delete-replaced": (kind) => `old ${kind} deleted`,
};

/**
 * The steps in words, e.g. "GatewayToken updated, Secret created, old Secret deleted,
 * Deployment updated". A replacement's summary step (`replace`) is left out when its
 * create and delete steps say it already.
 */
export function describeSteps(steps: readonly ResourceStep[]): string[] {
    const replaced = new Set(steps.filter((step) => step.op === "create-replacement").map((step) => step.urn));
    return steps
        .filter((step) => !(step.op === "replace" && replaced.has(step.urn)) && !isNoOpProviderUpdate(step))
        .map((step) => (VERBS[step.op] ?? ((kind: string) => `${kind} ${step.op}`))(resourceKind(step.urn)));
}
