/**
 * Issue 23 §5: the rotation identity's admission policy, proven by attack on a real API server.
 * rotation/schedules/kubernetes-rbac.yaml is applied as shipped (only the binding's subject and the
 * policy's matching user name substituted, as its own comments tell a user to), the gateway's
 * objects are created as the component renders them, and each attack in policyCases.ts is sent as
 * the rotation identity, a direct API request (a dry run; no engine):
 * 1. under the shipped Role, every attack is refused, by the policy's named validation or, where
 *    the Role does not grant the verb, by RBAC; every write a rotation makes is allowed;
 * 2. with an over-broad Role also bound, every attack the policy covers is refused by the policy
 *    itself;
 * 3. each validation and match condition of the policy deleted in turn (and each guarantee of a
 *    variable undone), at least one attack gets through, or a write that must be allowed is
 *    refused: no clause is dead weight. The table is printed at the end.
 * The forced zero-downtime rotation under the Role and the policy is rbac.cluster.ts 2.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { ControlPlane, startControlPlane } from "../../localenv/cluster/controlPlane";
import { KubeApi, PATCH } from "../../localenv/cluster/kubeApi";
import { CLUSTER_TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/cluster/toolchain";
import { waitFor } from "../../localenv/cluster/wait";
import { AdmissionPolicy, ValidationKey, policyDenial, shippedPolicy, validationsByKey } from "./harness/admissionPolicy";
import { ALLOWED, ATTACKS, Attack, Clients, PolicyCase, PolicyWorld } from "./harness/policyCases";
import { policyMutants } from "./harness/policyMutants";
import { Outcome, applyPolicyVariant, createPolicyWorld, outcomeOf, overBroadRole, waitUntilAuthorized } from "./harness/policyWorld";
import {
    ROTATION_RBAC,
    ServiceAccountRef,
    applyRbac,
    boundTo,
    objectPath,
    readShippedRbac,
    serviceAccountToken,
} from "./harness/shippedRbac";

const ROTATOR: ServiceAccountRef = { namespace: "ci", name: "gateway-token-rotator" };

/** What the API server reports about a policy it compiled. */
interface PolicyStatusView {
    readonly metadata: { readonly generation: number };
    readonly status?: {
        readonly observedGeneration?: number;
        readonly typeChecking?: { readonly expressionWarnings?: readonly { readonly fieldRef: string; readonly warning: string }[] };
    };
}

/** What an outcome says, for assertion messages and the mutant table. */
const describeOutcome = (outcome: Outcome) => (outcome.allowed ? "allowed" : `HTTP ${outcome.statusCode}: ${outcome.message}`);

/** RBAC's refusal of the rotation identity, as the API server words it. */
const rbacRefusal = (verb: string, resource: string) => new RegExp(`cannot ${verb} resource \\\\?"${resource.replace("/", "\\/")}\\\\?"`);

