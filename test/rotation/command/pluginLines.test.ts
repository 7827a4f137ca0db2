import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { PLUGIN_PLATFORMS, pluginArchiveUrl, pluginLine, resourcePlugin } from "../../../rotation/command/pluginLines";
import { runPluginLines } from "../../../rotation/command/pluginLinesCommand";

const SHA = "a".repeat(64);

describe("plugin lines (pure)", () => {
    const cases: [string, string, unknown, ReturnType<typeof resourcePlugin> | RegExp][] = [
        [
            "a provider: name and version from its pulumi block",
            "@pulumi/kubernetes",
            { version: "4.34.2", pulumi: { resource: true, name: "kubernetes", version: "4.34.2" } },
            { package: "@pulumi/kubernetes", name: "kubernetes", version: "4.34.2" },
        ],
        [
            "a provider without a version in its pulumi block: the package's",
            "@pulumi/azure-native",
            { version: "3.30.0", pulumi: { resource: true, name: "azure-native" } },
            { package: "@pulumi/azure-native", name: "azure-native", version: "3.30.0" },
        ],
        ["the SDK itself: no plugin", "@pulumi/pulumi", { version: "3.270.0" }, undefined],
        [
            "a third-party provider: written by hand",
            "@acme/pulumi-widgets",
            { pulumi: { resource: true, name: "widgets", version: "1.0.0" } },
            undefined,
        ],
        [
            "a name that could steer the URL",
            "@pulumi/x",
            { pulumi: { resource: true, name: "../../evil", version: "1.0.0" } },
            /@pulumi\/x: .*"\.\.\/\.\.\/evil"/,
        ],
        [
            "a version that could steer a shell line",
            "@pulumi/x",
            { pulumi: { resource: true, name: "x", version: "1.0.0 $(id)" } },
            /@pulumi\/x: .*not a plugin name and a version/,
        ],
        ["no version at all", "@pulumi/x", { pulumi: { resource: true, name: "x" } }, /@pulumi\/x: .*undefined/],
        ["not an object", "@pulumi/x", null, undefined],
    ];
    for (const [name, packageName, json, expected] of cases) {
        it(name, () => {
            if (expected instanceof RegExp) {
                assert.throws(() => resourcePlugin(packageName, json), expected);
            } else {
                assert.deepEqual(resourcePlugin(packageName, json), expected);
            }
        });
    }

    it("names the archive pulumi plugin install downloads, under the releases base, trailing slashes or not", () => {
        const plugin = { package: "@pulumi/kubernetes", name: "kubernetes", version: "4.34.2" };
        const expected =
            "https://github.com/pulumi/pulumi-kubernetes/releases/download/v4.34.2/pulumi-resource-kubernetes-v4.34.2-linux-amd64.tar.gz";
        assert.equal(pluginArchiveUrl(plugin, "linux-amd64"), expected);
        assert.equal(pluginArchiveUrl(plugin, "linux-amd64", "https://github.com/pulumi///"), expected);
        assert.equal(PLUGIN_PLATFORMS[0], "linux-amd64", "the schedules' runners");
        // Linear in the base's length (a regex /\/+$/ is quadratic on a long run of slashes).
        assert.ok(pluginArchiveUrl(plugin, "linux-amd64", `https://m/${"/".repeat(200_000)}x`).endsWith(".tar.gz"));
    });

    it("writes the line as the schedules read it, and only with a SHA-256", () => {
        const plugin = { package: "@pulumi/kubernetes", name: "kubernetes", version: "4.34.2" };
        assert.equal(pluginLine(plugin, SHA), `@pulumi/kubernetes 4.34.2 ${SHA}`);
        assert.throws(() => pluginLine(plugin, "A".repeat(64)), /not a SHA-256 in hex/);
        assert.throws(() => pluginLine(plugin, `${SHA}\n@pulumi/x 1.0.0`), /not a SHA-256 in hex/);
    });
});

