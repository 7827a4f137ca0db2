/**
 * The shipped ValidatingAdmissionPolicy of rotation/schedules/kubernetes-rbac.yaml as the tests
 * see it: its validations named by what each checks, and the denial the API server returns for
 * each. Pure: no I/O beyond reading the shipped file.
 */
import { ROTATION_RBAC, RbacObject, objectOfKind, readShippedRbac } from "./shippedRbac";

/** One validation of the policy. */
export interface PolicyValidation {
    readonly expression: string;
    readonly message: string;
    readonly reason?: string;
}

/** The parts of the policy's spec the tests read and the mutants rewrite. */
export interface PolicySpec {
    readonly matchConditions?: readonly { readonly name: string; readonly expression: string }[];
    readonly variables?: readonly { readonly name: string; readonly expression: string }[];
    readonly validations: readonly PolicyValidation[];
    readonly [key: string]: unknown;
}

export interface AdmissionPolicy {
    readonly metadata: { readonly name: string };
    readonly spec: PolicySpec;
}

/**
 * Each validation of the shipped policy, by what it checks: a fragment of its message that no
 * other validation's message contains (`validationsByKey` fails otherwise).
 */
export const VALIDATION_FRAGMENTS = {
    secretName: "Secret must be named <instance>-token-<10 hex>",
    secretAppLabel: "must be labelled app.kubernetes.io/name=apim-selfhosted-gateway",
    secretType: "must be of type Opaque",
    secretOneKey: "must hold exactly one key, value",
    secretValue: "value must be a gateway token (GatewayKey <token>)",
    secretImmutable: "Secret must be immutable",
    deploymentCreateDelete: "may not create or delete a Deployment",
    deploymentMetadata: "may not change a Deployment's metadata",
    deploymentSpec: "Deployment's spec outside the pod template",
    tokenGatewayOnly: "may change only a token gateway's Deployment",
    templateMetadata: "pod template's labels or other metadata",
    templateAnnotations: "may change only the apim-gateway.pulumi.com/token-checksum annotation",
    podSpec: "may not change the pod spec outside its containers",
    containers: "may not add, remove or change containers outside their env",
    otherEnv: "environment variables other than config.service.auth",
    authShape: "config.service.auth must stay a plain reference",
    authKey: "may not add or remove config.service.auth",
    authRef: "config.service.auth may read only a token Secret of the same gateway",
} as const;

/** What a validation checks. */
export type ValidationKey = keyof typeof VALIDATION_FRAGMENTS;

/** The shipped policy (with the shipped placeholder identity), from a file's documents. */
export function shippedPolicy(objects: readonly RbacObject[] = readShippedRbac(ROTATION_RBAC)): AdmissionPolicy {
    return objectOfKind(objects, "ValidatingAdmissionPolicy") as unknown as AdmissionPolicy;
}

/** Each key's validation; throws unless every key names exactly one validation and every validation has a key. */
export function validationsByKey(policy: AdmissionPolicy): Record<ValidationKey, PolicyValidation> {
    const validations = policy.spec.validations;
    const entries = Object.entries(VALIDATION_FRAGMENTS).map(([key, fragment]) => {
        const matching = validations.filter((validation) => validation.message.includes(fragment));
        if (matching.length !== 1) {
            throw new Error(`${matching.length} validations of the policy have "${fragment}" in their message; expected one`);
        }
        return [key, matching[0]] as const;
    });
    const named = new Set(entries.map(([, validation]) => validation));
    const unnamed = validations.filter((validation) => !named.has(validation));
    if (unnamed.length > 0) {
        throw new Error(`validations without a key in VALIDATION_FRAGMENTS: ${unnamed.map((v) => v.message).join(" | ")}`);
    }
    return Object.fromEntries(entries) as Record<ValidationKey, PolicyValidation>;
}

/** The message the API server returns when `validation` of `policy` denies a request (its binding has the policy's name). */
export function policyDenial(policy: AdmissionPolicy, validation: PolicyValidation): string {
    const name = policy.metadata.name;
    return `ValidatingAdmissionPolicy '${name}' with binding '${name}' denied request: ${validation.message}`;
}
