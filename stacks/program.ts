import * as k8s from "@pulumi/kubernetes";
import { GatewayAuthArgs, ROTATION_OUTPUT, SelfHostedGateway, SelfHostedGatewayArgs, rotationOutputs, validateSelfHostedGatewayArgs } from "../components";
import { readStackConfig, secretValue, StackConfigError } from "./config";
import { StackConfig } from "./configSchema";

type ComponentConfig = Omit<StackConfig, "kubeconfig" | "kubeContext" | "renderYamlToDirectory" | "azureAdClientSecret">;

function authArgs(config: ComponentConfig, azureAdClientSecret: string | undefined): GatewayAuthArgs | undefined {
    if (config.auth?.type !== "azureAdApp") {
        return config.auth;
    }
    const clientSecret = secretValue(azureAdClientSecret);
    if (clientSecret === undefined) {
        throw new StackConfigError([
            "'apim-gateway:azureAdClientSecret' is required with auth.type azureAdApp: " +
                "set it with 'pulumi config set --secret azureAdClientSecret <secret>'",
        ]);
    }
    return { ...config.auth, clientSecret };
}

/**
 * Maps the validated stack config onto the component's arguments. Kubernetes pass-through objects
 * (dnsConfig, tolerations, affinity, env, NetworkPolicy peers) keep their YAML shape; the API
 * server validates them.
 */
function componentArgs(config: ComponentConfig, azureAdClientSecret: string | undefined): SelfHostedGatewayArgs {
    return {
        ...config,
        dns: config.dns && { ...config.dns, config: config.dns.config as k8s.types.input.core.v1.PodDNSConfig },
        networkPolicy: config.networkPolicy && {
            ...config.networkPolicy,
            trafficFrom: config.networkPolicy.trafficFrom as k8s.types.input.networking.v1.NetworkPolicyPeer[],
        },
        tolerations: config.tolerations as k8s.types.input.core.v1.Toleration[] | undefined,
        affinity: config.affinity as k8s.types.input.core.v1.Affinity | undefined,
        env: config.env as k8s.types.input.core.v1.EnvVar[] | undefined,
        auth: authArgs(config, azureAdClientSecret),
        token: config.token,
    };
}

/**
 * The per-environment stack: one Kubernetes provider and one {@link SelfHostedGateway}, from the
 * stack's config. Returns the stack outputs: the rotation contract (the package's public helper,
 * as any embedding stack uses it) and the gateway's id and namespace for people.
 */
export function defineStack() {
    const { kubeconfig, kubeContext, renderYamlToDirectory, azureAdClientSecret, ...config } = readStackConfig();
    const args = componentArgs(config, azureAdClientSecret);
    validateSelfHostedGatewayArgs(args);

    const kubernetes = new k8s.Provider("kubernetes", {
        kubeconfig: secretValue(kubeconfig),
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
