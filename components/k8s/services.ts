import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { CONTAINER_PORTS, PORT_NAMES } from "../constants";
import { ResolvedSettings } from "../settings";

/**
 * The live-traffic Service: LoadBalancer with `externalTrafficPolicy: Local` by default, which
 * keeps the caller's IP for policies and saves a hop (traffic may be uneven when nodes run
 * unequal numbers of gateway pods). Ports 80/443 go to the container's http/https ports.
 */
export function liveTrafficService(name: string, settings: ResolvedSettings, namespace: pulumi.Input<string>, parent: pulumi.Resource): k8s.core.v1.Service {
    const s = settings.service;
    return new k8s.core.v1.Service(
        `${name}-live-traffic`,
        {
            metadata: {
                name: settings.names.liveTrafficService,
                namespace,
                labels: settings.labels.common,
                annotations: Object.keys(s.annotations).length > 0 ? s.annotations : undefined,
            },
            spec: {
                type: s.type,
                externalTrafficPolicy: s.externalTrafficPolicy,
                loadBalancerIP: s.loadBalancerIP,
                loadBalancerSourceRanges: s.loadBalancerSourceRanges,
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
export function instanceDiscoveryService(
    name: string,
    settings: ResolvedSettings,
    namespace: pulumi.Input<string>,
    parent: pulumi.Resource,
): k8s.core.v1.Service {
    return new k8s.core.v1.Service(
        `${name}-instance-discovery`,
        {
            metadata: { name: settings.names.instanceDiscoveryService, namespace, labels: settings.labels.common },
            spec: {
                type: "ClusterIP",
                clusterIP: "None",
                selector: settings.labels.selector,
                ports: [
                    { name: PORT_NAMES.rateLimitDiscovery, port: CONTAINER_PORTS.rateLimitDiscovery, targetPort: PORT_NAMES.rateLimitDiscovery, protocol: "UDP" },
                    { name: PORT_NAMES.heartbeat, port: CONTAINER_PORTS.heartbeat, targetPort: PORT_NAMES.heartbeat, protocol: "UDP" },
                ],
            },
        },
        { parent },
    );
}
