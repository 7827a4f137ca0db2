// A platform team's stack: two self-hosted gateways (one per site) adopting gateway entities of a
// central API Management service, next to a resource of the platform's own. The last line makes
// both gateways rotatable by the scheduled `apim-gateway-rotate --all`.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { AzureCloudSettings, rotationOutputs, SelfHostedGateway } from "pulumi-apim-selfhosted-gateway";

const config = new pulumi.Config();
const apim = {
    existingGateway: true,
    subscriptionId: config.require("apimSubscriptionId"),
    resourceGroupName: config.require("apimResourceGroup"),
    serviceName: config.require("apimServiceName"),
    // Production asks who may reach each gateway's load balancer: here the sites' private network.
    service: { exposure: "internal" as const },
    // Optional: a sovereign cloud's (or a test emulator's) endpoints.
    azureCloud: config.getObject<AzureCloudSettings>("apimAzureCloud"),
};

const cluster = new k8s.Provider("platform-cluster", {
    // The ambient kubeconfig, resolved when it runs (not this shell's $KUBECONFIG path, recorded in state).
    kubeconfig: "",
    context: config.get("kubeContext"),
    // Optional: write manifests instead of applying them, to review what a change would do.
    renderYamlToDirectory: config.get("renderYamlToDirectory"),
});

// The platform's own resource: the gateways must never touch it.
export const toolsNamespace = new k8s.core.v1.Namespace("platform-tools", { metadata: { name: "platform-tools" } }, { provider: cluster })
    .metadata.name;

const west = new SelfHostedGateway(
    "west",
    { ...apim, gatewayId: "contoso-west", namespace: { name: "apim-west" } },
    { providers: { kubernetes: cluster } },
);
const north = new SelfHostedGateway(
    "north",
    { ...apim, gatewayId: "contoso-north", namespace: { name: "apim-north" } },
    { providers: { kubernetes: cluster } },
);

export const apimGatewayRotation = rotationOutputs({ west, north });
