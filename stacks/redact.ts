import * as pulumi from "@pulumi/pulumi";

/** Shown in place of every secret value and every Secret's data. */
export const REDACTED = "<redacted>";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

function isSecretValue(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === SECRET_SIG;
}

/** Replaces every value the program marked secret, at any depth. */
export function redactSecrets(value: unknown): unknown {
    if (isSecretValue(value)) {
        return REDACTED;
    }
    if (Array.isArray(value)) {
        return value.map(redactSecrets);
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v)]));
    }
    return value;
}

/** A Kubernetes object for review: secrets redacted, and a Secret's data redacted whatever its marking. */
export function redactObject(object: Record<string, unknown>): Record<string, unknown> {
    if (object.kind !== "Secret") {
        return redactSecrets(object) as Record<string, unknown>;
    }
    const keysOnly = (field: unknown) => {
        const data = isSecretValue(field) ? field.value : field;
        return data && typeof data === "object" ? Object.fromEntries(Object.keys(data).map((key) => [key, REDACTED])) : data;
    };
    const { data, stringData, ...rest } = object;
    return {
        ...(redactSecrets(rest) as Record<string, unknown>),
        ...(data !== undefined ? { data: keysOnly(data) } : {}),
        ...(stringData !== undefined ? { stringData: keysOnly(stringData) } : {}),
    };
}
