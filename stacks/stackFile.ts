import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PROJECT_NAME } from "./config";

/** Stack config as the Pulumi runtime holds it: namespaced keys, string values, and which are secret. */
export interface RuntimeConfig {
    values: Record<string, string>;
    secretKeys: string[];
}

/** Placeholder for a `secure:` value, which cannot be decrypted without the stack's secrets provider. */
export const SECRET_PLACEHOLDER = "<secret>";

/** `dev` → `stacks/Pulumi.dev.yaml`; a path to a `.yaml` file is taken as it is. */
export function resolveStackFile(stackOrFile: string, stacksDir: string): string {
    return /\.ya?ml$/.test(stackOrFile) ? path.resolve(stackOrFile) : path.join(stacksDir, `Pulumi.${stackOrFile}.yaml`);
}

function isSecure(value: unknown): boolean {
    return typeof value === "object" && value !== null && Object.keys(value).length === 1 && "secure" in value;
}

/**
 * Reads a stack settings file into the runtime's config form: structured values become JSON, the
 * way the Pulumi CLI passes them to a program; `secure:` values become a placeholder marked secret.
 */
export function loadStackFile(file: string): RuntimeConfig {
    if (!fs.existsSync(file)) {
        throw new Error(`No stack settings file at ${file}: pass a stack name with a stacks/Pulumi.<stack>.yaml, or a path to one`);
    }
    const document = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
    const config = document?.config ?? {};
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(config)) {
        const name = key.includes(":") ? key : `${PROJECT_NAME}:${key}`;
        if (isSecure(value)) {
            values[name] = SECRET_PLACEHOLDER;
            secretKeys.push(name);
        } else {
            values[name] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return { values, secretKeys };
}
