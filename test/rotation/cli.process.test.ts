/** The real `rotation/cli.ts` as a process: exit codes, help, streams, job summary and signals. */
import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { FakePulumi, createFakePulumi, fakeTokenOutputs } from "./fakePulumi";

const projectRoot = path.resolve(__dirname, "..", "..");

interface Finished {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** CLI processes started and not yet ended: a test that fails while one runs must not leave it (and its engines) behind. */
const running = new Set<ChildProcess>();

function startCli(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<Finished>; output: () => string } {
    const {
        APIM_GATEWAY_RENEWAL_TRIGGER: _trigger,
        GITHUB_STEP_SUMMARY: _summary,
        APIM_GATEWAY_PULUMI_ROOT: _root,
        ...inherited
    } = process.env;
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "rotation/cli.ts", ...args], {
        cwd: projectRoot,
        env: { ...inherited, ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(child);
    child.on("exit", () => running.delete(child));
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const done = new Promise<Finished>((resolve, reject) => {
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
    return { child, done, output: () => stdout + stderr };
}

/**
 * Resolves once the CLI's output shows every one of `lines`, checked on each chunk it writes (the
 * listeners startCli added first have appended that chunk already); rejects if it ends first.
 */
function untilOutput(run: ReturnType<typeof startCli>, lines: readonly string[], what: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
        const streams = [run.child.stdout, run.child.stderr];
        const stop = () => {
            for (const stream of streams) {
                stream?.off("data", check);
            }
        };
        function check(): void {
            if (lines.every((line) => run.output().includes(line))) {
                stop();
                resolve();
            }
        }
        for (const stream of streams) {
            stream?.on("data", check);
        }
        check();
        run.done.then(() => {
            stop();
            reject(new Error(`the CLI ended before ${what}:\n${run.output()}`));
        }, reject);
    });
}

describe("apim-gateway-rotate (process)", function () {
    // A failure guard only: every wait here is on the CLI's output or its exit, never on a time. Each test
    // starts the CLI under ts-node and a dozen fake engines: 4 s on an idle machine, over 30 s under load.
    this.timeout(120_000);

    afterEach(() => {
        for (const child of running) {
            child.kill("SIGKILL");
        }
    });

    it("prints the help and exits 0 on --help", async () => {
        const { code, stdout } = await startCli(["--help"]).done;
        assert.equal(code, 0);
        assert.match(stdout, /^Usage: apim-gateway-rotate \(--stack NAME\.\.\. \| --all\) \[options\]/);
        assert.match(stdout, /--regenerate-unused-key/);
        assert.match(stdout, /Exit codes:/);
    });

    it("exits 2 with a one-line reason on an unknown option", async () => {
        const { code, stdout, stderr } = await startCli(["--bogus"]).done;
        assert.equal(code, 2);
        assert.equal(stdout, "");
        assert.match(stderr, /^apim-gateway-rotate: Unknown option '--bogus'.*\(see apim-gateway-rotate --help\)\n$/);
    });

    describe("against a fake pulumi CLI", () => {
        let fake: FakePulumi;
        let scratch: string;

        beforeEach(() => {
            scratch = mkdtempSync(path.join(tmpdir(), "rotation-process-"));
        });
        afterEach(() => {
            fake.remove();
            rmSync(scratch, { recursive: true, force: true });
        });

        it("rotates the due stack, leaves the fresh one, prints JSON only on stdout and writes the job summary", async () => {
            fake = createFakePulumi({ dev: fakeTokenOutputs(5, "primary"), prod: fakeTokenOutputs(25) });
            const summary = path.join(scratch, "summary.md");
            const { code, stdout, stderr } = await startCli(["--all", "--json", "--work-dir", fake.workDir, "--pulumi-root", fake.root], {
                GITHUB_STEP_SUMMARY: summary,
            }).done;
            assert.equal(code, 0, stderr);
            const report = JSON.parse(stdout);
            assert.deepEqual(
                report.stacks.map((stack: { stack: string; result: string }) => [stack.stack, stack.result]),
                [
                    ["dev", "rotated"],
                    ["prod", "not-due"],
                ],
            );
            assert.equal(report.stacks[0].after.keyType, "secondary");
            assert.match(stderr, /^\[dev\/gateway\] Updating \(dev\)$/m);
            const markdown = readFileSync(summary, "utf8");
            assert.match(markdown, /^\| dev \| gateway \| .* \| secondary \| rotate \| rotated \|/m);
            assert.ok(!fake.calls().some((call) => call.args[0] === "up" && call.args.includes("prod")), "the fresh stack was left alone");
            for (const text of [stdout, stderr, markdown]) {
                assert.ok(!/b2xkLXNpZ25hdHVyZQ|bmV3LXNpZ25hdHVyZQ/.test(text), "a token leaked");
            }
        });

        it("as a monitor (--check) exits 1 when a token is due", async () => {
            fake = createFakePulumi({ dev: fakeTokenOutputs(5), prod: fakeTokenOutputs(25) });
            const { code, stdout } = await startCli(["--all", "--check", "--work-dir", fake.workDir, "--pulumi-root", fake.root]).done;
            assert.equal(code, 1);
            assert.match(stdout, /^dev\s.*check\s+due$/m);
            assert.match(stdout, /^prod\s.*check\s+fresh$/m);
            assert.ok(!fake.calls().some((call) => call.args[0] === "up" || call.args[0] === "preview"));
        });

        it("on SIGINT cancels the running update cleanly, starts no further stack and exits 130", async () => {
            fake = createFakePulumi({ hangs: { ...fakeTokenOutputs(5), hang: true }, next: fakeTokenOutputs(5) });
            const run = startCli([
                "--stack",
                "hangs",
                "--stack",
                "next",
                "--concurrency",
                "1",
                "--work-dir",
                fake.workDir,
                "--pulumi-root",
                fake.root,
            ]);
            await untilOutput(run, ["[hangs/gateway] Updating (hangs)"], "the update started");
            run.child.kill("SIGINT");
            const { code, stdout, stderr } = await run.done;
            assert.equal(code, 130, stdout + stderr);
            assert.match(stderr, /SIGINT received: cancelling/);
            assert.match(stdout, /\[hangs\/gateway\] \^C received; cancelling the update/);
            assert.match(stdout, /^hangs\s.*cancelled$/m);
            assert.match(stdout, /^next\s.*cancelled$/m);
            assert.ok(!fake.calls().some((call) => call.args.includes("next") && call.args[0] === "up"));
        });

        for (const [signal, exitCode] of [
            ["SIGINT", 130],
            ["SIGTERM", 143],
        ] as const) {
            it(
                `on ${signal} with --concurrency 2 cancels both updates in flight, starts no queued stack and reports all in ` +
                    `selection order, exit ${exitCode}`,
                async () => {
                    // The two hanging stacks are the most urgent, so they take both slots; three due stacks wait.
                    fake = createFakePulumi({
                        "queued-1": fakeTokenOutputs(5),
                        "hang-a": { ...fakeTokenOutputs(2), hang: true },
                        "queued-2": fakeTokenOutputs(6),
                        "hang-b": { ...fakeTokenOutputs(3), hang: true },
                        "queued-3": fakeTokenOutputs(7),
                    });
                    const order = ["queued-1", "hang-a", "queued-2", "hang-b", "queued-3"];
                    const run = startCli([
                        ...order.flatMap((name) => ["--stack", name]),
                        "--concurrency",
                        "2",
                        "--json",
                        "--work-dir",
                        fake.workDir,
                        "--pulumi-root",
                        fake.root,
                    ]);
                    await untilOutput(
                        run,
                        ["[hang-a/gateway] Updating (hang-a)", "[hang-b/gateway] Updating (hang-b)"],
                        "both updates started",
                    );
                    run.child.kill(signal);
                    const { code, stdout, stderr } = await run.done;
                    assert.equal(code, exitCode, stdout + stderr);
                    assert.match(stderr, new RegExp(`${signal} received: cancelling`));
                    for (const name of ["hang-a", "hang-b"]) {
                        assert.match(
                            stderr,
                            new RegExp(`^\\[${name}/gateway\\] \\^C received; cancelling the update$`, "m"),
                            `${name}'s engine got its cancel`,
                        );
                    }
                    const report = JSON.parse(stdout);
                    assert.equal(report.cancelled, true);
                    assert.deepEqual(
                        report.stacks.map((entry: { stack: string; result: string; message: string }) => [
                            entry.stack,
                            entry.result,
                            entry.message,
                        ]),
                        order.map((name) => [
                            name,
                            "cancelled",
                            name.startsWith("hang")
                                ? "cancelled during the update: the engine was interrupted and stopped cleanly"
                                : "not started: the run was cancelled",
                        ]),
                    );
                    const started = fake.calls().filter((call) => call.args[0] === "up" || call.args[0] === "preview");
                    assert.deepEqual(
                        [...new Set(started.map((call) => call.args[call.args.indexOf("--stack") + 1]))].sort(),
                        ["hang-a", "hang-b"],
                        "no queued stack was previewed or updated",
                    );
                },
            );
        }
    });
});
