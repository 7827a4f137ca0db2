/**
 * Issue 5 §1: the local control plane built from Go modules really runs Kubernetes. A real API
 * server (RBAC, Node authorization, Pod Security admission), controllers and scheduler place a
 * zone-spread Deployment on kwok's simulated nodes, kwok marks the pods Ready, the EndpointSlice
 * controller publishes them, and teardown leaves no process or file behind.
 */
import { strict as assert } from "node:assert";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { ControlPlane, POD_CIDR, startControlPlane } from "../../localenv/cluster/controlPlane";
import { KubeApi, KubeApiError } from "../../localenv/cluster/kubeApi";
import { NEVER_READY_ANNOTATION } from "../../localenv/cluster/kwokConfig";
import { isReady, WithConditions, ZONES } from "../../localenv/cluster/nodes";
import { LOOPBACK } from "../../localenv/cluster/ports";
import { CLUSTER_TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/cluster/toolchain";
import { waitFor } from "../../localenv/cluster/wait";

const NAMESPACE = "spread-proof";
const APP = "spread-proof";

interface PodView extends WithConditions {
    readonly metadata: { readonly name: string; readonly annotations?: Record<string, string> };
    readonly spec: { readonly nodeName?: string };
    readonly status?: WithConditions["status"] & { readonly phase?: string; readonly podIP?: string };
}

interface NodeView {
    readonly metadata: { readonly name: string; readonly labels: Record<string, string>; readonly annotations: Record<string, string> };
    readonly status: { readonly addresses: { readonly type: string; readonly address: string }[] };
}

function container(name: string) {
    return {
        name,
        image: "registry.invalid/never-pulled:1",
        securityContext: {
            allowPrivilegeEscalation: false,
            runAsNonRoot: true,
            runAsUser: 1000,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        },
    };
}

function spreadDeployment(replicas: number) {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: APP, namespace: NAMESPACE },
        spec: {
            replicas,
            selector: { matchLabels: { app: APP } },
            template: {
                metadata: { labels: { app: APP } },
                spec: {
                    containers: [container("app")],
                    topologySpreadConstraints: [
                        {
                            maxSkew: 1,
                            topologyKey: "topology.kubernetes.io/zone",
                            whenUnsatisfiable: "DoNotSchedule",
                            labelSelector: { matchLabels: { app: APP } },
                        },
                    ],
                },
            },
        },
    };
}

const ipv4ToNumber = (ip: string) => ip.split(".").reduce((value, octet) => value * 256 + Number(octet), 0);
function inCidr(ip: string, cidr: string): boolean {
    const [base, bits] = cidr.split("/");
    const size = 2 ** (32 - Number(bits));
    return Math.floor(ipv4ToNumber(ip) / size) === Math.floor(ipv4ToNumber(base) / size);
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
function listening(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = connect({ host: LOOPBACK, port });
        socket.once("connect", () => {
            socket.destroy();
            resolve(true);
        });
        socket.once("error", () => resolve(false));
    });
}

/** Creates a namespace and waits for its `default` ServiceAccount, without which pods are refused. */
async function createNamespace(api: KubeApi, name: string, labels: Record<string, string> = {}): Promise<void> {
    await api.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } });
    await waitFor(`the default ServiceAccount of ${name}`, () => api.get(`/api/v1/namespaces/${name}/serviceaccounts/default`), {
        timeoutMs: 30_000,
    });
}

