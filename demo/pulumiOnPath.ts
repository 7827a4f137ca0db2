/** The user's own Pulumi CLI for `--kube-context`: the `pulumi` that PATH resolves to, as a shell finds it. */
import { accessSync, constants, statSync } from "node:fs";
import * as path from "node:path";
import { DemoUsageError } from "./options";

/** The first executable file `command` in the directories of `pathVariable`, or undefined. */
export function findOnPath(command: string, pathVariable: string | undefined): string | undefined {
    for (const dir of (pathVariable ?? "").split(path.delimiter).filter((entry) => entry !== "")) {
        const candidate = path.resolve(dir, command);
        try {
            accessSync(candidate, constants.X_OK);
            if (statSync(candidate).isFile()) {
                return candidate;
            }
        } catch {
            // Not here, or not executable: the next directory, as a shell does.
        }
    }
    return undefined;
}

/** The `pulumi` on PATH; refused in one line saying how to get one, or how to do without. */
export function requirePulumiOnPath(pathVariable: string | undefined): string {
    const found = findOnPath("pulumi", pathVariable);
    if (found === undefined) {
        throw new DemoUsageError(
            "--kube-context runs the pulumi CLI on PATH, and there is none: install it " +
                "(https://www.pulumi.com/docs/install/) or drop --kube-context to use the demo's own, built from Go modules",
        );
    }
    return found;
}
