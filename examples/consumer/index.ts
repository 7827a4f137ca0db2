// A platform team's own stack embedding the component from the published package: the gateway
// is one line of their program, next to whatever else they run.
import * as k8s from "@pulumi/kubernetes";
import { GATEWAY_IMAGE_VERSION, SelfHostedGateway } from "pulumi-apim-selfhosted-gateway";

const cluster = new k8s.Provider("platform-cluster", { context: "aks-platform-westeu" });

export const gateway = new SelfHostedGateway(
    "contoso",
    {
        resourceGroupName: "rg-apim",
        serviceName: "contoso-apim",
        gatewayId: "contoso-gw",
        location: { name: "Contoso DC West", city: "Amsterdam" },
        image: { tag: GATEWAY_IMAGE_VERSION },
        namespace: { name: "apim-gateway" },
    },
    { providers: { kubernetes: cluster } },
);

export const namespace = gateway.namespace;
export const tokenExpiresAt = gateway.tokenExpiresAt;
