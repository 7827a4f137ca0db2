import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RelativeLink, brokenLink, markdownPages, relativeLinks } from "../helpers/markdownLinks";
import {
    installedCopies,
    installPackedPackage,
    PACKAGE,
    packRepository,
    PackedPackage,
    pinnedVersion,
    REPOSITORY,
} from "../helpers/packedPackage";

/** Runs the compiled consumer under Pulumi mocks; prints the resource types and the resolved exports. */
const MOCK_RUNNER = `
const pulumi = require("@pulumi/pulumi");
const types = [];
const computed = {
    "azure-native:apimanagement:Gateway": (i) => ({
        id: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/" + i.resourceGroupName +
            "/providers/Microsoft.ApiManagement/service/" + i.serviceName + "/gateways/" + i.gatewayId,
    }),
    "pulumi-nodejs:dynamic/apim-gateway:GatewayToken": () => ({
        token: "GatewayKey gw&202612010000&c2ln",
        keyType: "primary",
        issuedAt: "2026-11-01T00:00:00.000Z",
        expiresAt: "2026-12-01T00:00:00.000Z",
        renewAfter: "2026-11-21T00:00:00.000Z",
    }),
};
pulumi.runtime.setMocks({
    newResource(a) {
        types.push(a.type);
        const extra = computed[a.type] ? computed[a.type](a.inputs) : {};
        return { id: extra.id || a.name + "-id", state: { ...a.inputs, ...extra } };
    },
    call(a) { throw new Error("unexpected invoke " + a.token); },
}, "consumer", "test", false).then(async () => {
    const program = require("./bin/index.js");
    const exported = {};
    for (const [name, value] of Object.entries(program)) {
        if (pulumi.Output.isInstance(value)) {
            exported[name] = await new Promise((resolve) => value.apply(resolve));
        }
    }
    await pulumi.runtime.disconnect();
    process.stdout.write(JSON.stringify({ types, exported }));
});
`;

/** Pulumi's TypeScript project template's compiler options, plus what library authors' consumers often add. */
const CONSUMER_TSCONFIG = {
    compilerOptions: {
        strict: true,
        outDir: "bin",
        target: "es2020",
        module: "commonjs",
        moduleResolution: "node",
        sourceMap: true,
        experimentalDecorators: true,
        pretty: true,
        noFallthroughCasesInSwitch: true,
        noImplicitReturns: true,
        forceConsistentCasingInFileNames: true,
        declaration: true,
        skipLibCheck: false,
    },
    files: ["index.ts"],
};

const README_EXAMPLE = path.join(REPOSITORY, "examples", "consumer", "index.ts");

