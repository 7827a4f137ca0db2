import * as pulumi from "@pulumi/pulumi";
import { SelfHostedGatewayArgs } from "../components";

/** Every field of an object as a Pulumi secret (the object's keys are names, its values the data). */
function secretFields<T extends object>(value: T | undefined): T | undefined {
    if (value === undefined) {
        return undefined;
    }
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, pulumi.secret(field)])) as T;
}

function secretValue<T>(value: T | undefined): T | undefined {
    return value === undefined ? undefined : (pulumi.secret(value) as unknown as T);
}

/**
 * How each config key that may be secret keeps every one of its values a Pulumi secret in the
 * component's arguments (and so in every object those values reach: env, ConfigMap data, the
 * gateway entity). Every value of these keys is an input the component passes on without
 * deciding anything from it. Other keys name, select or configure objects (replicas, labels,
 * namespace, enum choices) and could not stay secret, so a secret mark on them is refused.
 */
const SECRET_WRAPPERS = {
    resourceGroupName: (a) => ({ resourceGroupName: pulumi.secret(a.resourceGroupName) }),
    serviceName: (a) => ({ serviceName: pulumi.secret(a.serviceName) }),
    subscriptionId: (a) => ({ subscriptionId: secretValue(a.subscriptionId) }),
    description: (a) => ({ description: secretValue(a.description) }),
    location: (a) => ({ location: secretFields(a.location) }),
    configuration: (a) => ({
        configuration: a.configuration && {
            endpoint: secretValue(a.configuration.endpoint),
            settings: secretFields(a.configuration.settings),
        },
    }),
    // Plain values of a secret env move to secretEnv: a Secret read through secretKeyRef, so the
    // Deployment (and its diffs) hold no value; entries with valueFrom keep their fields secret.
    env: (a) => {
        const entries = a.env ?? [];
        const moved = entries.filter(
            (entry) => typeof entry.value === "string" && entry.valueFrom === undefined && typeof entry.name === "string",
        );
        const kept = entries.filter((entry) => !moved.includes(entry));
        return {
            env: kept.length > 0 ? kept.map((entry) => secretFields(entry)!) : undefined,
            secretEnv: {
                ...a.secretEnv,
                ...Object.fromEntries(moved.map((entry) => [entry.name as string, pulumi.secret(entry.value as string)])),
            },
        };
    },
    secretEnv: (a) => ({ secretEnv: secretFields(a.secretEnv) }),
    tolerations: (a) => ({ tolerations: a.tolerations?.map((entry) => secretFields(entry)!) }),
    affinity: (a) => ({ affinity: secretFields(a.affinity) }),
} satisfies Partial<Record<keyof SelfHostedGatewayArgs, (args: SelfHostedGatewayArgs) => Partial<SelfHostedGatewayArgs>>>;

/** Config keys that can be marked secret and stay secret end to end. */
export const SECRET_CAPABLE_KEYS = Object.keys(SECRET_WRAPPERS) as (keyof typeof SECRET_WRAPPERS)[];

/**
 * The component's arguments with the values of every secret config key as Pulumi secrets; the
 * Entra client secret (a key that must be secret) always is one.
 */
export function secretArgs(args: SelfHostedGatewayArgs, secretKeys: ReadonlySet<string>): SelfHostedGatewayArgs {
    let result: SelfHostedGatewayArgs = { ...args };
    for (const key of SECRET_CAPABLE_KEYS) {
        if (secretKeys.has(key)) {
            result = { ...result, ...SECRET_WRAPPERS[key](result) };
        }
    }
    if (result.auth?.type === "azureAdApp" && result.auth.clientSecret !== undefined) {
        result = { ...result, auth: { ...result.auth, clientSecret: pulumi.secret(result.auth.clientSecret) } };
    }
    return result;
}
