/**
 * Issue 11 §1: least privilege, proven on a real API server (RBAC enforced). The shipped RBAC
 * files are applied as a cluster admin would apply them, each binding's subject replaced by a
 * ServiceAccount; the stack's kubeconfig reads that ServiceAccount's token from a file, so the
 * Kubernetes provider (server-side apply, await logic, as users run it) acts as exactly that
 * identity. Positive: `pulumi up` of the whole stack under the deploy Role and a forced rotation
 * under the rotation Role succeed, the rotation with zero downtime. Negative: one verb removed,
 * the same operation fails with the API server's message naming the missing permission. The
 * rotation file's admission policy is applied with it: the rotation passes under Role + policy,
 * and the same identity writing anything a rotation does not write is denied with the policy's
 * message (issue 17 §4).
 *
 * The scenarios run in order on one stack; each states what it starts from.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ControlPlane, startControlPlane } from "../../localenv/cluster/controlPlane";
import { clusterStackConfig, createStaticVolume } from "../../localenv/cluster/gatewayOnCluster";
import { settledGateway } from "../../localenv/cluster/gatewayObjects";
import { KubeApi, KubeApiError, PATCH } from "../../localenv/cluster/kubeApi";
import { RolloutObservation, watchRollout } from "../../localenv/cluster/rolloutWatcher";
import { ValidationKey, policyDenial, shippedPolicy, validationsByKey } from "./harness/admissionPolicy";
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
import { CLUSTER_TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/cluster/toolchain";
import { ProcessRun } from "../../localenv/engine/childProcess";
import { explain, jsonReport, stackReport } from "../e2e/harness/rotationReport";
import { TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/engine/toolchain";
import { GatewayStack, World, createWorld } from "../../localenv/engine/world";

/** The namespace both shipped files name. */
const NAMESPACE = "apim-gateway";
const IDENTITIES = "ci";
const DEPLOYER: ServiceAccountRef = { namespace: IDENTITIES, name: "gateway-deployer" };
const ROTATOR: ServiceAccountRef = { namespace: IDENTITIES, name: "gateway-token-rotator" };
/** A Secret of the namespace that is not the gateway's token (an application's, or a `secretEnv` one). */
const OTHER_SECRET = "unrelated-credentials";

/** The message of a refused request; fails if it was not refused with 403. */
async function refused(request: Promise<unknown>): Promise<string> {
    const error = await request.then(
        () => undefined,
        (caught: unknown) => caught,
    );
    assert.ok(error instanceof KubeApiError, "the request must be refused");
    assert.equal(error.statusCode, 403, error.message);
    return error.message;
}

const settled = (api: KubeApi, replicas: number) => settledGateway(api, NAMESPACE, replicas);

