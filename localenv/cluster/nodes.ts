/** Simulated nodes: Node objects that kwok maintains as if a kubelet ran them. */

/** The zones the nodes are spread over by default (`topology.kubernetes.io/zone`). */
export const ZONES = ["zone-a", "zone-b", "zone-c"] as const;

/** The well-known label of a node's zone, which the gateway's topology spread uses. */
export const ZONE_LABEL = "topology.kubernetes.io/zone";

/** kwok manages the nodes carrying this annotation (its documented convention). */
export const KWOK_NODE_ANNOTATION = "kwok.x-k8s.io/node";
export const KWOK_NODE_SELECTOR = `${KWOK_NODE_ANNOTATION}=fake`;

/** One simulated node. */
export interface SimulatedNode {
    readonly name: string;
    readonly zone: string;
}

/** `nodesPerZone` nodes in each zone, named `kwok-<zone>-<index>`. */
export function plannedNodes(zones: readonly string[], nodesPerZone: number): SimulatedNode[] {
    return zones.flatMap((zone) => Array.from({ length: nodesPerZone }, (_, index) => ({ name: `kwok-${zone}-${index}`, zone })));
}

/**
 * The Node object. Capacity is generous so the scheduler's spread constraints, not resources,
 * decide placement. No taint: only simulated nodes exist, so workloads need no toleration.
 */
export function nodeManifest(node: SimulatedNode): object {
    const resources = { cpu: "32", memory: "256Gi", pods: "110" };
    return {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
            name: node.name,
            annotations: { [KWOK_NODE_ANNOTATION]: "fake", "node.alpha.kubernetes.io/ttl": "0" },
            labels: {
                "kubernetes.io/hostname": node.name,
                [ZONE_LABEL]: node.zone,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                type: "kwok",
            },
        },
        status: {
            allocatable: resources,
            capacity: resources,
            nodeInfo: { architecture: "amd64", operatingSystem: "linux", kubeletVersion: "fake", kubeProxyVersion: "fake" },
        },
    };
}

/** The part of a Node (or Pod) object that readiness is read from. */
export interface WithConditions {
    readonly metadata: { readonly name: string };
    readonly status?: { readonly conditions?: readonly { readonly type: string; readonly status: string }[] };
}

/** Whether a Node (or Pod) object reports condition Ready=True. */
export function isReady(node: WithConditions): boolean {
    return node.status?.conditions?.some((condition) => condition.type === "Ready" && condition.status === "True") ?? false;
}
