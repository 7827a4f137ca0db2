import * as k8s from "@pulumi/kubernetes";
import { BuildContext, objectMetadata } from "../buildContext";
import { CONTAINER_PORTS } from "../constants";

/**
 * Optional ingress NetworkPolicy: traffic ports 8080/8081 from `trafficFrom` (default anyone: it
 * is an API gateway), instance-discovery UDP 4290/4291 only from the gateway's own pods. Egress is
 * not restricted: the gateway must reach Azure (configuration, telemetry) and arbitrary backends.
 */
export function networkPolicy(context: BuildContext): k8s.networking.v1.NetworkPolicy | undefined {
    const { name, settings, parent } = context;
    const policy = settings.networkPolicy;
    if (!policy.enabled) {
        return undefined;
    }
    const gatewayPods = { podSelector: { matchLabels: settings.labels.selector } };
    return new k8s.networking.v1.NetworkPolicy(
        `${name}-network-policy`,
        {
            metadata: objectMetadata(context, settings.names.networkPolicy),
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
                            { protocol: "UDP", port: settings.instanceDiscovery.synchronizationPort },
                            { protocol: "UDP", port: settings.instanceDiscovery.heartbeatPort },
                        ],
                    },
                ],
            },
        },
        { parent },
    );
}
