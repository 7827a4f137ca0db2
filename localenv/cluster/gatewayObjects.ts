/** Reading the gateway's live objects from the API server: its Deployment, pods and endpoints. */
import { KubeApi } from "./kubeApi";
import { isReady, WithConditions } from "./nodes";
import { waitFor } from "./wait";

export interface DeploymentView {
    readonly metadata: { readonly name: string; readonly generation?: number };
    readonly spec: {
        readonly replicas: number;
        readonly progressDeadlineSeconds?: number;
        readonly selector: { readonly matchLabels: Record<string, string> };
        readonly strategy: { readonly rollingUpdate?: { readonly maxUnavailable?: number | string; readonly maxSurge?: number | string } };
    };
    readonly status?: {
        readonly replicas?: number;
        readonly readyReplicas?: number;
        readonly availableReplicas?: number;
        readonly updatedReplicas?: number;
        readonly observedGeneration?: number;
        readonly conditions?: readonly { readonly type: string; readonly status: string; readonly reason?: string }[];
    };
}

export interface PodView extends WithConditions {
    readonly metadata: {
        readonly name: string;
        readonly labels: Record<string, string>;
        readonly annotations?: Record<string, string>;
        readonly deletionTimestamp?: string;
    };
    readonly spec: { readonly nodeName?: string };
    readonly status?: WithConditions["status"] & { readonly phase?: string; readonly podIP?: string };
}

interface EndpointSliceView {
    readonly endpoints?: readonly { readonly addresses: readonly string[]; readonly conditions?: { readonly ready?: boolean } }[];
}

/** The namespace's one Deployment (the gateway's); throws if there is not exactly one. */
export async function gatewayDeployment(api: KubeApi, namespace: string): Promise<DeploymentView> {
    const list = await api.get<{ items: DeploymentView[] }>(`/apis/apps/v1/namespaces/${namespace}/deployments`);
    if (list.items.length !== 1) {
        throw new Error(
            `expected one Deployment in ${namespace}, found ${list.items.map((item) => item.metadata.name).join(", ") || "none"}`,
        );
    }
    return list.items[0];
}

const selectorQuery = (labels: Record<string, string>) =>
    encodeURIComponent(
        Object.entries(labels)
            .map(([key, value]) => `${key}=${value}`)
            .join(","),
    );

/** The pods the Deployment's selector matches, terminating ones included. */
export async function gatewayPods(api: KubeApi, namespace: string, deployment: DeploymentView): Promise<PodView[]> {
    const list = await api.get<{ items: PodView[] }>(
        `/api/v1/namespaces/${namespace}/pods?labelSelector=${selectorQuery(deployment.spec.selector.matchLabels)}`,
    );
    return list.items;
}

/** Pods Ready and not being deleted. */
export const servingPods = (pods: readonly PodView[]) => pods.filter((pod) => pod.metadata.deletionTimestamp === undefined && isReady(pod));

/** The addresses a Service's EndpointSlices list as ready, sorted. */
export async function readyEndpoints(api: KubeApi, namespace: string, service: string): Promise<string[]> {
    const list = await api.get<{ items: EndpointSliceView[] }>(
        `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices` +
            `?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${service}`)}`,
    );
    const addresses = list.items.flatMap((slice) =>
        (slice.endpoints ?? []).filter((endpoint) => endpoint.conditions?.ready === true).flatMap((endpoint) => endpoint.addresses),
    );
    return [...new Set(addresses)].sort();
}

/**
 * Waits until the namespace's gateway Deployment has settled at `replicas` pods: observed,
 * updated, available and serving, and no other pod (old or terminating) left.
 */
export async function settledGateway(
    api: KubeApi,
    namespace: string,
    replicas: number,
): Promise<{ deployment: DeploymentView; pods: PodView[] }> {
    return waitFor(
        `the gateway Deployment settled at ${replicas} ready pods`,
        async () => {
            const deployment = await gatewayDeployment(api, namespace);
            const pods = await gatewayPods(api, namespace, deployment);
            const status = deployment.status;
            const done =
                status?.observedGeneration === deployment.metadata.generation &&
                status?.availableReplicas === replicas &&
                status?.updatedReplicas === replicas &&
                status?.replicas === replicas &&
                pods.length === replicas &&
                servingPods(pods).length === replicas;
            return done ? { deployment, pods } : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 200 },
    );
}
