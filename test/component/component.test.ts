import { strict as assert } from "node:assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Provider as AzureNativeProvider } from "@pulumi/azure-native/provider";
import * as components from "../../components";
import { GATEWAY_TOKEN_TYPE } from "../../components/token/typeToken";
import { installMocks, promiseOf } from "../helpers/pulumiMocks";
import { BASE_ARGS, build, K8S, resource } from "./support";

const COMPONENT_TYPE = "apim-gateway:index:SelfHostedGateway";

describe("SelfHostedGateway: component contract", () => {
    it("exports the component, its argument types' companions, GatewayToken and the pinned image version", () => {
        assert.equal(typeof components.SelfHostedGateway, "function");
        assert.equal(typeof components.GatewayToken, "function");
        assert.equal(typeof components.GatewayArgumentError, "function");
        assert.equal(components.GATEWAY_IMAGE_VERSION, "2.11.1");
        assert.equal(components.DEFAULT_IMAGE_REPOSITORY, "mcr.microsoft.com/azure-api-management/gateway");
    });

    it(`registers as ${COMPONENT_TYPE} and parents every child to it`, async () => {
        const { recorder } = await build();
        const component = recorder.one(COMPONENT_TYPE);
        assert.equal(component.custom, false);
        assert.equal(component.urn, `urn:pulumi:stack::project::${COMPONENT_TYPE}::contoso`);
        const children = recorder.resources.filter((r) => r !== component);
        assert.ok(children.length >= 10, `expected the full set of children, got ${children.length}`);
        for (const child of children) {
            assert.ok(
                child.urn.startsWith(`urn:pulumi:stack::project::${COMPONENT_TYPE}$`),
                `${child.type} ${child.name} is not parented: ${child.urn}`,
            );
        }
    });

    it("names children after the component", async () => {
        const { recorder } = await build();
        const names = recorder.resources.filter((r) => r.type !== COMPONENT_TYPE).map((r) => r.name);
        for (const name of names) {
            assert.ok(name.startsWith("contoso-"), name);
        }
        assert.equal(new Set(names).size, names.length, "logical names must be unique");
    });

    it("hands the component's kubernetes and azure-native providers to every child", async () => {
        const recorder = await installMocks();
        const k8sProvider = new k8s.Provider("cluster", { kubeconfig: "{}" });
        const azureProvider = new AzureNativeProvider("azure", {});
        new components.SelfHostedGateway(
            "contoso",
            { ...BASE_ARGS, apiIds: ["echo-api"] },
            { providers: { kubernetes: k8sProvider, "azure-native": azureProvider } },
        );
        await recorder.settled();
        const k8sUrn = await promiseOf(k8sProvider.urn);
        const azureUrn = await promiseOf(azureProvider.urn);
        const kubernetes = recorder.kubernetesObjects();
        const azure = recorder.resources.filter((r) => r.type.startsWith("azure-native:apimanagement:"));
        assert.ok(kubernetes.length > 0 && azure.length === 2);
        for (const r of kubernetes) {
            assert.ok(r.provider?.startsWith(`${k8sUrn}::`), `${r.type} uses ${r.provider}`);
        }
        for (const r of azure) {
            assert.ok(r.provider?.startsWith(`${azureUrn}::`), `${r.type} uses ${r.provider}`);
        }
    });

    it("exposes its public outputs, with rotationTargets naming the token, its Secret and the Deployment", async () => {
        const { gateway, recorder } = await build();
        const armId =
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-apim/providers" +
            "/Microsoft.ApiManagement/service/contoso-apim/gateways/contoso-gw";
        assert.equal(await promiseOf(gateway.gatewayResourceId), armId);
        assert.equal(await promiseOf(gateway.namespace), "apim-gateway");
        assert.equal(await promiseOf(gateway.authType), "token");
        assert.equal(await promiseOf(gateway.deployment.metadata.name), "contoso-gw");
        assert.equal(await promiseOf(gateway.liveTrafficService.metadata.name), "contoso-gw-live-traffic");
        assert.equal(await promiseOf(gateway.instanceDiscoveryService.metadata.name), "contoso-gw-instance-discovery");
        assert.equal(await promiseOf(gateway.tokenIssuedAt), "2030-01-01T00:00:00.000Z");
        assert.equal(await promiseOf(gateway.tokenExpiresAt), "2030-01-31T00:00:00.000Z");
        assert.equal(await promiseOf(gateway.tokenRenewAfter), "2030-01-21T00:00:00.000Z");
        assert.equal(await promiseOf(gateway.tokenKeyType), "primary");
        assert.ok(gateway.token instanceof components.GatewayToken);
        assert.ok(gateway.tokenSecret instanceof k8s.core.v1.Secret);

        const targets = await promiseOf(gateway.rotationTargets);
        assert.deepEqual(targets, [
            recorder.one(GATEWAY_TOKEN_TYPE).urn,
            resource(recorder, K8S.secret).urn,
            resource(recorder, K8S.deployment).urn,
        ]);
        assert.ok(targets.every((urn) => urn.startsWith("urn:pulumi:")));
    });

    it("registers its outputs with the engine (registerOutputs)", async () => {
        const { recorder } = await build();
        const monitor = pulumi.runtime.getMonitor() as unknown as {
            getRegisteredResources(): Map<string, { state: { toJavaScript(): Record<string, unknown> } }>;
        };
        const state = monitor.getRegisteredResources().get(recorder.one(COMPONENT_TYPE).urn)!.state.toJavaScript();
        for (const key of [
            "gatewayResourceId",
            "namespace",
            "deployment",
            "liveTrafficService",
            "instanceDiscoveryService",
            "token",
            "tokenSecret",
            "tokenExpiresAt",
            "tokenRenewAfter",
            "tokenIssuedAt",
            "tokenKeyType",
            "authType",
            "rotationTargets",
        ]) {
            assert.ok(key in state, `registerOutputs lacks ${key}`);
        }
    });

    it("makes no invokes (works without read access to Azure or the cluster at plan time)", async () => {
        const { recorder } = await build({ apiIds: ["a"], hostnameConfigurations: [{ hostname: "api.contoso.com", certificateId: "c" }] });
        assert.deepEqual(recorder.calls, []);
    });
});
