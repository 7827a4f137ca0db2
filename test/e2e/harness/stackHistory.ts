/**
 * A stack's update history in the local file backend, read two ways that must agree. The DIY
 * backend writes one `<stack>-<unix nanoseconds>.history.json` per update under
 * `<backend>/.pulumi/history/<project>/<stack>/` (pkg/backend/diy/state.go, store.go), and
 * `pulumi stack history` lists them newest first, 10 to a page unless `--page-size` says
 * otherwise (pkg/cmd/pulumi/stack/stack_history.go): a count of its default output stops at 10.
 */
import { readdirSync } from "node:fs";
import * as path from "node:path";

/** One entry of `pulumi stack history --json` (the fields the suites read). */
export interface HistoryEntry {
    readonly kind: string;
    readonly result: string;
    /** ISO 8601, whole seconds. */
    readonly startTime: string;
    readonly resourceChanges?: Readonly<Record<string, number>>;
}

/** The arguments that list every update of `stack`, newest first: paging off. */
export function historyArgs(stack: string): string[] {
    return ["stack", "history", "--stack", stack, "--json", "--page-size", "0"];
}

/** The names of the history files the backend holds for the stack, oldest first. */
export function historyFiles(backendDir: string, project: string, stack: string): string[] {
    const dir = path.join(backendDir, ".pulumi", "history", project, stack);
    try {
        return readdirSync(dir)
            .filter((name) => /\.history\.json(\.gz|\.zst)?$/.test(name))
            .sort();
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") {
            return [];
        }
        throw error;
    }
}
