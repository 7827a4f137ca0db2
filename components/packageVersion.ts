import { readFileSync } from "node:fs";
import * as path from "node:path";
import { PACKAGE_NAME } from "./constants";

let cached: string | undefined;

/**
 * This package's version, for `runtime.deployment.artifact.version`. Found by walking up from
 * this file to our own package.json, because the relative path differs between the sources
 * (`components/`) and the build (`dist/components/`), and the build does not ship a copy.
 */
export function packageVersion(): string {
    if (cached !== undefined) {
        return cached;
    }
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
        const candidate = path.join(dir, "package.json");
        const manifest = readManifest(candidate);
        if (manifest?.name === PACKAGE_NAME && typeof manifest.version === "string") {
            cached = manifest.version;
            return cached;
        }
        if (path.dirname(dir) === dir) {
            throw new Error(
                `${PACKAGE_NAME}: cannot find its own package.json above ${__dirname}; install the package with its package.json.`,
            );
        }
    }
}

function readManifest(file: string): { name?: unknown; version?: unknown } | undefined {
    try {
        return JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") {
            return undefined;
        }
        throw error;
    }
}
