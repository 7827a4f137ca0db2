/**
 * Issue 9 §3: examples/platform, a platform team's stack that installs the package from the packed
 * tarball (npm install, as its README says), embeds two gateways next to a resource of its own,
 * is deployed by the real engine, and is rotated by the tarball's own `apim-gateway-rotate` bin:
 * both tokens renewed, the platform's resource untouched.
 */
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { EmulatorsForProcesses, startEmulatorsForProcesses } from "../../localenv/engine/azureEmulators";
import { ProcessRun, startProcess } from "../../localenv/engine/childProcess";
import { processEnvironment } from "../../localenv/engine/environment";
import { diffRendered, readRendered } from "../../localenv/engine/renderedManifests";
import { explain } from "./harness/rotationReport";
import { PulumiToolchain, pulumiToolchain, TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/engine/toolchain";
import { Captured } from "../../localenv/engine/transcript";
import { capturedFiles, sourcesWithTokens } from "./harness/tokenLeaks";
import { emulatedCloudFlags } from "../../localenv/engine/world";
import { packRepository, REPOSITORY } from "../helpers/packedPackage";
import type { RotationUnitOutput } from "../../components/contract/rotationContract";

const sha256Hex = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

const ENGINE_TIMEOUT_MS = 4 * 60_000;
const GATEWAYS = { west: "contoso-west", north: "contoso-north" } as const;
/** The platform's own object, as the provider renders it. */
const TOOLS_NAMESPACE_FILE = path.join("1-manifest", "v1-namespace-default-platform-tools.yaml");

describe("examples/platform: two embedded gateways from the packed tarball, rotated by the packaged CLI", function () {
    this.timeout(ENGINE_TIMEOUT_MS);
    let root: string;
    let platformDir: string;
    let renderDir: string;
    let toolchain: PulumiToolchain;
    let azure: EmulatorsForProcesses;
    const transcript: Captured[] = [];
    let env: Record<string, string>;

    async function run(command: string, args: readonly string[]): Promise<ProcessRun> {
        const result = await startProcess(command, args, { cwd: platformDir, env, timeoutMs: ENGINE_TIMEOUT_MS }).done;
        transcript.push({ source: `${path.basename(command)} ${args.join(" ")}`, text: `${result.stdout}${result.stderr}` });
        return result;
    }

    async function pulumi(...args: string[]): Promise<ProcessRun> {
        const result = await run(path.join(toolchain.binDir, "pulumi"), [...args, "--non-interactive"]);
        assert.equal(result.code, 0, explain(result));
        return result;
    }

    async function rotationOutput(): Promise<Record<string, RotationUnitOutput>> {
        const outputs = JSON.parse((await pulumi("stack", "output", "--json")).stdout) as Record<string, unknown>;
        return outputs.apimGatewayRotation as Record<string, RotationUnitOutput>;
    }

    before(async function () {
        this.timeout(TOOLCHAIN_BUILD_TIMEOUT_MS + 10 * 60_000);
        toolchain = await pulumiToolchain();
        root = mkdtempSync(path.join(tmpdir(), "apim-gateway-platform-"));
        azure = await startEmulatorsForProcesses(root);
        const { emulators } = azure;
        for (const gatewayId of Object.values(GATEWAYS)) {
            emulators.arm.addGateway({
                subscriptionId: emulators.subscriptionId,
                resourceGroupName: "rg1",
                serviceName: "apimService1",
                gatewayId,
            });
        }
        platformDir = path.join(root, "platform");
        renderDir = path.join(root, "rendered");
        mkdirSync(renderDir);
        cpSync(path.join(REPOSITORY, "examples", "platform"), platformDir, { recursive: true });
        const { tarball } = packRepository(root);
        env = processEnvironment({
            binDir: toolchain.binDir,
            home: path.join(root, "pulumi-home"),
            backendDir: path.join(root, "backend"),
            extra: azure.env,
        });
        mkdirSync(path.join(root, "backend"));
        // What the example's package.json says to do: its peers from the registry, the package from the tarball.
        const install = await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", tarball]);
        assert.equal(install.code, 0, explain(install));
        // The engine runs the program transpile-only (as every suite here); the example must also type-check as shipped.
        const compile = await run(process.execPath, [
            path.join(platformDir, "node_modules", "typescript", "bin", "tsc"),
            "--noEmit",
            "-p",
            "tsconfig.json",
        ]);
        assert.equal(compile.code, 0, explain(compile));

        await pulumi("stack", "init", "dev");
        const config = {
            "contoso-platform:apimSubscriptionId": { value: emulators.subscriptionId, secret: false },
            "contoso-platform:apimResourceGroup": { value: "rg1", secret: false },
            "contoso-platform:apimServiceName": { value: "apimService1", secret: false },
            "contoso-platform:apimAzureCloud": {
                value: JSON.stringify(emulators.azureCloud),
                objectValue: emulators.azureCloud,
                secret: false,
            },
            "contoso-platform:renderYamlToDirectory": { value: renderDir, secret: false },
        };
        await pulumi("config", "set-all", "--json", JSON.stringify(config));
        await pulumi("up", "--yes", "--skip-preview");
    });

    after(async () => {
        await azure?.emulators.stop();
        if (root !== undefined) {
            rmSync(root, { recursive: true, force: true });
        }
    });

    it("exports one rotation unit per gateway, keyed as the program keys them", async () => {
        const units = await rotationOutput();
        assert.deepEqual(Object.keys(units).sort(), Object.keys(GATEWAYS).sort());
        for (const [key, gatewayId] of Object.entries(GATEWAYS)) {
            assert.match(units[key].gatewayResourceId, new RegExp(`/gateways/${gatewayId}$`));
        }
    });

    it("is rotated by the tarball's apim-gateway-rotate: both tokens renewed, the platform's own namespace untouched", async () => {
        const before = await rotationOutput();
        const renderedBefore = readRendered(renderDir);
        const toolsMtime = statSync(path.join(renderDir, TOOLS_NAMESPACE_FILE)).mtimeMs;
        const rotation = await run(path.join(platformDir, "node_modules", ".bin", "apim-gateway-rotate"), [
            "--work-dir",
            platformDir,
            "--pulumi-root",
            toolchain.root,
            ...emulatedCloudFlags(azure.emulators),
            "--all",
            "--force",
        ]);

        assert.equal(rotation.code, 0, explain(rotation));
        const after = await rotationOutput();
        for (const key of Object.keys(GATEWAYS)) {
            assert.notEqual(after[key].tokenIssuedAt, before[key].tokenIssuedAt, `${key}: token not renewed\n${explain(rotation)}`);
            assert.notEqual(after[key].tokenKeyType, before[key].tokenKeyType, `${key}: not signed with the other key`);
        }
        for (const key of Object.keys(GATEWAYS)) {
            // The token the stack now holds, found by the digest the contract exports, is live in APIM.
            const live = azure.emulators.arm.issuedTokens.filter((token) => sha256Hex(`GatewayKey ${token}`) === after[key].tokenChecksum);
            assert.equal(live.length, 1, `${key}: the deployed token is not one the emulator issued`);
            assert.equal(azure.emulators.arm.isTokenValid(live[0]), true, `${key}: the deployed token is not valid`);
        }
        const diff = diffRendered(renderedBefore, readRendered(renderDir));
        assert.ok(diff.unchanged.includes(TOOLS_NAMESPACE_FILE), `the platform's namespace changed: ${JSON.stringify(diff)}`);
        assert.equal(statSync(path.join(renderDir, TOOLS_NAMESPACE_FILE)).mtimeMs, toolsMtime, "the platform's namespace was rewritten");
        assert.ok(
            [...diff.changed, ...diff.added, ...diff.removed].every((file) => /apim-(west|north)/.test(file)),
            `only the gateways' objects change: ${JSON.stringify(diff)}`,
        );
    });

    it("kept every token out of the output, the state and PULUMI_HOME", () => {
        const tokens = azure.emulators.arm.issuedTokens;
        assert.ok(tokens.length >= 4, "two deployed, two rotated (and any the rotation generated to verify a key)");
        const captured = [...transcript, ...capturedFiles(path.join(root, "backend")), ...capturedFiles(path.join(root, "pulumi-home"))];
        assert.deepEqual(sourcesWithTokens(captured, tokens), []);
    });
});
