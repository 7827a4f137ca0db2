/**
 * The Automation API backend against a fake `pulumi` binary: the real LocalWorkspace/Stack code
 * builds the command lines and environment, so this checks the seam's wiring, not a mock of it.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { commandMessage, compileCacheEnv, createAutomationBackend, parseMaskedOutputs } from "../../../rotation/pulumi/automationBackend";
import { EngineOutput, describeSteps } from "../../../rotation/model/engineRecord";
import {
    EngineOperationError,
    StackBackend,
    StackLockedError,
    StackMissingError,
    TargetedOperation,
} from "../../../rotation/pulumi/stackBackend";
import { FAKE_TARGETS, FakePulumi, createFakePulumi, fakeTokenOutputs } from "../fakePulumi";

const signal = () => new AbortController().signal;

function capture(): EngineOutput & { text: string } {
    const sink = {
        text: "",
        stdout: (chunk: string) => {
            sink.text += chunk;
        },
        stderr: (chunk: string) => {
            sink.text += chunk;
        },
    };
    return sink;
}

function operation(
    output: EngineOutput,
    env: Record<string, string> = {},
    signal: AbortSignal = new AbortController().signal,
): TargetedOperation {
    return { targets: [FAKE_TARGETS.token, FAKE_TARGETS.secret, FAKE_TARGETS.deployment], env, output, signal };
}

describe("Automation API backend (fake pulumi CLI)", function () {
    this.timeout(20_000);
    let fake: FakePulumi;
    let backend: StackBackend;
    const triggerBefore = process.env.APIM_GATEWAY_RENEWAL_TRIGGER;

    beforeEach(() => {
        delete process.env.APIM_GATEWAY_RENEWAL_TRIGGER;
        fake = createFakePulumi({
            dev: fakeTokenOutputs(5),
            prod: { ...fakeTokenOutputs(25), locked: 1 },
            hangs: { ...fakeTokenOutputs(5), hang: true },
            broken: { ...fakeTokenOutputs(5), failUp: "kubernetes:apps/v1:Deployment gateway: timed out waiting for the rollout" },
        });
        backend = createAutomationBackend({ workDir: fake.workDir, pulumiRoot: fake.root });
    });
    afterEach(() => {
        fake.remove();
        if (triggerBefore !== undefined) {
            process.env.APIM_GATEWAY_RENEWAL_TRIGGER = triggerBefore;
        }
    });

    it("stands in for a CLI that refuses flags it does not have, as the real one does", () => {
        const pulumi = (...args: string[]) => spawnSync(path.join(fake.root, "bin", "pulumi"), args, { encoding: "utf8" });
        const refused = pulumi("up", "--yes", "--stack", "dev", "--target-dependent");
        assert.equal(refused.status, 255);
        assert.match(refused.stderr, /unknown flag: --target-dependent\b/);
        assert.equal(pulumi("stack", "output", "--json", "--stack", "dev", "--yes").status, 255, "--yes is not a flag of stack output");
        assert.equal(pulumi("stack", "output", "--json", "--show-secrets", "--stack", "dev", "--non-interactive").status, 0);
    });

    it("lists the project's stacks", async () => {
        assert.deepEqual(await backend.listStacks(signal()), ["dev", "prod", "hangs", "broken"]);
    });

    it("reads outputs masked with one `stack output --json` per stack, never creating or selecting one", async () => {
        const outputs = await backend.readOutputs("dev", signal());
        assert.deepEqual(outputs.token, { secret: true });
        assert.equal(
            (outputs.apimGatewayRotation as { value: Record<string, { tokenKeyType: string }> }).value.gateway.tokenKeyType,
            "primary",
        );
        await assert.rejects(backend.readOutputs("typo", signal()), StackMissingError);
        const commands = fake.calls().map((call) => call.args.slice(0, 2).join(" "));
        assert.deepEqual(commands.sort(), ["stack output", "stack output", "version"]);
        for (const call of fake.calls().filter((call) => call.args[0] !== "version")) {
            assert.equal(call.cwd, fake.workDir, call.args.join(" "));
            assert.ok(!call.args.includes("--show-secrets"));
        }
    });

    it("reads the token records with one `stack export` per stack, secrets left encrypted, never creating or selecting one", async () => {
        assert.deepEqual(await backend.readTokenRecords("dev", signal()), [
            {
                urn: FAKE_TARGETS.token,
                gatewayResourceId: (fakeTokenOutputs(5).outputs.apimGatewayRotation as { gateway: { gatewayResourceId: string } }).gateway
                    .gatewayResourceId,
            },
        ]);
        await assert.rejects(backend.readTokenRecords("typo", signal()), StackMissingError);
        const calls = fake.calls().filter((call) => call.args[0] !== "version");
        assert.deepEqual(
            calls.map((call) => call.args),
            [
                ["stack", "export", "--stack", "dev", "--non-interactive"],
                ["stack", "export", "--stack", "typo", "--non-interactive"],
            ],
        );
        for (const call of calls) {
            assert.equal(call.cwd, fake.workDir);
        }
    });

    it("runs a targeted up through the Automation API: targets and dependents, no stack select, events and streamed output", async () => {
        const output = capture();
        const { record, outputs } = await backend.up("dev", operation(output));
        const up = fake.calls().find((call) => call.args[0] === "up");
        assert.ok(up);
        assert.deepEqual(
            up.args.flatMap((arg, index) => (arg === "--target" ? [up.args[index + 1]] : [])),
            [FAKE_TARGETS.token, FAKE_TARGETS.secret, FAKE_TARGETS.deployment],
        );
        assert.ok(up.args.includes("--target-dependents"));
        assert.ok(up.args.includes("--non-interactive"));
        assert.match(up.args[up.args.indexOf("--event-log") + 1], /^tcp:\/\/127\.0\.0\.1:\d+$/, "the pinned version's gRPC event path");
        assert.equal(up.args[up.args.indexOf("--stack") + 1], "dev");
        assert.equal(up.cwd, fake.workDir);
        assert.equal(up.pathHead, path.join(fake.root, "bin"), "the pinned CLI's directory comes first, so its plugins are found");
        assert.equal(up.trigger, null, "no renewal trigger unless forced");
        assert.ok(
            !fake.calls().some((call) => call.args.slice(0, 2).join(" ") === "stack select"),
            "the user's current stack is untouched",
        );
        assert.match(output.text, /Updating \(dev\)/);
        assert.deepEqual(describeSteps(record.steps), [
            "GatewayToken updated",
            "Secret created",
            "Deployment updated",
            "old Secret deleted",
        ]);
        assert.deepEqual(record.failures, []);
        assert.deepEqual(outputs.token, { secret: true }, "a secret output stays masked after the update");
        const reads = fake.calls().filter((call) => call.args.slice(0, 2).join(" ") === "stack output");
        assert.equal(reads.length, 1, "Stack.up() reads the outputs once, through the masked read");
        assert.ok(
            !fake.calls().some((call) => call.args.includes("--show-secrets") && call.args[0] === "stack" && call.args[1] === "output"),
            "no secret output is decrypted",
        );
        assert.equal(
            (outputs.apimGatewayRotation as { value: Record<string, { tokenKeyType: string }> }).value.gateway.tokenKeyType,
            "secondary",
        );
    });

    it("passes the renewal trigger to the program's environment for that operation only", async () => {
        fake.remove();
        fake = createFakePulumi({ prod: fakeTokenOutputs(25), other: fakeTokenOutputs(25) });
        backend = createAutomationBackend({ workDir: fake.workDir, pulumiRoot: fake.root });
        await Promise.all([
            backend.up("prod", operation(capture(), { APIM_GATEWAY_RENEWAL_TRIGGER: "2025-06-15T12:00:00.000Z" })),
            backend.up("other", operation(capture())),
        ]);
        const ups = fake.calls().filter((call) => call.args[0] === "up");
        assert.deepEqual(ups.map((call) => [call.args[call.args.indexOf("--stack") + 1], call.trigger]).sort(), [
            ["other", null],
            ["prod", "2025-06-15T12:00:00.000Z"],
        ]);
        const keyOf = (name: string) =>
            (fake.stacks()[name].outputs.apimGatewayRotation as Record<string, { tokenKeyType: string }>).gateway.tokenKeyType;
        assert.equal(keyOf("prod"), "secondary", "the forced update renewed the fresh token");
        assert.equal(keyOf("other"), "primary", "the trigger did not leak into the concurrent stack");
    });

    it("gives the engine's commands the compile cache it is given, and none when given none", async () => {
        await backend.up("dev", operation(capture()));
        assert.deepEqual([...new Set(fake.calls().map((call) => call.compileCache))], [null]);
        fake.remove();
        fake = createFakePulumi({ dev: fakeTokenOutputs(5), prod: { ...fakeTokenOutputs(25), locked: 1 } });
        backend = createAutomationBackend({ workDir: fake.workDir, pulumiRoot: fake.root, nodeCompileCache: "/home/u/.cache/c" });
        await backend.preview("dev", operation(capture()));
        await backend.up("dev", operation(capture()));
        await backend.releaseLock("prod");
        const engineCalls = fake.calls().filter((call) => ["preview", "up", "cancel"].includes(call.args[0]));
        assert.deepEqual(
            engineCalls.map((call) => `${call.args[0]} ${call.compileCache}`),
            ["preview /home/u/.cache/c", "up /home/u/.cache/c", "cancel /home/u/.cache/c"],
        );
    });

    it("names the compile cache only when the environment names none (the user's choice wins)", () => {
        const table: [string | undefined, NodeJS.ProcessEnv, Record<string, string>][] = [
            ["/c", {}, { NODE_COMPILE_CACHE: "/c" }],
            ["/c", { NODE_COMPILE_CACHE: "/mine" }, {}],
            ["/c", { NODE_COMPILE_CACHE: "" }, {}],
            [undefined, {}, {}],
        ];
        for (const [dir, env, expected] of table) {
            assert.deepEqual(compileCacheEnv(dir, env), expected, `${dir} ${JSON.stringify(env)}`);
        }
    });

    it("turns a locked stack (ConcurrentUpdateError) into StackLockedError naming the lock's holder", async () => {
        await assert.rejects(backend.preview("prod", operation(capture())), (error: Error) => {
            assert.ok(error instanceof StackLockedError);
            assert.match(error.message, /stack "prod" is locked by another update: the stack is currently locked by 1 lock\(s\)/);
            assert.match(error.message, /Held by pid 4242 on runner-1 since 2025-06-15T11:58:00Z\.$/);
            assert.deepEqual(
                error.holders.map(({ pid, host, user }) => ({ pid, host, user })),
                [{ pid: 4242, host: "runner-1", user: "runner" }],
            );
            return true;
        });
    });

    it("releases a stack's lock with `pulumi cancel` on that stack", async () => {
        await backend.releaseLock("prod");
        const cancel = fake.calls().find((call) => call.args[0] === "cancel");
        assert.ok(cancel);
        assert.equal(cancel.args[cancel.args.indexOf("--stack") + 1], "prod");
        assert.ok(cancel.args.includes("--yes"));
        await backend.up("prod", operation(capture()));
        assert.deepEqual(
            fake
                .calls()
                .map((call) => call.args[0])
                .filter((command) => command === "cancel" || command === "up"),
            ["cancel", "up"],
            "the released stack updates without a lock error",
        );
    });

    it("reports a failed update by the failing resource's URN and message, from the engine's events", async () => {
        await assert.rejects(backend.up("broken", operation(capture())), (error: Error) => {
            assert.ok(error instanceof EngineOperationError);
            assert.equal(
                error.message,
                `pulumi failed on stack "broken": ${FAKE_TARGETS.deployment}: kubernetes:apps/v1:Deployment gateway: timed ` +
                    `out waiting for the rollout`,
            );
            assert.deepEqual(error.record.failures, [
                { urn: FAKE_TARGETS.deployment, message: "kubernetes:apps/v1:Deployment gateway: timed out waiting for the rollout" },
            ]);
            return true;
        });
    });

    it("previews with the same targets and detailed diffs, returning the engine's steps", async () => {
        const output = capture();
        const record = await backend.preview("dev", operation(output));
        assert.deepEqual(record.steps.find((step) => step.urn === FAKE_TARGETS.deployment && step.op === "update")?.paths, [
            'spec.template.metadata.annotations["apim-gateway.pulumi.com/token-checksum"]',
            "spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name",
        ]);
        assert.deepEqual(record.summary, { update: 2, same: 6 });
        const preview = fake.calls().find((call) => call.args[0] === "preview");
        assert.ok(preview?.args.includes("--target-dependents"));
        assert.ok(preview?.args.includes("--diff"));
        assert.equal(
            (fake.stacks().dev.outputs.apimGatewayRotation as Record<string, { tokenKeyType: string }>).gateway.tokenKeyType,
            "primary",
            "a preview changes nothing",
        );
        assert.match(output.text, /Previewing update \(dev\)/);
    });

    it("cancels a running update when the signal aborts (SIGINT to the engine)", async () => {
        const controller = new AbortController();
        const output = {
            ...capture(),
            stdout: (chunk: string) => {
                if (chunk.includes("Updating")) {
                    controller.abort("SIGINT");
                }
            },
        };
        // The fake engine runs until it gets SIGINT: a cancel that does not reach it never settles, and mocha's timeout fails the test.
        await assert.rejects(backend.up("hangs", operation(output, {}, controller.signal)), (error: Error) => {
            assert.ok(error instanceof EngineOperationError, String(error));
            assert.match(error.message, /pulumi failed on stack "hangs": .*received; cancelling the update/);
            return true;
        });
    });

    it("does not start an update when the signal is already aborted", async () => {
        const controller = new AbortController();
        controller.abort("SIGTERM");
        // The abort's reason, as `AbortSignal.throwIfAborted` throws it: no engine ran to fail.
        await assert.rejects(backend.up("dev", operation(capture(), {}, controller.signal)), (reason: unknown) => reason === "SIGTERM");
        assert.ok(!fake.calls().some((call) => call.args[0] === "up"));
    });

    it("explains a missing Pulumi CLI", async () => {
        const missing = createAutomationBackend({ workDir: fake.workDir, pulumiRoot: "/nonexistent/pulumi" });
        await assert.rejects(
            missing.listStacks(signal()),
            /could not run the Pulumi CLI \(\/nonexistent\/pulumi\/bin\/pulumi\).*--pulumi-root/,
        );
    });

    it("parses masked `stack output --json`", () => {
        assert.deepEqual(parseMaskedOutputs('{"a":"[secret]","b":["x"],"c":null}'), {
            a: { secret: true },
            b: { secret: false, value: ["x"] },
            c: { secret: false, value: null },
        });
        assert.throws(() => parseMaskedOutputs("[]"), /did not print a JSON object/);
    });
});

describe("a failed Pulumi command's message", () => {
    const cases: { name: string; output: string; message: string }[] = [
        { name: "its error lines", output: "Updating (dev):\nerror: the stack is gone\n", message: "the stack is gone" },
        {
            name: "the numbered causes of `N errors occurred` (a read-only backend)",
            output: "error: 2 errors occurred:\n    1) open /state/.pulumi/locks/x.tmp: permission denied\n    2) cannot write\n",
            message: "2 errors occurred:; 1) open /state/.pulumi/locks/x.tmp: permission denied; 2) cannot write",
        },
        { name: "not a numbered line before any error", output: "1) step one\nerror: failed\n", message: "failed" },
        { name: "its last line when nothing says error", output: "warming up\nexit status 3\n", message: "exit status 3" },
    ];
    for (const { name, output, message } of cases) {
        it(`keeps ${name}`, () => assert.equal(commandMessage(output), message));
    }
});
