/**
 * `apim-gateway-rotate` of a {@link World}, run as `World.rotate` runs it but with a changed
 * environment or under a wrapper command: a fault the operator's runner would have (another
 * credential, another state backend, a process that may not write the backend).
 */
import * as path from "node:path";
import { ProcessRun, StartedProcess, startProcess } from "../../../localenv/engine/childProcess";
import { processEnvironment } from "../../../localenv/engine/environment";
import { buildRotationProgram } from "../../../localenv/engine/rotationProgram";
import { pulumiToolchain } from "../../../localenv/engine/toolchain";
import { ENGINE_TIMEOUT_MS, World, emulatedCloudFlags } from "../../../localenv/engine/world";

/** How the run differs from `World.rotate`'s. */
export interface RotationVariant {
    /** Variables set over the world's environment (an empty string blanks one). */
    readonly env?: Readonly<Record<string, string>>;
    /** A command (and its arguments) that runs the program, e.g. one dropping privileges. */
    readonly wrapper?: readonly string[];
    /** Default {@link ENGINE_TIMEOUT_MS}. */
    readonly timeoutMs?: number;
}

/** Starts `apim-gateway-rotate --work-dir <project> --pulumi-root <toolchain> ...args`; its output goes to the world's transcript. */
export async function startRotateWith(world: World, args: readonly string[], variant: RotationVariant = {}): Promise<StartedProcess> {
    // Both are built once per process: these are the program and the CLI World.rotate runs.
    const [cli, toolchain] = await Promise.all([buildRotationProgram(), pulumiToolchain()]);
    const env = {
        ...processEnvironment({ home: world.project.home, backendDir: world.project.backendDir, extra: world.azure.env }),
        ...variant.env,
    };
    const command = [
        ...(variant.wrapper ?? []),
        process.execPath,
        cli,
        "--work-dir",
        world.project.dir,
        "--pulumi-root",
        toolchain.root,
        ...emulatedCloudFlags(world.azure.emulators),
        ...args,
    ];
    const started = startProcess(command[0], command.slice(1), {
        cwd: path.dirname(world.project.dir),
        env,
        timeoutMs: variant.timeoutMs ?? ENGINE_TIMEOUT_MS,
    });
    started.done.then(
        (run) => world.transcript.push({ source: `apim-gateway-rotate ${args.join(" ")} (variant)`, text: `${run.stdout}${run.stderr}` }),
        () => undefined,
    );
    return started;
}

/** Runs it to completion. */
export async function rotateWith(world: World, args: readonly string[], variant: RotationVariant = {}): Promise<ProcessRun> {
    return (await startRotateWith(world, args, variant)).done;
}
