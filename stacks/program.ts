import * as k8s from "@pulumi/kubernetes";
import { ROTATION_OUTPUT, SelfHostedGateway, rotationOutputs } from "../components";
import { readStackSettings } from "./config";

/**
 * The per-environment stack: one Kubernetes provider and one {@link SelfHostedGateway}, from the
 * stack's config. Returns the stack outputs: the rotation contract (the package's public helper,
 * as any embedding stack uses it) and the gateway's id and namespace for people.
 */
export function defineStack() {
    // Throws before anything is registered (not even the provider) when the config is invalid.
    const { args, kubeconfig, kubeContext, renderYamlToDirectory } = readStackSettings();

    const kubernetes = new k8s.Provider("kubernetes", {
        // Without a configured kubeconfig, "" (not undefined): the provider then resolves the ambient
        // kubeconfig when it runs. Left undefined, the SDK records the deploying shell's $KUBECONFIG
        // path as an input, and a scheduled rotation whose kubeconfig is another file (aks-set-context
        // writes a new one each run) sees a provider change and is blocked as a pending change.
        kubeconfig: kubeconfig ?? "",
        context: kubeContext,
        renderYamlToDirectory,
    });
    const gateway = new SelfHostedGateway("gateway", args, {
        providers: { kubernetes },
    });

    return {
        gatewayResourceId: gateway.gatewayResourceId,
        namespace: gateway.namespace,
        [ROTATION_OUTPUT]: rotationOutputs(gateway),
    };
}