/** The first `ts` code block under the README's "Embedding" heading. */
function readmeEmbeddingExample(): string {
    const readme = fs.readFileSync(path.join(REPOSITORY, "README.md"), "utf8");
    const section = readme.split(/^## /m).find((part) => part.startsWith("Embedding"));
    assert.ok(section, 'the README has no "## Embedding" section');
    const block = /^```ts\n([\s\S]*?)^```$/m.exec(section);
    assert.ok(block, 'the README\'s "Embedding" section has no ```ts block');
    return block[1];
}

function run(command: string, args: string[], cwd: string): string {
    return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * What the docs link to that the package leaves in the repository on purpose: the package ships the
 * compiled code, the docs and the schedules, not the sources, tests, examples or build settings
 * (README, "More documentation", says so).
 */
const REPOSITORY_ONLY = [
    "components",
    "stacks",
    "localenv",
    "test",
    "examples",
    "biome.json",
    "tsconfig.pulumi.json",
    "stryker.config.json",
    "tsconfig.mutation.json",
];

describe("the npm package, installed as a consumer installs it", function () {
    this.timeout(600_000);
    let packed: PackedPackage;
    let workDir: string;
    let consumerDir: string;

    before(() => {
        workDir = fs.mkdtempSync(path.join(os.tmpdir(), "apim-gw-pack-"));
        packed = packRepository(workDir);
        consumerDir = path.join(workDir, "consumer");
        fs.mkdirSync(consumerDir);
        installPackedPackage(consumerDir, packed.tarball, {
            devDependencies: { typescript: pinnedVersion("typescript"), "@types/node": pinnedVersion("@types/node") },
        });
        fs.writeFileSync(path.join(consumerDir, "tsconfig.json"), JSON.stringify(CONSUMER_TSCONFIG, undefined, 2));
        fs.copyFileSync(README_EXAMPLE, path.join(consumerDir, "index.ts"));
    });

    after(() => fs.rmSync(workDir, { recursive: true, force: true }));

    it("ships compiled JavaScript with declarations for the component and the rotation CLI, and no sources, tests or source maps", () => {
        for (const file of [
            "dist/components/index.js",
            "dist/components/index.d.ts",
            "dist/rotation/cli.js",
            "bin/apim-gateway-rotate.js",
            "package.json",
            "README.md",
            "LICENSE",
        ]) {
            assert.ok(packed.files.includes(file), `${file} is not in the package`);
        }
        assert.deepEqual(
            packed.files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")),
            [],
            "TypeScript sources in the package",
        );
        assert.deepEqual(
            packed.files.filter((f) => /(^|\/)test\//.test(f) || f.includes(".test.")),
            [],
            "tests in the package",
        );
        // A map would point at sources the package does not ship.
        assert.deepEqual(
            packed.files.filter((f) => f.endsWith(".map")),
            [],
            "source maps in the package",
        );
        const installed = path.join(consumerDir, "node_modules", PACKAGE.name);
        for (const file of packed.files.filter((f) => f.endsWith(".js"))) {
            assert.doesNotMatch(fs.readFileSync(path.join(installed, file), "utf8"), /sourceMappingURL/, `${file} references a source map`);
        }
    });

    it("takes the Pulumi SDKs as peers: the consumer has exactly one copy of each", () => {
        assert.deepEqual(Object.keys(PACKAGE.peerDependencies).sort(), ["@pulumi/azure-native", "@pulumi/kubernetes", "@pulumi/pulumi"]);
        for (const name of Object.keys(PACKAGE.peerDependencies)) {
            assert.equal(installedCopies(consumerDir, name).length, 1, `${name}: ${installedCopies(consumerDir, name).join(", ")}`);
        }
    });

    it("ships an MIT LICENSE, as package.json declares", () => {
        assert.equal((PACKAGE as unknown as { license: string }).license, "MIT");
        assert.match(fs.readFileSync(path.join(consumerDir, "node_modules", PACKAGE.name, "LICENSE"), "utf8"), /^MIT License\n/);
    });

    it("ships the README's docs: every relative link of the installed README and docs/ resolves in the package, or names a development file of the repository", () => {
        const installed = path.join(consumerDir, "node_modules", PACKAGE.name);
        const pages = markdownPages(installed);
        assert.ok(pages.length > 1, "docs/ is in the package");
        const links = pages.flatMap((page) => relativeLinks(installed, page));
        const intoRepository = (link: RelativeLink) =>
            REPOSITORY_ONLY.some((prefix) => link.file === prefix || link.file.startsWith(`${prefix}/`));
        assert.deepEqual(
            links.filter((link) => !intoRepository(link)).flatMap((link) => brokenLink(installed, link) ?? []),
            [],
            "dead in the installed package",
        );
        assert.deepEqual(
            links.filter(intoRepository).flatMap((link) => brokenLink(REPOSITORY, link) ?? []),
            [],
            "links to the repository's development files that name no file there",
        );
    });

    it("declares a bin whose file starts with a node shebang", () => {
        for (const file of Object.values(PACKAGE.bin)) {
            const cli = fs.readFileSync(path.join(consumerDir, "node_modules", PACKAGE.name, file), "utf8");
            assert.match(cli, /^#!\/usr\/bin\/env node/);
        }
    });

    it("has the README's embedding example as examples/consumer/index.ts, byte for byte", () => {
        assert.equal(readmeEmbeddingExample(), fs.readFileSync(README_EXAMPLE, "utf8"));
    });

    it(
        "compiles the README's embedding example with Pulumi's template tsconfig, " +
            "declaration: true and skipLibCheck: false, and runs it",
        () => {
            run(process.execPath, [path.join(consumerDir, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], consumerDir);
            assert.ok(fs.existsSync(path.join(consumerDir, "bin", "index.d.ts")), "declarations were emitted");
            fs.writeFileSync(path.join(consumerDir, "run.js"), MOCK_RUNNER);
            const { types } = JSON.parse(run(process.execPath, ["run.js"], consumerDir)) as {
                types: string[];
                exported: Record<string, unknown>;
            };
            for (const type of [
                "apim-gateway:index:SelfHostedGateway",
                "azure-native:apimanagement:Gateway",
                "pulumi-nodejs:dynamic/apim-gateway:GatewayToken",
                "kubernetes:apps/v1:Deployment",
            ]) {
                assert.ok(types.includes(type), `${type} not among ${types.join(", ")}`);
            }
        },
    );
});
