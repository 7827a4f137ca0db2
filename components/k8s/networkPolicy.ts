import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { CONTAINER_PORTS } from "../constants";
import { ResolvedSettings } from "../settings";

/**
 * Optional ingress NetworkPolicy: traffic ports 8080/8081 from `trafficFrom` (default anyone: it
 * is an API gateway), instance-discovery UDP 4290/4291 only from the gateway's own pods. Egress is
 * not restricted: the gateway must reach Azure (configuration, telemetry) and arbitrary backends.
 */
export function networkPolicy(
    name: string,
    settings: ResolvedSettings,
    namespace: pulumi.Input<string>,
    parent: pulumi.Resource,
): k8s.networking.v1.NetworkPolicy | undefined {
    const policy = settings.networkPolicy;
    if (!policy.enabled) {
        return undefined;
    }
    const gatewayPods = { podSelector: { matchLabels: settings.labels.selector } };
    return new k8s.networking.v1.NetworkPolicy(
        `${name}-network-policy`,
        {
            metadata: { name: settings.names.networkPolicy, namespace, labels: settings.labels.common },
            spec: {
                podSelector: { matchLabels: settings.labels.selector },
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: policy.trafficFrom,
                        ports: [
                            { protocol: "TCP", port: CONTAINER_PORTS.http },
                            { protocol: "TCP", port: CONTAINER_PORTS.https },
                        ],
                    },
                    {
                        from: [gatewayPods],
                        ports: [
                            { protocol: "UDP", port: CONTAINER_PORTS.rateLimitDiscovery },
                            { protocol: "UDP", port: CONTAINER_PORTS.heartbeat },
                        ],
                    },
                ],
            },
        },
        { parent },
    );
}
