import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(__dirname, "../..");
const packageName = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).name as string;

/** Runs the consumer under Pulumi mocks and prints the types of the resources it registered. */
const MOCK_RUNNER = `
const pulumi = require("@pulumi/pulumi");
const types = [];
const computed = {
    "azure-native:apimanagement:Gateway": (i) => ({ id: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/" + i.resourceGroupName + "/providers/Microsoft.ApiManagement/service/" + i.serviceName + "/gateways/" + i.gatewayId }),
    "pulumi-nodejs:dynamic/apim-gateway:GatewayToken": () => ({ token: "GatewayKey gw&202612010000&c2ln", keyType: "primary", issuedAt: "2026-11-01T00:00:00.000Z", expiresAt: "2026-12-01T00:00:00.000Z", renewAfter: "2026-11-21T00:00:00.000Z" }),
};
pulumi.runtime.setMocks({
    newResource(a) {
        types.push(a.type);
        const extra = computed[a.type] ? computed[a.type](a.inputs) : {};
        return { id: extra.id || a.name + "-id", state: { ...a.inputs, ...extra } };
    },
    call(a) { throw new Error("unexpected invoke " + a.token); },
}, "consumer", "test", false).then(async () => {
    const program = require("./out/index.js");
    const expiry = await new Promise((resolve) => program.tokenExpiresAt.apply(resolve));
    await pulumi.runtime.disconnect();
    process.stdout.write(JSON.stringify({ types, expiry }));
});
`;

function run(command: string, args: string[], cwd: string): string {
    return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

describe("the npm package", function () {
    this.timeout(300_000);
    let workDir: string;
    let files: string[];
    let consumerDir: string;

    before(() => {
        workDir = fs.mkdtempSync(path.join(os.tmpdir(), "apim-gw-pack-"));
        run("npm", ["run", "build"], root);
        const [info] = JSON.parse(run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", workDir], root));
        files = info.files.map((f: { path: string }) => f.path);

        // The consumer gets the packed package as npm would install it, and the project's own
        // dependencies (symlinked, so no second download and a single @pulumi/pulumi).
        consumerDir = path.join(workDir, "consumer");
        const installed = path.join(consumerDir, "node_modules", packageName);
        fs.mkdirSync(installed, { recursive: true });
        run("tar", ["-xzf", path.join(workDir, info.filename), "-C", installed, "--strip-components=1"], workDir);
        for (const entry of fs.readdirSync(path.join(root, "node_modules"))) {
            if (entry !== packageName && !entry.startsWith(".")) {
                fs.symlinkSync(path.join(root, "node_modules", entry), path.join(consumerDir, "node_modules", entry));
            }
        }
        fs.copyFileSync(path.join(root, "examples/consumer/index.ts"), path.join(consumerDir, "index.ts"));
        fs.writeFileSync(
            path.join(consumerDir, "tsconfig.json"),
            JSON.stringify({
                compilerOptions: {
                    strict: true,
                    target: "ES2022",
                    module: "node16",
                    moduleResolution: "node16",
                    outDir: "out",
                    types: ["node"],
                    skipLibCheck: false,
                },
                files: ["index.ts"],
            }),
        );
    });

    after(() => fs.rmSync(workDir, { recursive: true, force: true }));

    it("ships compiled JavaScript with declarations for the component and the rotation CLI, and no sources or tests", () => {
        for (const file of ["dist/components/index.js", "dist/components/index.d.ts", "dist/rotation/cli.js", "package.json", "README.md"]) {
            assert.ok(files.includes(file), `${file} is not in the package`);
        }
        const sources = files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
        assert.deepEqual(sources, [], "TypeScript sources in the package");
        assert.deepEqual(files.filter((f) => /(^|\/)test\//.test(f) || f.includes(".test.")), [], "tests in the package");
    });

    it("declares a bin whose file starts with a node shebang", () => {
        const cli = fs.readFileSync(path.join(consumerDir, "node_modules", packageName, "dist/rotation/cli.js"), "utf8");
        assert.match(cli, /^#!\/usr\/bin\/env node/);
    });

    it("lets a consumer project compile against the packed declarations and instantiate the component", () => {
        run(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], consumerDir);
        fs.writeFileSync(path.join(consumerDir, "run.js"), MOCK_RUNNER);
        const { types, expiry } = JSON.parse(run(process.execPath, ["run.js"], consumerDir));
        assert.ok(types.includes("apim-gateway:index:SelfHostedGateway"), `types: ${types}`);
        assert.ok(types.includes("azure-native:apimanagement:Gateway"));
        assert.ok(types.includes("pulumi-nodejs:dynamic/apim-gateway:GatewayToken"));
        assert.ok(types.includes("kubernetes:apps/v1:Deployment"));
        assert.equal(expiry, "2026-12-01T00:00:00.000Z");
    });
});