function processRuns(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

describe("local control plane (etcd, kube-apiserver, controller manager, scheduler, kwok) from Go modules", function () {
    this.timeout(2 * 60_000);
    let cluster: ControlPlane;
    let api: KubeApi;

    before(async function () {
        this.timeout(CLUSTER_TOOLCHAIN_BUILD_TIMEOUT_MS + 5 * 60_000);
        cluster = await startControlPlane();
        api = cluster.api;
        console.log(`      control plane ready in ${cluster.timings.readyMs} ms: ${JSON.stringify(cluster.timings)}`);
    });

    after(async () => {
        await cluster?.stop();
    });

    it("serves Kubernetes v1.37.2 on 127.0.0.1 only, to a client certificate the test CA signed", async () => {
        assert.match(cluster.server, /^https:\/\/127\.0\.0\.1:\d+$/);
        const version = await api.get<{ gitVersion: string }>("/version");
        assert.equal(version.gitVersion, "v1.37.2");
        const anonymous = await fetch(`${cluster.server}/api/v1/namespaces`).then(
            () => "answered without TLS verification",
            (error: Error) => String((error.cause as Error | undefined)?.message ?? error.message),
        );
        assert.match(
            anonymous,
            /self-signed|unable to verify|certificate/i,
            "a client that does not trust the test CA must be refused at TLS",
        );
    });

    it("authorizes with Node and RBAC: the scheduler's identity may bind pods but not read secrets", async () => {
        const review = async (user: string, verb: string, resource: string, subresource = "") => {
            const answer = await api.create<{ status: { allowed: boolean } }>("/apis/authorization.k8s.io/v1/subjectaccessreviews", {
                apiVersion: "authorization.k8s.io/v1",
                kind: "SubjectAccessReview",
                spec: { user, resourceAttributes: { namespace: "default", verb, resource, subresource } },
            });
            return answer.status.allowed;
        };
        assert.equal(await review("system:kube-scheduler", "create", "pods", "binding"), true);
        assert.equal(await review("system:kube-scheduler", "get", "secrets"), false);
        assert.equal(
            await review("system:node:kwok-zone-a-0", "get", "secrets"),
            false,
            "the Node authorizer grants a node only its own pods' secrets",
        );
    });

    it("enforces Pod Security admission on a namespace labelled restricted", async () => {
        const namespace = "restricted-proof";
        await createNamespace(api, namespace, { "pod-security.kubernetes.io/enforce": "restricted" });
        const violations = {
            privileged: { name: "app", image: "registry.invalid/x:1", securityContext: { privileged: true } },
            "no-security-context": { name: "app", image: "registry.invalid/x:1" },
        };
        for (const [name, violating] of Object.entries(violations)) {
            const refusal = await api
                .create(`/api/v1/namespaces/${namespace}/pods`, {
                    apiVersion: "v1",
                    kind: "Pod",
                    metadata: { name },
                    spec: { containers: [violating] },
                })
                .then(
                    () => undefined,
                    (error: unknown) => error,
                );
            assert.ok(refusal instanceof KubeApiError, `pod ${name} must be refused`);
            assert.equal(refusal.statusCode, 403, refusal.message);
            assert.match(refusal.message, /violates PodSecurity "restricted:latest"/);
        }
        const compliant = { apiVersion: "v1", kind: "Pod", metadata: { name: "compliant" }, spec: { containers: [container("app")] } };
        await api.create(`/api/v1/namespaces/${namespace}/pods`, compliant);
    });

    it("has three simulated nodes, one per zone, Ready, with loopback addresses only", async () => {
        const nodes = await api.get<{ items: (NodeView & WithConditions)[] }>("/api/v1/nodes");
        assert.deepEqual(nodes.items.map((node) => node.metadata.labels["topology.kubernetes.io/zone"]).sort(), [...ZONES]);
        for (const node of nodes.items) {
            assert.equal(isReady(node), true, `${node.metadata.name} Ready`);
            assert.equal(node.metadata.labels["kubernetes.io/hostname"], node.metadata.name);
            assert.equal(node.metadata.annotations["kwok.x-k8s.io/node"], "fake");
            const ips = node.status.addresses.filter((address) => address.type === "InternalIP").map((address) => address.address);
            assert.deepEqual(ips, [LOOPBACK]);
        }
    });

    it("schedules a 3-replica Deployment spread over zones one pod per zone, all Ready and published in an EndpointSlice", async () => {
        await createNamespace(api, NAMESPACE);
        const created = performance.now();
        await api.create(`/apis/apps/v1/namespaces/${NAMESPACE}/deployments`, spreadDeployment(3));
        await api.create(`/api/v1/namespaces/${NAMESPACE}/services`, {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: APP, namespace: NAMESPACE },
            spec: { selector: { app: APP }, ports: [{ name: "http", port: 80, targetPort: 8080 }] },
        });
        await waitFor(
            "the Deployment's 3 replicas available",
            async () => {
                const deployment = await api.get<{ status: { availableReplicas?: number } }>(
                    `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${APP}`,
                );
                return deployment.status.availableReplicas === 3 ? true : undefined;
            },
            { timeoutMs: 60_000, intervalMs: 200 },
        );
        const availableMs = Math.round(performance.now() - created);

        const nodes = await api.get<{ items: NodeView[] }>("/api/v1/nodes");
        const zoneOf = new Map(nodes.items.map((node) => [node.metadata.name, node.metadata.labels["topology.kubernetes.io/zone"]]));
        const pods = await api.get<{ items: PodView[] }>(`/api/v1/namespaces/${NAMESPACE}/pods?labelSelector=app%3D${APP}`);
        assert.equal(pods.items.length, 3);
        const zones = pods.items.map((pod) => zoneOf.get(pod.spec.nodeName ?? "") ?? `unscheduled ${pod.metadata.name}`).sort();
        assert.deepEqual(zones, [...ZONES], "one pod in each zone");
        for (const pod of pods.items) {
            assert.equal(isReady(pod), true, `${pod.metadata.name} Ready`);
            assert.equal(pod.status?.phase, "Running");
            assert.ok(
                pod.status?.podIP !== undefined && inCidr(pod.status.podIP, POD_CIDR),
                `${pod.metadata.name} IP ${pod.status?.podIP} in ${POD_CIDR}`,
            );
        }

        const readyEndpoints = await waitFor(
            "the EndpointSlice to list 3 ready endpoints",
            async () => {
                const slices = await api.get<{ items: { endpoints?: { addresses: string[]; conditions: { ready?: boolean } }[] }[] }>(
                    `/apis/discovery.k8s.io/v1/namespaces/${NAMESPACE}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3D${APP}`,
                );
                const ready = slices.items
                    .flatMap((slice) => slice.endpoints ?? [])
                    .filter((endpoint) => endpoint.conditions.ready === true);
                return ready.length === 3 ? ready.flatMap((endpoint) => endpoint.addresses).sort() : undefined;
            },
            { timeoutMs: 30_000, intervalMs: 200 },
        );
        assert.deepEqual(readyEndpoints, pods.items.map((pod) => pod.status?.podIP).sort());
        console.log(`      3 replicas available ${availableMs} ms after the Deployment was created; zones ${zones.join(", ")}`);
    });

    it("leaves a pod annotated never-ready scheduled but unready, while its twin becomes Ready", async () => {
        const pod = (name: string, annotations: Record<string, string>) => ({
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name, annotations },
            spec: { containers: [container("app")] },
        });
        await api.create(`/api/v1/namespaces/${NAMESPACE}/pods`, pod("stalled", { [NEVER_READY_ANNOTATION]: "true" }));
        await api.create(`/api/v1/namespaces/${NAMESPACE}/pods`, pod("twin", {}));
        await waitFor(
            "the twin pod Ready",
            async () => (isReady(await api.get<PodView>(`/api/v1/namespaces/${NAMESPACE}/pods/twin`)) ? true : undefined),
            {
                timeoutMs: 30_000,
                intervalMs: 200,
            },
        );
        // kwok handles both pods in the same pass; give the annotated one ample further time.
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        const stalled = await api.get<PodView>(`/api/v1/namespaces/${NAMESPACE}/pods/stalled`);
        assert.ok(stalled.spec.nodeName?.startsWith("kwok-"), "scheduled onto a simulated node");
        assert.equal(isReady(stalled), false);
        assert.equal(stalled.status?.phase, "Pending");
    });

    it("tears down: every component exits, its ports close and the directory is removed", async () => {
        const pids = Object.values(cluster.pids);
        assert.equal(pids.length, 5);
        const port = Number(new URL(cluster.server).port);
        assert.equal(await listening(port), true);
        await cluster.stop();
        assert.deepEqual(pids.filter(processRuns), []);
        assert.equal(await listening(port), false);
        assert.equal(existsSync(cluster.dir), false);
    });
});
