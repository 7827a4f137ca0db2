import * as assert from "node:assert/strict";
import { DemoOptions, DemoUsageError, parseDemoArgs } from "../../demo/options";

describe("npm run demo flags", () => {
    const local = { kind: "local" } as const;
    const accepted: { argv: string[]; expected: DemoOptions }[] = [
        { argv: [], expected: { keep: false, help: false, target: local } },
        { argv: ["--keep"], expected: { keep: true, help: false, target: local } },
        { argv: ["--help"], expected: { keep: false, help: true, target: local } },
        { argv: ["-h"], expected: { keep: false, help: true, target: local } },
        {
            argv: ["--kube-context", "kind-demo"],
            expected: { keep: false, help: false, target: { kind: "context", context: "kind-demo" } },
        },
        {
            argv: ["--kube-context=kind-demo", "--keep"],
            expected: { keep: true, help: false, target: { kind: "context", context: "kind-demo" } },
        },
        {
            argv: ["--kube-context", "lab", "--kubeconfig", "/tmp/lab.yaml"],
            expected: { keep: false, help: false, target: { kind: "context", context: "lab", kubeconfig: "/tmp/lab.yaml" } },
        },
    ];
    for (const { argv, expected } of accepted) {
        it(`accepts [${argv.join(" ")}]`, () => assert.deepEqual(parseDemoArgs(argv), expected));
    }

    const refused: { argv: string[]; message: RegExp }[] = [
        { argv: ["--kep"], message: /Unknown option '--kep'/ },
        { argv: ["prod"], message: /positional/ },
        { argv: ["--keep=yes"], message: /--keep/ },
        { argv: ["--kube-context"], message: /--kube-context/ },
        { argv: ["--kube-context", ""], message: /^--kube-context needs a value/ },
        { argv: ["--kube-context", "kind-demo", "--kubeconfig", " "], message: /^--kubeconfig needs a value/ },
        { argv: ["--kubeconfig", "/tmp/lab.yaml"], message: /^--kubeconfig only goes with --kube-context NAME/ },
    ];
    for (const { argv, message } of refused) {
        it(`refuses [${argv.join(" ")}] in one line naming the flag, pointing at --help`, () => {
            assert.throws(
                () => parseDemoArgs(argv),
                (error: Error) =>
                    error instanceof DemoUsageError &&
                    message.test(error.message) &&
                    /--help\)$/.test(error.message) &&
                    !error.message.includes("\n"),
            );
        });
    }
});
