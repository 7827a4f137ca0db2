/**
 * The control-plane side of the admission policy's attack table: the objects of a deployed gateway
 * (as the component renders them) plus the neighbours an attack would aim at, an over-broad Role
 * for the rotation identity, policy variants applied and awaited, and each request's outcome.
 */
import { KubeApi, KubeApiError } from "../../../localenv/cluster/kubeApi";
import { waitFor } from "../../../localenv/cluster/wait";
import { AdmissionPolicy, PolicySpec } from "./admissionPolicy";
import { PolicyWorld } from "./policyCases";
import { probeSecretName, sentinelMessage, withSentinel } from "./policyMutants";
import { RenderedObject, renderedGateway } from "./renderedGateway";
import { ObjectRef, ServiceAccountRef, objectPath } from "./shippedRbac";

/** How a request ended. */
export type Outcome = { readonly allowed: true } | { readonly allowed: false; readonly statusCode: number; readonly message: string };

/** The outcome of a request; an error that is not the API server's answer is rethrown. */
export async function outcomeOf(request: Promise<unknown>): Promise<Outcome> {
    try {
        await request;
        return { allowed: true };
    } catch (error) {
        if (error instanceof KubeApiError) {
            return { allowed: false, statusCode: error.statusCode, message: error.message };
        }
        throw error;
    }
}

const only = (objects: readonly RenderedObject[], kind: string, name?: RegExp): RenderedObject => {
    const found = objects.filter((object) => object.kind === kind && (name === undefined || name.test(object.metadata.name)));
    if (found.length !== 1) {
        throw new Error(`the component rendered ${found.length} ${kind} objects matching ${String(name)}; expected one`);
    }
    return found[0];
};

/** Named like the gateway's previous token Secret; the hash part is 10 hex like every other. */
const PREVIOUS_HASH = "00000000aa";
const LOOKALIKE_HASH = "0123456789";

/**
 * Creates, as the cluster admin, every object the component renders (namespace first), a previous
 * token Secret of the gateway, and the neighbours: an application's Secret, a Secret named and
 * shaped like a token Secret but not labelled as the gateway's, and another application's
 * Deployment. Returns what the cases need to know about them.
 */
export async function createPolicyWorld(admin: KubeApi): Promise<PolicyWorld> {
    const rendered = renderedGateway();
    const namespace = only(rendered, "Namespace");
    const deployment = only(rendered, "Deployment");
    const tokenSecret = only(rendered, "Secret", /-token-[0-9a-f]{10}$/);
    const secretEnvSecret = only(rendered, "Secret", /-secret-env-/);
    const instance = (tokenSecret.metadata.labels as Record<string, string>)["app.kubernetes.io/instance"];
    const podSpec = (deployment.spec as { template: { spec: { containers: { name: string; env: { name: string }[] }[] } } }).template.spec;
    const [container] = podSpec.containers;
    const envIndex = (name: string) => {
        const index = container.env.findIndex((variable) => variable.name === name);
        if (index < 0) {
            throw new Error(`the rendered gateway container has no env var ${name}`);
        }
        return index;
    };
    const names = {
        previousTokenSecret: `${instance}-token-${PREVIOUS_HASH}`,
        foreignSecret: "unrelated-credentials",
        lookalikeSecret: `${instance}-token-${LOOKALIKE_HASH}`,
        otherDeployment: "other-app",
    };
    const ns = namespace.metadata.name;
    const neighbours: RenderedObject[] = [
        { ...tokenSecret, metadata: { ...tokenSecret.metadata, name: names.previousTokenSecret } },
        { apiVersion: "v1", kind: "Secret", metadata: { name: names.foreignSecret, namespace: ns }, stringData: { value: "app" } },
        {
            ...tokenSecret,
            metadata: { name: names.lookalikeSecret, namespace: ns },
        },
        {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: names.otherDeployment, namespace: ns },
            spec: {
                replicas: 1,
                selector: { matchLabels: { app: names.otherDeployment } },
                template: {
                    metadata: { labels: { app: names.otherDeployment } },
                    spec: { containers: [{ name: "app", image: "registry.invalid/app:1" }] },
                },
            },
        },
    ];
    await admin.create(objectPath(namespace, true), namespace);
    for (const object of [...rendered.filter((object) => object !== namespace), ...neighbours]) {
        await admin.create(objectPath(object as ObjectRef, true), object);
    }
    return {
        namespace: ns,
        instance,
        deployment: deployment.metadata.name,
        container: container.name,
        tokenSecret,
        secretEnvSecret: secretEnvSecret.metadata.name,
        ...names,
        env: { auth: envIndex("config.service.auth"), plain: envIndex("EXTRA_SETTING"), secret: envIndex("BACKEND_KEY") },
    };
}

/**
 * A Role granting every write verb on the two resources the policy matches, bound to `account`: what
 * an over-broad grant (the dropped "AKS RBAC Writer" advice, a wildcard Role) would add, so the
 * policy alone must refuse what the shipped Role already refuses.
 */
export function overBroadRole(namespace: string, account: ServiceAccountRef): ObjectRef[] {
    const name = "rotation-identity-over-broad";
    return [
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "Role",
            metadata: { name, namespace },
            rules: [
                { apiGroups: [""], resources: ["secrets"], verbs: ["create", "update", "patch", "delete"] },
                { apiGroups: ["apps"], resources: ["deployments"], verbs: ["create", "update", "patch", "delete"] },
            ],
        } as ObjectRef,
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name, namespace },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
            subjects: [{ kind: "ServiceAccount", name: account.name, namespace: account.namespace }],
        } as ObjectRef,
    ];
}

/** Waits until the caller of `api` may `verb` `resource` of `group` in `namespace` (RBAC changes apply asynchronously). */
export async function waitUntilAuthorized(api: KubeApi, namespace: string, verb: string, group: string, resource: string): Promise<void> {
    await waitFor(
        `permission to ${verb} ${resource}`,
        async () => {
            const review = await api.create<{ status: { allowed: boolean } }>("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
                apiVersion: "authorization.k8s.io/v1",
                kind: "SelfSubjectAccessReview",
                spec: { resourceAttributes: { namespace, verb, group, resource } },
            });
            return review.status.allowed ? true : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100 },
    );
}

/**
 * Replaces the policy's spec with `spec` plus a sentinel for variant `id`, and waits until the API
 * server applies it: until `rotator` creating the sentinel's Secret is denied with its message.
 */
export async function applyPolicyVariant(
    admin: KubeApi,
    rotator: KubeApi,
    policy: AdmissionPolicy,
    namespace: string,
    spec: PolicySpec,
    id: number,
): Promise<void> {
    const path = `/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/${policy.metadata.name}`;
    const live = await admin.get<{ metadata: Record<string, unknown> }>(path);
    await admin.request("PUT", path, { ...policy, metadata: live.metadata, spec: withSentinel(spec, id) });
    const probe = { apiVersion: "v1", kind: "Secret", metadata: { name: probeSecretName(id) }, stringData: { value: "probe" } };
    await waitFor(
        `policy variant ${id} in effect`,
        async () => {
            const outcome = await outcomeOf(rotator.create(`/api/v1/namespaces/${namespace}/secrets?dryRun=All`, probe));
            return !outcome.allowed && outcome.message.includes(sentinelMessage(id)) ? true : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100 },
    );
}
