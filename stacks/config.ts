import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { GatewayArgumentError, SelfHostedGatewayArgs, validateSelfHostedGatewayArgs } from "../components";
import { AzureCloudSettings } from "../components/token/cloud";
import { argumentPath, shapeProblem } from "../components/validation/shape";
import { ComponentConfig, StackConfig, stackConfigSchema } from "./configSchema";
import { namespaceNearMiss } from "./nearMiss";
import { secretArgs, SECRET_CAPABLE_KEYS } from "./secretArgs";

/** The project name in Pulumi.yaml: stack config keys are `apim-gateway:<key>`. */
export const PROJECT_NAME = "apim-gateway";

/** A stack configuration that cannot be used; the message lists every problem with its key. */
export class StackConfigError extends Error {
    readonly problems: readonly string[];

    /** `stack` names the settings file in the message; without it the message says `Pulumi.<stack>.yaml`. */
    constructor(problems: string[], stack?: string) {
        super(
            `Invalid stack configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}\n` +
                `Fix the keys above in Pulumi.${stack ?? "<stack>"}.yaml, or with pulumi config set (every key: docs/options.md).`,
        );
        this.name = "StackConfigError";
        this.problems = problems;
    }
}

/**
 * Stack keys that hold credentials: refused in plain text, with the command that stores them
 * encrypted (the value then never appears in the stack file, the state or a diff). Each has the
 * test of a value that is a credential: a kubeconfig may also be given as a file path, which
 * holds no secret itself.
 */
export const MUST_BE_SECRET: Readonly<Record<string, { command: string; isCredential: (value: string) => boolean }>> = {
    kubeconfig: { command: "pulumi config set --secret kubeconfig < path/to/kubeconfig", isCredential: isKubeconfigContents },
    azureAdClientSecret: { command: "pulumi config set --secret azureAdClientSecret <client-secret>", isCredential: () => true },
    secretEnv: { command: "pulumi config set --secret --path 'secretEnv.<NAME>' <value>", isCredential: () => true },
};

