/**
 * Issue 10 §4: a settings change while pods restart. The settings ConfigMap is named by its
 * content, so the change creates a new ConfigMap, the Deployment moves to it, and the old one is
 * deleted only after the rollout: at no instant does a pod refer to a ConfigMap that does not
 * exist. (With a fixed name the provider's replacement deletes before it creates, and a pod
 * starting in that window fails with `CreateContainerConfigError`; kwok runs no kubelet, so the
 * check here is the cause itself: an instant without the settings ConfigMap, or a pod whose
 * `envFrom` ConfigMap is missing. Run once with the name fixed (no hash), the same sampling saw
 * the ConfigMap absent in 1 of 194 samples.)
 */
import { strict as assert } from "node:assert";
import { ControlPlane, startControlPlane } from "../../localenv/cluster/controlPlane";
import { clusterStackConfig, createStaticVolume } from "../../localenv/cluster/gatewayOnCluster";
import { gatewayDeployment, gatewayPods, servingPods } from "../../localenv/cluster/gatewayObjects";
import { KubeApi } from "../../localenv/cluster/kubeApi";
import { CLUSTER_TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/cluster/toolchain";
import { waitFor } from "../../localenv/cluster/wait";
import { TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/engine/toolchain";
import { GatewayStack, World, createWorld } from "../../localenv/engine/world";

const NAMESPACE = "apim-gateway";
const SETTING = "net.server.http.forwarded.proto.enabled";

interface PodSpecView {
    readonly metadata: { readonly name: string; readonly deletionTimestamp?: string };
    readonly spec: {
        readonly containers: readonly { readonly envFrom?: readonly { readonly configMapRef?: { readonly name: string } }[] }[];
    };
}

/** One look at the namespace: which ConfigMaps exist and which ones the live pods read. */
interface Sample {
    readonly configMaps: ReadonlySet<string>;
    /** Pod name → the ConfigMap its gateway container reads through `envFrom`. */
    readonly references: ReadonlyMap<string, string>;
}

async function sample(api: KubeApi): Promise<Sample> {
    const [configMaps, pods] = await Promise.all([
        api.get<{ items: { metadata: { name: string } }[] }>(`/api/v1/namespaces/${NAMESPACE}/configmaps`),
        api.get<{ items: PodSpecView[] }>(`/api/v1/namespaces/${NAMESPACE}/pods`),
    ]);
    const references = new Map<string, string>();
    for (const pod of pods.items) {
        const name = pod.spec.containers[0]?.envFrom?.find((source) => source.configMapRef)?.configMapRef?.name;
        if (name !== undefined && pod.metadata.deletionTimestamp === undefined) {
            references.set(pod.metadata.name, name);
        }
    }
    return { configMaps: new Set(configMaps.items.map((item) => item.metadata.name)), references };
}

/** Samples until stopped; a sample never overlaps the previous one. */
function sampleUntilStopped(api: KubeApi, intervalMs = 50): { stop(): Promise<{ samples: Sample[]; errors: string[] }> } {
    const samples: Sample[] = [];
    const errors: string[] = [];
    let running = true;
    const loop = (async () => {
        while (running) {
            try {
                samples.push(await sample(api));
            } catch (error) {
                errors.push((error as Error).message);
            }
            await new Promise((resolve) => setTimeout(resolve, intervalMs));
        }
    })();
    return {
        async stop() {
            running = false;
            await loop;
            return { samples, errors };
        },
    };
}

describe("ConfigMaps named by content on a real API server: a settings change while pods restart", function () {
    this.timeout(5 * 60_000);
    let world: World;
    let cluster: ControlPlane;
    let api: KubeApi;
    let stack: GatewayStack;
    const config = (settings: Record<string, string>) => clusterStackConfig(cluster.kubeconfigFile, { configuration: { settings } });

    before(async function () {
        this.timeout(TOOLCHAIN_BUILD_TIMEOUT_MS + CLUSTER_TOOLCHAIN_BUILD_TIMEOUT_MS + 5 * 60_000);
        world = await createWorld();
        cluster = await startControlPlane();
        api = cluster.api;
        await createStaticVolume(api, "gateway-backup-cm");
        stack = await world.deployGatewayStack("configmaps", "gwcm", config({ [SETTING]: "false" }));
    });

    after(async () => {
        await cluster?.stop();
        await world?.dispose();
    });

    it(
        "creates the new ConfigMap first, never leaves a live pod " + "without its ConfigMap, and deletes the old one after the rollout",
        async () => {
            const before = await sample(api);
            const [oldName] = [...before.configMaps].filter((name) => /^gwcm-env-[0-9a-f]{10}$/.test(name));
            assert.ok(oldName, `a content-named settings ConfigMap exists: ${[...before.configMaps].join(", ")}`);
            assert.deepEqual(new Set(before.references.values()), new Set([oldName]));

            stack.configure(config({ [SETTING]: "true" }));
            const sampler = sampleUntilStopped(api);
            let observed: { samples: Sample[]; errors: string[] };
            try {
                const update = stack.up();
                // A pod restarting while the update runs: its ReplicaSet starts a replacement at once.
                const deployment = await gatewayDeployment(api, NAMESPACE);
                const [victim] = servingPods(await gatewayPods(api, NAMESPACE, deployment));
                await api.request("DELETE", `/api/v1/namespaces/${NAMESPACE}/pods/${victim.metadata.name}`);
                await update;
                await waitFor(
                    "the old settings ConfigMap deleted",
                    async () => ((await sample(api)).configMaps.has(oldName) ? undefined : true),
                    { timeoutMs: 60_000, intervalMs: 200 },
                );
            } finally {
                observed = await sampler.stop();
            }

            assert.deepEqual(observed.errors, []);
            assert.ok(observed.samples.length >= 10, `sampled ${observed.samples.length} times`);
            const after = await sample(api);
            const [newName] = [...after.configMaps].filter((name) => /^gwcm-env-[0-9a-f]{10}$/.test(name));
            assert.ok(newName && newName !== oldName, "the changed settings got a new ConfigMap name");
            assert.deepEqual(new Set(after.references.values()), new Set([newName]), "every pod reads the new ConfigMap");

            const missing = observed.samples.flatMap((s) =>
                [...s.references].filter(([, name]) => !s.configMaps.has(name)).map(([pod, name]) => `${pod} → ${name}`),
            );
            assert.deepEqual(missing, [], "no live pod ever referred to a missing ConfigMap");
            const withoutAny = observed.samples.filter((s) => !s.configMaps.has(oldName) && !s.configMaps.has(newName)).length;
            assert.equal(
                withoutAny,
                0,
                `a settings ConfigMap existed at every instant (none in ${withoutAny} of ${observed.samples.length} samples)`,
            );
            const firstWithNew = observed.samples.findIndex((s) => s.configMaps.has(newName));
            const firstWithoutOld = observed.samples.findIndex((s) => !s.configMaps.has(oldName));
            assert.ok(
                firstWithNew >= 0 && firstWithoutOld > firstWithNew,
                `created (sample ${firstWithNew}) before deleted (sample ${firstWithoutOld})`,
            );
            const stillReading = observed.samples.slice(firstWithoutOld).filter((s) => [...s.references.values()].includes(oldName));
            assert.deepEqual(stillReading, [], "the old ConfigMap went only after no live pod read it");
        },
    );
});
