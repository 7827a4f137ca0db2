import * as k8s from "@pulumi/kubernetes";
import { rotationOutputs, SelfHostedGateway } from "pulumi-apim-selfhosted-gateway";

// kubeconfig "": the ambient one, resolved when it runs, not your shell's $KUBECONFIG path
// recorded in state, which a scheduled rotation would see change (docs/scheduling.md).
const cluster = new k8s.Provider("platform-cluster", { kubeconfig: "", context: "aks-platform-westeu" });

const gateway = new SelfHostedGateway("contoso", {
    resourceGroupName: "rg-apim",
    serviceName: "contoso-apim",
    gatewayId: "contoso-gw",                     // 1-80 characters, not "managed"
    location: { name: "Contoso DC West", city: "Amsterdam" },
    service: { exposure: "internal" },           // or "public": production asks which
}, { providers: { kubernetes: cluster } });      // and "azure-native" if not the default one

// Makes the gateway rotatable by the scheduled `apim-gateway-rotate` (see Schedule the rotation).
export const apimGatewayRotation = rotationOutputs(gateway);
