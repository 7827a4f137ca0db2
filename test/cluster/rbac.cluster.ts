/**
 * Issue 11 §1: least privilege, proven on a real API server (RBAC enforced). The shipped RBAC
 * files are applied as a cluster admin would apply them, each binding's subject replaced by a
 * ServiceAccount; the stack's kubeconfig reads that ServiceAccount's token from a file, so the
 * Kubernetes provider (server-side apply, await logic, as users run it) acts as exactly that
 * identity. Positive: `pulumi up` of the whole stack under the deploy Role and a forced rotation
 * under the rotation Role succeed, the rotation with zero downtime. Negative: one verb removed,
 * the same operation fails with the API server's message naming the missing permission.
 *
 * The scenarios run in order on one stack; each states what it starts from.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ControlPlane, startControlPlane } from "./harness/controlPlane";
import { clusterStackConfig, createStaticVolume } from "./harness/gatewayOnCluster";
import { settledGateway } from "./harness/gatewayObjects";
import { KubeApi } from "./harness/kubeApi";
import { RolloutObservation, watchRollout } from "./harness/rolloutWatcher";
import {
    DEPLOY_RBAC,
    ROTATION_RBAC,
    RbacObject,
    ServiceAccountRef,
    applyRbac,
    boundTo,
    objectOfKind,
    readShippedRbac,
    serviceAccountToken,
    setRules,
    tokenFileKubeconfig,
    useToken,
    withoutVerb,
} from "./harness/shippedRbac";
import { CLUSTER_TOOLCHAIN_BUILD_TIMEOUT_MS } from "./harness/toolchain";
import { ProcessRun } from "../e2e/harness/childProcess";
import { explain, jsonReport, stackReport } from "../e2e/harness/rotationReport";
import { TOOLCHAIN_BUILD_TIMEOUT_MS } from "../e2e/harness/toolchain";
import { GatewayStack, World, createWorld } from "../e2e/harness/world";

/** The namespace both shipped files name. */
const NAMESPACE = "apim-gateway";
const IDENTITIES = "ci";
const DEPLOYER: ServiceAccountRef = { namespace: IDENTITIES, name: "gateway-deployer" };
const ROTATOR: ServiceAccountRef = { namespace: IDENTITIES, name: "gateway-token-rotator" };
const RESTRICTED = { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest" };

const settled = (api: KubeApi, replicas: number) => settledGateway(api, NAMESPACE, replicas);

/** The API server's refusal, as it reaches the operator: `User "system:serviceaccount:ci:x" cannot <verb> resource "<resource>" ...`. */
function refusal(account: ServiceAccountRef, verb: string, resource: string, group: string): RegExp {
    const user = `system:serviceaccount:${account.namespace}:${account.name}`;
    return new RegExp(`User \\\\?"${user}\\\\?" cannot ${verb} resource \\\\?"${resource}\\\\?" in API group \\\\?"${group}\\\\?" in the namespace \\\\?"${NAMESPACE}\\\\?"`);
}

describe("least privilege on a real API server: the shipped Roles, bound as shipped", function () {
    this.timeout(5 * 60_000);
    let world: World;
    let cluster: ControlPlane;
    let api: KubeApi;
    let stack: GatewayStack;
    let tokenDir: string;
    let tokenFile: string;
    const tokens: Record<string, string> = {};
    const deployRbac = boundTo(readShippedRbac(DEPLOY_RBAC), DEPLOYER);
    const rotationRbac = boundTo(readShippedRbac(ROTATION_RBAC), ROTATOR);
    const config = () =>
        clusterStackConfig(tokenFileKubeconfig(cluster.server, cluster.caFile, tokenFile), {
            namespace: { labels: RESTRICTED },
            networkPolicy: { enabled: true },
        });

    before(async function () {
        this.timeout(TOOLCHAIN_BUILD_TIMEOUT_MS + CLUSTER_TOOLCHAIN_BUILD_TIMEOUT_MS + 5 * 60_000);
        world = await createWorld();
        cluster = await startControlPlane();
        api = cluster.api;
        tokenDir = mkdtempSync(path.join(tmpdir(), "rbac-identity-"));
        tokenFile = path.join(tokenDir, "token");
        await createStaticVolume(api, "gateway-backup");
        await api.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: IDENTITIES } });
        tokens.deployer = await serviceAccountToken(api, DEPLOYER);
        tokens.rotator = await serviceAccountToken(api, ROTATOR);
        // As an admin applies them: the deploy file first (it creates the namespace), then the rotation's.
        await applyRbac(api, deployRbac);
        await applyRbac(api, rotationRbac);
    });

    after(async () => {
        await cluster?.stop();
        await world?.dispose();
        if (tokenDir) {
            rmSync(tokenDir, { recursive: true, force: true });
        }
    });

    it("1. `pulumi up` of the whole stack as an identity bound to exactly the shipped deploy Role: every object created, 3 pods serving", async () => {
        useToken(tokenFile, tokens.deployer);
        stack = await world.deployGatewayStack("rbac", "gw1", config());
        const { deployment } = await settled(api, 3);
        assert.equal(deployment.spec.replicas, 3);
        const namespace = await api.get<{ metadata: { labels: Record<string, string> } }>(`/api/v1/namespaces/${NAMESPACE}`);
        assert.equal(namespace.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted", "the stack took over the namespace the file created");
    });

    it("2. a forced rotation as an identity bound to exactly the shipped rotation Role: rotated, every pod rolled, never below 3 available or 3 ready endpoints", async () => {
        const before = await settled(api, 3);
        useToken(tokenFile, tokens.rotator);
        const watcher = watchRollout(api, NAMESPACE, "gw1-live-traffic");
        let run: ProcessRun;
        let after: Awaited<ReturnType<typeof settled>>;
        let observation: RolloutObservation;
        try {
            run = await world.rotate(["--stack", "rbac", "--force", "--json"]);
            assert.equal(run.code, 0, explain(run, 80));
            after = await settled(api, 3);
        } finally {
            observation = await watcher.stop();
        }
        assert.equal(stackReport(jsonReport(run), "rbac").result, "rotated");
        assert.ok(
            before.pods.every((old) => !after.pods.some((pod) => pod.metadata.name === old.metadata.name)),
            "every old pod replaced",
        );
        assert.deepEqual(observation.errors, []);
        assert.ok(observation.maxReplicas > 3, "the sampling saw the surge");
        assert.ok(observation.minAvailable >= 3, `available replicas dropped to ${observation.minAvailable}`);
        assert.ok(observation.minReadyEndpoints >= 3, `ready endpoints dropped to ${observation.minReadyEndpoints}`);
    });

    it("3. the rotation Role without `create` on Secrets: the rotation fails naming that permission, and the pods keep serving", async () => {
        const before = await settled(api, 3);
        const role = objectOfKind(rotationRbac, "Role");
        await setRules(api, role, withoutVerb(role.rules ?? [], "", "secrets", "create"));
        try {
            useToken(tokenFile, tokens.rotator);
            const run = await world.rotate(["--stack", "rbac", "--force", "--json"]);
            assert.equal(run.code, 1, explain(run, 80));
            assert.equal(stackReport(jsonReport(run), "rbac").result, "failed");
            assert.match(run.stdout + run.stderr, refusal(ROTATOR, "create", "secrets", ""), explain(run, 80));
        } finally {
            await setRules(api, role, role.rules ?? []);
        }
        const after = await settled(api, 3);
        assert.deepEqual(
            after.pods.map((pod) => pod.metadata.name).sort(),
            before.pods.map((pod) => pod.metadata.name).sort(),
            "nothing rolled",
        );
    });

    it("4. the deploy Role without `patch` on Deployments: `pulumi up` of a changed Deployment fails naming that permission", async () => {
        const role: RbacObject = objectOfKind(deployRbac, "Role");
        await setRules(api, role, withoutVerb(role.rules ?? [], "apps", "deployments", "patch"));
        try {
            useToken(tokenFile, tokens.deployer);
            stack.configure({ ...config(), podAnnotations: { "example.com/revision": "2" } });
            await assert.rejects(stack.up(), (error: Error) => {
                assert.match(error.message, refusal(DEPLOYER, "patch", "deployments", "apps"));
                return true;
            });
        } finally {
            await setRules(api, role, role.rules ?? []);
        }
        await settled(api, 3);
    });
});
