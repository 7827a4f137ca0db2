import * as k8s from "@pulumi/kubernetes";
import { BuildContext, objectMetadata } from "../buildContext";
import { PORT_NAMES } from "../constants";

/**
 * The live-traffic Service: LoadBalancer with `externalTrafficPolicy: Local` by default, which
 * keeps the caller's IP for policies and saves a hop (traffic may be uneven when nodes run
 * unequal numbers of gateway pods). Ports 80/443 go to the container's http/https ports.
 */
export function liveTrafficService(context: BuildContext): k8s.core.v1.Service {
    const { name, settings, parent } = context;
    const s = settings.service;
    return new k8s.core.v1.Service(
        `${name}-live-traffic`,
        {
            metadata: objectMetadata(context, settings.names.liveTrafficService, s.annotations),
            spec: {
                type: s.type,
                externalTrafficPolicy: s.externalTrafficPolicy,
                loadBalancerIP: s.loadBalancerIP,
                loadBalancerSourceRanges: s.loadBalancerSourceRanges,
                allocateLoadBalancerNodePorts: s.allocateLoadBalancerNodePorts,
                selector: settings.labels.selector,
                ports: [
                    { name: PORT_NAMES.http, port: s.httpPort, targetPort: PORT_NAMES.http, protocol: "TCP" },
                    { name: PORT_NAMES.https, port: s.httpsPort, targetPort: PORT_NAMES.https, protocol: "TCP" },
                ],
            },
        },
        { parent },
    );
}

/**
 * The headless instance-discovery Service (`neighborhood.host`): through its DNS records the
 * replicas find each other to synchronise rate limits (UDP 4290) and exchange heartbeats (UDP 4291).
 */
export function instanceDiscoveryService(context: BuildContext): k8s.core.v1.Service {
    const { name, settings, parent } = context;
    return new k8s.core.v1.Service(
        `${name}-instance-discovery`,
        {
            metadata: objectMetadata(context, settings.names.instanceDiscoveryService),
            spec: {
                type: "ClusterIP",
                clusterIP: "None",
                selector: settings.labels.selector,
                ports: [
                    {
                        name: PORT_NAMES.rateLimitDiscovery,
                        port: settings.instanceDiscovery.synchronizationPort,
                        targetPort: PORT_NAMES.rateLimitDiscovery,
                        protocol: "UDP",
                    },
                    {
                        name: PORT_NAMES.heartbeat,
                        port: settings.instanceDiscovery.heartbeatPort,
                        targetPort: PORT_NAMES.heartbeat,
                        protocol: "UDP",
                    },
                ],
            },
        },
        { parent },
    );
}
