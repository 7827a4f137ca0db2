/** The Pulumi toolchain the end-to-end suite runs: built from Go modules by toolchain/build.sh, cached. */
import * as path from "node:path";
import { runToolchainBuild } from "../helpers/toolchainBuild";

/** Where the built binaries are. */
export interface PulumiToolchain {
    /** Holds `pulumi`, `pulumi-language-nodejs`, `pulumi-resource-kubernetes`, `pulumi-resource-pulumi-nodejs`. */
    readonly binDir: string;
    /** The directory whose `bin/pulumi` to run: the Automation API's `PulumiCommand.get({ root })` and `--pulumi-root`. */
    readonly root: string;
}

const BUILD_SCRIPT = path.join(__dirname, "toolchain", "build.sh");

/** A cold build compiles the CLI and the Kubernetes provider; a cached one answers at once. */
export const TOOLCHAIN_BUILD_TIMEOUT_MS = 45 * 60_000;

let toolchain: Promise<PulumiToolchain> | undefined;

/** Runs build.sh once per process. */
export function pulumiToolchain(): Promise<PulumiToolchain> {
    return (toolchain ??= runToolchainBuild(BUILD_SCRIPT, TOOLCHAIN_BUILD_TIMEOUT_MS).then((binDir) => ({
        binDir,
        root: path.dirname(binDir),
    })));
}
