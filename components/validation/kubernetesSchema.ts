/**
 * Kubernetes objects passed through as they are (`env`, `tolerations`, `affinity`, `dns.config`,
 * NetworkPolicy peers, `hostAliases`) are checked at construction against the Kubernetes OpenAPI
 * schema of `kubernetes-models`, so `vaule:` or `efect:` fails naming its path instead of
 * reaching the cluster as a silently broken object.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { SelfHostedGatewayArgs } from "../args";
import { argumentPath } from "./shape";
import { Problems } from "./checks";

/** An error of the schema validator (ajv's shape). */
interface SchemaError {
    instancePath: string;
    keyword: string;
    params: Record<string, unknown>;
}

type Validator = ((data: unknown) => boolean) & { errors?: SchemaError[] | null };

/**
 * `kubernetes-models` is ESM-only and exports its schemas to `import` alone, while the component's
 * constructor must check synchronously (before anything is registered). Node 20.19+ and 22.12+
 * load ES modules with `require`, so the schema file is found by the module search path and
 * required by its file name.
 */
function schemaValidator(definition: string): Validator {
    const searchPaths = require.resolve.paths("kubernetes-models") ?? [];
    for (const dir of searchPaths) {
        const file = path.join(dir, "kubernetes-models", "_schemas", `${definition}.js`);
        if (fs.existsSync(file)) {
            return (require(file) as { validate: Validator }).validate;
        }
    }
    throw new Error(`kubernetes-models is not installed (no schema ${definition}); it is a dependency of this package`);
}

const cache = new Map<string, Validator>();

function validatorFor(definition: string): Validator {
    let validator = cache.get(definition);
    if (!validator) {
        validator = schemaValidator(definition);
        cache.set(definition, validator);
    }
    return validator;
}

/** Schema definitions of the pass-through types. */
export const KUBERNETES_TYPES = {
    envVar: "IoK8sApiCoreV1EnvVar",
    toleration: "IoK8sApiCoreV1Toleration",
    affinity: "IoK8sApiCoreV1Affinity",
    podDnsConfig: "IoK8sApiCoreV1PodDNSConfig",
    hostAlias: "IoK8sApiCoreV1HostAlias",
    networkPolicyPeer: "IoK8sApiNetworkingV1NetworkPolicyPeer",
} as const;

/** A problem inside a pass-through object, relative to it. */
export interface ObjectProblem {
    /** JSON-pointer-like path inside the object, as keys (e.g. `["valueFrom", "secretKeyRef"]`). */
    path: (string | number)[];
    problem: string;
}

function isEventual(value: unknown): boolean {
    return pulumi.Output.isInstance(value) || value instanceof Promise;
}

/** Stands in for an Output or Promise (known only later): errors at its path are ignored. */
const EVENTUAL = Symbol("eventual");

function pointer(keys: (string | number)[]): string {
    return keys.map((k) => `/${String(k).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

/**
 * Validates one object against a Kubernetes schema. Besides the schema's own errors, every key the
 * schema never reads is reported as unknown: the Kubernetes schemas allow extra keys (the API
 * server drops them), so a typo would otherwise pass. The validator is watched through a Proxy to
 * learn which keys the schema knows, so the schema stays the only source of field names.
 */
export function kubernetesObjectProblems(definition: string, value: unknown): ObjectProblem[] {
    const read = new Set<string>();
    const eventualPaths: string[] = [];
    const watch = (target: unknown, keys: (string | number)[]): unknown => {
        if (isEventual(target)) {
            eventualPaths.push(pointer(keys));
            return EVENTUAL;
        }
        if (target === null || typeof target !== "object") {
            return target;
        }
        return new Proxy(target as object, {
            get(object, key, receiver) {
                const child = Reflect.get(object, key, receiver);
                if (typeof key !== "string" || (Array.isArray(object) && !/^\d+$/.test(key))) {
                    return child;
                }
                const childKeys = [...keys, Array.isArray(object) ? Number(key) : key];
                read.add(pointer(childKeys));
                return watch(child, childKeys);
            },
        });
    };
    const validate = validatorFor(definition);
    validate(watch(value, []));
    const underEventual = (at: string) => eventualPaths.some((e) => at === e || at.startsWith(`${e}/`));
    const problems: ObjectProblem[] = (validate.errors ?? [])
        .filter((error) => !underEventual(error.instancePath))
        .map((error) => ({ path: fromPointer(error.instancePath), problem: schemaErrorText(error) }));

    const unknownKeys = (target: unknown, keys: (string | number)[]): void => {
        if (target === null || typeof target !== "object" || isEventual(target)) {
            return;
        }
        for (const [key, child] of Object.entries(target)) {
            const childKeys = [...keys, Array.isArray(target) ? Number(key) : key];
            if (!read.has(pointer(childKeys))) {
                problems.push({ path: childKeys, problem: "is not a field of this Kubernetes type" });
            } else {
                unknownKeys(child, childKeys);
            }
        }
    };
    unknownKeys(value, []);
    return problems;
}

function fromPointer(instancePath: string): (string | number)[] {
    if (instancePath === "") {
        return [];
    }
    return instancePath
        .slice(1)
        .split("/")
        .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
        .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function schemaErrorText(error: SchemaError): string {
    switch (error.keyword) {
        case "required":
            return `needs the field ${JSON.stringify(error.params.missingProperty)}`;
        case "enum":
            return `must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
        case "type":
            return `must be of type ${String(error.params.type)}`;
        case "format":
            return `must be in format ${String(error.params.format)}`;
        default:
            return `breaks the schema rule "${error.keyword}"`;
    }
}

/** Adds a problem for each schema error of a pass-through object at `base` (an argument path). */
function check(p: Problems, base: (string | number)[], definition: string, value: unknown): void {
    if (value === undefined || isEventual(value)) {
        return;
    }
    for (const { path: inner, problem } of kubernetesObjectProblems(definition, value)) {
        p.add(argumentPath([...base, ...inner]), problem, "Fix it to match the Kubernetes API (kubectl explain shows the fields).");
    }
}

function checkList(p: Problems, base: (string | number)[], definition: string, values: unknown[] | undefined): void {
    (values ?? []).forEach((value, index) => check(p, [...base, index], definition, value));
}

/** Checks every pass-through Kubernetes object of the arguments against its schema. */
export function checkKubernetesPassThrough(args: SelfHostedGatewayArgs, p: Problems): void {
    checkList(p, ["env"], KUBERNETES_TYPES.envVar, args.env);
    checkList(p, ["tolerations"], KUBERNETES_TYPES.toleration, args.tolerations);
    check(p, ["affinity"], KUBERNETES_TYPES.affinity, args.affinity);
    check(p, ["dns", "config"], KUBERNETES_TYPES.podDnsConfig, args.dns?.config);
    checkList(p, ["networkPolicy", "trafficFrom"], KUBERNETES_TYPES.networkPolicyPeer, args.networkPolicy?.trafficFrom);
    checkList(p, ["hostAliases"], KUBERNETES_TYPES.hostAlias, args.hostAliases);
}
