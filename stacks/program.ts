import * as k8s from "@pulumi/kubernetes";
import { SelfHostedGateway } from "../components";
import { readStackSettings } from "./config";
import { OUTPUTS, RENEWAL_TRIGGER_ENV } from "../rotation/stackContract";

/**
 * The per-environment stack: one Kubernetes provider and one {@link SelfHostedGateway}, from the
 * stack's config. Returns the stack outputs the rotation program reads.
 */
export function defineStack() {
    // Throws before anything is registered (not even the provider) when the config is invalid.
    const { args, kubeconfig, kubeContext, renderYamlToDirectory, azureCloud } = readStackSettings(process.env[RENEWAL_TRIGGER_ENV] || undefined);

    const kubernetes = new k8s.Provider("kubernetes", {
        kubeconfig,
        context: kubeContext,
        renderYamlToDirectory,
    });
    const gateway = new SelfHostedGateway("gateway", args, {
        providers: { kubernetes },
    });

    return {
        gatewayResourceId: gateway.gatewayResourceId,
        namespace: gateway.namespace,
        authType: gateway.authType,
        tokenExpiresAt: gateway.tokenExpiresAt,
        tokenRenewAfter: gateway.tokenRenewAfter,
        tokenIssuedAt: gateway.tokenIssuedAt,
        tokenKeyType: gateway.tokenKeyType,
        rotationTargets: gateway.rotationTargets,
        azureCloud,
    } satisfies Record<keyof typeof OUTPUTS | "namespace", unknown>;
}
