/** The pending-changes guard: the preview's changes beyond the rotation's, and the verdict on them (rotation/policy/). */
import { strict as assert } from "node:assert";
import { describeSteps } from "../../../rotation/model/engineRecord";
import type { PendingChange } from "../../../rotation/model/pendingChange";
import { judgePreview } from "../../../rotation/policy/decision";
import { pendingChanges } from "../../../rotation/policy/pendingChanges";
import { TARGETS, rotationSteps } from "../fakes";

describe("the pending-changes guard", () => {
    const deployment = (paths: string[]): PendingChange[] => pendingChanges([{ urn: TARGETS.deployment, op: "update", paths }], TARGETS);

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
            new RegExp(
                String.raw`^blocked: pending changes: Deployment gateway \(update\): ` +
                    String.raw`spec\.template\.spec\.containers\[0\]\.image\. Nothing was changed.*--include-pending-changes`,
            ),
        );
    });

    it("lists every pending change in the verdict, separated by semicolons", () => {
        const pending: PendingChange[] = [
            { urn: TARGETS.deployment, op: "update", paths: ["spec.replicas"] },
            { urn: TARGETS.secret, op: "replace", paths: ["metadata.labels"] },
        ];
        const verdict = judgePreview(pending, false);
        assert.match(
            !verdict.proceed ? verdict.reason : "",
            /^blocked: pending changes: Deployment gateway \(update\): spec\.replicas; Secret \S+ \(replace\): metadata\.labels\. /,
        );
    });

    it("blocks a replacement of the Deployment even when it changes only what a rotation changes", () => {
        const rotationsOwn = rotationSteps(TARGETS).find((step) => step.urn === TARGETS.deployment)!.paths;
        assert.ok(rotationsOwn.length > 0);
        assert.deepEqual(pendingChanges([{ urn: TARGETS.deployment, op: "replace", paths: rotationsOwn }], TARGETS), [
            { urn: TARGETS.deployment, op: "replace", paths: rotationsOwn },
        ]);
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
