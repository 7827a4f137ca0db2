import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { StackConfig, stackConfigSchema } from "./configSchema";

/** The project name in Pulumi.yaml: stack config keys are `apim-gateway:<key>`. */
export const PROJECT_NAME = "apim-gateway";

/** A stack configuration that cannot be used; the message lists every problem with its key. */
export class StackConfigError extends Error {
    constructor(problems: string[]) {
        super(
            `Invalid stack configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}\n` +
                `Fix the keys above in stacks/Pulumi.<stack>.yaml (see the README's option reference).`,
        );
        this.name = "StackConfigError";
    }
}

/** Config keys whose value Pulumi hands over as a raw string rather than as JSON. */
function takesRawString(key: string): boolean {
    const shape = stackConfigSchema.shape as Record<string, z.ZodType>;
    const schema = shape[key] instanceof z.ZodOptional ? (shape[key] as z.ZodOptional<z.ZodType>).unwrap() : shape[key];
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

function describeIssue(issue: z.core.$ZodIssue): string {
    const path = issue.path.length > 0 ? issue.path.join(".") : "(root)";
    if (issue.code === "unrecognized_keys") {
        const keys = issue.keys.map((k) => (path === "(root)" ? k : `${path}.${k}`));
        return `unknown key${keys.length > 1 ? "s" : ""} ${keys.map((k) => `'${PROJECT_NAME}:${k}'`).join(", ")}: remove or correct ${keys.length > 1 ? "them" : "it"}`;
    }
    if (issue.code === "invalid_type" && issue.input === undefined) {
        return issue.path.length === 1
            ? `'${PROJECT_NAME}:${path}' is required: set it with 'pulumi config set ${path} <value>'`
            : `'${PROJECT_NAME}:${path}' is required`;
    }
    return `'${PROJECT_NAME}:${path}': ${issue.message}`;
}

/**
 * Validates raw config values (`key` without the project prefix → the string Pulumi stores) and
 * returns them typed. Throws {@link StackConfigError} naming every bad key at once.
 */
export function parseStackConfig(raw: Record<string, string>): StackConfig {
    const decoded = Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, decodeValue(key, value)]));
    const result = stackConfigSchema.safeParse(decoded, { reportInput: true });
    if (!result.success) {
        throw new StackConfigError(result.error.issues.map(describeIssue));
    }
    return result.data;
}

/** Reads this stack's `apim-gateway:*` config from the running Pulumi program. */
export function readStackConfig(): StackConfig {
    const prefix = `${PROJECT_NAME}:`;
    const raw = Object.fromEntries(
        Object.entries(pulumi.runtime.allConfig())
            .filter(([key]) => key.startsWith(prefix))
            .map(([key, value]) => [key.slice(prefix.length), value]),
    );
    return parseStackConfig(raw);
}

/** A secret key's value as a Pulumi secret, so it never reaches plain state or logs. */
export function secretValue(value: string | undefined): pulumi.Output<string> | undefined {
    return value === undefined ? undefined : pulumi.secret(value);
}
