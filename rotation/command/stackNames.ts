/**
 * Stack names as one stack: `dev`, `organization/dev` and `organization/<project>/dev` name the
 * same stack of a DIY backend, whose only organization is `organization`. Named stacks are
 * deduplicated by their qualified name before anything runs, so one run never rotates one stack
 * twice at once.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/**
 * The organization a name without one means: the DIY backends' only one. (On Pulumi Cloud a name
 * without one means the user's default organization, which only the service knows: name stacks
 * there the same way throughout a run.)
 */
export const DEFAULT_ORGANIZATION = "organization";

/** `org/project/stack` for `stack`, `org/stack` or `org/project/stack` in `project`. */
export function qualifiedStackName(name: string, project: string): string {
    const parts = name.split("/");
    const stack = parts.at(-1) as string;
    const organization = parts.length > 1 ? parts[0] : DEFAULT_ORGANIZATION;
    const named = parts.length === 3 ? parts[1] : project;
    return `${organization}/${named}/${stack}`;
}

/**
 * `names` with each stack once (the first spelling kept), or an error naming a stack of another
 * project (the rotation runs this project's program on every stack it updates).
 */
export function uniqueStacks(names: readonly string[], project: string): { readonly names: string[] } | { readonly error: string } {
    const foreign = names.find((name) => name.split("/").length === 3 && name.split("/")[1] !== project);
    if (foreign !== undefined) {
        return {
            error:
                `--stack ${foreign} is a stack of project "${foreign.split("/")[1]}", but the project in the work ` +
                `directory is "${project}": pass its directory with --work-dir`,
        };
    }
    const byQualifiedName = new Map<string, string>();
    for (const name of names) {
        const qualified = qualifiedStackName(name, project);
        if (!byQualifiedName.has(qualified)) {
            byQualifiedName.set(qualified, name);
        }
    }
    return { names: [...byQualifiedName.values()] };
}

/** The `name` in the project's Pulumi.yaml (or Pulumi.yml), or undefined when unreadable. */
export function projectName(workDir: string): string | undefined {
    for (const file of ["Pulumi.yaml", "Pulumi.yml"]) {
        try {
            const parsed: unknown = parse(readFileSync(path.join(workDir, file), "utf8"));
            const name = (parsed as { name?: unknown } | null)?.name;
            if (typeof name === "string" && name !== "") {
                return name;
            }
        } catch {}
    }
    return undefined;
}
