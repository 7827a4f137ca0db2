/**
 * Folds the engine's structured events (the Automation API's `onEvent`) into an
 * {@link EngineRecord}. Only URNs, types, operations, property paths and diagnostic messages are
 * kept, never the states the events carry; diagnostic messages are redacted and cut to
 * {@link MAX_REPORT_FIELD_CHARS} (they carry what a provider or Kubernetes said).
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { EngineRecord, ResourceFailure, ResourceStep } from "../model/engineRecord";
import { MAX_REPORT_FIELD_CHARS, redactAndCut } from "../report/textBounds";

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
            this.failures.push({
                ...(diagnostic.urn ? { urn: diagnostic.urn } : {}),
                message: redactAndCut(diagnostic.message.trim(), MAX_REPORT_FIELD_CHARS),
            });
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
