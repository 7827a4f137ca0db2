import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { defineStack } from "../../stacks/program";
import { loadStackFile } from "../../stacks/stackFile";
import { GATEWAY_TOKEN_TYPE } from "../../components/token/typeToken";
import { installMocks, promiseOf, ResourceRecorder, secretPaths } from "../helpers/pulumiMocks";
import { RENEWAL_TRIGGER_ENV, ROTATION_OUTPUT, RotationUnitOutput, parseRotationOutput } from "../../components";

const prod = loadStackFile(path.resolve(__dirname, "../../stacks/Pulumi.prod.yaml"));

function outputValue<T>(output: pulumi.Output<T> | T): Promise<T> {
    return promiseOf(pulumi.output(output) as pulumi.Output<T>);
}

async function runStack(
    overrides: Record<string, string> = {},
    secretKeys: string[] = [],
): Promise<{ recorder: ResourceRecorder; outputs: ReturnType<typeof defineStack> }> {
    const recorder = await installMocks({ project: "apim-gateway", stack: "prod" });
    pulumi.runtime.setAllConfig({ ...prod.values, ...overrides }, [...prod.secretKeys, ...secretKeys]);
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
            assert.equal(
                await pulumi.isSecret(pulumi.output(value as pulumi.Input<unknown>)),
                false,
                `${name} must be plain: the rotation program reads it`,
            );
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

    it("without a configured kubeconfig, records none (the ambient one at run time), not the shell's $KUBECONFIG path", async () => {
        const saved = process.env.KUBECONFIG;
        process.env.KUBECONFIG = "/home/ops/.kube/aks-dev";
        try {
            const { recorder } = await runStack();
            const [provider] = recorder.ofType("pulumi:providers:kubernetes");
            assert.equal(provider.inputs.kubeconfig, "", "a scheduled run with another kubeconfig file must see no provider change");
        } finally {
            if (saved === undefined) {
                delete process.env.KUBECONFIG;
            } else {
                process.env.KUBECONFIG = saved;
            }
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

    it("keeps every value of a secret config key a Pulumi secret in the objects it reaches", async () => {
        const { recorder } = await runStack(
            {
                "apim-gateway:env": JSON.stringify([{ name: "BACKEND_API_KEY", value: "env-secret-value" }]),
                "apim-gateway:configuration": JSON.stringify({
                    settings: { "net.server.http.forwarded.proto.enabled": "setting-secret-value" },
                }),
            },
            ["apim-gateway:env", "apim-gateway:configuration"],
        );
        const deployment = recorder.one("kubernetes:apps/v1:Deployment");
        assert.deepEqual(secretPaths(deployment.rawInputs), [], "the value moved to a Secret: the Deployment stays plain and diffable");
        const env = deployment.inputs.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === "BACKEND_API_KEY");
        const secret = recorder
            .ofType("kubernetes:core/v1:Secret")
            .find((r) => r.inputs.metadata.name === env.valueFrom.secretKeyRef.name)!;
        assert.deepEqual(secret.inputs.stringData, { BACKEND_API_KEY: "env-secret-value" });
        assert.ok(secretPaths(secret.rawInputs).includes("/stringData"), "the Secret's data is a Pulumi secret");
        const configMap = recorder
            .ofType("kubernetes:core/v1:ConfigMap")
            .find((r) => r.inputs.data?.["net.server.http.forwarded.proto.enabled"] !== undefined)!;
        assert.ok(
            secretPaths(configMap.rawInputs).length > 0,
            `the ConfigMap data is a secret: ${JSON.stringify(configMap.rawInputs).slice(0, 300)}`,
        );
        for (const resource of recorder.resources) {
            const plain = JSON.stringify(resource.rawInputs, (_key, value) =>
                value && typeof value === "object" && "4dabf18193072939515e22adb298388d" in value ? "<secret>" : value,
            );
            assert.ok(
                !plain.includes("env-secret-value") && !plain.includes("setting-secret-value"),
                `${resource.type} ${resource.name} holds a secret in plain text`,
            );
        }
    });
});
