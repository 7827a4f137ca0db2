/**
 * Mutants of the shipped admission policy: each validation deleted, each match condition
 * deleted, and each guarantee of a variable undone, so the attack table can show that every
 * clause stops at least one attack no other clause stops. Pure.
 */
import { PolicySpec, PolicyValidation } from "./admissionPolicy";

export interface PolicyMutant {
    /** What was removed or changed, for the report. */
    readonly name: string;
    readonly spec: PolicySpec;
}

/**
 * Hand-written variable mutants: a variable is no clause of its own, but each guarantees
 * something an attack relies on. `expression` replaces the shipped one.
 */
export const VARIABLE_MUTANTS: readonly { readonly variable: string; readonly change: string; readonly expression: string }[] = [
    {
        variable: "secrets",
        change: "an UPDATE checks only the new Secret",
        expression: "request.resource.resource != 'secrets' ? [] : request.operation == 'DELETE' ? [oldObject] : [object]",
    },
    {
        variable: "secrets",
        change: "an UPDATE checks only the stored Secret",
        expression: "request.resource.resource != 'secrets' ? [] : request.operation == 'CREATE' ? [object] : [oldObject]",
    },
    {
        variable: "secrets",
        change: "a DELETE checks nothing",
        expression:
            "request.resource.resource != 'secrets' || request.operation == 'DELETE' ? [] : " +
            "request.operation == 'CREATE' ? [object] : [oldObject, object]",
    },
    {
        variable: "tokenSecretName",
        change: "config.service.auth may read any gateway's token Secret",
        expression: "'-token-[0-9a-f]{10}$'",
    },
];

/** A short name of a validation for the report: its message up to the first colon or comma. */
function shortName(validation: PolicyValidation): string {
    return validation.message
        .replace(/^the rotation identity may write only token Secrets, before and after the request: /, "")
        .slice(0, 90);
}

/** Every mutant of `spec`, in the policy's order. */
export function policyMutants(spec: PolicySpec): PolicyMutant[] {
    const validations = spec.validations.map((validation, index) => ({
        name: `validation ${index + 1} deleted (${shortName(validation)})`,
        spec: { ...spec, validations: spec.validations.filter((_, other) => other !== index) },
    }));
    const conditions = (spec.matchConditions ?? []).map((condition, index) => ({
        name: `match condition ${condition.name} deleted`,
        spec: { ...spec, matchConditions: (spec.matchConditions ?? []).filter((_, other) => other !== index) },
    }));
    const variables = VARIABLE_MUTANTS.map((mutant) => {
        const shipped = spec.variables ?? [];
        if (!shipped.some((variable) => variable.name === mutant.variable)) {
            throw new Error(`the policy has no variable ${mutant.variable}`);
        }
        return {
            name: `variable ${mutant.variable}: ${mutant.change}`,
            spec: {
                ...spec,
                variables: shipped.map((variable) =>
                    variable.name === mutant.variable ? { ...variable, expression: mutant.expression } : variable,
                ),
            },
        };
    });
    return [...validations, ...conditions, ...variables];
}

/** The name of the Secret whose creation the sentinel of variant `id` denies. */
export const probeSecretName = (id: number) => `policy-probe-${id}`;

/** The sentinel's message: a denial carrying it proves variant `id` is the one the API server applies. */
export const sentinelMessage = (id: number) => `policy variant ${id} is in effect`;

/**
 * `spec` with a first validation that denies only the creation of the Secret
 * `probeSecretName(id)`, so a test can tell when the API server applies this variant (it compiles
 * a changed policy asynchronously) without changing what the variant decides for anything else.
 */
export function withSentinel(spec: PolicySpec, id: number): PolicySpec {
    const sentinel: PolicyValidation = {
        expression:
            "request.resource.resource != 'secrets' || request.operation != 'CREATE' || " +
            `object.metadata.name != '${probeSecretName(id)}'`,
        message: sentinelMessage(id),
        reason: "Forbidden",
    };
    return { ...spec, validations: [sentinel, ...spec.validations] };
}
