/**
 * The admission policy's attack table: what the rotation identity's credential could be used for
 * if stolen, each as one direct API request (a dry run: the API server authorizes and admits it
 * exactly as a real one, and stores nothing), and what must still be allowed for a rotation.
 * Requests only; the expectations are data, checked by admissionPolicy.cluster.ts.
 */
import { KubeApi, PATCH } from "../../../localenv/cluster/kubeApi";
import { ValidationKey } from "./admissionPolicy";
import { RenderedObject } from "./renderedGateway";

/** The objects the cases act on: a deployed gateway's, and a few a namespace may also hold. */
export interface PolicyWorld {
    readonly namespace: string;
    /** The gateway's `app.kubernetes.io/instance`, prefix of its token Secrets' names. */
    readonly instance: string;
    /** The gateway's Deployment and its one container. */
    readonly deployment: string;
    readonly container: string;
    /** The live token Secret, as the component rendered it. */
    readonly tokenSecret: RenderedObject;
    /** A previous token Secret of the gateway (the one a rotation deletes). */
    readonly previousTokenSecret: string;
    /** The gateway's `secretEnv` Secret (gateway labels, immutable, another key). */
    readonly secretEnvSecret: string;
    /** An application's Secret in the same namespace. */
    readonly foreignSecret: string;
    /** Named and shaped like a token Secret of the gateway, but not labelled as one: not the gateway's. */
    readonly lookalikeSecret: string;
    /** Another application's Deployment in the namespace (no token checksum annotation). */
    readonly otherDeployment: string;
    /** Index of each variable in the gateway container's env. */
    readonly env: { readonly auth: number; readonly plain: number; readonly secret: number };
}

/** Who sends a case's request. */
export interface Clients {
    readonly rotator: KubeApi;
    readonly admin: KubeApi;
}

/**
 * How a refused request must be refused:
 * - `policy`: by the named validation of the policy, whatever the rotation identity's Role grants;
 * - `policyUnlessRbac`: by RBAC under the shipped Role (it does not grant `verb` on `resource`),
 *   and by the named validation once an over-broad Role grants it;
 * - `rbac`: by RBAC under both Roles (a subresource or resource neither grants);
 * - `immutable`: by the API server's own validation of an immutable Secret (422), before admission.
 */
export type Refusal =
    | { readonly by: "policy"; readonly validation: ValidationKey }
    | { readonly by: "policyUnlessRbac"; readonly validation: ValidationKey; readonly verb: string; readonly resource: string }
    | { readonly by: "rbac"; readonly verb: string; readonly resource: string }
    | { readonly by: "immutable" };

export interface PolicyCase {
    readonly name: string;
    /** Sends the request (a dry run), as the rotation identity unless the case says otherwise. */
    readonly send: (clients: Clients, world: PolicyWorld) => Promise<unknown>;
}

export interface Attack extends PolicyCase {
    readonly refusal: Refusal;
}

/** A write a rotation makes, or one the policy must not touch: allowed. */
export type AllowedCase = PolicyCase;

const DRY_RUN = "dryRun=All";
/** A token Secret name of the gateway that exists nowhere (10 hex). */
const NEXT_HASH = "abcdef0123";
const CHECKSUM_ANNOTATION = "apim-gateway.pulumi.com/token-checksum";

const secretsPath = (world: PolicyWorld) => `/api/v1/namespaces/${world.namespace}/secrets`;
const secretPath = (world: PolicyWorld, name: string) => `${secretsPath(world)}/${name}?${DRY_RUN}`;
const deploymentsPath = (world: PolicyWorld) => `/apis/apps/v1/namespaces/${world.namespace}/deployments`;
const deploymentPath = (world: PolicyWorld, name = world.deployment) => `${deploymentsPath(world)}/${name}?${DRY_RUN}`;
const nextTokenSecretName = (world: PolicyWorld) => `${world.instance}-token-${NEXT_HASH}`;

/** A Secret as the component renders the token Secret, with `changes` applied (`undefined` removes a field). */
function tokenSecretLike(world: PolicyWorld, changes: Record<string, unknown> & { metadata?: Record<string, unknown> }): unknown {
    const { metadata, ...rest } = changes;
    const secret: Record<string, unknown> = {
        ...world.tokenSecret,
        metadata: { ...world.tokenSecret.metadata, name: nextTokenSecretName(world), ...metadata },
        ...rest,
    };
    return JSON.parse(JSON.stringify(secret));
}

