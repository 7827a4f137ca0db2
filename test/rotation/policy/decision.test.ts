/** The pure per-unit policy and the pending-changes guard, table by table. */
import { strict as assert } from "node:assert";
import { RotationUnit, parseRotationUnit } from "../../../components/contract/rotationContract";
import { Assessment, TokenValidity, UnitStatus, assessUnit, judgePreview, planUnit, urgency } from "../../../rotation/policy/decision";
import { describeSteps } from "../../../rotation/model/engineRecord";
import { EngineRecorder } from "../../../rotation/pulumi/engineEvents";
import type { PendingChange } from "../../../rotation/model/pendingChange";
import { pendingChanges } from "../../../rotation/policy/pendingChanges";
import { regenerationVerdict, siblingsToAlign, targetKey } from "../../../rotation/policy/sharedGateways";
import { DAY, GATEWAY_ID, NOW, TARGETS, rotationSteps, tokenUnit } from "../fakes";

const unitOf = (raw: unknown, key = "gateway"): RotationUnit => parseRotationUnit(key, raw);

describe("rotation policy", () => {
    describe("assessUnit: the first rule that applies decides", () => {
        const invalid: TokenValidity = {
            state: "invalid",
            reason: "the primary key that signed the token was regenerated after it was issued",
        };
        const unknown: TokenValidity = { state: "unknown", reason: "offline" };
        const cases: { name: string; unit: unknown; validity?: TokenValidity; status: UnitStatus; reason: RegExp }[] = [
            {
                name: "Entra workload identity",
                unit: { gatewayResourceId: GATEWAY_ID, authType: "workloadIdentity" },
                status: "not-applicable",
                reason: /workloadIdentity, not a token/,
            },
            {
                name: "Entra app",
                unit: { gatewayResourceId: GATEWAY_ID, authType: "azureAdApp" },
                status: "not-applicable",
                reason: /azureAdApp, not a token/,
            },
            { name: "fresh", unit: tokenUnit(25), status: "fresh", reason: /^not due until / },
            {
                name: "fresh, verified valid",
                unit: tokenUnit(25),
                validity: { state: "valid" },
                status: "fresh",
                reason: /^not due until /,
            },
            { name: "fresh, not verifiable", unit: tokenUnit(25), validity: unknown, status: "fresh", reason: /^not due until / },
            {
                name: "at the renewal instant",
                unit: tokenUnit(10),
                status: "due",
                reason: /inside its renewal window since .*apim-gateway-rotate --stack dev`/,
            },
            { name: "due", unit: tokenUnit(5), status: "due", reason: /inside its renewal window/ },
            {
                name: "fresh but its key regenerated",
                unit: tokenUnit(25),
                validity: invalid,
                status: "invalidated",
                reason: /primary key .* regenerated.*--stack dev --force/,
            },
            {
                name: "due and invalidated: invalidated wins",
                unit: tokenUnit(5),
                validity: invalid,
                status: "invalidated",
                reason: /regenerated/,
            },
            {
                name: "expired",
                unit: tokenUnit(0),
                status: "expired",
                reason: /^expired at .*no longer receives configuration.*--stack dev --force/,
            },
            {
                name: "expired and invalidated: expired wins",
                unit: tokenUnit(-2),
                validity: invalid,
                status: "expired",
                reason: /^expired at /,
            },
        ];
        for (const { name, unit, validity, status, reason } of cases) {
            it(`${name} → ${status}`, () => {
                const assessment = assessUnit({ stack: "dev", unit: unitOf(unit), now: NOW, ...(validity ? { validity } : {}) });
                assert.equal(assessment.status, status);
                assert.match(assessment.reason, reason);
            });
        }
    });

    describe("planUnit", () => {
        const at = (status: UnitStatus): Assessment => ({ status, reason: `${status} reason` });
        const cases: [UnitStatus, "rotate" | "dry-run" | "check", boolean, { rotate: boolean; forced?: boolean }][] = [
            ["fresh", "rotate", false, { rotate: false }],
            ["fresh", "rotate", true, { rotate: true, forced: true }],
            ["fresh", "dry-run", true, { rotate: true, forced: true }],
            ["due", "rotate", false, { rotate: true, forced: false }],
            ["due", "rotate", true, { rotate: true, forced: true }],
            ["expired", "rotate", false, { rotate: true, forced: false }],
            ["invalidated", "rotate", false, { rotate: true, forced: true }],
            ["due", "check", false, { rotate: false }],
            ["expired", "check", false, { rotate: false }],
            ["not-applicable", "rotate", true, { rotate: false }],
        ];
        for (const [status, mode, force, expected] of cases) {
            it(`${status} in ${mode}${force ? " --force" : ""} → ${expected.rotate ? `rotate${expected.forced ? " with a trigger" : ""}` : "leave"}`, () => {
                const plan = planUnit(at(status), { mode, force });
                assert.equal(plan.rotate, expected.rotate);
                if (plan.rotate) {
                    assert.equal(plan.forced, expected.forced);
                }
            });
        }
    });

    it("urgency: expired and invalidated first, then due, then the earliest renewAfter", () => {
        const key = (status: UnitStatus, days: number) => urgency({ status, reason: "" }, unitOf(tokenUnit(days)));
        assert.ok(key("expired", -1)[0] < key("due", 5)[0]);
        assert.ok(key("invalidated", 25)[0] < key("due", 5)[0]);
        assert.ok(key("due", 5)[0] < key("fresh", 25)[0]);
        assert.ok(key("fresh", 20)[1] < key("fresh", 25)[1]);
    });

    describe("the pending-changes guard", () => {
        const deployment = (paths: string[]): PendingChange[] =>
            pendingChanges([{ urn: TARGETS.deployment, op: "update", paths }], TARGETS);

        it("passes exactly the rotation's changes: token update, Secret replacement, Deployment's Secret reference and checksum", () => {
            assert.deepEqual(pendingChanges(rotationSteps(TARGETS), TARGETS), []);
            assert.deepEqual(judgePreview([], false), { proceed: true });
        });

        it("blocks an image change on the Deployment, listing resource and path", () => {
            const pending = deployment([
                "spec.template.spec.containers[0].image",
                "spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name",
            ]);
            assert.deepEqual(pending, [{ urn: TARGETS.deployment, op: "update", paths: ["spec.template.spec.containers[0].image"] }]);
            const verdict = judgePreview(pending, false);
            assert.equal(verdict.proceed, false);
            assert.match(
                !verdict.proceed ? verdict.reason : "",
                /^blocked: pending changes: Deployment gateway \(update\): spec\.template\.spec\.containers\[0\]\.image\. Nothing was changed.*--include-pending-changes/,
            );
        });

        it("would block the probes' initialDelaySeconds noise, which the component therefore no longer sends", () => {
            assert.equal(deployment(["spec.template.spec.containers[0].livenessProbe.initialDelaySeconds"]).length, 1);
        });

        it("lets the token Secret's replacement change its token annotations, and nothing else of its metadata", () => {
            const annotations = ["token-expires-at", "token-renew-after", "token-key-type"].map(
                (key) => `metadata.annotations["apim-gateway.pulumi.com/${key}"]`,
            );
            const secret = (paths: string[]) => pendingChanges([{ urn: TARGETS.secret, op: "create-replacement", paths }], TARGETS);
            assert.deepEqual(secret(["metadata.name", "stringData", ...annotations]), []);
            assert.deepEqual(
                secret(['metadata.annotations["example.com/other"]']).map((change) => change.paths),
                [['metadata.annotations["example.com/other"]']],
            );
        });

        it("blocks other resources and foreign operations on the targets", () => {
            const steps = [
                {
                    urn: "urn:pulumi:dev::p::apim-gateway:index:SelfHostedGateway$kubernetes:core/v1:ConfigMap::gateway-config",
                    op: "update",
                    paths: ["data"],
                },
                { urn: TARGETS.token, op: "replace", paths: ["gatewayResourceId"] },
                { urn: TARGETS.deployment, op: "replace", paths: ["metadata.name"] },
                { urn: TARGETS.secret, op: "create-replacement", paths: ["metadata.labels"] },
                { urn: TARGETS.deployment, op: "update", paths: [] },
            ];
            assert.deepEqual(
                pendingChanges(steps, TARGETS).map((change) => [change.op, change.paths]),
                [
                    ["update", ["data"]],
                    ["replace", ["gatewayResourceId"]],
                    ["replace", ["metadata.name"]],
                    ["create-replacement", ["metadata.labels"]],
                    ["update", ["(no detailed diff)"]],
                ],
            );
        });

        it("ignores a provider updated without a changed property, but not one whose configuration changed", () => {
            const provider = "urn:pulumi:dev::apim-gateway::pulumi:providers:pulumi-nodejs::default";
            assert.deepEqual(pendingChanges([{ urn: provider, op: "update", paths: [] }], TARGETS), []);
            assert.deepEqual(describeSteps([{ urn: provider, op: "update", paths: [] }]), []);
            const kubernetes = "urn:pulumi:dev::apim-gateway::pulumi:providers:kubernetes::kubernetes";
            assert.equal(pendingChanges([{ urn: kubernetes, op: "update", paths: ["context"] }], TARGETS).length, 1);
        });

        it("lets pending changes through with --include-pending-changes, saying so", () => {
            const verdict = judgePreview(deployment(["spec.replicas"]), true);
            assert.equal(verdict.proceed, true);
            assert.match(
                verdict.proceed ? (verdict.note ?? "") : "",
                /pending changes applied as well \(--include-pending-changes\): Deployment gateway \(update\): spec\.replicas/,
            );
        });
    });

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

    describe("shared gateways", () => {
        const member = (label: string, keyType: "primary" | "secondary", rotated = false, uncertain?: string) => ({
            label,
            keyType,
            rotated,
            ...(uncertain ? { uncertain } : {}),
        });

        it("regenerates the other key when every unit holds the key this run moved to", () => {
            assert.deepEqual(regenerationVerdict([member("a/gw", "secondary", true), member("b/gw", "secondary")]), {
                regenerate: "primary",
            });
        });

        it("names the siblings to rotate first: those still on the key to regenerate", () => {
            const members = [member("a/gw", "secondary", true), member("b/gw", "primary"), member("c/gw", "secondary")];
            assert.equal(targetKey(members), "secondary");
            assert.deepEqual(
                siblingsToAlign(members, "secondary").map((m) => m.label),
                ["b/gw"],
            );
        });

        it("skips, with the reason, when a sibling still holds the other key, a unit's key is uncertain, or nothing rotated", () => {
            assert.deepEqual(regenerationVerdict([member("a/gw", "secondary", true), member("b/gw", "primary")]), {
                skip: "b/gw still holds a token signed with the primary key",
            });
            assert.match(
                ("skip" in
                    regenerationVerdict([member("a/gw", "secondary", true), member("b/gw", "primary", false, "its rollout failed")]) &&
                    (
                        regenerationVerdict([
                            member("a/gw", "secondary", true),
                            member("b/gw", "primary", false, "its rollout failed"),
                        ]) as { skip: string }
                    ).skip) ||
                    "",
                /live key of b\/gw \(its rollout failed\) is not known/,
            );
            assert.match((regenerationVerdict([member("a/gw", "primary")]) as { skip: string }).skip, /nothing was rotated/);
            assert.match(
                (regenerationVerdict([member("a/gw", "secondary", true), member("b/gw", "primary", true)]) as { skip: string }).skip,
                /ended on different keys/,
            );
        });
    });

    it("a token expiring now is expired, one day later due", () => {
        assert.equal(assessUnit({ stack: "s", unit: unitOf(tokenUnit(0)), now: NOW }).status, "expired");
        assert.equal(assessUnit({ stack: "s", unit: unitOf(tokenUnit(1)), now: new Date(NOW.getTime() - DAY) }).status, "due");
    });
});
