/**
 * The Automation API backend against a fake `pulumi` binary: the real LocalWorkspace/Stack code
 * builds the command lines and environment, so this checks the seam's wiring, not a mock of it.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { createAutomationBackend, parseMaskedOutputs } from "../../rotation/automationBackend";
import { EngineOutput, StackBackend, StackLockedError, StackMissingError, TargetedOperation } from "../../rotation/stackBackend";
import { FakePulumi, createFakePulumi, fakeTokenOutputs } from "./fakePulumi";

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
    return { targets: ["urn:pulumi:dev::p::t::a", "urn:pulumi:dev::p::t::b"], env, output, signal };
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

    it("lists the project's stacks", async () => {
        assert.deepEqual(await backend.listStacks(), ["dev", "prod", "hangs", "broken"]);
    });

    it("selects an existing stack by reading its outputs once, and never creates a missing one", async () => {
        const dev = await backend.selectStack("dev");
        assert.equal(dev.name, "dev");
        assert.deepEqual((await dev.outputs(new AbortController().signal)).tokenKeyType, { secret: false, value: "primary" });
        await assert.rejects(backend.selectStack("typo"), StackMissingError);
        const commands = fake.calls().map((call) => call.args.slice(0, 2).join(" "));
        assert.deepEqual(commands.sort(), ["stack output", "stack output", "version"], "one read per stack, the first reused");
        assert.ok(!commands.some((command) => command === "stack init" || command === "stack select"), "no stack created or selected");
        for (const call of fake.calls().filter((call) => call.args[0] !== "version")) {
            assert.equal(call.cwd, fake.workDir, call.args.join(" "));
        }
    });

    it("reads outputs with secrets masked, never asking for them in plain text, not even after an update", async () => {
        const dev = await backend.selectStack("dev");
        const outputs = await dev.outputs(new AbortController().signal);
        assert.deepEqual(outputs.token, { secret: true });
        assert.deepEqual(outputs.tokenKeyType, { secret: false, value: "primary" });
        await dev.up(operation(capture()));
        assert.deepEqual((await dev.outputs(new AbortController().signal)).tokenKeyType, { secret: false, value: "secondary" });
        assert.ok(!fake.calls().some((call) => call.args.includes("--show-secrets")));
    });

    it("runs a targeted up with the targets and their dependents, streaming the engine output", async () => {
        const output = capture();
        await (await backend.selectStack("dev")).up(operation(output));
        const up = fake.calls().find((call) => call.args[0] === "up");
        assert.ok(up);
        assert.deepEqual(
            up.args.flatMap((arg, index) => (arg === "--target" ? [up.args[index + 1]] : [])),
            ["urn:pulumi:dev::p::t::a", "urn:pulumi:dev::p::t::b"],
        );
        assert.ok(up.args.includes("--target-dependents"));
        assert.ok(up.args.includes("--suppress-outputs"));
        assert.ok(up.args.includes("--non-interactive"));
        assert.equal(up.args[up.args.indexOf("--stack") + 1], "dev");
        assert.equal(up.cwd, fake.workDir);
        assert.equal(up.pathHead, path.join(fake.root, "bin"), "the pinned CLI's directory comes first, so its plugins are found");
        assert.equal(up.trigger, null, "no renewal trigger unless forced");
        assert.match(output.text, /Updating \(dev\)/);
        assert.match(output.text, /GatewayToken gateway-token replaced \[secret\]/);
        assert.equal(fake.stacks().dev.outputs.tokenKeyType, "secondary");
    });

    it("passes the renewal trigger to the program's environment for that update only", async () => {
        const prod = { ...fakeTokenOutputs(25) };
        fake.remove();
        fake = createFakePulumi({ prod, other: fakeTokenOutputs(25) });
        backend = createAutomationBackend({ workDir: fake.workDir, pulumiRoot: fake.root });
        await (await backend.selectStack("prod")).up(operation(capture(), { APIM_GATEWAY_RENEWAL_TRIGGER: "2025-06-15T12:00:00.000Z" }));
        await (await backend.selectStack("other")).up(operation(capture()));
        const ups = fake.calls().filter((call) => call.args[0] === "up");
        assert.deepEqual(
            ups.map((call) => call.trigger),
            ["2025-06-15T12:00:00.000Z", null],
        );
        assert.equal(fake.stacks().prod.outputs.tokenKeyType, "secondary", "the forced update renewed the fresh token");
        assert.equal(fake.stacks().other.outputs.tokenKeyType, "primary", "the trigger did not leak into the next stack");
    });

    it("turns a locked stack (ConcurrentUpdateError) into StackLockedError naming the lock's holder", async () => {
        const prod = await backend.selectStack("prod");
        await assert.rejects(prod.up(operation(capture())), (error: Error) => {
            assert.ok(error instanceof StackLockedError);
            assert.match(error.message, /stack "prod" is locked by another update: the stack is currently locked by 1 lock\(s\)/);
            assert.match(error.message, /`pulumi cancel`\. Held by pid 4242 on runner-1 since 2025-06-15T11:58:00Z\.$/);
            assert.deepEqual(
                error.holders.map(({ pid, host, user }) => ({ pid, host, user })),
                [{ pid: 4242, host: "runner-1", user: "runner" }],
            );
            return true;
        });
    });

    it("releases a stack's lock with `pulumi cancel` on that stack", async () => {
        const prod = await backend.selectStack("prod");
        await prod.releaseLock();
        const cancel = fake.calls().find((call) => call.args[0] === "cancel");
        assert.ok(cancel);
        assert.equal(cancel.args[cancel.args.indexOf("--stack") + 1], "prod");
        assert.ok(cancel.args.includes("--yes"));
        await prod.up(operation(capture()));
        assert.deepEqual(
            fake.calls().map((call) => call.args[0]).filter((command) => command === "cancel" || command === "up"),
            ["cancel", "up"],
            "the released stack updates without a lock error",
        );
    });

    it("reports a failed update by Pulumi's error line", async () => {
        const broken = await backend.selectStack("broken");
        await assert.rejects(broken.up(operation(capture())), /pulumi failed on stack "broken": kubernetes:apps\/v1:Deployment gateway: timed out waiting for the rollout$/);
    });

    it("previews with the same targets and returns the change summary", async () => {
        const output = capture();
        const changes = await (await backend.selectStack("dev")).preview(operation(output));
        assert.deepEqual(changes, { replace: 1, update: 1, same: 6 });
        const preview = fake.calls().find((call) => call.args[0] === "preview");
        assert.ok(preview?.args.includes("--target-dependents"));
        assert.equal(fake.stacks().dev.outputs.tokenKeyType, "primary", "a preview changes nothing");
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
        const started = Date.now();
        await assert.rejects((await backend.selectStack("hangs")).up(operation(output, {}, controller.signal)));
        assert.ok(Date.now() - started < 10_000, "the update stopped promptly");
    });

    it("does not start an update when the signal is already aborted", async () => {
        const controller = new AbortController();
        controller.abort("SIGTERM");
        const dev = await backend.selectStack("dev");
        await assert.rejects(dev.up(operation(capture(), {}, controller.signal)));
        assert.ok(!fake.calls().some((call) => call.args[0] === "up"));
    });

    it("explains a missing Pulumi CLI", async () => {
        const missing = createAutomationBackend({ workDir: fake.workDir, pulumiRoot: "/nonexistent/pulumi" });
        await assert.rejects(missing.listStacks(), /could not run the Pulumi CLI \(\/nonexistent\/pulumi\/bin\/pulumi\).*--pulumi-root/);
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
