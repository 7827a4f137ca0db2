/**
 * One end-to-end setting of the local environment (`localenv/`, which `npm run demo` and the
 * suites import, and which imports nothing from `test/`): the built Pulumi toolchain, the
 * ARM/Entra emulators, a temporary project running the real stack program with a local file
 * backend, the compiled rotation program, and a record of everything Pulumi and the rotation
 * printed. Stacks adopt an emulated gateway and render their Kubernetes objects to a directory
 * (real engine and provider, no cluster).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { DestroyResult, Deployment, LocalWorkspace, OutputMap, PulumiCommand, UpResult } from "@pulumi/pulumi/automation";
import { parseGatewayResourceId } from "../../components/token/arm";
import { MUST_BE_SECRET, PROJECT_NAME } from "../../stacks/config";
import { EmulatorsForProcesses, startEmulatorsForProcesses } from "./azureEmulators";
import { ProcessRun, StartedProcess, startProcess } from "./childProcess";
import { processEnvironment } from "./environment";
import { PulumiProject, createPulumiProject, ensureStackFile } from "./pulumiProject";
import { RenderedFiles, readRendered } from "./renderedManifests";
import { buildRotationProgram } from "./rotationProgram";
import { ageState } from "./stackState";
import { PulumiToolchain, pulumiToolchain } from "./toolchain";
import { Captured, redactTokens } from "./transcript";

const DAY_MS = 86_400_000;

/** A deployed stack of the project whose gateway lives in the emulator. */
export interface GatewayStack {
    readonly name: string;
    readonly gatewayResourceId: string;
    /** `pulumi up` through the Automation API, its output recorded. */
    up(options?: { expectNoChanges?: boolean }): Promise<UpResult>;
    /** The stack outputs' plain values (secrets decrypted: there are none). */
    outputs(): Promise<Record<string, unknown>>;
    /**
     * Resets the stack's config to its stack file as `pulumi stack init` left it, then sets the
     * environment's keys plus `overrides` with `pulumi config` (top-level keys replaced whole; an
     * undefined value removes the key).
     */
    configure(overrides: Record<string, unknown>): void;
    /**
     * Moves the token instants in the stack's state `days` back (export, edit, import), as if the
     * token had been issued that long ago; {@link World.setDaysPassed} moves the emulator along.
     */
    age(days: number): Promise<void>;
    /** What the Kubernetes provider rendered for this stack: its "cluster". */
    rendered(): RenderedFiles;
}

export interface World {
    readonly azure: EmulatorsForProcesses;
    readonly project: PulumiProject;
    /** Everything the engine and the rotation program printed, for the leak checks. */
    readonly transcript: Captured[];
    /**
     * A new stack adopting the emulated gateway `gatewayId` (created on first use; a later stack
     * with the same id shares it), deployed with one `pulumi up`.
     */
    deployGatewayStack(name: string, gatewayId: string, config?: Record<string, unknown>): Promise<GatewayStack>;
    /**
     * `pulumi destroy` of a stack {@link deployGatewayStack} created, through the Automation API,
     * its output recorded: every resource in its state deleted, also after an `up` that failed.
     */
    destroyStack(name: string): Promise<DestroyResult>;
    /**
     * `pulumi stack export`: the state as stored, secrets encrypted. (The Automation API's
     * `exportStack()` adds `--show-secrets`, so its JSON always holds the token in plain text.)
     */
    exportState(stack: string): Promise<Deployment>;
    /** `pulumi stack import` of a state from {@link exportState}. */
    importState(stack: string, state: Deployment): Promise<void>;
    /** Runs `pulumi args...` in the project, to completion. */
    pulumi(args: readonly string[], extraEnv?: Record<string, string>): Promise<ProcessRun>;
    /**
     * Runs `apim-gateway-rotate --work-dir <project> --pulumi-root <toolchain> --arm-endpoint <emulator>
     * --authority-host <emulator> ...args` to completion
     * (without `--pulumi-root` when the world runs the `pulumi` on PATH).
     */
    rotate(args: readonly string[], timeoutMs?: number): Promise<ProcessRun>;
    /** Starts it without waiting. */
    startRotate(args: readonly string[], timeoutMs?: number): StartedProcess;
    /**
     * Sets the emulator's clock `days` ahead, as if that long had passed since the stacks' tokens
     * were issued (state aged by the same amount). 0 puts it back.
     */
    setDaysPassed(days: number): void;
    dispose(): Promise<void>;
}

/**
 * The emulated cloud as an operator names a custom cloud to the rotation: the CLI never takes its
 * endpoints from the stack's outputs, so every run of it gets these flags.
 */
export function emulatedCloudFlags(emulators: { readonly armEndpoint: string; readonly authorityHost: string }): string[] {
    return ["--arm-endpoint", emulators.armEndpoint, "--authority-host", emulators.authorityHost];
}

