/**
 * The engine's events folded into what the rotation keeps, and its steps in words
 * (rotation/pulumi/engineEvents.ts, rotation/model/engineRecord.ts).
 */
import { strict as assert } from "node:assert";
import { describeSteps } from "../../../rotation/model/engineRecord";
import { EngineRecorder } from "../../../rotation/pulumi/engineEvents";
import { TARGETS, rotationSteps } from "../fakes";

describe("engine events", () => {
    it("folds step, diagnostic, failure and summary events (null diffs as the engine sends them); skips unchanged resources", () => {
        const recorder = new EngineRecorder();
        const meta = (urn: string, op: string, extra: object = {}) => ({ urn, op, type: "t", provider: "", ...extra });
        recorder.onEvent({ sequence: 1, timestamp: 0, resourcePreEvent: { metadata: meta(TARGETS.token, "same") } } as never);
        recorder.onEvent({
            sequence: 2,
            timestamp: 0,
            resourcePreEvent: {
                metadata: meta(TARGETS.deployment, "update", { diffs: ["spec"], detailedDiff: { "spec.b": {}, "spec.a": {} } }),
            },
        } as never);
        recorder.onEvent({
            sequence: 3,
            timestamp: 0,
            resourcePreEvent: { metadata: meta(TARGETS.token, "update", { diffs: ["renewalTrigger"], detailedDiff: null }) },
        } as never);
        recorder.onEvent({
            sequence: 3,
            timestamp: 0,
            resourcePreEvent: { metadata: meta(TARGETS.secret, "delete-replaced", { diffs: null, detailedDiff: null }) },
        } as never);
        recorder.onEvent({
            sequence: 4,
            timestamp: 0,
            diagnosticEvent: {
                urn: TARGETS.deployment,
                message: "rollout stalled: GatewayKey gw1&202507151200&c2VjcmV0\n",
                color: "never",
                severity: "error",
            },
        } as never);
        recorder.onEvent({
            sequence: 5,
            timestamp: 0,
            diagnosticEvent: { message: "just info", color: "never", severity: "info" },
        } as never);
        recorder.onEvent({
            sequence: 6,
            timestamp: 0,
            resOpFailedEvent: { metadata: meta(TARGETS.deployment, "update"), status: 1, steps: 1 },
        } as never);
        recorder.onEvent({
            sequence: 7,
            timestamp: 0,
            summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges: { update: 2 }, policyPacks: {} },
        } as never);
        const record = recorder.record();
        assert.deepEqual(record.steps, [
            { urn: TARGETS.deployment, op: "update", paths: ["spec.a", "spec.b"] },
            { urn: TARGETS.token, op: "update", paths: ["renewalTrigger"] },
            { urn: TARGETS.secret, op: "delete-replaced", paths: [] },
        ]);
        assert.deepEqual(record.failures, [{ urn: TARGETS.deployment, message: "rollout stalled: GatewayKey [secret]" }]);
        assert.deepEqual(record.summary, { update: 2 });
    });

    it("describes a rotation's steps in words", () => {
        assert.deepEqual(describeSteps(rotationSteps(TARGETS)), [
            "GatewayToken updated",
            "Secret created",
            "Deployment updated",
            "old Secret deleted",
        ]);
    });
});