/** A kubeconfig's contents (YAML or JSON, with its credentials) rather than the path of a file. */
function isKubeconfigContents(value: string): boolean {
    return /[\r\n]/.test(value) || /^\s*[{]/.test(value) || /^\s*(apiVersion|clusters|users|contexts|kind)\s*:/.test(value);
}

/** The stack's config as the Pulumi runtime holds it: namespaced keys, raw strings, which are secret. */
export interface RawStackConfig {
    values: Record<string, string>;
    /** Namespaced keys (`apim-gateway:env`) whose value is secret. */
    secretKeys: ReadonlySet<string>;
    /** The stack's name, so an error names its settings file. */
    stack?: string;
}

/** What the stack program needs: the component's arguments and the Kubernetes provider settings. */
export interface StackSettings {
    /** The component's arguments; every value of a secret key is a Pulumi secret here. */
    args: SelfHostedGatewayArgs;
    kubeconfig?: pulumi.Output<string>;
    kubeContext?: string;
    renderYamlToDirectory?: string;
    azureCloud?: AzureCloudSettings;
}

/** A key of the stack config whose value is a list or an object (Pulumi hands it over as JSON). */
export function isStructuredKey(key: string): boolean {
    return key in stackConfigSchema.shape && !takesRawString(key);
}

/** Config keys whose value Pulumi hands over as a raw string rather than as JSON (also `pulumi.Input<string>` ones). */
function takesRawString(key: string): boolean {
    const shape = stackConfigSchema.shape as Record<string, z.ZodType>;
    let schema = shape[key] instanceof z.ZodOptional ? (shape[key] as z.ZodOptional<z.ZodType>).unwrap() : shape[key];
    if (schema instanceof z.ZodUnion) {
        schema = (schema.options as z.ZodType[])[0];
    }
    return schema instanceof z.ZodString || schema instanceof z.ZodEnum;
}

function decodeValue(key: string, raw: string): unknown {
    if (takesRawString(key)) {
        return raw;
    }
    try {
        return JSON.parse(raw);
    } catch {
        return raw;
    }
}

function configKey(path: readonly PropertyKey[]): string {
    return `'${PROJECT_NAME}:${argumentPath(path)}'`;
}

function describeIssue(issue: z.core.$ZodIssue): string {
    const path = issue.path.length > 0 ? argumentPath(issue.path) : "(root)";
    if (issue.code === "unrecognized_keys") {
        const keys = issue.keys.map((k) => (path === "(root)" ? k : `${path}.${k}`));
        return (
            `unknown key${keys.length > 1 ? "s" : ""} ${keys.map((k) => `'${PROJECT_NAME}:${k}'`).join(", ")}: ` +
            `remove or correct ${keys.length > 1 ? "them" : "it"}`
        );
    }
    if (issue.code === "invalid_type" && issue.input === undefined) {
        return issue.path.length === 1
            ? `${configKey(issue.path)} is required: set it with 'pulumi config set ${path} <value>'`
            : `${configKey(issue.path)} is required`;
    }
    const { problem, fix } = shapeProblem(issue);
    return `${configKey(issue.path)} ${problem}. ${fix}`;
}

/** Top-level keys a schema issue is about (an unknown key at the root names the keys themselves). */
function issueKeys(issue: z.core.$ZodIssue): string[] {
    if (issue.path.length === 0) {
        return issue.code === "unrecognized_keys" ? issue.keys : [];
    }
    return [String(issue.path[0])];
}

/** The stack's own keys, which the component does not take. */
const STACK_KEYS = ["kubeconfig", "kubeContext", "renderYamlToDirectory", "azureAdClientSecret"] as const;

/** The keys the schema accepted, each parsed by its own schema (so YAML numbers become quantities). */
function acceptedKeys(decoded: Record<string, unknown>, brokenKeys: ReadonlySet<string>): StackConfig {
    const shape = stackConfigSchema.shape as Record<string, z.ZodType>;
    const accepted: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(decoded)) {
        const parsed = !brokenKeys.has(key) && shape[key] ? shape[key].safeParse(value) : undefined;
        if (parsed?.success) {
            accepted[key] = parsed.data;
        }
    }
    return accepted as StackConfig;
}

/** Stands in for the Entra client secret while checking the other arguments (its own check names the key). */
const CLIENT_SECRET_PLACEHOLDER = "<azureAdClientSecret>";

/** An Entra app without a certificate signs in with the client secret of its own stack key. */
function needsClientSecret(config: ComponentConfig): boolean {
    return config.auth?.type === "azureAdApp" && config.auth.clientCertificate === undefined;
}

/** Maps the config onto the component's arguments (still plain values). */
function plainArgs(config: ComponentConfig, clientSecret: string | undefined): SelfHostedGatewayArgs {
    const args = {
        ...config,
        auth: needsClientSecret(config) ? { ...config.auth, clientSecret: clientSecret ?? CLIENT_SECRET_PLACEHOLDER } : config.auth,
    };
    // Pass-through Kubernetes objects keep their YAML shape; the component checks them against the Kubernetes schema.
    return args as SelfHostedGatewayArgs;
}

/**
 * Validates the stack's config in one pass (the schema, the component's own rules, which keys
 * must or cannot be secret, misspelt namespaces) and returns the component's arguments with
 * every secret key's values as Pulumi secrets. Throws {@link StackConfigError} naming every problem.
 */