describe("apim-gateway-rotate plugin-lines", () => {
    let server: Server;
    let base: string;
    const requests: string[] = [];
    const archive = (url: string) => Buffer.from(`archive at ${url}`);

    before(async () => {
        server = createServer((request, response) => {
            const url = request.url ?? "";
            requests.push(url);
            if (url.startsWith("/redirect/")) {
                response.writeHead(302, { location: url.slice("/redirect".length) }).end();
            } else if (url.includes("missing")) {
                response.writeHead(404).end();
            } else {
                response.end(archive(url));
            }
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => server.close());
    beforeEach(() => (requests.length = 0));

    /** A project folder with these installed packages (name → package.json). */
    function project(installed: Record<string, object>): string {
        const dir = mkdtempSync(path.join(os.tmpdir(), "plugin-lines-"));
        writeFileSync(
            path.join(dir, "package.json"),
            JSON.stringify({ dependencies: Object.fromEntries(Object.keys(installed).map((n) => [n, "*"])) }),
        );
        for (const [name, json] of Object.entries(installed)) {
            mkdirSync(path.join(dir, "node_modules", name), { recursive: true });
            writeFileSync(path.join(dir, "node_modules", name, "package.json"), JSON.stringify(json));
        }
        return dir;
    }

    async function run(argv: string[], cwd: string) {
        let stdout = "";
        let stderr = "";
        const code = await runPluginLines(argv, {
            stdout: { write: (t: string) => (stdout += t) },
            stderr: { write: (t: string) => (stderr += t) },
            cwd,
        });
        rmSync(cwd, { recursive: true, force: true });
        return { code, stdout, stderr };
    }

    const k8s = { version: "4.34.2", pulumi: { resource: true, name: "kubernetes", version: "4.34.2" } };

    it("prints one line per installed provider, the SHA-256 of the archive it downloaded, following redirects", async () => {
        const cwd = project({ "@pulumi/pulumi": { version: "3.300.0" }, "@pulumi/kubernetes": k8s });
        const { code, stdout } = await run(["--releases-url", `${base}/redirect`, "--platform", "linux-arm64"], cwd);
        assert.equal(code, 0);
        const served = "/pulumi-kubernetes/releases/download/v4.34.2/pulumi-resource-kubernetes-v4.34.2-linux-arm64.tar.gz";
        assert.deepEqual(requests, [`/redirect${served}`, served]);
        assert.equal(stdout, `@pulumi/kubernetes 4.34.2 ${createHash("sha256").update(archive(served)).digest("hex")}\n`);
    });

    it("prints nothing when one download fails, and exits 1 naming the package", async () => {
        const cwd = project({
            "@pulumi/kubernetes": k8s,
            "@pulumi/missing": { pulumi: { resource: true, name: "missing", version: "1.0.0" } },
        });
        const { code, stdout, stderr } = await run(["--releases-url", base], cwd);
        assert.equal(code, 1);
        assert.equal(stdout, "");
        assert.match(stderr, /plugin-lines: @pulumi\/missing 1\.0\.0: .*HTTP 404; nothing printed/);
    });

    it("prints its help on --help and downloads nothing, naming each flag it takes", async () => {
        const { code, stdout, stderr } = await run(["--help"], project({ "@pulumi/kubernetes": k8s }));
        assert.equal(code, 0);
        assert.equal(stderr, "");
        assert.match(stdout, /^Usage: apim-gateway-rotate plugin-lines \[--platform P\] \[--releases-url URL\]\n/);
        assert.deepEqual([...new Set(stdout.match(/--[a-z-]+/g))].sort(), ["--help", "--platform", "--releases-url"]);
        assert.deepEqual(requests, []);
    });

    const usage: [string, string[], Record<string, object> | undefined, RegExp][] = [
        [
            "an unknown platform",
            ["--platform", "linux-x64"],
            { "@pulumi/kubernetes": k8s },
            /--platform "linux-x64" is not one of linux-amd64, /,
        ],
        [
            "plain http to another host",
            ["--releases-url", "http://mirror.example/pulumi"],
            { "@pulumi/kubernetes": k8s },
            /--releases-url must be an https URL/,
        ],
        ["not a URL", ["--releases-url", "mirror"], { "@pulumi/kubernetes": k8s }, /--releases-url "mirror" is not a URL/],
        ["an unknown flag", ["--bogus"], { "@pulumi/kubernetes": k8s }, /Unknown option '--bogus'/],
        ["no provider installed", [], { "@pulumi/pulumi": { version: "3.300.0" } }, /installed no Pulumi provider/],
        [
            "a provider in package.json, not installed",
            [],
            undefined,
            /@pulumi\/kubernetes is in package.json but not installed: run npm ci first/,
        ],
    ];
    for (const [name, argv, installed, message] of usage) {
        it(`exits 2 on ${name}, saying so in one line`, async () => {
            let cwd: string;
            if (installed === undefined) {
                cwd = mkdtempSync(path.join(os.tmpdir(), "plugin-lines-"));
                writeFileSync(path.join(cwd, "package.json"), JSON.stringify({ devDependencies: { "@pulumi/kubernetes": "4.34.2" } }));
            } else {
                cwd = project(installed);
            }
            const { code, stdout, stderr } = await run(argv, cwd);
            assert.equal(code, 2);
            assert.equal(stdout, "");
            assert.match(stderr, message);
            assert.match(stderr, /\(see apim-gateway-rotate plugin-lines --help\)\n$/);
            assert.deepEqual(requests, [], "nothing downloaded");
        });
    }
});
