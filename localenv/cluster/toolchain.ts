/** The control-plane binaries: built from Go modules by toolchain/build.sh, cached outside the repository. */
import * as path from "node:path";
import { runToolchainBuild } from "../helpers/toolchainBuild";

/** Where the built binaries are. */
export interface ClusterToolchain {
    /**
     * Holds `etcd`, `kube-apiserver`, `kube-controller-manager`, `kube-scheduler`, `kwok` and
     * `kwok-stages/` (kwok's default node and pod stages, copied from its module).
     */
    readonly binDir: string;
}

const BUILD_SCRIPT = path.join(__dirname, "toolchain", "build.sh");

/** A cold build compiles three Kubernetes components, etcd and kwok; a cached one answers at once. */
export const CLUSTER_TOOLCHAIN_BUILD_TIMEOUT_MS = 60 * 60_000;

let toolchain: Promise<ClusterToolchain> | undefined;

/** Runs build.sh once per process. */
export function clusterToolchain(): Promise<ClusterToolchain> {
    return (toolchain ??= runToolchainBuild(BUILD_SCRIPT, CLUSTER_TOOLCHAIN_BUILD_TIMEOUT_MS).then((binDir) => ({ binDir })));
}
