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

/** A structured value with its nested `secure:` leaves (`pulumi config set --secret --path`) replaced by the placeholder. */
function withPlaceholders(value: unknown): { value: unknown; secret: boolean } {
    if (isSecure(value)) {
        return { value: SECRET_PLACEHOLDER, secret: true };
    }
    if (Array.isArray(value)) {
        const items = value.map(withPlaceholders);
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (typeof value === "object" && value !== null) {
        const entries = Object.entries(value).map(([k, v]) => [k, withPlaceholders(v)] as const);
        return { value: Object.fromEntries(entries.map(([k, v]) => [k, v.value])), secret: entries.some(([, v]) => v.secret) };
    }
    return { value, secret: false };
}

/**
 * Reads a stack settings file into the runtime's config form: structured values become JSON, the
 * way the Pulumi CLI passes them to a program; `secure:` values become a placeholder, and a key
 * holding one (at any depth, as the CLI does) is marked secret.
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
        const { value: plain, secret } = withPlaceholders(value);
        values[name] = typeof plain === "string" ? plain : JSON.stringify(plain);
        if (secret) {
            secretKeys.push(name);
        }
    }
    return { values, secretKeys };
}
