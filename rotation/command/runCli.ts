/**
 * `apim-gateway-rotate` from argv to exit code, with the process's streams, environment and
 * services passed in, so the whole command is testable in-process.
 */
import * as path from "node:path";
import { ciSafe, neutraliseCiCommands } from "../report/ciCommands";
import { Clock } from "../run/clock";
import { EXIT_FAILED, EXIT_USAGE, exitCodeFor } from "./exitCodes";
import { EventFileError, ExpiryEvents, parseExpiryEvents } from "../azure/expiryEvents";
import { TextSink, createLogger } from "../report/logger";
import { HELP, parseCommandLine } from "./options";
import { KeyRegenerator, runRotation } from "../run/orchestrator";
import { redactSecrets } from "../report/redaction";
import { renderGithubSummary, renderJson, renderTable } from "../report/renderReport";
import { StackBackend } from "../pulumi/stackBackend";
import { projectName, uniqueStacks } from "./stackNames";
import { ProcessProbe } from "../policy/staleLock";
import { TokenVerifier } from "../evidence/tokenValidity";
import { WorkDirError, resolveWorkDir } from "./workDir";

/** The process as the command sees it. */
export interface CliIo {
    readonly stdout: TextSink;
    readonly stderr: TextSink;
    readonly env: NodeJS.ProcessEnv;
    readonly cwd: string;
}

/** Everything with side effects beyond the console. */
export interface CliServices {
    /** Searched for Pulumi.yaml after the current directory: the program's own directory. */
    readonly programDir: string;
    readonly createBackend: (options: { workDir: string; pulumiRoot?: string }) => StackBackend;
    readonly regenerateKey: KeyRegenerator;
    /** Proves through ARM that a token's signing key is unchanged. */
    readonly verifyToken: TokenVerifier;
    readonly clock: Clock;
    /** Aborted with the signal's name (`"SIGINT"`, `"SIGTERM"`) as its reason. */
    readonly signal: AbortSignal;
    readonly appendFile: (file: string, text: string) => Promise<void>;
    /** This host's processes, to tell a stale stack lock from a live one. */
    readonly processes: ProcessProbe;
    /** The text of the `--event` file (`-`: stdin); rejects with a message naming the file. */
    readonly readEventFile: (file: string) => Promise<string>;
    /** Replaces the `--metrics-file` atomically. */
    readonly replaceFile: (file: string, text: string) => Promise<void>;
}

/** One line: the reason and where the usage is. */
function usageError(io: CliIo, message: string): number {
    io.stderr.write(`apim-gateway-rotate: ${message} (see apim-gateway-rotate --help)\n`);
    return EXIT_USAGE;
}

/**
 * Runs the command; resolves to the process exit code. Everything it prints, and the job summary,
 * has its CI commands neutralised, whatever the text's source.
 */
export async function runCli(argv: readonly string[], processIo: CliIo, services: CliServices): Promise<number> {
    const io: CliIo = { ...processIo, stdout: ciSafe(processIo.stdout), stderr: ciSafe(processIo.stderr) };
    const parsed = parseCommandLine(argv, io.env);
    if (parsed.kind === "help") {
        io.stdout.write(HELP);
        return 0;
    }
    if (parsed.kind === "usage-error") {
        return usageError(io, parsed.message);
    }
    const { options } = parsed;

    // A malformed event file is a usage error, before any stack is read.
    let events: ExpiryEvents | undefined;
    if (options.eventFile !== undefined) {
        try {
            events = await parseExpiryEvents(await services.readEventFile(options.eventFile), options.eventFile);
        } catch (error) {
            return usageError(io, error instanceof EventFileError ? error.message : redactSecrets((error as Error).message));
        }
    }

    let workDir: string;
    try {
        workDir = resolveWorkDir(options.workDir, io.cwd, [io.cwd, services.programDir]);
    } catch (error) {
        if (error instanceof WorkDirError) {
            return usageError(io, error.message);
        }
        throw error;
    }

    // Each stack once, however it is spelt, before anything is selected.
    let plan = options.plan;
    const project = projectName(workDir);
    if (!plan.stacks.all && project !== undefined) {
        const unique = uniqueStacks(plan.stacks.names, project);
        if ("error" in unique) {
            return usageError(io, unique.error);
        }
        plan = { ...plan, stacks: { all: false, names: unique.names } };
    }

    // With --json, stdout carries the JSON document only.
    const human = options.json ? io.stderr : io.stdout;
    const log = createLogger(human, io.stderr);
    log.info(`Pulumi project: ${workDir}`);
    const backend = services.createBackend({
        workDir,
        ...(options.pulumiRoot !== undefined ? { pulumiRoot: path.resolve(io.cwd, options.pulumiRoot) } : {}),
    });

    const report = await runRotation(events !== undefined ? { ...plan, events } : plan, {
        backend,
        clock: services.clock,
        regenerateKey: services.regenerateKey,
        verifyToken: services.verifyToken,
        log,
        signal: services.signal,
        processes: services.processes,
    });
    const reason: unknown = services.signal.reason;
    let exitCode = exitCodeFor(report, typeof reason === "string" ? reason : undefined);
    if (options.metricsFile !== undefined && !report.cancelled) {
        // prom-client is loaded only when metrics are asked for.
        const { renderMetrics }: typeof import("../report/metrics") = require("../report/metrics");
        try {
            await services.replaceFile(path.resolve(io.cwd, options.metricsFile), await renderMetrics(report));
            log.info(`metrics written to ${options.metricsFile}`);
        } catch (error) {
            log.warn(
                `could not write the metrics file ${options.metricsFile}: ` +
                    `${redactSecrets(error instanceof Error ? error.message : String(error))}`,
            );
            // A cancelled run writes no metrics, so the code was 0 or 1 here.
            exitCode = EXIT_FAILED;
        }
    }

    human.write(`\n${renderTable(report, exitCode)}`);
    if (options.json) {
        io.stdout.write(renderJson(report, exitCode));
    }
    const summaryFile = io.env.GITHUB_STEP_SUMMARY;
    if (summaryFile) {
        try {
            await services.appendFile(summaryFile, neutraliseCiCommands(renderGithubSummary(report, exitCode)));
        } catch (error) {
            log.warn(
                `could not append the job summary to ${summaryFile}: ` +
                    `${redactSecrets(error instanceof Error ? error.message : String(error))}`,
            );
        }
    }
    return exitCode;
}
