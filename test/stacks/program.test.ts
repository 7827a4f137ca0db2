import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { defineStack } from "../../stacks/program";
import { loadStackFile } from "../../stacks/stackFile";
import { GATEWAY_TOKEN_TYPE, installMocks, promiseOf, ResourceRecorder } from "../helpers/pulumiMocks";
import { RENEWAL_TRIGGER_ENV, ROTATION_OUTPUT, RotationUnitOutput, parseRotationOutput } from "../../components";

const prod = loadStackFile(path.resolve(__dirname, "../../stacks/Pulumi.prod.yaml"));

function outputValue<T>(output: pulumi.Output<T> | T): Promise<T> {
    return promiseOf(pulumi.output(output) as pulumi.Output<T>);
}

async function runStack(overrides: Record<string, string> = {}): Promise<{ recorder: ResourceRecorder; outputs: ReturnType<typeof defineStack> }> {
    const recorder = await installMocks({ project: "apim-gateway", stack: "prod" });
    pulumi.runtime.setAllConfig({ ...prod.values, ...overrides }, prod.secretKeys);
    const outputs = defineStack();
    await recorder.settled();
    return { recorder, outputs };
}

describe("the stack program", () => {
    afterEach(() => {
        delete process.env[RENEWAL_TRIGGER_ENV];
    });

    it("exports the rotation contract for its one gateway, keyed by the component's name, in plain text", async () => {
        const { outputs } = await runStack();
        assert.match(await outputValue<string>(outputs.gatewayResourceId), /\/service\/contoso-apim\/gateways\/contoso-gw-westeu$/);
        assert.equal(await outputValue(outputs.namespace), "apim-gateway");
        const contract = await outputValue<Record<string, RotationUnitOutput>>(outputs[ROTATION_OUTPUT]);
        assert.deepEqual(Object.keys(contract), ["gateway"]);
        const [parsed] = parseRotationOutput(contract);
        assert.ok("unit" in parsed, JSON.stringify(parsed));
        const unit = parsed.unit;
        assert.equal(unit.authType, "token");
        assert.equal(unit.token?.keyType, "primary");
        assert.match(unit.token?.checksum ?? "", /^[0-9a-f]{64}$/);
        assert.ok(unit.targets?.token.endsWith("GatewayToken::gateway-token"), unit.targets?.token);
        assert.ok(unit.targets?.secret.includes("kubernetes:core/v1:Secret"), unit.targets?.secret);
        assert.ok(unit.targets?.deployment.includes("kubernetes:apps/v1:Deployment"), unit.targets?.deployment);
        for (const [name, value] of Object.entries(outputs)) {
            assert.equal(await pulumi.isSecret(pulumi.output(value as pulumi.Input<unknown>)), false, `${name} must be plain: the rotation program reads it`);
        }
    });

    it("passes the rotation program's renewal trigger to the token, and none otherwise", async () => {
        const plain = await runStack();
        assert.equal(plain.recorder.one(GATEWAY_TOKEN_TYPE).inputs.renewalTrigger, undefined);
        process.env[RENEWAL_TRIGGER_ENV] = "2026-11-26T15:00:00.000Z";
        const forced = await runStack();
        assert.equal(forced.recorder.one(GATEWAY_TOKEN_TYPE).inputs.renewalTrigger, "2026-11-26T15:00:00.000Z");
    });

    it("uses the stack's Kubernetes provider for every Kubernetes object", async () => {
        const { recorder } = await runStack({ "apim-gateway:renderYamlToDirectory": "/tmp/rendered" });
        const [provider] = recorder.ofType("pulumi:providers:kubernetes");
        assert.equal(provider.inputs.renderYamlToDirectory, "/tmp/rendered");
        const objects = recorder.resources.filter((r) => r.type.startsWith("kubernetes:"));
        assert.ok(objects.length > 5);
        for (const object of objects) {
            assert.ok(object.provider?.includes("pulumi:providers:kubernetes::kubernetes"), `${object.type} ${object.name}`);
        }
    });

    it("registers nothing at all when the component's arguments are invalid", async () => {
        const recorder = await installMocks({ project: "apim-gateway", stack: "prod" });
        pulumi.runtime.setAllConfig({ ...prod.values, "apim-gateway:gatewayId": "g".repeat(81) }, prod.secretKeys);
        assert.throws(() => defineStack(), /gatewayId/);
        await recorder.settled();
        assert.deepEqual(recorder.resources, [], "not even the Kubernetes provider");
    });

    it("requires the Entra client secret with azureAdApp auth, naming the key and the command", async () => {
        await installMocks({ project: "apim-gateway", stack: "prod" });
        pulumi.runtime.setAllConfig(
            { ...prod.values, "apim-gateway:auth": JSON.stringify({ type: "azureAdApp", tenantId: "t", clientId: "c" }) },
            prod.secretKeys,
        );
        assert.throws(() => defineStack(), /apim-gateway:azureAdClientSecret.*pulumi config set --secret azureAdClientSecret/s);
    });
});
