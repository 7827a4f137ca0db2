/** The control-plane binaries: built from Go modules by ../toolchain/build.sh, cached outside the repository. */
import { spawn } from "node:child_process";
import * as path from "node:path";

/** Where the built binaries are. */
export interface ClusterToolchain {
    /**
     * Holds `etcd`, `kube-apiserver`, `kube-controller-manager`, `kube-scheduler`, `kwok` and
     * `kwok-stages/` (kwok's default node and pod stages, copied from its module).
     */
    readonly binDir: string;
}

const BUILD_SCRIPT = path.join(__dirname, "..", "toolchain", "build.sh");

/** A cold build compiles three Kubernetes components, etcd and kwok; a cached one answers at once. */
export const CLUSTER_TOOLCHAIN_BUILD_TIMEOUT_MS = 60 * 60_000;

let toolchain: Promise<ClusterToolchain> | undefined;

/** Runs build.sh once per process (it prints the bin directory on its last stdout line). */
export function clusterToolchain(): Promise<ClusterToolchain> {
    return (toolchain ??= new Promise((resolve, reject) => {
        const child = spawn("bash", [BUILD_SCRIPT], { stdio: ["ignore", "pipe", "pipe"], timeout: CLUSTER_TOOLCHAIN_BUILD_TIMEOUT_MS });
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
            resolve({ binDir });
        });
    }));
}