describe("the rotation identity's admission policy, attacked on a real API server", function () {
    this.timeout(5 * 60_000);
    let cluster: ControlPlane;
    let world: PolicyWorld;
    let clients: Clients;
    const rbac = boundTo(readShippedRbac(ROTATION_RBAC), ROTATOR);
    const policy: AdmissionPolicy = shippedPolicy(rbac);
    const validations = validationsByKey(policy);
    const deniedBy = (key: ValidationKey) => policyDenial(policy, validations[key]);
    const send = (policyCase: PolicyCase) => outcomeOf(policyCase.send(clients, world));

    before(async function () {
        this.timeout(CLUSTER_TOOLCHAIN_BUILD_TIMEOUT_MS + 5 * 60_000);
        cluster = await startControlPlane();
        const admin = cluster.api;
        world = await createPolicyWorld(admin);
        await admin.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ROTATOR.namespace } });
        const token = await serviceAccountToken(admin, ROTATOR);
        await applyRbac(admin, rbac);
        clients = { admin, rotator: new KubeApi(cluster.server, { ca: readFileSync(cluster.caFile), token }) };
        // The API server compiles a new policy asynchronously: wait until it denies (a dry run changes nothing).
        await waitFor(
            "the shipped policy in effect",
            async () => {
                const outcome = await outcomeOf(
                    clients.rotator.delete(`/api/v1/namespaces/${world.namespace}/secrets/${world.foreignSecret}?dryRun=All`),
                );
                return !outcome.allowed && outcome.message.includes(deniedBy("secretName")) ? true : undefined;
            },
            { timeoutMs: 30_000, intervalMs: 100 },
        );
    });

    after(async () => {
        clients?.rotator.close();
        await cluster?.stop();
    });

    describe("1. under the shipped Role", () => {
        for (const allowed of ALLOWED) {
            it(`allows: ${allowed.name}`, async () => {
                const outcome = await send(allowed);
                assert.ok(outcome.allowed, describeOutcome(outcome));
            });
        }
        for (const attack of ATTACKS) {
            it(`refuses: ${attack.name}`, async () => {
                assertRefused(attack, await send(attack), false);
            });
        }
        it("the API server serves the pod field the attack adds: hostnameOverride survives the admin's dry run", async () => {
            const path = `/apis/apps/v1/namespaces/${world.namespace}/deployments/${world.deployment}?dryRun=All`;
            const patched = await clients.admin.patch<{ spec: { template: { spec: { hostnameOverride?: string } } } }>(
                path,
                { spec: { template: { spec: { hostnameOverride: "impostor" } } } },
                PATCH.strategicMerge,
            );
            assert.equal(patched.spec.template.spec.hostnameOverride, "impostor");
        });
        it("the API server type-checked the policy against the 1.37 schemas without a warning", async () => {
            const path = `/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/${policy.metadata.name}`;
            const status = await waitFor(
                "the policy's type checking",
                async () => {
                    const live = await clients.admin.get<PolicyStatusView>(path);
                    return live.status?.observedGeneration === live.metadata.generation ? live.status : undefined;
                },
                { timeoutMs: 30_000, intervalMs: 200 },
            );
            assert.deepEqual(status.typeChecking?.expressionWarnings ?? [], []);
        });
    });

    describe("2. with an over-broad Role also bound: the policy alone", () => {
        before(async () => {
            for (const object of overBroadRole(world.namespace, ROTATOR)) {
                await clients.admin.create(objectPath(object, true), object);
            }
            await waitUntilAuthorized(clients.rotator, world.namespace, "delete", "apps", "deployments");
        });
        for (const attack of ATTACKS.filter((candidate) => candidate.refusal.by === "policyUnlessRbac")) {
            it(`refuses: ${attack.name}`, async () => {
                assertRefused(attack, await send(attack), true);
            });
        }
        it("allows every write a rotation makes, and refuses every other attack as under the shipped Role", async () => {
            for (const allowed of ALLOWED) {
                const outcome = await send(allowed);
                assert.ok(outcome.allowed, `${allowed.name}: ${describeOutcome(outcome)}`);
            }
            for (const attack of ATTACKS.filter((candidate) => candidate.refusal.by !== "policyUnlessRbac")) {
                assertRefused(attack, await send(attack), true);
            }
        });
    });

    describe("3. each clause of the policy deleted in turn lets an attack through (over-broad Role still bound)", () => {
        const table: { mutant: string; through: string[]; refusedAllowed: string[] }[] = [];
        after(() => {
            console.log("\n    clause deleted → attacks that got through (and allowed writes refused)");
            for (const row of table) {
                console.log(
                    `    - ${row.mutant} → ${[...row.through, ...row.refusedAllowed.map((name) => `refused: ${name}`)].join("; ")}`,
                );
            }
        });
        policyMutants(policy.spec).forEach((mutant, index) => {
            it(mutant.name, async () => {
                await applyPolicyVariant(clients.admin, clients.rotator, policy, world.namespace, mutant.spec, index + 1);
                const through: string[] = [];
                for (const attack of ATTACKS) {
                    if ((await send(attack)).allowed) {
                        through.push(attack.name);
                    }
                }
                const refusedAllowed: string[] = [];
                for (const allowed of ALLOWED) {
                    if (!(await send(allowed)).allowed) {
                        refusedAllowed.push(allowed.name);
                    }
                }
                table.push({ mutant: mutant.name, through, refusedAllowed });
                assert.ok(through.length + refusedAllowed.length > 0, "no attack got through and no allowed write was refused");
            });
        });
    });

    /** Asserts `outcome` is the refusal `attack` expects, with or without the over-broad Role. */
    function assertRefused(attack: Attack, outcome: Outcome, overBroad: boolean): void {
        assert.ok(!outcome.allowed, `${attack.name}: allowed`);
        const refusal = attack.refusal;
        const context = `${attack.name}: ${describeOutcome(outcome)}`;
        switch (refusal.by) {
            case "policy":
                assert.equal(outcome.statusCode, 403, context);
                assert.ok(outcome.message.includes(deniedBy(refusal.validation)), `${context}\nexpected: ${deniedBy(refusal.validation)}`);
                break;
            case "policyUnlessRbac":
                assert.equal(outcome.statusCode, 403, context);
                if (overBroad) {
                    assert.ok(
                        outcome.message.includes(deniedBy(refusal.validation)),
                        `${context}\nexpected: ${deniedBy(refusal.validation)}`,
                    );
                } else {
                    assert.match(outcome.message, rbacRefusal(refusal.verb, refusal.resource), context);
                }
                break;
            case "rbac":
                assert.equal(outcome.statusCode, 403, context);
                assert.match(outcome.message, rbacRefusal(refusal.verb, refusal.resource), context);
                break;
            case "immutable":
                assert.equal(outcome.statusCode, 422, context);
                assert.match(outcome.message, /field is immutable/, context);
                break;
        }
    }
});