/** The API server's refusal, as it reaches the operator: `User "system:serviceaccount:ci:x" cannot <verb> resource "<resource>" ...`. */
function refusal(account: ServiceAccountRef, verb: string, resource: string, group: string): RegExp {
    const user = `system:serviceaccount:${account.namespace}:${account.name}`;
    return new RegExp(
        `User \\\\?"${user}\\\\?" cannot ${verb} resource \\\\?"${resource}\\\\?" ` +
            `in API group \\\\?"${group}\\\\?" in the namespace \\\\?"${NAMESPACE}\\\\?"`,
    );
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
    const policy = shippedPolicy(rotationRbac);
    const validations = validationsByKey(policy);
    /** The denial of the shipped policy's validation that checks `key`, as the identity sees it. */
    const deniedBy = (key: ValidationKey) => policyDenial(policy, validations[key]);
    /** The rotation identity, calling the API directly. */
    let asRotator: KubeApi;
    // The production defaults: the namespace's Pod Security label and the NetworkPolicy are the component's own.
    const config = () =>
        clusterStackConfig(tokenFileKubeconfig(cluster.server, cluster.caFile, tokenFile), { namespace: { name: NAMESPACE } });

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
        await api.create(`/api/v1/namespaces/${NAMESPACE}/secrets`, {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: OTHER_SECRET },
            stringData: { password: "not-the-gateways" },
        });
        asRotator = new KubeApi(cluster.server, { ca: readFileSync(cluster.caFile), token: tokens.rotator });
        // The API server compiles a new policy asynchronously: wait until it denies (a dry run changes nothing).
        const deadline = Date.now() + 30_000;
        for (;;) {
            const outcome = await asRotator.delete(`/api/v1/namespaces/${NAMESPACE}/secrets/${OTHER_SECRET}?dryRun=All`).then(
                () => undefined,
                (error: unknown) => error,
            );
            if (outcome instanceof KubeApiError && outcome.message.includes(deniedBy("secretName"))) {
                break;
            }
            assert.ok(Date.now() < deadline, `the policy never took effect: ${String(outcome)}`);
            await new Promise((resolve) => setTimeout(resolve, 250));
        }
    });

    after(async () => {
        asRotator?.close();
        await cluster?.stop();
        await world?.dispose();
        if (tokenDir) {
            rmSync(tokenDir, { recursive: true, force: true });
        }
    });

    it(
        "1. `pulumi up` of the whole stack as an identity bound to exactly " +
            "the shipped deploy Role: every object created, 3 pods serving",
        async () => {
            useToken(tokenFile, tokens.deployer);
            stack = await world.deployGatewayStack("rbac", "gw1", config());
            const { deployment } = await settled(api, 3);
            assert.equal(deployment.spec.replicas, 3);
            const namespace = await api.get<{ metadata: { labels: Record<string, string> } }>(`/api/v1/namespaces/${NAMESPACE}`);
            assert.equal(
                namespace.metadata.labels["pod-security.kubernetes.io/enforce"],
                "restricted",
                "the stack took over the namespace the file created, with its default level",
            );
            const privileged = {
                apiVersion: "v1",
                kind: "Pod",
                metadata: { name: "privileged" },
                spec: { containers: [{ name: "x", image: "registry.invalid/x:1", securityContext: { privileged: true } }] },
            };
            assert.match(
                await refused(api.create(`/api/v1/namespaces/${NAMESPACE}/pods?dryRun=All`, privileged)),
                /violates PodSecurity "restricted:latest"/,
            );
            const networkPolicies = await api.get<{ items: { spec: { policyTypes: string[] } }[] }>(
                `/apis/networking.k8s.io/v1/namespaces/${NAMESPACE}/networkpolicies`,
            );
            assert.deepEqual(
                networkPolicies.items.map((item) => item.spec.policyTypes),
                [["Ingress", "Egress"]],
                "the production default NetworkPolicy was accepted",
            );
        },
    );

    it(
        "2. a forced rotation as an identity bound to exactly the shipped rotation " +
            "Role: rotated, every pod rolled, never below 3 available or 3 ready endpoints",
        async () => {
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
        },
    );

    it(
        "3. the rotation Role without `create` on Secrets: the rotation " + "fails naming that permission, and the pods keep serving",
        async () => {
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
        },
    );

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

    it(
        "5. the rotation identity under the shipped admission policy: patching the image, adding " +
            "an env var or deleting another Secret is denied with the policy's message; nothing changed",
        async () => {
            const before = await settled(api, 3);
            const path = `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${before.deployment.metadata.name}`;
            const live = await api.get<{ spec: { template: { spec: { containers: { name: string; image: string }[] } } } }>(path);
            const [gateway] = live.spec.template.spec.containers;

            const image = {
                spec: { template: { spec: { containers: [{ name: gateway.name, image: "registry.invalid/not-the-gateway:1" }] } } },
            };
            assert.ok((await refused(asRotator.patch(path, image, PATCH.strategicMerge))).includes(deniedBy("containers")), "image patch");
            const env = {
                spec: { template: { spec: { containers: [{ name: gateway.name, env: [{ name: "EXTRA_SETTING", value: "1" }] }] } } },
            };
            assert.ok((await refused(asRotator.patch(path, env, PATCH.strategicMerge))).includes(deniedBy("otherEnv")), "env var");
            const otherSecret = `/api/v1/namespaces/${NAMESPACE}/secrets/${OTHER_SECRET}`;
            assert.ok((await refused(asRotator.delete(otherSecret))).includes(deniedBy("secretName")), "delete another Secret");
            const scale = { spec: { replicas: 1 } };
            assert.ok((await refused(asRotator.patch(path, scale, PATCH.merge))).includes(deniedBy("deploymentSpec")), "scale down");

            // The same through the engine, as a rotation job holding this identity would run it.
            useToken(tokenFile, tokens.rotator);
            stack.configure({ ...config(), env: [{ name: "EXTRA_SETTING", value: "1" }] });
            try {
                await assert.rejects(stack.up(), (error: Error) => {
                    assert.ok(error.message.includes(deniedBy("otherEnv")), error.message.slice(-2000));
                    return true;
                });
            } finally {
                stack.configure(config());
            }

            await api.get(otherSecret);
            const after = await api.get<typeof live>(path);
            assert.deepEqual(after.spec.template.spec, live.spec.template.spec, "the pod template is unchanged");
            const settledAfter = await settled(api, 3);
            assert.deepEqual(
                settledAfter.pods.map((pod) => pod.metadata.name).sort(),
                before.pods.map((pod) => pod.metadata.name).sort(),
                "nothing rolled",
            );
        },
    );
});
