/**
 * The RBAC files in rotation/schedules/ applied to the control plane as a user would apply them
 * (every document as shipped, only the binding subjects substituted), and identities to run as:
 * ServiceAccounts whose tokens a kubeconfig reads from a file, so one stack config can switch the
 * identity the Kubernetes provider uses without changing the provider's inputs.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { KubeApi, PATCH } from "../../../localenv/cluster/kubeApi";

const SCHEDULES_DIR = path.resolve(__dirname, "..", "..", "..", "rotation", "schedules");

/** The rotation's Role (and its binding), as shipped. */
export const ROTATION_RBAC = "kubernetes-rbac.yaml";
/** What `pulumi up` of a whole stack needs, as shipped. */
export const DEPLOY_RBAC = "kubernetes-deploy-rbac.yaml";

export interface PolicyRule {
    readonly apiGroups: readonly string[];
    readonly resources: readonly string[];
    readonly resourceNames?: readonly string[];
    readonly verbs: readonly string[];
}

/** One document of an RBAC file. */
export interface RbacObject {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { readonly name: string; readonly namespace?: string };
    readonly rules?: readonly PolicyRule[];
    readonly subjects?: readonly Record<string, string>[];
    readonly roleRef?: Record<string, string>;
    /** An admission policy's spec (the only part the harness rewrites is `matchConditions`). */
    readonly spec?: {
        readonly matchConditions?: readonly { readonly name: string; readonly expression: string }[];
        readonly [key: string]: unknown;
    };
}

/** A ServiceAccount as an RBAC subject. */
export interface ServiceAccountRef {
    readonly namespace: string;
    readonly name: string;
}

/** Every document of a shipped file, in order. */
export function readShippedRbac(file: string): RbacObject[] {
    return parseAllDocuments(readFileSync(path.join(SCHEDULES_DIR, file), "utf8")).map((document) => document.toJS() as RbacObject);
}

/**
 * The documents with every binding's subjects replaced by `account`, and an admission policy's
 * match on the subject's user name (`request.userInfo.username == '<name>'`) by the account's user
 * name; nothing else changes.
 */
export function boundTo(objects: readonly RbacObject[], account: ServiceAccountRef): RbacObject[] {
    const shippedNames = objects.flatMap((object) => object.subjects ?? []).map((subject) => subject.name);
    const userName = `system:serviceaccount:${account.namespace}:${account.name}`;
    return objects.map((object) => {
        if (object.subjects !== undefined) {
            return { ...object, subjects: [{ kind: "ServiceAccount", name: account.name, namespace: account.namespace }] };
        }
        const conditions = object.spec?.matchConditions;
        if (conditions === undefined) {
            return object;
        }
        const matchConditions = conditions.map((condition) => ({
            ...condition,
            expression: shippedNames.reduce(
                (expression, name) => expression.split(`'${name}'`).join(`'${userName}'`),
                condition.expression,
            ),
        }));
        return { ...object, spec: { ...object.spec, matchConditions } };
    });
}

/** `rules` without `verb` on `resource` of `apiGroup`, failing if no rule granted it. */
export function withoutVerb(rules: readonly PolicyRule[], apiGroup: string, resource: string, verb: string): PolicyRule[] {
    let removed = false;
    const result = rules.map((rule) => {
        if (!rule.apiGroups.includes(apiGroup) || !rule.resources.includes(resource) || !rule.verbs.includes(verb)) {
            return rule;
        }
        removed = true;
        // Split the rule so the other resources it covers keep the verb.
        return [
            { ...rule, resources: [resource], verbs: rule.verbs.filter((granted) => granted !== verb) },
            ...(rule.resources.length > 1 ? [{ ...rule, resources: rule.resources.filter((other) => other !== resource) }] : []),
        ];
    });
    if (!removed) {
        throw new Error(`no rule grants ${verb} on ${resource} (${apiGroup || "core"})`);
    }
    return result.flat();
}

/** What an object's API path is made of. */
export interface ObjectRef {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { readonly name: string; readonly namespace?: string };
}

/**
 * The API path of an object, or of its collection when `collection` is set; for kinds whose plural
 * is the lower-case name plus `s` (`y` → `ies`).
 */
export function objectPath(object: ObjectRef, collection = false): string {
    const kind = object.kind.toLowerCase();
    const plural = kind.endsWith("y") ? `${kind.slice(0, -1)}ies` : `${kind}s`;
    const prefix = object.apiVersion === "v1" ? "/api/v1" : `/apis/${object.apiVersion}`;
    const namespace = object.metadata.namespace === undefined ? "" : `/namespaces/${object.metadata.namespace}`;
    return `${prefix}${namespace}/${plural}${collection ? "" : `/${object.metadata.name}`}`;
}

/** Creates each object, as `kubectl create -f` would. */
export async function applyRbac(api: KubeApi, objects: readonly RbacObject[]): Promise<void> {
    for (const object of objects) {
        await api.create(objectPath(object, true), object);
    }
}

/** Replaces the rules of a Role or ClusterRole. */
export async function setRules(api: KubeApi, role: RbacObject, rules: readonly PolicyRule[]): Promise<void> {
    await api.patch(objectPath(role), { rules }, PATCH.merge);
}

/** The first object of `kind` in `objects`. */
export function objectOfKind(objects: readonly RbacObject[], kind: string): RbacObject {
    const found = objects.find((object) => object.kind === kind);
    if (found === undefined) {
        throw new Error(`no ${kind} in the file`);
    }
    return found;
}

/** Creates a ServiceAccount and returns a token for it (TokenRequest API, one hour). */
export async function serviceAccountToken(api: KubeApi, account: ServiceAccountRef): Promise<string> {
    await api.create(`/api/v1/namespaces/${account.namespace}/serviceaccounts`, {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: account,
    });
    const request = await api.create<{ status: { token: string } }>(
        `/api/v1/namespaces/${account.namespace}/serviceaccounts/${account.name}/token`,
        {
            apiVersion: "authentication.k8s.io/v1",
            kind: "TokenRequest",
            spec: { expirationSeconds: 3600 },
        },
    );
    return request.status.token;
}

/** A kubeconfig whose user's bearer token is read from `tokenFile` (client-go reads it per process). */
export function tokenFileKubeconfig(server: string, caFile: string, tokenFile: string): string {
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "cluster", cluster: { server, "certificate-authority-data": readFileSync(caFile).toString("base64") } }],
        users: [{ name: "identity", user: { tokenFile } }],
        contexts: [{ name: "identity", context: { cluster: "cluster", user: "identity" } }],
        "current-context": "identity",
    });
}

/** Makes the kubeconfig's identity `token` from now on. */
export function useToken(tokenFile: string, token: string): void {
    writeFileSync(tokenFile, token, { mode: 0o600 });
}
