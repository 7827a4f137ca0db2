/**
 * Issue 11 §3, the Kubernetes rows of the fault matrix, on a real API server (the local control
 * plane) with the real Pulumi engine, the repository's stack program and the emulated ARM/Entra:
 * - the API server becomes unreachable after the new token is issued and before the Secret is
 *   written: the stack's kubeconfig names a TCP relay in front of the API server, cut while ARM
 *   holds the token request, so the engine's next call to the cluster is refused;
 * - the runner is killed (SIGKILL, whole process tree) during the rollout, after the Secret
 *   changed.
 * Each scenario checks the operator's view (exit code, stack result, the cause in the output),
 * what is left in the cluster (pods serving with a valid token, no key regenerated) and that the
 * next scheduled run converges. The end-to-end suite's harness is used unchanged.
 */
import { strict as assert } from "node:assert";
import { hostname } from "node:os";
import { GatewayKeyType, otherKeyType } from "../../components/token/keyType";
import { ROTATION_OUTPUT } from "../../components/contract/rotationContract";
import { PROJECT_NAME } from "../../stacks/config";
import { ApiProxy, startApiProxy } from "./harness/apiProxy";
import { ControlPlane, startControlPlane } from "../../localenv/cluster/controlPlane";
import { clusterStackConfig, createStaticVolume } from "../../localenv/cluster/gatewayOnCluster";
import {
    DeploymentView,
    gatewayDeployment,
    gatewayPods,
    readyEndpoints,
    servingPods,
    settledGateway,
} from "../../localenv/cluster/gatewayObjects";
import { KubeApi, KubeApiError } from "../../localenv/cluster/kubeApi";
import { CLUSTER_TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/cluster/toolchain";
import { waitFor } from "../../localenv/cluster/wait";
import { stackLocks } from "../e2e/harness/backendLocks";
import { ProcessRun } from "../../localenv/engine/childProcess";
import { killAll, processTree } from "../../localenv/engine/processTree";
import { explain, jsonReport, stackReport } from "../e2e/harness/rotationReport";
import { pendingOperations, resourceOfType } from "../../localenv/engine/stackState";
import { startRotateWith } from "../e2e/harness/rotateWith";
import { TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/engine/toolchain";
import { assertNoTokenLeaks } from "../e2e/harness/tokenLeaks";
import { GatewayStack, World, createWorld } from "../../localenv/engine/world";
import { rawGatewayToken } from "../../components/token/authValue";

const NAMESPACE = "apim-gateway";
const STACK = "kfaults";
/** A due token: 25 of its 30 days gone, inside the 10-day renewal window. */
const DUE_DAYS = 25;
/** The scheduled job's command line. */
const SCHEDULED = ["--stack", STACK, "--regenerate-unused-key", "--json"];
const AUTH_ENV = "config.service.auth";

interface SecretView {
    readonly data?: Record<string, string>;
}

type TemplateEnv = { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };

/** The Secret the Deployment's pod template takes the gateway token from. */
function templateSecret(deployment: DeploymentView): { name: string; key: string } {
    const template = (deployment.spec as unknown as { template: { spec: { containers: { env?: TemplateEnv[] }[] } } }).template;
    const ref = template.spec.containers.flatMap((container) => container.env ?? []).find((env) => env.name === AUTH_ENV)
        ?.valueFrom?.secretKeyRef;
    assert.ok(ref, `the pod template takes ${AUTH_ENV} from a Secret`);
    return ref;
}

/** The token (`<gatewayId>&...`, without `GatewayKey `) the Deployment's pods run with, read from the cluster. Never print it. */
async function liveToken(api: KubeApi): Promise<{ secret: string; token: string; templateHash: string }> {
    const deployment = await gatewayDeployment(api, NAMESPACE);
    const ref = templateSecret(deployment);
    const secret = await api.get<SecretView>(`/api/v1/namespaces/${NAMESPACE}/secrets/${ref.name}`);
    const auth = Buffer.from(secret.data?.[ref.key] ?? "", "base64").toString("utf8");
    const pods = servingPods(await gatewayPods(api, NAMESPACE, deployment));
    return { secret: ref.name, token: rawGatewayToken(auth), templateHash: pods[0]?.metadata.labels["pod-template-hash"] ?? "" };
}

const settled = (api: KubeApi, replicas: number) => settledGateway(api, NAMESPACE, replicas);

describe("the fault matrix on a real API server: the Kubernetes API cut mid-update, the runner killed mid-rollout", function () {
    this.timeout(6 * 60_000);
    let world: World;
    let cluster: ControlPlane;
    let api: KubeApi;
    let proxy: ApiProxy;
    let stack: GatewayStack;
    const figures: string[] = [];

    before(async function () {
        this.timeout(TOOLCHAIN_BUILD_TIMEOUT_MS + CLUSTER_TOOLCHAIN_BUILD_TIMEOUT_MS + 5 * 60_000);
        world = await createWorld();
        cluster = await startControlPlane();
        api = cluster.api;
        proxy = await startApiProxy(cluster.server);
        await createStaticVolume(api, "gateway-backup");
        // The stack reaches the API server through the relay only.
        const kubeconfig = cluster.kubeconfig.split(cluster.server).join(proxy.url);
        assert.ok(kubeconfig.includes(proxy.url) && !kubeconfig.includes(cluster.server));
        stack = await world.deployGatewayStack(STACK, "gw-kfaults", clusterStackConfig(kubeconfig));
        assert.ok(proxy.connections > 0, "the engine reached the cluster through the relay");
        await settled(api, 3);
    });

    after(async () => {
        await proxy?.close();
        await cluster?.stop();
        await world?.dispose();
        console.log(`\n      Figures (issue 11 §3, cluster):\n${figures.map((line) => `        ${line}`).join("\n")}`);
    });

    afterEach(() => world?.setDaysPassed(0));

    const emulators = () => world.azure.emulators;

    async function dueToken(): Promise<{
        token: string;
        secret: string;
        templateHash: string;
        keys: { primary: string; secondary: string };
        keyType: GatewayKeyType;
    }> {
        await settled(api, 3);
        await stack.age(DUE_DAYS);
        world.setDaysPassed(DUE_DAYS);
        const live = await liveToken(api);
        assert.equal(emulators().arm.isTokenValid(live.token), true, "the live token works before the fault");
        emulators().requests.clear();
        const keyType = emulators().arm.signingKeyType(live.token);
        assert.ok(keyType, "the live token is signed with a current key");
        return { ...live, keys: emulators().arm.keys(stack.gatewayResourceId), keyType };
    }

    /** The gateway's token as the stack outputs (the rotation contract) record it. */
    async function outputToken(): Promise<Record<string, unknown>> {
        const units = (await stack.outputs())[ROTATION_OUTPUT] as Record<string, Record<string, unknown>>;
        assert.ok(units?.gateway?.tokenIssuedAt, "the stack outputs record the gateway's token");
        return units.gateway;
    }

    /**
     * The generateToken requests sent from now on, told apart by their expiry: those for the
     * expiry the stack outputs record are the run's check of the live token's key
     * (rotation/evidence/tokenValidity.ts), the others the rotation's own token requests.
     */
    async function tokenRequestsFromNow(): Promise<() => { verification: number; rotation: number }> {
        const recorded = Date.parse(String((await outputToken()).tokenExpiresAt));
        const from = emulators().arm.tokenRequests.length;
        return () => {
            const requests = emulators().arm.tokenRequests.slice(from);
            const verification = requests.filter((request) => Date.parse(String(request.expiry)) === recorded).length;
            return { verification, rotation: requests.length - verification };
        };
    }

    /**
     * The next scheduled run, the fault gone: exit 0, rotated, and the pods run a new, valid
     * token. The stack outputs of the failed run still show the old, due token, so the run
     * updates; the GatewayToken in the state is the one the failed run issued, fresh, so no new
     * token is generated: the run deploys that one, then regenerates the old token's key. Its
     * only other ARM call is the check of the outputs' token (aged, so ARM refuses its expiry).
     */
    async function assertNextRunConverges(previous: string): Promise<ProcessRun> {
        const issued = emulators().arm.issuedTokens.length;
        const tokenRequests = await tokenRequestsFromNow();
        emulators().requests.clear();
        const run = await (await startRotateWith(world, SCHEDULED)).done;
        assert.equal(run.code, 0, explain(run, 80));
        const report = stackReport(jsonReport(run), STACK);
        assert.equal(report.result, "rotated", explain(run));
        assert.equal(report.keyRegeneration?.status, "regenerated");
        assert.equal(tokenRequests().rotation, 0, "the token the failed run issued is deployed: no token requested");
        assert.equal(emulators().arm.issuedTokens.length, issued);
        assert.deepEqual(
            emulators()
                .requests.arm("/regenerateKey")
                .map((r) => r.status),
            [204],
            "one key regenerated",
        );
        await settled(api, 3);
        const live = await liveToken(api);
        assert.notEqual(live.token, previous);
        assert.equal(emulators().arm.isTokenValid(live.token), true, "the pods' new token works at the service");
        assert.deepEqual(stackLocks(world.project.backendDir, PROJECT_NAME, STACK), [], "no lock left");
        const check = await world.rotate(["--stack", STACK, "--check", "--json"]);
        assert.equal(check.code, 0, explain(check));
        assert.equal(stackReport(jsonReport(check), STACK).result, "fresh");
        return run;
    }

    it(
        "1. the API server unreachable after the token is issued, before the Secret is written: failure naming " +
            "the API endpoint, the old pods keep serving a valid token, no key regenerated; the next run converges",
        async () => {
            const before = await dueToken();
            const servingBefore = await readyEndpoints(api, NAMESPACE, "gw-kfaults-live-traffic");
            assert.equal(servingBefore.length, 3, "three gateway pods serve before the fault");
            // ARM holds the token request; the relay is cut while it does, so the token is issued
            // into an engine that can no longer reach the cluster.
            const outputsBefore = await outputToken();
            const issued = emulators().arm.issuedTokens.length;
            const tokenRequests = await tokenRequestsFromNow();
            // Only the rotation's request, for the other key, is held: not the check of the live token's key.
            emulators().arm.injectDelay({ ms: 5_000, operation: "generateToken", keyType: otherKeyType(before.keyType) });
            const started = await startRotateWith(world, SCHEDULED);
            await waitFor("the update to reach generateToken", async () => (emulators().arm.heldRequests > 0 ? true : undefined), {
                timeoutMs: 120_000,
            });
            await proxy.cut();
            let run: ProcessRun;
            try {
                run = await started.done;
            } finally {
                await proxy.restore();
            }

            assert.equal(run.code, 1, explain(run, 80));
            assert.equal(stackReport(jsonReport(run), STACK).result, "failed", explain(run));
            assert.match(
                `${run.stdout}\n${run.stderr}`,
                new RegExp(`${proxy.url.replace("https://", "")}.*(connection refused|connection reset)`, "i"),
                explain(run, 80),
            );
            assert.equal(tokenRequests().rotation, 1, "the rotation requested one token");
            assert.equal(emulators().arm.issuedTokens.length, issued + 1, "the token was issued");
            assert.deepEqual(emulators().requests.arm("/regenerateKey"), [], "no key touched");
            assert.deepEqual(emulators().arm.keys(stack.gatewayResourceId), before.keys, "no key regenerated");

            assert.equal((await outputToken()).tokenIssuedAt, outputsBefore.tokenIssuedAt, "the stack outputs still show the old token");
            const after = await liveToken(api);
            assert.equal(after.secret, before.secret, "the Deployment still takes the token from the old Secret");
            assert.equal(after.token, before.token);
            assert.equal(emulators().arm.isTokenValid(after.token), true, "the pods' token still works at the service");
            const { pods } = await settled(api, 3);
            assert.ok(
                pods.every((pod) => pod.metadata.labels["pod-template-hash"] === before.templateHash),
                "no pod rolled",
            );
            assert.deepEqual(await readyEndpoints(api, NAMESPACE, "gw-kfaults-live-traffic"), servingBefore, "the same pods still serve");

            const next = await assertNextRunConverges(before.token);
            figures.push(
                `API cut mid-update: the rotation failed after ${(run.ms / 1000).toFixed(1)} ` +
                    `s; the next run rotated in ${(next.ms / 1000).toFixed(1)} s`,
            );
        },
    );

    it(
        "2. the runner killed during the rollout, after the Secret changed: the pods keep serving (old " +
            "or new token, both valid), no key regenerated; the next run releases the lock and converges",
        async () => {
            const before = await dueToken();
            const generation = (await gatewayDeployment(api, NAMESPACE)).metadata.generation ?? 0;
            const started = await startRotateWith(world, SCHEDULED);
            // Killed once the Deployment's pod template names the new Secret: the rollout has begun.
            await waitFor(
                "the rollout to begin",
                async () => {
                    assert.equal(started.child.exitCode, null, "the rotation is still running");
                    const deployment = await gatewayDeployment(api, NAMESPACE);
                    return (deployment.metadata.generation ?? 0) > generation && templateSecret(deployment).name !== before.secret
                        ? true
                        : undefined;
                },
                { timeoutMs: 120_000, intervalMs: 50 },
            );
            const job = processTree(started.child.pid as number);
            await killAll(job);
            const run = await started.done;
            assert.equal(run.code, null, "killed by a signal");
            assert.deepEqual(emulators().arm.keys(stack.gatewayResourceId), before.keys, "no key regenerated");
            const locks = stackLocks(world.project.backendDir, PROJECT_NAME, STACK);
            assert.equal(locks.length, 1, "the killed update's lock is left behind");
            assert.equal(locks[0].content.hostname, hostname());
            const interrupted = await world.exportState(STACK);
            assert.deepEqual(
                pendingOperations(interrupted).map((operation) => operation.split(" ").pop()),
                [resourceOfType(interrupted, "kubernetes:apps/v1:Deployment").urn],
                "the Deployment's update is pending in the state",
            );

            // Kubernetes finishes the rollout it was given; at no point is a pod without a valid token.
            const { pods } = await settled(api, 3);
            const live = await liveToken(api);
            assert.notEqual(live.secret, before.secret, "the pods now run the new Secret");
            assert.equal(emulators().arm.isTokenValid(live.token), true, "the new token works");
            assert.equal(emulators().arm.isTokenValid(before.token), true, "the old token still works: its key was not regenerated");
            assert.equal(servingPods(pods).length, 3);
            const oldSecret = `/api/v1/namespaces/${NAMESPACE}/secrets/${before.secret}`;
            await api.get(oldSecret);

            const next = await assertNextRunConverges(before.token);
            assert.match(next.stderr, /its lock \(pid \d+ on .*\) was left by a Pulumi process that is no longer running; releasing it/);
            assert.deepEqual(pendingOperations(await world.exportState(STACK)), [], "the next update cleared it");
            await assert.rejects(
                api.get(oldSecret),
                (error: unknown) => error instanceof KubeApiError && error.statusCode === 404,
                "the old Secret is deleted",
            );
            assert.equal(
                emulators().arm.isTokenValid(before.token),
                false,
                `the next run regenerated the old token's key once the new one was live\n${explain(next, 80)}`,
            );
        },
    );

    it("nothing in plain: no gateway token in the engine's or the rotation's output, the state or the logs", () => {
        assertNoTokenLeaks(
            { transcript: world.transcript, backendDir: world.project.backendDir, home: world.project.home },
            emulators().arm.issuedTokens,
        );
    });
});