/** A bound for one engine run of the stack program (real time, 2 cores). */
export const ENGINE_TIMEOUT_MS = 3 * 60_000;

/** Which Pulumi CLI a world runs. */
export interface WorldOptions {
    /**
     * `"toolchain"` (default): the pinned CLI and Kubernetes provider that localenv/engine/toolchain
     * builds, with a PULUMI_HOME of the world's own and no plugin download, so every suite runs
     * the same versions. `"path"`: the `pulumi` on PATH as its user runs it (their PULUMI_HOME, so
     * the engine finds or installs the Kubernetes plugin itself, or takes one on PATH), and the
     * rotation program without `--pulumi-root`; no toolchain is built.
     */
    readonly pulumi?: "toolchain" | "path";
}

/** The CLI the world runs: the toolchain's, or whichever `pulumi` PATH resolves to. */
interface WorldCli {
    /** What to execute: an absolute path, or `pulumi` looked up on PATH. */
    readonly executable: string;
    /** The toolchain's: put first on PATH, given to `PulumiCommand.get` and `--pulumi-root`. */
    readonly toolchain?: PulumiToolchain;
}

/** Builds (or finds) the toolchain and the rotation program, starts the emulators, creates the project. */
export async function createWorld(options: WorldOptions = {}): Promise<World> {
    const toolchain = options.pulumi === "path" ? undefined : await pulumiToolchain();
    const cli: WorldCli =
        toolchain === undefined ? { executable: "pulumi" } : { executable: path.join(toolchain.binDir, "pulumi"), toolchain };
    const rotationCli = await buildRotationProgram();
    const root = mkdtempSync(path.join(tmpdir(), "apim-gateway-e2e-"));
    let azure: EmulatorsForProcesses | undefined;
    try {
        azure = await startEmulatorsForProcesses(root);
        return await assembleWorld(cli, rotationCli, root, azure);
    } catch (error) {
        await azure?.emulators.stop();
        rmSync(root, { recursive: true, force: true });
        throw error;
    }
}

