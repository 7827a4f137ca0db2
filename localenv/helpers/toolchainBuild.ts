/**
 * Building the local environment's toolchains (`localenv/`): the Pulumi engine and the control
 * plane, from Go modules, with go-toolchain.sh beside this file shared by both build scripts.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";

/**
 * Runs one of the toolchain build scripts (localenv/engine/toolchain/build.sh,
 * localenv/cluster/toolchain/build.sh) and resolves to the bin directory it prints on its last
 * stdout line. A cached toolchain answers at once; a cold one is built from Go modules. `onProgress` gets the script's progress lines.
 */
export function runToolchainBuild(script: string, timeoutMs: number, onProgress?: (line: string) => void): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = spawn("bash", [script], { stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
        let pending = "";
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
            stderr += chunk;
            const lines = (pending + chunk).split("\n");
            pending = lines.pop() ?? "";
            lines.forEach((line) => onProgress?.(line));
        });
        child.once("error", reject);
        child.once("close", (code, signal) => {
            const binDir = stdout.trim().split("\n").at(-1) ?? "";
            if (code !== 0 || !path.isAbsolute(binDir)) {
                reject(new Error(`${script} failed (${signal ?? `exit ${code}`}):\n${stderr.slice(-4000)}`));
                return;
            }
            resolve(binDir);
        });
    });
}