const createSecret = (clients: Clients, world: PolicyWorld, secret: unknown) =>
    clients.rotator.create(`${secretsPath(world)}?${DRY_RUN}`, secret);

/** Labels with one changed or (value `undefined`) removed. */
function labels(world: PolicyWorld, key: string, value: string | undefined): Record<string, string | undefined> {
    return { ...(world.tokenSecret.metadata.labels as Record<string, string>), [key]: value };
}

const patchDeployment = (clients: Clients, world: PolicyWorld, patch: unknown, type: string = PATCH.strategicMerge) =>
    clients.rotator.patch(deploymentPath(world), patch, type);

/** A strategic-merge patch of the pod spec. */
const podPatch = (spec: Record<string, unknown>) => ({ spec: { template: { spec } } });

/** A strategic-merge patch of the gateway container (merged by name). */
const containerPatch = (world: PolicyWorld, fields: Record<string, unknown>) =>
    podPatch({ containers: [{ name: world.container, ...fields }] });

/** A JSON patch of the gateway container's fields. */
const containerOp = (op: string, field: string, value?: unknown) => [
    { op, path: `/spec/template/spec/containers/0/${field}`, ...(value === undefined ? {} : { value }) },
];

/** The rotation's own Deployment change: the token checksum annotation and the token Secret's name. */
function rotationPatch(world: PolicyWorld, secretName: string, checksum = "0".repeat(64)) {
    return {
        spec: {
            template: {
                metadata: { annotations: { [CHECKSUM_ANNOTATION]: checksum } },
                spec: {
                    containers: [
                        {
                            name: world.container,
                            env: [{ name: "config.service.auth", valueFrom: { secretKeyRef: { name: secretName } } }],
                        },
                    ],
                },
            },
        },
    };
}

/** Writes a rotation makes (and one no other identity is kept from), each allowed. */
export const ALLOWED: readonly AllowedCase[] = [
    {
        name: "create the next token Secret, as the component renders it",
        send: (clients, world) =>
            createSecret(clients, world, tokenSecretLike(world, { stringData: { value: "GatewayKey contoso-gw&203002280000&next" } })),
    },
    {
        name: "point config.service.auth at the next token Secret and update the checksum annotation",
        send: (clients, world) => patchDeployment(clients, world, rotationPatch(world, nextTokenSecretName(world))),
    },
    {
        name: "update the live token Secret's annotations in place (the token's renewal instants)",
        send: (clients, world) =>
            clients.rotator.patch(
                secretPath(world, world.tokenSecret.metadata.name),
                { metadata: { annotations: { "apim-gateway.pulumi.com/token-renew-after": "2030-01-22T00:00:00.000Z" } } },
                PATCH.merge,
            ),
    },
    {
        name: "delete the previous token Secret",
        send: (clients, world) => clients.rotator.delete(secretPath(world, world.previousTokenSecret)),
    },
    {
        // A known limit (docs/threats.md): the policy cannot see which Secret the Deployment reads.
        name: "delete the token Secret the Deployment reads (a limit: admission cannot see the reference)",
        send: (clients, world) => clients.rotator.delete(secretPath(world, world.tokenSecret.metadata.name)),
    },
    {
        name: "another identity (the cluster admin) changes the gateway's image: the policy matches only the rotation identity",
        send: (clients, world) =>
            clients.admin.patch(deploymentPath(world), containerPatch(world, { image: "registry.invalid/other:1" }), PATCH.strategicMerge),
    },
];

const policy = (validation: ValidationKey): Refusal => ({ by: "policy", validation });

