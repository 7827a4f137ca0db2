/**
 * A copy of the repository's Pulumi project, as a user's clone has it: its own Pulumi.yaml, stack
 * program and stack files (`stacks/Pulumi.<stack>.yaml`), unchanged. The copy sits in the
 * repository's git-ignored `localenv/.tmp/`, so Node.js finds the repository's installed node_modules
 * the ordinary way (upwards), with no link and no second install. Backend and PULUMI_HOME are
 * outside it, and nothing is written into the repository's own stacks/.
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import * as path from "node:path";

export const REPOSITORY = path.resolve(__dirname, "..", "..");

/** What a clone holds that the program needs: the project file, its package files and its sources. */
const PROJECT_ENTRIES = ["Pulumi.yaml", "package.json", "tsconfig.json", "tsconfig.pulumi.json", "components", "stacks", "rotation"];

/** The example stack a new site's stack file starts from (a user copies it the same way). */
export const EXAMPLE_STACK = "prod";

/** Where a project's files live. */
export interface PulumiProject {
    /** The directory of Pulumi.yaml: the work dir of every Pulumi command. */
    readonly dir: string;
    /** The local file backend. */
    readonly backendDir: string;
    /** PULUMI_HOME. */
    readonly home: string;
    /** Where the stacks' `Pulumi.<stack>.yaml` are (the project's `stackConfigDir`). */
    readonly stackConfigDir: string;
    /** Removes the copy. */
    remove(): void;
}

/** Copies the project into the repository's localenv/.tmp/<name of root>; backend and home go under `root`. */
export function createPulumiProject(root: string): PulumiProject {
    const dir = path.join(REPOSITORY, "localenv", ".tmp", path.basename(root));
    for (const entry of PROJECT_ENTRIES) {
        cpSync(path.join(REPOSITORY, entry), path.join(dir, entry), { recursive: true });
    }
    const project: PulumiProject = {
        dir,
        backendDir: path.join(root, "backend"),
        home: path.join(root, "pulumi-home"),
        stackConfigDir: path.join(dir, "stacks"),
        remove: () => rmSync(dir, { recursive: true, force: true }),
    };
    for (const created of [project.backendDir, project.home]) {
        mkdirSync(created, { recursive: true });
    }
    return project;
}

/** The stack file of `stack`; a stack without one of its own starts from the example stack's. */
export function ensureStackFile(project: PulumiProject, stack: string): string {
    const file = path.join(project.stackConfigDir, `Pulumi.${stack}.yaml`);
    if (!existsSync(file)) {
        copyFileSync(path.join(project.stackConfigDir, `Pulumi.${EXAMPLE_STACK}.yaml`), file);
    }
    return file;
}
