/**
 * A throw-away Pulumi project that runs the repository's real stack program (stacks/) unchanged:
 * its own Pulumi.yaml, stack settings directory and backend, so nothing is written into the
 * repository's stacks/.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { PROJECT_NAME } from "../../../stacks/config";

const REPOSITORY = path.resolve(__dirname, "..", "..", "..");

/** Where a project's files live. */
export interface PulumiProject {
    /** The directory of Pulumi.yaml: the work dir of every Pulumi command. */
    readonly dir: string;
    /** The local file backend. */
    readonly backendDir: string;
    /** PULUMI_HOME. */
    readonly home: string;
    /** Where the stacks' `Pulumi.<stack>.yaml` are. */
    readonly stackConfigDir: string;
}

/** Creates the project under `root` (which must exist and be empty). */
export function createPulumiProject(root: string): PulumiProject {
    const project: PulumiProject = {
        dir: path.join(root, "project"),
        backendDir: path.join(root, "backend"),
        home: path.join(root, "pulumi-home"),
        stackConfigDir: path.join(root, "project", "stacks"),
    };
    for (const dir of [project.dir, project.backendDir, project.home, project.stackConfigDir]) {
        mkdirSync(dir, { recursive: true });
    }
    writeFileSync(
        path.join(project.dir, "Pulumi.yaml"),
        stringify({ name: PROJECT_NAME, runtime: { name: "nodejs", options: { typescript: true } }, main: "index.ts", stackConfigDir: "stacks" }),
    );
    // The repository's program, required from here so its modules resolve from the repository.
    const stacksDir = path.relative(project.dir, path.join(REPOSITORY, "stacks"));
    writeFileSync(path.join(project.dir, "index.ts"), `export = require(${JSON.stringify(stacksDir)});\n`);
    writeFileSync(path.join(project.dir, "package.json"), `${JSON.stringify({ name: "apim-gateway-e2e", private: true }, undefined, 2)}\n`);
    // The language host finds @pulumi/pulumi's runner from the program directory.
    symlinkSync(path.relative(project.dir, path.join(REPOSITORY, "node_modules")), path.join(project.dir, "node_modules"));
    return project;
}

/** Writes a stack's `apim-gateway:*` config, keeping what `pulumi stack init` added (the encryption salt). */
export function writeStackConfig(project: PulumiProject, stack: string, config: Record<string, unknown>): void {
    const file = path.join(project.stackConfigDir, `Pulumi.${stack}.yaml`);
    let settings: Record<string, unknown> = {};
    try {
        settings = (parse(readFileSync(file, "utf8")) as Record<string, unknown> | null) ?? {};
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
            throw error;
        }
    }
    settings.config = Object.fromEntries(Object.entries(config).map(([key, value]) => [`${PROJECT_NAME}:${key}`, value]));
    writeFileSync(file, stringify(settings));
}