/** What a stolen rotation credential could try, each refused. */
export const ATTACKS: readonly Attack[] = [
    // Secrets the identity creates.
    {
        name: "create a labelled <instance>-token-foo Secret with arbitrary data",
        refusal: policy("secretName"),
        send: (clients, world) =>
            createSecret(
                clients,
                world,
                tokenSecretLike(world, { metadata: { name: `${world.instance}-token-foo` }, stringData: { anything: "x" } }),
            ),
    },
    {
        name: "create a token-labelled Secret whose name's hash part is not hex",
        refusal: policy("secretName"),
        send: (clients, world) =>
            createSecret(clients, world, tokenSecretLike(world, { metadata: { name: `${world.instance}-token-zzzzzzzzzz` } })),
    },
    {
        name: "create another gateway's token Secret name labelled with this gateway's instance",
        refusal: policy("secretName"),
        send: (clients, world) =>
            createSecret(clients, world, tokenSecretLike(world, { metadata: { name: `other-gw-token-${NEXT_HASH}` } })),
    },
    {
        name: "create a token Secret without the app.kubernetes.io/name label",
        refusal: policy("secretAppLabel"),
        send: (clients, world) =>
            createSecret(
                clients,
                world,
                tokenSecretLike(world, { metadata: { labels: labels(world, "app.kubernetes.io/name", undefined) } }),
            ),
    },
    {
        name: "create a token Secret of another type",
        refusal: policy("secretType"),
        send: (clients, world) => createSecret(clients, world, tokenSecretLike(world, { type: "example.com/not-opaque" })),
    },
    {
        name: "create a token Secret with a second key",
        refusal: policy("secretOneKey"),
        send: (clients, world) =>
            createSecret(clients, world, tokenSecretLike(world, { stringData: { value: "GatewayKey gw&203001310000&sig", extra: "x" } })),
    },
    {
        name: "create a token Secret whose one key is not `value`",
        refusal: policy("secretValue"),
        send: (clients, world) => createSecret(clients, world, tokenSecretLike(world, { stringData: { other: "GatewayKey gw&2030&sig" } })),
    },
    {
        name: "create a token Secret whose value is not a gateway token",
        refusal: policy("secretValue"),
        send: (clients, world) => createSecret(clients, world, tokenSecretLike(world, { stringData: { value: "attacker data" } })),
    },
    {
        name: "create a token Secret holding `GatewayKey ` and no token",
        refusal: policy("secretValue"),
        send: (clients, world) => createSecret(clients, world, tokenSecretLike(world, { stringData: { value: "GatewayKey " } })),
    },
    {
        name: "create a mutable token Secret",
        refusal: policy("secretImmutable"),
        send: (clients, world) => createSecret(clients, world, tokenSecretLike(world, { immutable: undefined })),
    },
    // Secrets the identity changes or deletes.
    {
        name: "relabel a foreign Secret into the token family",
        refusal: policy("secretName"),
        send: (clients, world) =>
            clients.rotator.patch(
                secretPath(world, world.foreignSecret),
                { metadata: { labels: labels(world, "x", undefined) } },
                PATCH.merge,
            ),
    },
    {
        name: "relabel a token-shaped Secret that is not the gateway's into the token family",
        refusal: policy("secretName"),
        send: (clients, world) =>
            clients.rotator.patch(
                secretPath(world, world.lookalikeSecret),
                { metadata: { labels: labels(world, "x", undefined) } },
                PATCH.merge,
            ),
    },
    {
        name: "delete the token-shaped Secret that is not the gateway's",
        refusal: policy("secretName"),
        send: (clients, world) => clients.rotator.delete(secretPath(world, world.lookalikeSecret)),
    },
    {
        name: "relabel a token Secret to another gateway",
        refusal: policy("secretName"),
        send: (clients, world) =>
            clients.rotator.patch(
                secretPath(world, world.tokenSecret.metadata.name),
                { metadata: { labels: { "app.kubernetes.io/instance": "other-gw" } } },
                PATCH.merge,
            ),
    },
    {
        name: "strip a token Secret's app.kubernetes.io/name label",
        refusal: policy("secretAppLabel"),
        send: (clients, world) =>
            clients.rotator.patch(
                secretPath(world, world.tokenSecret.metadata.name),
                { metadata: { labels: { "app.kubernetes.io/name": null } } },
                PATCH.merge,
            ),
    },
    {
        name: "delete an application's Secret",
        refusal: policy("secretName"),
        send: (clients, world) => clients.rotator.delete(secretPath(world, world.foreignSecret)),
    },
    {
        name: "delete the gateway's secretEnv Secret",
        refusal: policy("secretName"),
        send: (clients, world) => clients.rotator.delete(secretPath(world, world.secretEnvSecret)),
    },
    {
        name: "change a token Secret's keys",
        refusal: { by: "immutable" },
        send: (clients, world) =>
            clients.rotator.patch(secretPath(world, world.tokenSecret.metadata.name), { stringData: { extra: "x" } }, PATCH.merge),
    },
    {
        name: "change a token Secret's type",
        refusal: { by: "immutable" },
        send: (clients, world) =>
            clients.rotator.patch(secretPath(world, world.tokenSecret.metadata.name), { type: "example.com/not-opaque" }, PATCH.merge),
    },
    // Deployments: create, delete, and everything outside the pod template.
    {
        name: "create a Deployment",
        refusal: { by: "policyUnlessRbac", validation: "deploymentCreateDelete", verb: "create", resource: "deployments" },
        send: (clients, world) =>
            clients.rotator.create(`${deploymentsPath(world)}?${DRY_RUN}`, {
                apiVersion: "apps/v1",
                kind: "Deployment",
                metadata: { name: "miner" },
                spec: {
                    selector: { matchLabels: { app: "miner" } },
                    template: {
                        metadata: { labels: { app: "miner" } },
                        spec: { containers: [{ name: "x", image: "registry.invalid/miner:1" }] },
                    },
                },
            }),
    },
    {
        name: "delete the gateway's Deployment",
        refusal: { by: "policyUnlessRbac", validation: "deploymentCreateDelete", verb: "delete", resource: "deployments" },
        send: (clients, world) => clients.rotator.delete(deploymentPath(world)),
    },
    {
        name: "add a label to the Deployment",
        refusal: policy("deploymentMetadata"),
        send: (clients, world) => patchDeployment(clients, world, { metadata: { labels: { "example.com/x": "1" } } }),
    },
    {
        name: "add an owner reference to the Deployment (garbage-collect it with another object)",
        refusal: policy("deploymentMetadata"),
        send: (clients, world) =>
            patchDeployment(
                clients,
                world,
                {
                    metadata: {
                        ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "x", uid: "00000000-0000-0000-0000-000000000001" }],
                    },
                },
                PATCH.merge,
            ),
    },
    {
        name: "scale the gateway to one replica",
        refusal: policy("deploymentSpec"),
        send: (clients, world) => patchDeployment(clients, world, { spec: { replicas: 1 } }, PATCH.merge),
    },
    {
        name: "pause the Deployment's rollouts",
        refusal: policy("deploymentSpec"),
        send: (clients, world) => patchDeployment(clients, world, { spec: { paused: true } }, PATCH.merge),
    },
    {
        name: "let a rollout take every pod down at once (maxUnavailable 100%)",
        refusal: policy("deploymentSpec"),
        send: (clients, world) =>
            patchDeployment(clients, world, { spec: { strategy: { rollingUpdate: { maxUnavailable: "100%" } } } }, PATCH.merge),
    },
    {
        name: "restart another application's Deployment through the checksum annotation",
        refusal: policy("tokenGatewayOnly"),
        send: (clients, world) =>
            clients.rotator.patch(
                deploymentPath(world, world.otherDeployment),
                { spec: { template: { metadata: { annotations: { [CHECKSUM_ANNOTATION]: "1" } } } } },
                PATCH.merge,
            ),
    },
    // The pod template outside the token.
    {
        name: "add a pod label (join another Service's or NetworkPolicy's selector)",
        refusal: policy("templateMetadata"),
        send: (clients, world) => patchDeployment(clients, world, { spec: { template: { metadata: { labels: { role: "db-client" } } } } }),
    },
    {
        name: "add another pod annotation",
        refusal: policy("templateAnnotations"),
        send: (clients, world) =>
            patchDeployment(clients, world, { spec: { template: { metadata: { annotations: { "example.com/inject": "true" } } } } }),
    },
    {
        name: "remove the token checksum annotation",
        refusal: policy("templateAnnotations"),
        send: (clients, world) =>
            patchDeployment(
                clients,
                world,
                [{ op: "remove", path: "/spec/template/metadata/annotations/apim-gateway.pulumi.com~1token-checksum" }],
                PATCH.json,
            ),
    },
    {
        name: "set the pod's hostnameOverride (a field added in Kubernetes 1.34, served by default since 1.35)",
        refusal: policy("podSpec"),
        send: (clients, world) => patchDeployment(clients, world, podPatch({ hostnameOverride: "impostor" })),
    },
    {
        name: "mount a hostPath volume",
        refusal: policy("podSpec"),
        send: (clients, world) => patchDeployment(clients, world, podPatch({ volumes: [{ name: "host", hostPath: { path: "/" } }] })),
    },
    {
        name: "run the pods as another ServiceAccount",
        refusal: policy("podSpec"),
        send: (clients, world) => patchDeployment(clients, world, podPatch({ serviceAccountName: "default" })),
    },
    {
        name: "mount the ServiceAccount's API token",
        refusal: policy("podSpec"),
        send: (clients, world) => patchDeployment(clients, world, podPatch({ automountServiceAccountToken: true })),
    },
    {
        name: "use the host's network",
        refusal: policy("podSpec"),
        send: (clients, world) => patchDeployment(clients, world, podPatch({ hostNetwork: true })),
    },
    {
        name: "add an init container",
        refusal: policy("podSpec"),
        send: (clients, world) =>
            patchDeployment(clients, world, podPatch({ initContainers: [{ name: "init", image: "registry.invalid/init:1" }] })),
    },
    {
        name: "remove the pod's security context (run as root)",
        refusal: policy("podSpec"),
        send: (clients, world) =>
            patchDeployment(clients, world, [{ op: "remove", path: "/spec/template/spec/securityContext" }], PATCH.json),
    },
    {
        name: "pin the pods to one node",
        refusal: policy("podSpec"),
        send: (clients, world) => patchDeployment(clients, world, podPatch({ nodeName: "kwok-zone-a-1" })),
    },
    // The gateway container outside env.
    {
        name: "change the image",
        refusal: policy("containers"),
        send: (clients, world) => patchDeployment(clients, world, containerPatch(world, { image: "registry.invalid/not-the-gateway:1" })),
    },
    {
        name: "change the command",
        refusal: policy("containers"),
        send: (clients, world) => patchDeployment(clients, world, containerPatch(world, { command: ["/bin/sh", "-c", "exfiltrate"] })),
    },
    {
        name: "make the container privileged",
        refusal: policy("containers"),
        send: (clients, world) =>
            patchDeployment(
                clients,
                world,
                containerPatch(world, { securityContext: { privileged: true, allowPrivilegeEscalation: true } }),
            ),
    },
    {
        name: "mount a volume into the container",
        refusal: policy("containers"),
        send: (clients, world) =>
            patchDeployment(clients, world, containerPatch(world, { volumeMounts: [{ name: "config-backup", mountPath: "/tmp/x" }] })),
    },
    {
        name: "read another Secret's keys as env (envFrom)",
        refusal: policy("containers"),
        send: (clients, world) =>
            patchDeployment(clients, world, containerPatch(world, { envFrom: [{ secretRef: { name: world.foreignSecret } }] })),
    },
    {
        name: "remove the readiness probe",
        refusal: policy("containers"),
        send: (clients, world) => patchDeployment(clients, world, containerOp("remove", "readinessProbe"), PATCH.json),
    },
    {
        name: "add a sidecar container",
        refusal: policy("containers"),
        send: (clients, world) =>
            patchDeployment(clients, world, podPatch({ containers: [{ name: "sidecar", image: "registry.invalid/sidecar:1" }] })),
    },
    // Env outside config.service.auth.
    {
        name: "repoint another env var's secretKeyRef to an application's Secret",
        refusal: policy("otherEnv"),
        send: (clients, world) =>
            patchDeployment(
                clients,
                world,
                containerOp("replace", `env/${world.env.secret}/valueFrom/secretKeyRef/name`, world.foreignSecret),
                PATCH.json,
            ),
    },
    {
        name: "repoint another env var's secretKeyRef to a token Secret name of the gateway",
        refusal: policy("otherEnv"),
        send: (clients, world) =>
            patchDeployment(
                clients,
                world,
                containerOp("replace", `env/${world.env.secret}/valueFrom/secretKeyRef/name`, nextTokenSecretName(world)),
                PATCH.json,
            ),
    },
    {
        name: "add an env var",
        refusal: policy("otherEnv"),
        send: (clients, world) => patchDeployment(clients, world, containerPatch(world, { env: [{ name: "EXTRA", value: "1" }] })),
    },
    {
        name: "change a plain env var's value",
        refusal: policy("otherEnv"),
        send: (clients, world) => patchDeployment(clients, world, containerOp("replace", `env/${world.env.plain}/value`, "2"), PATCH.json),
    },
    // config.service.auth itself.
    {
        name: "make the token reference optional (start without a token)",
        refusal: policy("authShape"),
        send: (clients, world) =>
            patchDeployment(clients, world, containerOp("add", `env/${world.env.auth}/valueFrom/secretKeyRef/optional`, true), PATCH.json),
    },
    {
        name: "set config.service.auth to a literal value",
        refusal: policy("authShape"),
        send: (clients, world) =>
            patchDeployment(
                clients,
                world,
                containerOp("replace", `env/${world.env.auth}`, { name: "config.service.auth", value: "GatewayKey attacker" }),
                PATCH.json,
            ),
    },
    {
        name: "read another key of a token Secret",
        refusal: policy("authKey"),
        send: (clients, world) =>
            patchDeployment(
                clients,
                world,
                containerOp("replace", `env/${world.env.auth}/valueFrom/secretKeyRef/key`, "other"),
                PATCH.json,
            ),
    },
    {
        name: "point config.service.auth at an application's Secret",
        refusal: policy("authRef"),
        send: (clients, world) => patchDeployment(clients, world, rotationPatch(world, world.foreignSecret)),
    },
    {
        name: "point config.service.auth at another gateway's token Secret",
        refusal: policy("authRef"),
        send: (clients, world) => patchDeployment(clients, world, rotationPatch(world, `other-gw-token-${NEXT_HASH}`)),
    },
    {
        name: "point config.service.auth at <instance>-token-foo",
        refusal: policy("authRef"),
        send: (clients, world) => patchDeployment(clients, world, rotationPatch(world, `${world.instance}-token-foo`)),
    },
    // What neither Role grants: refused before admission.
    {
        name: "scale through the Deployment's scale subresource",
        refusal: { by: "rbac", verb: "patch", resource: "deployments/scale" },
        send: (clients, world) =>
            clients.rotator.patch(`${deploymentsPath(world)}/${world.deployment}/scale?${DRY_RUN}`, { spec: { replicas: 1 } }, PATCH.merge),
    },
    {
        name: "add an ephemeral container to a gateway pod",
        refusal: { by: "rbac", verb: "patch", resource: "pods/ephemeralcontainers" },
        send: (clients, world) =>
            clients.rotator.patch(
                `/api/v1/namespaces/${world.namespace}/pods/any-pod/ephemeralcontainers?${DRY_RUN}`,
                { spec: { ephemeralContainers: [{ name: "debug", image: "registry.invalid/debug:1" }] } },
                PATCH.strategicMerge,
            ),
    },
    {
        name: "exec into a gateway pod",
        refusal: { by: "rbac", verb: "create", resource: "pods/exec" },
        send: (clients, world) => clients.rotator.create(`/api/v1/namespaces/${world.namespace}/pods/any-pod/exec?command=sh`, {}),
    },
    {
        name: "create a pod",
        refusal: { by: "rbac", verb: "create", resource: "pods" },
        send: (clients, world) =>
            clients.rotator.create(`/api/v1/namespaces/${world.namespace}/pods?${DRY_RUN}`, {
                apiVersion: "v1",
                kind: "Pod",
                metadata: { name: "miner" },
                spec: { containers: [{ name: "x", image: "registry.invalid/miner:1" }] },
            }),
    },
    {
        name: "change a ConfigMap",
        refusal: { by: "rbac", verb: "create", resource: "configmaps" },
        send: (clients, world) =>
            clients.rotator.create(`/api/v1/namespaces/${world.namespace}/configmaps?${DRY_RUN}`, {
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: { name: "x" },
                data: { a: "b" },
            }),
    },
];
