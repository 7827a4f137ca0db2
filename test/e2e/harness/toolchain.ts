/** The Pulumi toolchain the end-to-end suite runs: built from Go modules by toolchain/build.sh, cached. */
import { spawn } from "node:child_process";
import * as path from "node:path";

/** Where the built binaries are. */
export interface PulumiToolchain {
    /** Holds `pulumi`, `pulumi-language-nodejs`, `pulumi-resource-kubernetes`, `pulumi-resource-pulumi-nodejs`. */
    readonly binDir: string;
    /** The directory whose `bin/pulumi` to run: the Automation API's `PulumiCommand.get({ root })` and `--pulumi-root`. */
    readonly root: string;
}

const BUILD_SCRIPT = path.join(__dirname, "..", "toolchain", "build.sh");

/** A cold build compiles the CLI and the Kubernetes provider; a cached one answers at once. */
export const TOOLCHAIN_BUILD_TIMEOUT_MS = 45 * 60_000;

let toolchain: Promise<PulumiToolchain> | undefined;

/** Runs build.sh once per process (it prints the bin directory on its last stdout line). */
export function pulumiToolchain(): Promise<PulumiToolchain> {
    return (toolchain ??= new Promise((resolve, reject) => {
        const child = spawn("bash", [BUILD_SCRIPT], { stdio: ["ignore", "pipe", "pipe"], timeout: TOOLCHAIN_BUILD_TIMEOUT_MS });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
        child.once("error", reject);
        child.once("close", (code, signal) => {
            const binDir = stdout.trim().split("\n").at(-1) ?? "";
            if (code !== 0 || !path.isAbsolute(binDir)) {
                reject(new Error(`${BUILD_SCRIPT} failed (${signal ?? `exit ${code}`}):\n${stderr.slice(-4000)}`));
                return;
            }
            resolve({ binDir, root: path.dirname(binDir) });
        });
    }));
}