async function assembleWorld(cli: WorldCli, rotationCli: string, root: string, azure: EmulatorsForProcesses): Promise<World> {
    const { toolchain } = cli;
    const project = createPulumiProject(root);
    const transcript: Captured[] = [];
    const settings = { home: toolchain === undefined ? undefined : project.home, backendDir: project.backendDir, extra: azure.env };
    const pulumiEnv = (extra: Record<string, string> = {}) => ({
        ...processEnvironment({ ...settings, binDir: toolchain?.binDir }),
        ...extra,
    });
    const pulumiCommand = await PulumiCommand.get(toolchain === undefined ? {} : { root: toolchain.root });
    const workspaceOptions = () => ({ pulumiCommand, envVars: pulumiEnv() });
    const { emulators } = azure;

    const record = (source: string, text: string) => transcript.push({ source, text });
    /** The emulated gateways created so far, by gateway id. */
    const gateways = new Map<string, string>();

    async function pulumi(args: readonly string[], extraEnv: Record<string, string> = {}): Promise<ProcessRun> {
        const run = await startProcess(cli.executable, [...args, "--non-interactive"], {
            cwd: project.dir,
            env: pulumiEnv(extraEnv),
            timeoutMs: ENGINE_TIMEOUT_MS,
        }).done;
        record(`pulumi ${args.join(" ")}`, `${run.stdout}${run.stderr}`);
        if (run.code !== 0) {
            const tail = `${run.stdout}\n${run.stderr}`.trim().split("\n").slice(-30).join("\n");
            throw new Error(`pulumi ${args.slice(0, 3).join(" ")} exited with ${run.code}:\n${redactTokens(tail)}`);
        }
        return run;
    }

    async function exportState(stack: string): Promise<Deployment> {
        return JSON.parse((await pulumi(["stack", "export", "--stack", stack])).stdout) as Deployment;
    }

    async function importState(stack: string, state: Deployment): Promise<void> {
        const file = path.join(root, `import-${stack}.json`);
        writeFileSync(file, JSON.stringify(state));
        try {
            await pulumi(["stack", "import", "--stack", stack, "--file", file]);
        } finally {
            rmSync(file);
        }
    }

    /** Runs `pulumi args...` in the project and waits (config commands: no engine, no emulator call). */
    function pulumiSync(args: readonly string[]): void {
        execFileSync(cli.executable, [...args, "--non-interactive"], {
            cwd: project.dir,
            env: pulumiEnv(),
            stdio: ["ignore", "ignore", "pipe"],
        });
    }

    /**
     * What this environment sets on top of the repository's stack file, as an operator would with
     * `pulumi config set`: the emulated gateway (adopted: the toolchain builds no azure-native
     * provider, so the keys that create Azure resources are removed), the emulated cloud's
     * endpoints and the render directory that stands in for a cluster.
     */
    function environmentConfig(gatewayResourceId: string, renderDir: string): Record<string, unknown> {
        return {
            existingGateway: true,
            ...parseGatewayResourceId(gatewayResourceId),
            location: undefined,
            description: undefined,
            apiIds: undefined,
            azureCloud: emulators.azureCloud,
            renderYamlToDirectory: renderDir,
        };
    }

    function setStackConfig(name: string, settings: Record<string, unknown>): void {
        const removed = Object.keys(settings).filter((key) => settings[key] === undefined);
        const values = Object.fromEntries(
            Object.entries(settings)
                .filter(([, value]) => value !== undefined)
                .map(([key, value]) => [
                    `${PROJECT_NAME}:${key}`,
                    typeof value === "string"
                        ? { value, secret: key in MUST_BE_SECRET }
                        : { value: JSON.stringify(value), objectValue: value, secret: key in MUST_BE_SECRET },
                ]),
        );
        if (removed.length > 0) {
            pulumiSync(["config", "rm-all", "--stack", name, ...removed.map((key) => `${PROJECT_NAME}:${key}`)]);
        }
        pulumiSync(["config", "set-all", "--stack", name, "--json", JSON.stringify(values)]);
    }

    async function deployGatewayStack(name: string, gatewayId: string, config: Record<string, unknown> = {}): Promise<GatewayStack> {
        // A gateway id deployed before is adopted again: one gateway entity, several clusters.
        const gatewayResourceId =
            gatewayId === "gw1"
                ? emulators.gatewayResourceId
                : (gateways.get(gatewayId) ??
                  emulators.arm.addGateway({
                      subscriptionId: emulators.subscriptionId,
                      resourceGroupName: "rg1",
                      serviceName: "apimService1",
                      gatewayId,
                  }));
        gateways.set(gatewayId, gatewayResourceId);
        const renderDir = path.join(root, "rendered", name);
        mkdirSync(renderDir, { recursive: true });
        const stackFile = ensureStackFile(project, name);
        const stack = await LocalWorkspace.createStack({ stackName: name, workDir: project.dir }, workspaceOptions());
        const initialised = readFileSync(stackFile, "utf8");
        const configure = (overrides: Record<string, unknown>) => {
            writeFileSync(stackFile, initialised);
            setStackConfig(name, { ...environmentConfig(gatewayResourceId, renderDir), ...overrides });
        };
        configure(config);
        const handle: GatewayStack = {
            name,
            gatewayResourceId,
            async up(options = {}) {
                const chunks: string[] = [];
                try {
                    const result = await stack.up({
                        ...options,
                        color: "never",
                        onOutput: (chunk) => chunks.push(chunk),
                        onError: (chunk) => chunks.push(chunk),
                    });
                    return result;
                } finally {
                    record(`pulumi up ${name}`, chunks.join(""));
                }
            },
            async outputs() {
                const outputs: OutputMap = await stack.outputs();
                return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.value]));
            },
            configure,
            async age(days) {
                await importState(name, ageState(await exportState(name), days));
            },
            rendered: () => readRendered(renderDir),
        };
        await handle.up();
        return handle;
    }

    async function destroyStack(name: string): Promise<DestroyResult> {
        const stack = await LocalWorkspace.selectStack({ stackName: name, workDir: project.dir }, workspaceOptions());
        const chunks: string[] = [];
        try {
            return await stack.destroy({ color: "never", onOutput: (chunk) => chunks.push(chunk), onError: (chunk) => chunks.push(chunk) });
        } finally {
            record(`pulumi destroy ${name}`, chunks.join(""));
        }
    }

    const rotateArgs = (args: readonly string[]) => [
        rotationCli,
        "--work-dir",
        project.dir,
        ...(toolchain === undefined ? [] : ["--pulumi-root", toolchain.root]),
        ...emulatedCloudFlags(emulators),
        ...args,
    ];

    function startRotate(args: readonly string[], timeoutMs = ENGINE_TIMEOUT_MS): StartedProcess {
        // Without the toolchain on PATH: --pulumi-root alone must lead the program, the engine and
        // its plugins to the pinned CLI (a world on the user's CLI has no root: PATH finds it).
        const started = startProcess(process.execPath, rotateArgs(args), {
            cwd: root,
            env: processEnvironment(settings),
            timeoutMs,
        });
        started.done.then(
            (run) => record(`apim-gateway-rotate ${args.join(" ")}`, `${run.stdout}${run.stderr}`),
            () => undefined,
        );
        return started;
    }

    return {
        azure,
        project,
        transcript,
        deployGatewayStack,
        destroyStack,
        exportState,
        importState,
        pulumi,
        rotate: (args, timeoutMs) => startRotate(args, timeoutMs).done,
        startRotate,
        setDaysPassed: (days) => emulators.clock.setOffset(days * DAY_MS),
        async dispose() {
            await emulators.stop();
            project.remove();
            rmSync(root, { recursive: true, force: true });
        },
    };
}
