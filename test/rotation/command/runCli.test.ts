import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { EXIT_FAILED, EXIT_OK, EXIT_SIGINT, EXIT_SIGTERM, EXIT_USAGE } from "../../../rotation/command/exitCodes";
import { CliServices, runCli } from "../../../rotation/command/runCli";
import {
    FakeBackend,
    FakeClock,
    holdsCiCommand,
    FakeStackSpec,
    PLANTED_TOKEN,
    StringSink,
    DAY,
    contractOutputs,
    fakeProcesses,
    fakeVerifier,
    recordingRegenerator,
    tokenOutputs,
    tokenUnit,
} from "../fakes";

interface CliRun {
    code: number;
    stdout: string;
    stderr: string;
    backend: FakeBackend;
    backendOptions: { workDir: string; pulumiRoot?: string }[];
    summaries: { file: string; text: string }[];
    written: { file: string; text: string }[];
    regenerator: ReturnType<typeof recordingRegenerator>;
}

describe("apim-gateway-rotate (in process)", () => {
    let root: string;
    let project: string;

    beforeEach(() => {
        root = mkdtempSync(path.join(tmpdir(), "rotation-cli-"));
        project = path.join(root, "project");
        mkdirSync(path.join(project, "nested"), { recursive: true });
        mkdirSync(path.join(root, "elsewhere"));
        writeFileSync(path.join(project, "Pulumi.yaml"), "name: apim-gateway\nruntime: nodejs\n");
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    async function cli(
        argv: string[],
        stacks: Record<string, FakeStackSpec>,
        options: {
            env?: NodeJS.ProcessEnv;
            cwd?: string;
            appendFails?: boolean;
            controller?: AbortController;
            eventFiles?: Record<string, string>;
            /** What reading any --event file throws. */
            eventReadError?: Error;
            writeFails?: boolean;
            /** What writing the job summary and the metrics file rejects with, when it is not an Error. */
            writeRejects?: unknown;
            clock?: FakeClock;
        } = {},
    ): Promise<CliRun> {
        const clock = options.clock ?? new FakeClock();
        const regenerator = recordingRegenerator();
        const backend = new FakeBackend(stacks, clock);
        const stdout = new StringSink();
        const stderr = new StringSink();
        const backendOptions: CliRun["backendOptions"] = [];
        const summaries: CliRun["summaries"] = [];
        const written: CliRun["written"] = [];
        const services: CliServices = {
            programDir: path.join(root, "elsewhere"),
            createBackend: (backendOption) => {
                backendOptions.push(backendOption);
                return backend;
            },
            regenerateKey: regenerator,
            verifyToken: fakeVerifier(),
            clock,
            signal: (options.controller ?? new AbortController()).signal,
            appendFile: async (file, text) => {
                if (options.appendFails) {
                    throw new Error(`EACCES: permission denied, open '${file}'`);
                }
                if (options.writeRejects !== undefined) {
                    throw options.writeRejects;
                }
                summaries.push({ file, text });
            },
            processes: fakeProcesses(),
            readEventFile: async (file) => {
                if (options.eventReadError) {
                    throw options.eventReadError;
                }
                const text = options.eventFiles?.[file];
                if (text === undefined) {
                    throw new Error(`--event ${file} cannot be read: ENOENT`);
                }
                return text;
            },
            replaceFile: async (file, text) => {
                if (options.writeFails) {
                    throw new Error(`EACCES: permission denied, open '${file}'`);
                }
                if (options.writeRejects !== undefined) {
                    throw options.writeRejects;
                }
                written.push({ file, text });
            },
        };
        const code = await runCli(
            argv,
            { stdout, stderr, env: options.env ?? {}, cwd: options.cwd ?? path.join(project, "nested") },
            services,
        );
        return { code, stdout: stdout.text, stderr: stderr.text, backend, backendOptions, summaries, written, regenerator };
    }

    /**
     * A run whose engine prints `commands` on stdout and (through `asError`) stderr, whose update fails
     * with them and whose outputs cannot be read for them; asserts no output, error or summary holds a
     * CI command the runners would execute, and returns the run.
     */
    async function runPrintingCommands(commands: readonly string[], asError: (command: string) => string) {
        const run = await cli(
            ["--all", "--json"],
            {
                dev: { outputs: tokenOutputs(5), engineLines: [...commands], engineErrors: commands.map(asError) },
                prod: { outputs: tokenOutputs(5), upError: new Error(`rollout failed:\n${commands.join("\n")}`) },
                bad: { outputs: {}, outputsError: new Error(commands.join("\n")) },
            },
            { env: { GITHUB_STEP_SUMMARY: "/summary.md" } },
        );
        assert.equal(run.code, EXIT_FAILED);
        for (const [where, text] of [
            ["stdout", run.stdout],
            ["stderr", run.stderr],
            ["summary", run.summaries.map((summary) => summary.text).join("")],
        ]) {
            assert.equal(holdsCiCommand(text), false, `${where} holds a CI command:\n${JSON.stringify(text)}`);
            assert.ok(!/##(vso)?\[/i.test(text), `${where} holds an Azure Pipelines command verbatim`);
        }
        return run;
    }

    it("prints progress and the summary table on stdout", async () => {
        const run = await cli(["--stack", "dev"], { dev: { outputs: tokenOutputs(5), engineLines: ["Updating (dev)"] } });
        assert.equal(run.code, EXIT_OK);
        assert.match(run.stdout, new RegExp(`^Pulumi project: ${project.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
        assert.match(run.stdout, /^\[dev\/gateway\] Updating \(dev\)$/m);
        assert.match(run.stdout, /^STACK\s+GATEWAY\s+OLD EXPIRY/m);
        assert.match(run.stdout, /^dev\s.*rotate\s+rotated$/m);
        assert.deepEqual(run.backendOptions, [{ workDir: project }]);
    });

    it("with --json prints only the JSON report on stdout and everything else on stderr", async () => {
        const run = await cli(["--all", "--json"], {
            dev: { outputs: tokenOutputs(5), engineLines: ["Updating (dev)"] },
            prod: { outputs: tokenOutputs(25) },
        });
        const parsed = JSON.parse(run.stdout);
        assert.equal(parsed.exitCode, EXIT_OK);
        assert.deepEqual(
            parsed.stacks.map((stack: { stack: string; result: string }) => [stack.stack, stack.result]),
            [
                ["dev", "rotated"],
                ["prod", "not-due"],
            ],
        );
        assert.match(run.stderr, /^\[dev\/gateway\] Updating \(dev\)$/m);
        assert.match(run.stderr, /^STACK\s+GATEWAY\s+OLD EXPIRY/m);
    });

    it("appends a markdown job summary when $GITHUB_STEP_SUMMARY is set", async () => {
        const run = await cli(
            ["--stack", "dev", "--check"],
            { dev: { outputs: tokenOutputs(5) } },
            { env: { GITHUB_STEP_SUMMARY: "/runner/summary.md" } },
        );
        assert.equal(run.code, EXIT_FAILED, "a due token fails --check");
        assert.equal(run.summaries.length, 1);
        assert.equal(run.summaries[0].file, "/runner/summary.md");
        assert.match(run.summaries[0].text, /^\| dev \| gateway \| .* \| check \| due \|/m);
    });

    it("warns but keeps the exit code when the job summary cannot be written", async () => {
        const run = await cli(
            ["--stack", "dev"],
            { dev: { outputs: tokenOutputs(25) } },
            { env: { GITHUB_STEP_SUMMARY: "/ro/summary.md" }, appendFails: true },
        );
        assert.equal(run.code, EXIT_OK);
        assert.match(run.stderr, /warning: could not append the job summary to \/ro\/summary.md: EACCES/);
    });

    it("names what a write rejected with when it is not an Error", async () => {
        const run = await cli(
            ["--all", "--check", "--metrics-file", "apim.prom"],
            { dev: { outputs: tokenOutputs(25) } },
            { env: { GITHUB_STEP_SUMMARY: "/summary.md" }, writeRejects: "disk full" },
        );
        assert.equal(run.code, EXIT_FAILED);
        assert.match(run.stderr, /could not write the metrics file apim\.prom: disk full$/m);
        assert.match(run.stderr, /could not append the job summary to \/summary\.md: disk full$/m);
    });

    it("writes no job summary without $GITHUB_STEP_SUMMARY", async () => {
        const run = await cli(["--stack", "dev"], { dev: { outputs: tokenOutputs(25) } });
        assert.deepEqual(run.summaries, []);
    });

    it("exits 2 with a one-line reason on a usage error, before touching any backend", async () => {
        for (const argv of [
            ["--stack", "dev", "--bogus"],
            ["--all", "--shard", "3/2"],
            ["--all", "--shard", "0/2"],
            ["--all", "--concurrency", "0"],
            ["--all", "--concurrency", "x"],
            ["--stack", "--help"],
            ["--stack", "../x"],
        ]) {
            const run = await cli(argv, {});
            assert.equal(run.code, EXIT_USAGE, argv.join(" "));
            assert.equal(run.stdout, "", argv.join(" "));
            assert.match(run.stderr, /^apim-gateway-rotate: [^\n]+ \(see apim-gateway-rotate --help\)\n$/, argv.join(" "));
            assert.deepEqual(run.backendOptions, [], argv.join(" "));
        }
        assert.match((await cli(["--stack", "dev", "--bogus"], {})).stderr, /^apim-gateway-rotate: Unknown option '--bogus'/);
    });

    it("prints the help on --help: the usage, every flag, the defaults and the exit codes", async () => {
        const run = await cli(["--help"], {});
        assert.equal(run.code, EXIT_OK);
        assert.equal(run.stderr, "");
        assert.match(run.stdout, /^Usage: apim-gateway-rotate \(--stack NAME\.\.\. \| --all\) \[options\]\n/);
        const flags = [
            "-s, --stack NAME",
            "--all",
            "--shard K/N",
            "--check",
            "--dry-run",
            "--force",
            "--include-pending-changes",
            "--regenerate-unused-key",
        ];
        flags.push(
            "--json",
            "--work-dir DIR",
            "--pulumi-root DIR",
            "--lock-retries N",
            "--lock-retry-delay SEC",
            "--release-stale-locks",
            "--concurrency N",
            "-h, --help",
        );
        for (const flag of flags) {
            assert.ok(run.stdout.includes(`  ${flag}`), `the help names ${flag}`);
        }
        // The documented defaults, written down here rather than read from the code under test.
        assert.match(run.stdout, /--lock-retries N[^\n]*\(default 4\)/);
        assert.match(run.stdout, /--lock-retry-delay SEC[^\n]*\(default 15\)/);
        assert.match(run.stdout, /--concurrency N[^\n]*\(default 4\)/);
        assert.match(run.stdout, /APIM_GATEWAY_PULUMI_ROOT/);
        for (const code of ["0", "1", "2", "130"]) {
            assert.match(run.stdout, new RegExp(`^  ${code} `, "m"), `the help explains exit code ${code}`);
        }
    });

    it("exits 2 when no Pulumi project can be found", async () => {
        const run = await cli(["--all"], {}, { cwd: path.join(root, "elsewhere") });
        assert.equal(run.code, EXIT_USAGE);
        assert.match(run.stderr, /no Pulumi.yaml found above .*pass --work-dir DIR/);
    });

    it("passes --work-dir and --pulumi-root, resolved against the current directory, to the backend", async () => {
        const run = await cli(
            ["--all", "--work-dir", "../project", "--pulumi-root", "tools/pulumi"],
            { dev: { outputs: tokenOutputs(25) } },
            { cwd: path.join(root, "elsewhere") },
        );
        assert.deepEqual(run.backendOptions, [{ workDir: project, pulumiRoot: path.join(root, "elsewhere", "tools", "pulumi") }]);
    });

    it("exits 130 when the run was cancelled by SIGINT", async () => {
        const controller = new AbortController();
        const run = await cli(
            ["--all"],
            { dev: { outputs: tokenOutputs(5), duringUp: async () => controller.abort("SIGINT") }, prod: { outputs: tokenOutputs(5) } },
            { controller },
        );
        assert.equal(run.code, EXIT_SIGINT);
        assert.match(run.stdout, /^prod\s.*cancelled$/m);
    });

    it("exits 143 when cancelled by SIGTERM, and writes no metrics file for a cancelled run", async () => {
        const controller = new AbortController();
        controller.abort("SIGTERM");
        const run = await cli(["--all", "--check", "--metrics-file", "apim.prom"], { dev: { outputs: tokenOutputs(25) } }, { controller });
        assert.equal(run.code, EXIT_SIGTERM);
        assert.deepEqual(run.written, [], "no metrics of a cancelled run");
        assert.doesNotMatch(run.stdout + run.stderr, /metrics written/);
    });

    it("exits 2 naming the --work-dir that holds no Pulumi.yaml", async () => {
        const run = await cli(["--all", "--work-dir", "elsewhere"], {}, { cwd: root });
        assert.equal(run.code, EXIT_USAGE);
        assert.match(run.stderr, /^apim-gateway-rotate: --work-dir elsewhere: no Pulumi.yaml in /);
        assert.deepEqual(run.backendOptions, []);
    });

    it("never prints a planted token on any stream or in the job summary", async () => {
        const run = await cli(
            ["--all", "--json", "--regenerate-unused-key"],
            {
                dev: {
                    outputs: contractOutputs({ gateway: tokenUnit(5) }, { token: { secret: false, value: PLANTED_TOKEN } }),
                    engineLines: [`auth ${PLANTED_TOKEN}`],
                },
                prod: { outputs: tokenOutputs(5), upError: new Error(`bad ${PLANTED_TOKEN}`) },
            },
            { env: { GITHUB_STEP_SUMMARY: "/summary.md" } },
        );
        const everything = [run.stdout, run.stderr, ...run.summaries.map((summary) => summary.text)].join("\n");
        assert.ok(!everything.includes("c2VjcmV0LXNpZ25hdHVyZQ"), "a planted secret leaked");
        assert.match(run.stderr, /\[dev\/gateway\] auth GatewayKey \[secret\]/);
    });

    it("prints no CI command, whatever its source: engine stdout and stderr, error messages, stack names in the summary", async () => {
        const commands = [
            "::add-mask::x",
            "::stop-commands::resume",
            "##vso[task.setvariable variable=SECRET]x",
            "##[error]forged",
            "  ::set-output name=a::b",
        ];
        const run = await runPrintingCommands(commands, (command) => `warning: event: ${command}`);
        // The multi-line failure reaches the table with each command at the start of a line: broken there.
        assert.match(run.stderr, /^:\u200B:add-mask::x$/m);
        assert.match(run.stderr, /^:\u200B:stop-commands::resume$/m);
        assert.match(
            run.stderr + run.stdout,
            /\[dev\/gateway\] ::add-mask::x/,
            "mid-line (no runner reads it there) the engine's text is shown as it was",
        );
    });

    describe("--event", () => {
        const SUB = "00000000-0000-0000-0000-000000000000";
        const SERVICE = `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1`;
        /** Azure's event about the token the fleet's gw1 stacks hold (it expires in 25 days). */
        const nearExpiry = (gateway: string, instance: string, expiresAtUtc = tokenUnit(25).tokenExpiresAt) => ({
            id: `near-${gateway}-${instance}`,
            topic: SERVICE.toLowerCase(),
            subject: `/gateways/${gateway}/${instance}`,
            data: { gatewayInfo: { gatewayId: gateway, instanceId: instance }, tokenInfo: { expiresAtUtc } },
            eventType: "Microsoft.ApiManagement.GatewayTokenNearExpiry",
            dataVersion: "1",
            metadataVersion: "1",
            eventTime: "2025-06-15T11:00:00Z",
        });
        /** dev and dev2 hold gw1 (fresh tokens), prod holds gw2 (due). */
        const fleet = (): Record<string, FakeStackSpec> => ({
            dev: { outputs: tokenOutputs(25) },
            dev2: { outputs: tokenOutputs(25) },
            prod: { outputs: tokenOutputs(5, "primary", { gatewayResourceId: `${SERVICE}/gateways/gw2` }) },
        });
        const updated = (run: CliRun) =>
            run.backend.calls
                .filter((call) => call.op === "up")
                .map((call) => [call.stack, call.env?.APIM_GATEWAY_RENEWAL_TRIGGER !== undefined]);

        it("renews exactly the selected stacks holding the event's gateway, once for all its instances, fresh or not", async () => {
            const events = JSON.stringify([nearExpiry("GW1", "a"), nearExpiry("gw1", "b")]);
            const run = await cli(["--stack", "dev", "--stack", "prod", "--event", "events.json", "--json"], fleet(), {
                eventFiles: { "events.json": events },
            });
            assert.equal(run.code, EXIT_OK, run.stderr);
            assert.deepEqual(updated(run), [["dev", true]]);
            const report = JSON.parse(run.stdout);
            assert.deepEqual(
                report.stacks.map((line: { stack: string; result: string }) => [line.stack, line.result]),
                [["dev", "rotated"]],
            );
            assert.deepEqual(
                report.events.map((event: { result: string; stacks: string[]; instances: string[] }) => [
                    event.result,
                    event.stacks,
                    event.instances,
                ]),
                [["matched", ["dev/gateway"], ["a", "b"]]],
            );
            assert.match(run.stderr, /event gateway GW1 of .*: matched \(dev\/gateway\)/);
        });

        it(
            "reports a gateway no selected stack holds as not-found, naming it, " + "and exits 1 (the event cannot widen the selection)",
            async () => {
                const run = await cli(["--stack", "prod", "--event", "-"], fleet(), {
                    eventFiles: { "-": JSON.stringify([nearExpiry("gw1", "a")]) },
                });
                assert.equal(run.code, EXIT_FAILED);
                assert.deepEqual(updated(run), []);
                assert.match(run.stdout, /event gateway gw1 of \/subscriptions\/.*apim1: not-found: no selected stack holds gateway "gw1"/);
            },
        );

        it("renews a fresh token once for a burst or a replay of one event; later runs name the renewal folded into", async () => {
            const stacks = fleet();
            const clock = new FakeClock();
            const file = { "events.json": JSON.stringify([nearExpiry("gw1", "a")]) };
            const first = await cli(["--stack", "dev", "--event", "events.json", "--json"], stacks, { eventFiles: file, clock });
            assert.equal(first.code, EXIT_OK, first.stderr);
            assert.deepEqual(updated(first), [["dev", true]]);
            const issuedAt = clock.now().toISOString();

            clock.current = new Date(clock.current.getTime() + 60_000);
            const burst = await cli(["--stack", "dev", "--event", "events.json", "--json"], stacks, { eventFiles: file, clock });
            clock.current = new Date(clock.current.getTime() + 3 * DAY);
            const replay = await cli(["--stack", "dev", "--event", "events.json", "--json"], stacks, { eventFiles: file, clock });
            for (const [what, run] of [
                ["a minute later (inside the cooldown)", burst],
                ["three days later (an event about the token replaced since)", replay],
            ] as const) {
                assert.equal(run.code, EXIT_OK, `${what}: ${run.stderr}`);
                assert.deepEqual(updated(run), [], `${what}: nothing updated`);
                const report = JSON.parse(run.stdout);
                assert.deepEqual(
                    report.events.map((event: { result: string; foldedInto: unknown }) => [event.result, event.foldedInto]),
                    [["folded", [{ unit: "dev/gateway", issuedAt }]]],
                    what,
                );
                assert.deepEqual(
                    report.stacks.map((line: { stack: string; result: string }) => [line.stack, line.result]),
                    [["dev", "not-due"]],
                );
                assert.match(report.stacks[0].notes.join(), new RegExp(`folded into the renewal issued at ${issuedAt}`));
            }
        });

        it("--force renews the event's gateway inside the cooldown (the operator approved it)", async () => {
            const stacks = fleet();
            const clock = new FakeClock();
            const file = { "events.json": JSON.stringify([nearExpiry("gw1", "a")]) };
            await cli(["--stack", "dev", "--event", "events.json"], stacks, { eventFiles: file, clock });
            const forced = await cli(["--stack", "dev", "--event", "events.json", "--force"], stacks, { eventFiles: file, clock });
            assert.equal(forced.code, EXIT_OK, forced.stderr);
            assert.deepEqual(updated(forced), [["dev", true]]);
        });

        it("never regenerates a key, even with --regenerate-unused-key (the shipped workflow passes both): it says so", async () => {
            const file = { "events.json": JSON.stringify([nearExpiry("gw1", "a")]) };
            const run = await cli(["--all", "--event", "events.json", "--regenerate-unused-key", "--json"], fleet(), { eventFiles: file });
            assert.equal(run.code, EXIT_OK, run.stderr);
            assert.deepEqual(updated(run), [
                ["dev", true],
                ["dev2", true],
            ]);
            assert.deepEqual(run.regenerator.calls, [], "no key regenerated");
            const report = JSON.parse(run.stdout);
            for (const line of report.stacks) {
                assert.equal(line.keyRegeneration.status, "skipped");
                assert.match(line.keyRegeneration.reason, /an --event run never regenerates a key/);
            }
            assert.match(run.stderr, /--regenerate-unused-key ignored: an --event run never regenerates a key/);
            assert.deepEqual(
                run.backend.calls.filter((call) => call.op === "outputs").map((call) => call.stack),
                ["dev", "dev2", "prod"],
                "the selected stacks only: no other stack is read for a regeneration",
            );
        });

        it("ignores and reports an event of another type, exit 0", async () => {
            const other = { ...nearExpiry("gw1", "a"), eventType: "Microsoft.ApiManagement.ProductCreated" };
            const run = await cli(["--all", "--event", "events.json"], fleet(), { eventFiles: { "events.json": JSON.stringify([other]) } });
            assert.equal(run.code, EXIT_OK);
            assert.deepEqual(updated(run), []);
            assert.match(run.stdout, /event: ignored: event near-gw1-a of type Microsoft\.ApiManagement\.ProductCreated ignored/);
        });

        it("redacts a secret from an error reading the event file", async () => {
            const run = await cli(["--all", "--event", "-"], fleet(), { eventReadError: new Error(`stdin closed: ${PLANTED_TOKEN}`) });
            assert.equal(run.code, EXIT_USAGE);
            assert.match(run.stderr, /^apim-gateway-rotate: stdin closed: GatewayKey \[secret\]/);
            assert.ok(!run.stderr.includes("c2VjcmV0LXNpZ25hdHVyZQ"), run.stderr);
        });

        it("refuses a malformed or unreadable event file as a usage error before any stack is read", async () => {
            for (const [files, message] of [
                [{ "events.json": "[{" }, /--event events\.json is not JSON/],
                [
                    { "events.json": JSON.stringify([{ ...nearExpiry("gw1", "a"), topic: "/x" }]) },
                    /topic "\/x" is not an API Management instance's ARM id/,
                ],
                [{}, /--event events\.json cannot be read/],
            ] as const) {
                const run = await cli(["--all", "--event", "events.json"], fleet(), { eventFiles: files });
                assert.equal(run.code, EXIT_USAGE);
                assert.match(run.stderr, message);
                assert.deepEqual(run.backendOptions, [], "no backend was created");
            }
        });
    });

    describe("--metrics-file", () => {
        it("writes the --check metrics through the atomic writer, resolved from the working directory", async () => {
            const run = await cli(["--all", "--check", "--metrics-file", "out/apim.prom"], {
                dev: { outputs: tokenOutputs(25) },
                prod: { outputs: tokenOutputs(5) },
            });
            assert.equal(run.code, EXIT_FAILED, "prod is due");
            assert.equal(run.written.length, 1);
            assert.equal(run.written[0].file, path.join(project, "nested", "out", "apim.prom"));
            assert.match(run.stdout, /^metrics written to out\/apim\.prom$/m);
            assert.match(
                run.written[0].text,
                /^apim_gateway_token_status\{stack="prod",gateway="gateway",gateway_resource_id="[^"]+",status="due"\} 1$/m,
            );
        });

        it("exits 1 and says why when the file cannot be written", async () => {
            const run = await cli(
                ["--all", "--check", "--metrics-file", "/metrics/apim.prom"],
                { dev: { outputs: tokenOutputs(25) } },
                { writeFails: true },
            );
            assert.equal(run.code, EXIT_FAILED);
            assert.match(run.stderr, /could not write the metrics file \/metrics\/apim\.prom: EACCES/);
        });
    });

    it("rotates a stack named twice, in two spellings, once", async () => {
        const run = await cli(["--stack", "dev", "--stack", "organization/apim-gateway/dev", "--stack", "organization/dev"], {
            dev: { outputs: tokenOutputs(5) },
        });
        assert.equal(run.code, EXIT_OK, run.stderr);
        assert.equal(run.backend.callsOf("up").length, 1);
        assert.equal(run.backend.callsOf("outputs").length, 1);
    });

    it("refuses a stack of another project before anything runs", async () => {
        const run = await cli(["--stack", "organization/other/dev"], { dev: { outputs: tokenOutputs(5) } });
        assert.equal(run.code, EXIT_USAGE);
        assert.match(run.stderr, /is a stack of project "other"/);
        assert.deepEqual(run.backend.calls, []);
    });

    describe("hostile input (issue 23): refused at once, never a CI command", () => {
        const SERVICE =
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1";
        const expiryEvent = (instanceId: string) => ({
            id: "e1",
            topic: SERVICE,
            subject: "/gateways/gw1",
            data: { gatewayInfo: { gatewayId: "gw1", instanceId }, tokenInfo: { expiresAtUtc: "2025-07-01T00:00:00Z" } },
            eventType: "Microsoft.ApiManagement.GatewayTokenNearExpiry",
            dataVersion: "1",
            metadataVersion: "1",
            eventTime: "2025-06-15T11:00:00Z",
        });

        for (const [what, instanceId, message] of [
            [
                "a 1 MiB instanceId",
                "i".repeat(1024 * 1024),
                /data\.gatewayInfo\.instanceId is 1048576 characters long, more than the 253 allowed/,
            ],
            [
                "an instanceId that is a U+0085-led add-mask",
                "\u0085::add-mask::x",
                /data\.gatewayInfo\.instanceId "\\u0085::add-mask::x" is not an instance id/,
            ],
            [
                "an instanceId that is a U+0085-led error annotation",
                "\u0085::error title=forged::y",
                /data\.gatewayInfo\.instanceId "\\u0085::error title=forged::y"/,
            ],
        ] as const) {
            it(`refuses ${what} with exit 2 naming the field, before any stack is read, printing no command`, async () => {
                const run = await cli(
                    ["--all", "--event", "events.json"],
                    { dev: { outputs: tokenOutputs(5) } },
                    {
                        eventFiles: { "events.json": JSON.stringify([expiryEvent(instanceId)]) },
                        env: { GITHUB_STEP_SUMMARY: "/summary.md" },
                    },
                );
                assert.equal(run.code, EXIT_USAGE);
                assert.match(run.stderr, message);
                assert.deepEqual(run.backendOptions, [], "no backend was created");
                assert.ok(run.stderr.length < 2000, `${run.stderr.length} characters on stderr`);
                assert.equal(holdsCiCommand(run.stderr), false, run.stderr);
            });
        }

        it("prints no command led by U+0085 or any other .NET white space: engine output, errors, the summary", async () => {
            const blanks = ["\u0085", "\u00a0", "\u1680", "\u2003", "\u2028", "\u202f", "\u3000", "\u000b"];
            const commands = blanks.flatMap((blank) => [`${blank}::add-mask::x`, `${blank}::error title=forged::y`]);
            const run = await runPrintingCommands(commands, (command) => command);
            // The failure reaches the table with each command at the start of a line: broken there.
            assert.match(run.stderr, /^\u0085:\u200B:add-mask::x$/m);
        });
    });
});