export function stackSettings(raw: RawStackConfig): StackSettings {
    const problems: string[] = [];
    const prefix = `${PROJECT_NAME}:`;
    const decoded: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    for (const [fullKey, value] of Object.entries(raw.values)) {
        const colon = fullKey.indexOf(":");
        const namespace = colon > 0 ? fullKey.slice(0, colon) : "";
        if (namespace === PROJECT_NAME) {
            const key = fullKey.slice(prefix.length);
            decoded[key] = decodeValue(key, value);
            if (raw.secretKeys.has(fullKey)) {
                secretKeys.add(key);
            }
        } else if (namespaceNearMiss(namespace, PROJECT_NAME)) {
            problems.push(
                `'${fullKey}' is under the namespace '${namespace}', a near miss of '${PROJECT_NAME}', ` +
                    `so the program would never read it: rename it to '${prefix}${fullKey.slice(colon + 1)}'`,
            );
        }
    }

    const result = stackConfigSchema.safeParse(decoded, { reportInput: true });
    const brokenKeys = new Set<string>();
    if (!result.success) {
        for (const issue of result.error.issues) {
            problems.push(describeIssue(issue));
            issueKeys(issue).forEach((key) => brokenKeys.add(key));
        }
    }

    for (const [key, { command, isCredential }] of Object.entries(MUST_BE_SECRET)) {
        const value = decoded[key];
        if (value !== undefined && !secretKeys.has(key) && (typeof value !== "string" || isCredential(value))) {
            problems.push(
                `'${prefix}${key}' is stored in plain text in the stack file: remove it and store it encrypted with '${command}'`,
            );
        }
    }
    for (const key of secretKeys) {
        if (!(STACK_KEYS as readonly string[]).includes(key) && !(SECRET_CAPABLE_KEYS as readonly string[]).includes(key)) {
            problems.push(
                `'${prefix}${key}' is marked secret, but its values name, select ` +
                    `or configure Kubernetes objects and cannot be kept secret: ` +
                    `set it without --secret (keys that can be secret: ${SECRET_CAPABLE_KEYS.join(", ")})`,
            );
        }
    }

    // The component's rules run on every key the schema accepted, so one run shows everything.
    const config = result.success ? result.data : acceptedKeys(decoded, brokenKeys);
    const clientSecret = typeof decoded.azureAdClientSecret === "string" ? decoded.azureAdClientSecret : undefined;
    if (needsClientSecret(config) && clientSecret === undefined) {
        problems.push(
            `'${prefix}azureAdClientSecret' is required with auth.type azureAdApp (unless ` +
                `auth.clientCertificate is set): set it with '${MUST_BE_SECRET.azureAdClientSecret.command}'`,
        );
    }
    if (config.auth?.type === "azureAdApp" && config.auth.clientCertificate !== undefined && clientSecret !== undefined) {
        problems.push(
            `'${prefix}azureAdClientSecret' and '${prefix}auth.clientCertificate' ` +
                `are both set; the gateway signs in with one: remove one of them`,
        );
    }
    const { kubeconfig, kubeContext, renderYamlToDirectory, azureAdClientSecret: _clientSecret, ...componentConfig } = config;
    const args = plainArgs(componentConfig, clientSecret);
    try {
        validateSelfHostedGatewayArgs(args);
    } catch (error) {
        if (!(error instanceof GatewayArgumentError)) {
            throw error;
        }
        for (const problem of error.problems) {
            const key = problem.argument.split(/[.[]/)[0];
            // A key the schema already refused (or removed) is reported once, by the schema.
            if (!brokenKeys.has(key)) {
                problems.push(`'${prefix}${problem.argument}': ${problem.message}`);
            }
        }
    }
    if (problems.length > 0) {
        throw new StackConfigError(problems, raw.stack);
    }
    return {
        args: secretArgs(args, secretKeys),
        kubeconfig: kubeconfig === undefined ? undefined : pulumi.secret(kubeconfig),
        kubeContext,
        renderYamlToDirectory,
        azureCloud: componentConfig.azureCloud,
    };
}

/**
 * Whether the running program's config key holds a secret. The SDK keeps this in
 * `runtime.isConfigSecret` (exported, though not in its typings); without it no secret could be
 * told apart, so its absence is an error rather than a silent plain value.
 */
function isConfigSecret(key: string): boolean {
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
    if (typeof runtime.isConfigSecret !== "function") {
        throw new Error("@pulumi/pulumi no longer exposes runtime.isConfigSecret; the stack cannot tell secret config values apart");
    }
    return runtime.isConfigSecret(key);
}

/** Reads this stack's config from the running Pulumi program. */
export function readStackSettings(): StackSettings {
    const values = pulumi.runtime.allConfig();
    const secretKeys = new Set(Object.keys(values).filter(isConfigSecret));
    return stackSettings({ values, secretKeys, stack: pulumi.getStack() });
}
