/**
 * Issue 5 §2 and §3: the repository's stack program on the real Pulumi engine, with the
 * Kubernetes provider applying to a local control plane (real API server, admission, scheduler
 * and controllers; kwok plays the kubelets) with its defaults (server-side apply, await logic),
 * and ARM/Entra emulated as in the end-to-end suite. Every assertion reads the cluster's objects
 * through the API.
 *
 * The scenarios of one cluster run in order and share one stack: each starts from the state the
 * previous one left, which it states. The figures (§3) are printed at the end.
 */
import { strict as assert } from "node:assert";
import { NEVER_READY_ANNOTATION } from "../../localenv/cluster/kwokConfig";
import { ControlPlane, SERVICE_CIDR, startControlPlane } from "../../localenv/cluster/controlPlane";
import { clusterStackConfig, createStaticVolume } from "../../localenv/cluster/gatewayOnCluster";
import {
    gatewayDeployment,
    gatewayPods,
    PodView,
    readyEndpoints,
    servingPods,
    settledGateway,
} from "../../localenv/cluster/gatewayObjects";
import { KubeApi, KubeApiError } from "../../localenv/cluster/kubeApi";
import { RolloutObservation, watchRollout } from "../../localenv/cluster/rolloutWatcher";
import { CLUSTER_TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/cluster/toolchain";
import { waitFor } from "../../localenv/cluster/wait";
import { ProcessRun } from "../../localenv/engine/childProcess";
import { explain, jsonReport, stackReport } from "../e2e/harness/rotationReport";
import { TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/engine/toolchain";
import { GatewayStack, World, createWorld } from "../../localenv/engine/world";

const NAMESPACE = "apim-gateway";
/** How long the stalled rollout of scenario 5 may make no progress before Kubernetes calls it failed. */
const PROGRESS_DEADLINE_SECONDS = 20;
/** How long `pulumi up` waits for the stalled rollout (`rollingUpdate.timeoutSeconds`). */
const ROLLOUT_TIMEOUT_SECONDS = 40;
/** Only pods of an `ingress` namespace may send traffic: a policy that restricts something. */
const TRAFFIC_FROM = [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress" } } }];

interface StateResource {
    readonly type: string;
    readonly outputs?: {
        readonly apiVersion?: string;
        readonly kind?: string;
        readonly metadata?: { readonly name: string; readonly namespace?: string; readonly uid?: string };
    };
}

interface ObjectWithStatus {
    readonly metadata: { readonly name: string; readonly uid: string; readonly labels?: Record<string, string> };
    readonly spec?: Record<string, unknown>;
    readonly status?: Record<string, unknown>;
}

/** The API path of an object from its apiVersion, kind, namespace and name. */
function objectPath(apiVersion: string, kind: string, name: string, namespace?: string): string {
    const group = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const lower = kind.toLowerCase();
    const plural = lower.endsWith("y") ? `${lower.slice(0, -1)}ies` : `${lower}s`;
    return `${group}${namespace === undefined ? "" : `/namespaces/${namespace}`}/${plural}/${name}`;
}

function inServiceCidr(ip: string): boolean {
    const prefix = SERVICE_CIDR.split("/")[0].split(".").slice(0, 3).join(".");
    return ip.startsWith(`${prefix}.`);
}

const zoneOf = (cluster: ControlPlane, nodeName: string | undefined) => cluster.nodes.find((node) => node.name === nodeName)?.zone;

const settled = (api: KubeApi, replicas: number) => settledGateway(api, NAMESPACE, replicas);

async function evict(api: KubeApi, pod: string): Promise<void> {
    await api.create(`/api/v1/namespaces/${NAMESPACE}/pods/${pod}/eviction`, {
        apiVersion: "policy/v1",
        kind: "Eviction",
        metadata: { name: pod, namespace: NAMESPACE },
    });
}

async function setUnschedulable(cluster: ControlPlane, unschedulable: boolean): Promise<void> {
    await Promise.all(cluster.nodes.map((node) => cluster.api.patch(`/api/v1/nodes/${node.name}`, { spec: { unschedulable } })));
}

describe("the gateway on a real API server: real engine, local control plane, emulated ARM", function () {
    this.timeout(5 * 60_000);
    let world: World;
    const figures: string[] = [];

    before(async function () {
        this.timeout(TOOLCHAIN_BUILD_TIMEOUT_MS + CLUSTER_TOOLCHAIN_BUILD_TIMEOUT_MS + 5 * 60_000);
        world = await createWorld();
    });

    after(async () => {
        await world?.dispose();
        console.log(`\n      Figures (issue 5 §3):\n${figures.map((line) => `        ${line}`).join("\n")}`);
    });

    describe("three nodes, one per zone; the production profile; Pod Security `restricted`", () => {
        let cluster: ControlPlane;
        let api: KubeApi;
        let stack: GatewayStack;
        const config = () =>
            clusterStackConfig(cluster.kubeconfigFile, {
                // No labels: the Pod Security level is the component's default for a namespace it creates.
                namespace: { name: NAMESPACE },
                networkPolicy: { enabled: true, trafficFrom: TRAFFIC_FROM },
            });

        before(async function () {
            this.timeout(CLUSTER_TOOLCHAIN_BUILD_TIMEOUT_MS + 2 * 60_000);
            cluster = await startControlPlane();
            api = cluster.api;
            figures.push(`control plane ready in ${(cluster.timings.readyMs / 1000).toFixed(1)} s (3 nodes)`);
            await createStaticVolume(api, "gateway-backup");
        });

        after(async () => {
            await cluster?.stop();
        });

        it("1. first `up` converges: every object admitted, 3 replicas available, claim bound, budget and Services in place", async () => {
            const started = performance.now();
            stack = await world.deployGatewayStack("cluster", "gw1", config());
            figures.push(`first \`up\` (create, awaited until available) in ${((performance.now() - started) / 1000).toFixed(1)} s`);

            const state = await world.exportState("cluster");
            const objects = ((state.deployment as { resources?: StateResource[] }).resources ?? []).filter(
                (resource) => resource.type.startsWith("kubernetes:") && !resource.type.startsWith("pulumi:providers:"),
            );
            const kinds = objects.map((resource) => resource.outputs?.kind).sort();
            assert.deepEqual(kinds, [
                "ConfigMap",
                "Deployment",
                "Namespace",
                "NetworkPolicy",
                "PersistentVolumeClaim",
                "PodDisruptionBudget",
                "Secret",
                "Service",
                "Service",
                "ServiceAccount",
            ]);
            for (const resource of objects) {
                const { apiVersion, kind, metadata } = resource.outputs ?? {};
                assert.ok(apiVersion && kind && metadata, `${resource.type} has its object in the state`);
                const live = await api.get<ObjectWithStatus>(objectPath(apiVersion, kind, metadata.name, metadata.namespace));
                assert.equal(live.metadata.uid, metadata.uid, `the ${kind} ${metadata.name} in the cluster is the one Pulumi created`);
            }

            const { deployment, pods } = await settled(api, 3);
            assert.equal(deployment.spec.replicas, 3);
            assert.deepEqual(
                deployment.spec.strategy.rollingUpdate,
                { maxUnavailable: 0, maxSurge: 1 },
                "as stacks/Pulumi.prod.yaml sets it",
            );
            const progressing = deployment.status?.conditions?.find((condition) => condition.type === "Progressing");
            assert.equal(progressing?.reason, "NewReplicaSetAvailable");
            assert.ok(pods.every((pod) => pod.status?.phase === "Running"));

            const claim = await api.get<ObjectWithStatus>(`/api/v1/namespaces/${NAMESPACE}/persistentvolumeclaims/gw1-config-backup`);
            assert.equal(claim.status?.phase, "Bound");
            assert.equal(claim.spec?.volumeName, "gateway-backup");
            assert.deepEqual(claim.spec?.accessModes, ["ReadWriteMany"]);

            const budget = await waitFor(
                "the disruption controller to count the gateway pods",
                async () => {
                    const pdb = await api.get<ObjectWithStatus>(`/apis/policy/v1/namespaces/${NAMESPACE}/poddisruptionbudgets/gw1`);
                    return pdb.status?.expectedPods === 3 ? pdb : undefined;
                },
                { timeoutMs: 30_000 },
            );
            assert.equal(budget.spec?.maxUnavailable, 1);
            assert.deepEqual([budget.status?.currentHealthy, budget.status?.desiredHealthy, budget.status?.disruptionsAllowed], [3, 2, 1]);

            const live = await api.get<ObjectWithStatus>(`/api/v1/namespaces/${NAMESPACE}/services/gw1-live-traffic`);
            assert.equal(live.spec?.type, "ClusterIP");
            assert.ok(
                inServiceCidr(String(live.spec?.clusterIP)),
                `ClusterIP ${String(live.spec?.clusterIP)} allocated from ${SERVICE_CIDR}`,
            );
            const discovery = await api.get<ObjectWithStatus>(`/api/v1/namespaces/${NAMESPACE}/services/gw1-instance-discovery`);
            assert.equal(discovery.spec?.clusterIP, "None");
            const podIps = pods.map((pod) => String(pod.status?.podIP)).sort();
            assert.deepEqual(
                await readyEndpoints(api, NAMESPACE, "gw1-live-traffic"),
                podIps,
                "the live-traffic Service routes to the three pods",
            );
        });

        it(
            "6. Pod Security `restricted`: the rendered Namespace, ServiceAccount, " +
                "NetworkPolicy and pod security contexts are admitted, and the namespace does enforce",
            async () => {
                const namespace = await api.get<ObjectWithStatus>(`/api/v1/namespaces/${NAMESPACE}`);
                assert.equal(namespace.metadata.labels?.["pod-security.kubernetes.io/enforce"], "restricted");
                const { deployment, pods } = await settled(api, 3);
                const live = await api.get<{ spec: { template: { spec: Record<string, unknown> & { serviceAccountName: string } } } }>(
                    `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${deployment.metadata.name}`,
                );
                const podSpec = live.spec.template.spec;
                assert.equal(podSpec.serviceAccountName, "gw1");
                await api.get(`/api/v1/namespaces/${NAMESPACE}/serviceaccounts/gw1`);
                assert.equal(pods.length, 3, "the ReplicaSet's pods were admitted under `restricted`");

                assert.equal(podSpec.automountServiceAccountToken, false, "no Kubernetes API token in the gateway's pods");

                const policy = await api.get<ObjectWithStatus>(`/apis/networking.k8s.io/v1/namespaces/${NAMESPACE}/networkpolicies/gw1`);
                assert.deepEqual((policy.spec!.ingress as { from: unknown[] }[])[0].from, TRAFFIC_FROM);
                assert.deepEqual(policy.spec!.policyTypes, ["Ingress", "Egress"]);
                assert.deepEqual(policy.spec!.egress, [
                    {
                        to: [
                            { ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } },
                            { ipBlock: { cidr: "::/0" } },
                            { namespaceSelector: {} },
                        ],
                    },
                ]);

                // A dry run of the rendered pod spec itself is admitted; the same spec stripped of its
                // security contexts is refused: the namespace really enforces `restricted`.
                const pod = (spec: Record<string, unknown>) => ({
                    apiVersion: "v1",
                    kind: "Pod",
                    metadata: { name: "admission-probe", namespace: NAMESPACE },
                    spec,
                });
                await api.create(`/api/v1/namespaces/${NAMESPACE}/pods?dryRun=All`, pod(podSpec));
                const containers = (podSpec.containers as Record<string, unknown>[]).map(
                    ({ securityContext: _ignored, ...container }) => container,
                );
                const { securityContext: _podContext, ...withoutContexts } = podSpec;
                await assert.rejects(
                    api.create(`/api/v1/namespaces/${NAMESPACE}/pods?dryRun=All`, pod({ ...withoutContexts, containers })),
                    (error: unknown) => {
                        assert.ok(error instanceof KubeApiError);
                        assert.equal(error.statusCode, 403);
                        assert.match(error.message, /violates PodSecurity "restricted:latest"/);
                        return true;
                    },
                );
            },
        );

        it("2a. spread: 3 replicas over 3 zones, one per zone", async () => {
            const { pods } = await settled(api, 3);
            const zones = pods.map((pod) => zoneOf(cluster, pod.spec.nodeName)).sort();
            assert.deepEqual(zones, ["zone-a", "zone-b", "zone-c"]);
        });

        it("4. disruption budget: with nowhere to reschedule, one eviction is allowed and the next refused with 429", async () => {
            const { pods } = await settled(api, 3);
            // Every node cordoned, as in a drain of the whole pool: the evicted pod's replacement
            // cannot be scheduled, so it stays unready and the budget (maxUnavailable 1) is spent.
            await setUnschedulable(cluster, true);
            try {
                const [first, second] = pods.map((pod) => pod.metadata.name);
                await evict(api, first);
                await waitFor(
                    "the replacement pod pending and the budget spent",
                    async () => {
                        const deployment = await gatewayDeployment(api, NAMESPACE);
                        const now = await gatewayPods(api, NAMESPACE, deployment);
                        const pdb = await api.get<ObjectWithStatus>(`/apis/policy/v1/namespaces/${NAMESPACE}/poddisruptionbudgets/gw1`);
                        const pending = now.filter((pod) => pod.status?.phase === "Pending" && pod.spec.nodeName === undefined);
                        return !now.some((pod) => pod.metadata.name === first) &&
                            pending.length === 1 &&
                            pdb.status?.currentHealthy === 2 &&
                            pdb.status?.disruptionsAllowed === 0
                            ? true
                            : undefined;
                    },
                    { timeoutMs: 30_000 },
                );
                await assert.rejects(evict(api, second), (error: unknown) => {
                    assert.ok(error instanceof KubeApiError);
                    assert.equal(error.statusCode, 429);
                    assert.match(error.message, /Cannot evict pod as it would violate the pod's disruption budget/);
                    return true;
                });
                const still = await api.get<PodView>(`/api/v1/namespaces/${NAMESPACE}/pods/${second}`);
                assert.equal(still.metadata.deletionTimestamp, undefined, "the refused pod keeps running");
            } finally {
                await setUnschedulable(cluster, false);
            }
            await settled(api, 3);
        });

        it(
            "3. zero-downtime rotation: `apim-gateway-rotate --force` " + "rolls every pod, never below 3 available or 3 ready endpoints",
            async () => {
                const before = await settled(api, 3);
                const oldPods = new Set(before.pods.map((pod) => pod.metadata.name));

                const watcher = watchRollout(api, NAMESPACE, "gw1-live-traffic");
                let run: ProcessRun;
                let after: Awaited<ReturnType<typeof settled>>;
                let observation: RolloutObservation;
                try {
                    run = await world.rotate(["--stack", "cluster", "--force", "--json"]);
                    assert.equal(run.code, 0, explain(run));
                    // Still sampling until the old pods are gone, not only until the engine returned.
                    after = await settled(api, 3);
                } finally {
                    observation = await watcher.stop();
                }
                assert.equal(stackReport(jsonReport(run), "cluster").result, "rotated");
                const rolled = [...oldPods].filter((name) => !after.pods.some((pod) => pod.metadata.name === name)).length;
                assert.equal(rolled, 3, "every old pod replaced");
                assert.notEqual(after.pods[0].metadata.labels["pod-template-hash"], before.pods[0].metadata.labels["pod-template-hash"]);
                // Each revision is spread on its own (matchLabelKeys: pod-template-hash), so the rollout leaves one pod per zone.
                assert.deepEqual(after.pods.map((pod) => zoneOf(cluster, pod.spec.nodeName)).sort(), ["zone-a", "zone-b", "zone-c"]);

                assert.deepEqual(observation.errors, []);
                assert.ok(observation.samples >= 10, `sampled ${observation.samples} times`);
                assert.ok(
                    observation.maxReplicas > 3,
                    `the rollout surged (at most ${observation.maxReplicas} pods): the sampling saw it happen`,
                );
                assert.ok(observation.everReady.size > 3, "new pods became endpoints while the sampling ran");
                assert.ok(observation.minAvailable >= 3, `available replicas dropped to ${observation.minAvailable}`);
                assert.ok(observation.minReadyEndpoints >= 3, `ready endpoints dropped to ${observation.minReadyEndpoints}`);
                figures.push(
                    `rotation (--force) in ${(run.ms / 1000).toFixed(1)} s, ${rolled} pods rolled; ` +
                        `minimum available replicas ${observation.minAvailable} and ready endpoints ` +
                        `${observation.minReadyEndpoints} (desired 3) over ${observation.samples} samples`,
                );
            },
        );

        it(
            "5. a new pod that never becomes ready: the rollout stalls, `up` fails with " +
                "the provider's message, the old pods keep serving, and no key is regenerated",
            async () => {
                const { pods } = await settled(api, 3);
                const servingBefore = await readyEndpoints(api, NAMESPACE, "gw1-live-traffic");
                assert.deepEqual(servingBefore, pods.map((pod) => String(pod.status?.podIP)).sort());
                const keysBefore = world.azure.emulators.arm.keys(stack.gatewayResourceId);
                stack.configure({
                    ...config(),
                    podAnnotations: { [NEVER_READY_ANNOTATION]: "true" },
                    rollingUpdate: { progressDeadlineSeconds: PROGRESS_DEADLINE_SECONDS, timeoutSeconds: ROLLOUT_TIMEOUT_SECONDS },
                });

                // The never-ready annotation is a pending change the rotation's guard would block on: let it through.
                const run = await world.rotate([
                    "--stack",
                    "cluster",
                    "--force",
                    "--regenerate-unused-key",
                    "--include-pending-changes",
                    "--json",
                ]);

                assert.equal(run.code, 1, explain(run));
                const report = stackReport(jsonReport(run), "cluster");
                assert.equal(report.result, "failed", explain(run));
                assert.match(String(report.message), /update failed/, explain(run));
                const deploymentErrors = run.stderr
                    .split("\n")
                    .filter((line) => /kubernetes:apps\/v1:Deployment|gw1/.test(line) && /error|fail|timed out|timeout/i.test(line));
                assert.ok(deploymentErrors.length > 0, `the engine output names the Deployment's failure:\n${explain(run, 80)}`);
                assert.equal(report.keyRegeneration?.status, "skipped", explain(run));
                assert.deepEqual(world.azure.emulators.arm.keys(stack.gatewayResourceId), keysBefore, "no key regenerated");

                const live = await gatewayDeployment(api, NAMESPACE);
                const progressing = live.status?.conditions?.find((condition) => condition.type === "Progressing");
                assert.equal(progressing?.reason, "ProgressDeadlineExceeded");
                assert.equal(live.status?.availableReplicas, 3);
                const now = await gatewayPods(api, NAMESPACE, live);
                const fresh = now.filter((pod) => pod.metadata.annotations?.[NEVER_READY_ANNOTATION] !== undefined);
                assert.equal(fresh.length, 1, "one surge pod (25% of 3), and no more while it is not ready");
                assert.equal(servingPods(fresh).length, 0);
                assert.deepEqual(
                    servingPods(now)
                        .map((pod) => pod.metadata.name)
                        .sort(),
                    pods.map((pod) => pod.metadata.name).sort(),
                    "the old pods are the ones serving",
                );
                assert.deepEqual(
                    await readyEndpoints(api, NAMESPACE, "gw1-live-traffic"),
                    servingBefore,
                    "the live-traffic Service still routes to the old pods only",
                );
                figures.push(
                    `stalled rotation: progress deadline (${PROGRESS_DEADLINE_SECONDS} s) exceeded, old pods kept serving; ` +
                        `the rotation failed after ${(run.ms / 1000).toFixed(1)} s (wait bounded at ${ROLLOUT_TIMEOUT_SECONDS} s)`,
                );
            },
        );
    });

    describe("six nodes, two per zone; spread by zone and by node enforced (DoNotSchedule)", () => {
        let cluster: ControlPlane;
        let stack: GatewayStack;
        const config = (replicas: number) =>
            clusterStackConfig(cluster.kubeconfigFile, {
                replicas,
                highAvailability: { topologySpread: { whenUnsatisfiable: "DoNotSchedule" } },
            });
        const placement = async (replicas: number) => {
            const { pods } = await settled(cluster.api, replicas);
            const nodes = pods.map((pod) => String(pod.spec.nodeName));
            const perZone = new Map<string, number>();
            nodes.forEach((node) => perZone.set(String(zoneOf(cluster, node)), (perZone.get(String(zoneOf(cluster, node))) ?? 0) + 1));
            return { nodes, perZone: Object.fromEntries([...perZone].sort()) };
        };

        before(async function () {
            this.timeout(CLUSTER_TOOLCHAIN_BUILD_TIMEOUT_MS + 2 * 60_000);
            cluster = await startControlPlane({ nodesPerZone: 2 });
            figures.push(`control plane ready in ${(cluster.timings.readyMs / 1000).toFixed(1)} s (6 nodes)`);
            await createStaticVolume(cluster.api, "spread-backup");
        });

        after(async () => {
            await cluster?.stop();
        });

        it("2b. 3 replicas on 6 nodes: one per zone, no two on one node", async () => {
            stack = await world.deployGatewayStack("spread", "gw-spread", config(3));
            const { nodes, perZone } = await placement(3);
            assert.equal(new Set(nodes).size, 3, `pods on ${nodes.join(", ")}`);
            assert.deepEqual(perZone, { "zone-a": 1, "zone-b": 1, "zone-c": 1 });
        });

        it("2c. scaled to 6 replicas on 6 nodes: one per node, two per zone", async () => {
            stack.configure(config(6));
            await stack.up();
            const { nodes, perZone } = await placement(6);
            assert.equal(new Set(nodes).size, 6, `pods on ${nodes.join(", ")}`);
            assert.deepEqual(perZone, { "zone-a": 2, "zone-b": 2, "zone-c": 2 });
        });
    });
});
