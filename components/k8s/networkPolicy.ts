import * as k8s from "@pulumi/kubernetes";
import { BuildContext, objectMetadata } from "../buildContext";
import { CONTAINER_PORTS, INSTANCE_METADATA_CIDR } from "../constants";

/**
 * Egress: anywhere but the instance metadata endpoint. The gateway must reach Azure
 * (configuration, telemetry), arbitrary backends and cluster DNS, so nothing else is closed. Pods
 * are allowed by selector as well as by address, because network plugins differ on whether an
 * `ipBlock` matches pod IPs (Cilium's does not).
 */
const EGRESS: k8s.types.input.networking.v1.NetworkPolicyEgressRule[] = [
    {
        to: [
            { ipBlock: { cidr: "0.0.0.0/0", except: [INSTANCE_METADATA_CIDR] } },
            { ipBlock: { cidr: "::/0" } },
            { namespaceSelector: {} },
        ],
    },
];

/**
 * The gateway pods' NetworkPolicy (on by default in production). Ingress: traffic ports 8080/8081
 * from `trafficFrom` (resolved from the Service's clients; default anyone: it is an API gateway),
 * instance-discovery UDP 4290/4291 only from the gateway's own pods. Egress: all but the instance
 * metadata endpoint, whose tokens belong to the node's identities, not the gateway's.
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
                policyTypes: ["Ingress", "Egress"],
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
                egress: EGRESS,
            },
        },
        { parent },
    );
}
