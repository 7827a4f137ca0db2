/**
 * Issue 16 §1, the migration without downtime: a gateway deployed with token auth is changed to
 * workload identity with one `pulumi up` of the repository's stack program (real engine, real API
 * server, kwok's pods). The pods roll with surge while the minimum available is held, and the
 * token Secret is deleted only after every new pod is Ready (Pulumi deletes removed resources
 * after the creates and updates of the run, and the Deployment's update awaits its rollout: this
 * file checks that instead of assuming it). The rotation then reports the stack not applicable.
 */
import { strict as assert } from "node:assert";
import { ControlPlane, startControlPlane } from "../../localenv/cluster/controlPlane";
import { NEVER_READY_ANNOTATION } from "../../localenv/cluster/kwokConfig";
import { clusterStackConfig, createStaticVolume } from "../../localenv/cluster/gatewayOnCluster";
import { DeploymentView, gatewayDeployment, gatewayPods, readyEndpoints, settledGateway } from "../../localenv/cluster/gatewayObjects";
import { KubeApi, KubeApiError } from "../../localenv/cluster/kubeApi";
import { Sampler, sampleEvery } from "../../localenv/cluster/sampler";
import { CLUSTER_TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/cluster/toolchain";
import { explain, jsonReport, stackReport } from "../e2e/harness/rotationReport";
import { TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/engine/toolchain";
import { GatewayStack, World, createWorld } from "../../localenv/engine/world";

const NAMESPACE = "apim-gateway";
const REPLICAS = 3;
const CLIENT_ID = "22222222-2222-2222-2222-222222222222";
const SAMPLE_INTERVAL_MS = 75;
/** The stalled migration: how long the rollout may make no progress, and how long `up` waits for it. */
const PROGRESS_DEADLINE_SECONDS = 20;
const ROLLOUT_TIMEOUT_SECONDS = 40;

/** One look at the cluster during the migration. */
interface Sample {
    readonly secretExists: boolean;
    readonly generation: number;
    readonly observedGeneration: number;
    readonly replicas: number;
    readonly updatedReplicas: number;
    readonly availableReplicas: number;
    readonly readyEndpoints: number;
}

async function exists(api: KubeApi, path: string): Promise<boolean> {
    try {
        await api.get(path);
        return true;
    } catch (error) {
        if (error instanceof KubeApiError && error.statusCode === 404) {
            return false;
        }
        throw error;
    }
}

/** Samples the Deployment, the live-traffic endpoints and the token Secret until stopped. */
function sampleMigration(api: KubeApi, secretName: string): Sampler<Sample> {
    return sampleEvery(SAMPLE_INTERVAL_MS, async () => {
        const [deployment, endpoints, secretExists] = await Promise.all([
            gatewayDeployment(api, NAMESPACE),
            readyEndpoints(api, NAMESPACE, "gw1-live-traffic"),
            exists(api, `/api/v1/namespaces/${NAMESPACE}/secrets/${secretName}`),
        ]);
        const status = deployment.status ?? {};
        return {
            secretExists,
            generation: deployment.metadata.generation ?? 0,
            observedGeneration: status.observedGeneration ?? 0,
            replicas: status.replicas ?? 0,
            updatedReplicas: status.updatedReplicas ?? 0,
            availableReplicas: status.availableReplicas ?? 0,
            readyEndpoints: endpoints.length,
        };
    });
}

async function tokenSecrets(api: KubeApi): Promise<string[]> {
    const list = await api.get<{ items: { metadata: { name: string } }[] }>(`/api/v1/namespaces/${NAMESPACE}/secrets`);
    return list.items.map((item) => item.metadata.name).filter((name) => /^gw1-token-[0-9a-f]{10}$/.test(name));
}

describe("keyless migration on a real API server: token to workload identity without downtime (issue 16 §1)", function () {
    this.timeout(5 * 60_000);
    let world: World;
    let cluster: ControlPlane;
    let api: KubeApi;
    let stack: GatewayStack;
    const figures: string[] = [];

    before(async function () {
        this.timeout(TOOLCHAIN_BUILD_TIMEOUT_MS + CLUSTER_TOOLCHAIN_BUILD_TIMEOUT_MS + 5 * 60_000);
        world = await createWorld();
        cluster = await startControlPlane();
        api = cluster.api;
        await createStaticVolume(api, "keyless-backup");
    });

    after(async () => {
        await cluster?.stop();
        await world?.dispose();
        console.log(`\n      Figures (issue 16 §1, migration):\n${figures.map((line) => `        ${line}`).join("\n")}`);
    });

    it("starts from token auth: a GatewayToken in the state, its Secret read by 3 ready pods", async () => {
        stack = await world.deployGatewayStack("migration", "gw1", clusterStackConfig(cluster.kubeconfigFile));
        const { pods } = await settledGateway(api, NAMESPACE, REPLICAS);
        assert.equal(pods.length, REPLICAS);
        assert.equal((await tokenSecrets(api)).length, 1);
        const state = await world.exportState("migration");
        const types = ((state.deployment as { resources?: { type: string }[] }).resources ?? []).map((resource) => resource.type);
        assert.ok(types.includes("pulumi-nodejs:dynamic/apim-gateway:GatewayToken"));
    });

    it(
        "a migration whose new pods never become Ready fails `up` and " + "keeps the token: Secret, GatewayToken and the old pods serving",
        async () => {
            const [secretName] = await tokenSecrets(api);
            const before = await settledGateway(api, NAMESPACE, REPLICAS);
            const serving = await readyEndpoints(api, NAMESPACE, "gw1-live-traffic");
            stack.configure({
                ...clusterStackConfig(cluster.kubeconfigFile),
                auth: { type: "workloadIdentity", clientId: CLIENT_ID },
                token: undefined,
                // As a pod that cannot sign in (a role assignment not yet propagated) would stay unready.
                podAnnotations: { [NEVER_READY_ANNOTATION]: "true" },
                rollingUpdate: { progressDeadlineSeconds: PROGRESS_DEADLINE_SECONDS, timeoutSeconds: ROLLOUT_TIMEOUT_SECONDS },
            });
            const started = performance.now();
            await assert.rejects(stack.up(), (error: unknown) => {
                assert.match(String((error as Error).message), /Deployment|gw1|timed out|rollout/i);
                return true;
            });
            const ms = performance.now() - started;
            assert.ok(await exists(api, `/api/v1/namespaces/${NAMESPACE}/secrets/${secretName}`), "the token Secret is still there");
            const state = await world.exportState("migration");
            const types = ((state.deployment as { resources?: { type: string }[] }).resources ?? []).map((resource) => resource.type);
            assert.ok(types.includes("pulumi-nodejs:dynamic/apim-gateway:GatewayToken"), "the GatewayToken is still in the state");
            assert.deepEqual(await readyEndpoints(api, NAMESPACE, "gw1-live-traffic"), serving, "the old pods still serve, and only they");
            const live = await gatewayDeployment(api, NAMESPACE);
            assert.ok((live.status?.availableReplicas ?? 0) >= REPLICAS);
            const pods = await gatewayPods(api, NAMESPACE, live);
            assert.equal(
                pods.filter((pod) => !before.pods.some((old) => old.metadata.name === pod.metadata.name)).length,
                1,
                "one unready surge pod",
            );
            figures.push(
                `stalled migration: \`up\` failed after ${(ms / 1000).toFixed(1)} s (wait bounded at ` +
                    `${ROLLOUT_TIMEOUT_SECONDS} s); token Secret and GatewayToken kept, old pods serving`,
            );
        },
    );

    it(
        "fixed, one `up` to workload identity rolls every pod with surge, never below " +
            "3 available, and deletes the token Secret only once the new pods are all Ready",
        async () => {
            const [secretName] = await tokenSecrets(api);
            // From the stalled migration's state: the three token pods serving, one unready new pod.
            const before = await gatewayPods(api, NAMESPACE, await gatewayDeployment(api, NAMESPACE));
            const oldPods = new Set(
                before.filter((pod) => pod.metadata.annotations?.[NEVER_READY_ANNOTATION] === undefined).map((pod) => pod.metadata.name),
            );
            assert.equal(oldPods.size, REPLICAS);
            // The token's own settings apply to token auth only and are refused with another mode,
            // so the migration removes them with the mode change (docs/keyless.md says so).
            stack.configure({
                ...clusterStackConfig(cluster.kubeconfigFile),
                auth: { type: "workloadIdentity", clientId: CLIENT_ID },
                token: undefined,
            });

            const sampler = sampleMigration(api, secretName);
            const started = performance.now();
            let observed: { samples: Sample[]; errors: string[] };
            try {
                await stack.up();
                await settledGateway(api, NAMESPACE, REPLICAS);
            } finally {
                observed = await sampler.stop();
            }
            const ms = performance.now() - started;
            const { samples, errors } = observed;
            assert.deepEqual(errors, []);
            assert.ok(samples.length >= 10, `sampled ${samples.length} times`);

            assert.ok(Math.max(...samples.map((s) => s.replicas)) > REPLICAS, "the rollout surged");
            const minAvailable = Math.min(...samples.map((s) => s.availableReplicas));
            const minEndpoints = Math.min(...samples.map((s) => s.readyEndpoints));
            assert.ok(minAvailable >= REPLICAS, `available replicas dropped to ${minAvailable}`);
            assert.ok(minEndpoints >= REPLICAS, `ready endpoints dropped to ${minEndpoints}`);

            const newGeneration = Math.max(...samples.map((s) => s.generation));
            const rolling = samples.filter((s) => s.generation === newGeneration && s.updatedReplicas < REPLICAS);
            assert.ok(rolling.length > 0, "the sampling saw the new pods rolling out");
            assert.ok(
                rolling.every((s) => s.secretExists),
                "the token Secret existed throughout the rollout",
            );
            const goneAt = samples.findIndex((s) => !s.secretExists);
            assert.ok(goneAt > 0, "the Secret was deleted while the sampling ran");
            const atDeletion = samples[goneAt];
            assert.equal(atDeletion.observedGeneration, newGeneration, "the Deployment had observed the new template");
            assert.equal(atDeletion.updatedReplicas, REPLICAS, "every pod was of the new template when the Secret went");
            assert.ok(atDeletion.availableReplicas >= REPLICAS, "and available");
            assert.ok(
                samples.slice(goneAt).every((s) => !s.secretExists),
                "deleted once, not recreated",
            );

            const after = await settledGateway(api, NAMESPACE, REPLICAS);
            assert.equal(after.pods.filter((pod) => oldPods.has(pod.metadata.name)).length, 0, "every old pod replaced");
            for (const pod of after.pods) {
                assert.equal(pod.metadata.labels["azure.workload.identity/use"], "true");
            }
            const account = await api.get<{ metadata: { annotations?: Record<string, string> }; automountServiceAccountToken?: boolean }>(
                `/api/v1/namespaces/${NAMESPACE}/serviceaccounts/gw1`,
            );
            assert.equal(account.metadata.annotations?.["azure.workload.identity/client-id"], CLIENT_ID);
            const live = await api.get<{ spec: { template: { spec: { containers: { env?: { name: string }[] }[] } } } }>(
                `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/gw1`,
            );
            assert.ok(
                !(live.spec.template.spec.containers[0].env ?? []).some((entry) => entry.name === "config.service.auth"),
                "no token env left",
            );
            assert.deepEqual(await tokenSecrets(api), []);
            const state = await world.exportState("migration");
            const types = ((state.deployment as { resources?: { type: string }[] }).resources ?? []).map((resource) => resource.type);
            assert.ok(!types.includes("pulumi-nodejs:dynamic/apim-gateway:GatewayToken"), "the GatewayToken left the state");
            const deployment: DeploymentView = await gatewayDeployment(api, NAMESPACE);
            assert.deepEqual(
                deployment.spec.strategy.rollingUpdate,
                { maxUnavailable: 0, maxSurge: 1 },
                "as stacks/Pulumi.prod.yaml sets it",
            );
            assert.equal((await gatewayPods(api, NAMESPACE, deployment)).length, REPLICAS);
            figures.push(
                `token → workloadIdentity in ${(ms / 1000).toFixed(1)} s: ${oldPods.size} pods ` +
                    `rolled; minimum available ${minAvailable} and ready endpoints ${minEndpoints} ` +
                    `(desired ${REPLICAS}) over ${samples.length} samples; the token Secret deleted at ` +
                    `sample ${goneAt + 1}, with ${atDeletion.updatedReplicas}/${REPLICAS} new pods available`,
            );
        },
    );

    it("the rotation then reports the stack not applicable, with the reason", async () => {
        const run = await world.rotate(["--stack", "migration", "--check", "--json"]);
        assert.equal(run.code, 0, explain(run));
        const report = stackReport(jsonReport(run), "migration");
        assert.equal(report.result, "not-applicable", explain(run));
        assert.match(String(report.message), /authenticates with workloadIdentity, not a token: nothing to rotate/);
    });
});
