import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { gatewayTokenProvider } from "../../components/token/provider";
import type { GatewayTokenState } from "../../components/token/renewal";
import { AzureEmulators, startAzureEmulators } from "../../localenv/azure";
import { setEnv } from "../emulator/env";

const projectRoot = join(__dirname, "..", "..");

/**
 * What the engine's dynamic-provider host does with the `__provider` text stored in state
 * (@pulumi/pulumi cmd/dynamic-provider: `requireFromString(text).handler()`), then a create, a
 * diff of the fresh token, a forced-renewal diff and the renewal update, printed as JSON.
 */
const hostScript = `
const { readFileSync } = require("node:fs");
const { dirname } = require("node:path");
const pulumiDir = dirname(require.resolve("@pulumi/pulumi/package.json"));
const requireFromString = require(require.resolve("require-from-string", { paths: [pulumiDir] }));
const provider = requireFromString(readFileSync(process.argv[1], "utf8")).handler();
const raw = JSON.parse(process.env.TOKEN_INPUTS);
(async () => {
    const { inputs } = await provider.check({}, raw);
    const created = await provider.create(inputs);
    const freshDiff = await provider.diff(created.id, created.outs, inputs);
    const forced = { ...inputs, renewalTrigger: "rotate-1" };
    const forcedDiff = await provider.diff(created.id, created.outs, forced);
    const updated = await provider.update(created.id, created.outs, forced);
    process.stdout.write(JSON.stringify({ created, freshDiff, forcedDiff, updated }));
})().catch((error) => {
    process.stderr.write(String(error && error.stack || error));
    process.exit(1);
});
`;

/** The same host, reporting a failing create the way cmd/dynamic-provider does (`e.message`, `${e}`). */
const deniedHostScript = `
const { readFileSync } = require("node:fs");
const { dirname } = require("node:path");
const pulumiDir = dirname(require.resolve("@pulumi/pulumi/package.json"));
const requireFromString = require(require.resolve("require-from-string", { paths: [pulumiDir] }));
const provider = requireFromString(readFileSync(process.argv[1], "utf8")).handler();
(async () => {
    const { inputs } = await provider.check({}, JSON.parse(process.env.TOKEN_INPUTS));
    await provider.create(inputs);
    process.exit(2);
})().catch((error) => {
    process.stdout.write(JSON.stringify({ message: error.message, text: \`\${error}\` }));
});
`;

/** Serializes the provider exactly as pulumi.dynamic.Resource does (see the first test). */
async function serializeProvider(): Promise<pulumi.runtime.SerializedFunction> {
    return pulumi.runtime.serializeFunction(() => gatewayTokenProvider, { allowSecrets: true });
}

describe("GatewayToken provider serialized into state", () => {
    let emu: AzureEmulators;
    let restoreEnv: () => void;
    let workDir: string;

    before(async () => {
        emu = await startAzureEmulators();
        restoreEnv = setEnv(emu.credentialEnv());
        workDir = mkdtempSync(join(tmpdir(), "gateway-token-provider-"));
    });

    after(async () => {
        restoreEnv();
        await emu.stop();
        rmSync(workDir, { recursive: true, force: true });
    });

    it("is serialized by pulumi.dynamic.Resource with serializeFunction(() => provider, { allowSecrets: true })", () => {
        const dynamicModule = readFileSync(require.resolve("@pulumi/pulumi/dynamic/index.js"), "utf8");
        assert.match(dynamicModule, /serializeFunction\(\(\) => provider, \{ allowSecrets: true \}\)/);
        assert.equal(pulumi.runtime.serializeFunction, require("@pulumi/pulumi/runtime/closure/serializeClosure").serializeFunction);
    });

    it("holds no secret material and only references the Azure SDKs", async () => {
        // Issue a token in this process first, so any state a module kept would be captured.
        const { outs } = await gatewayTokenProvider.create(
            (await gatewayTokenProvider.check!({}, { gatewayResourceId: emu.gatewayResourceId, azureCloud: emu.azureCloud })).inputs,
        );
        const issued = (outs as GatewayTokenState).token.slice("GatewayKey ".length);
        const keys = emu.arm.keys(emu.gatewayResourceId);

        const serialized = await serializeProvider();

        assert.equal(serialized.containsSecrets, false);
        const material = { clientSecret: emu.clientSecret, issued, ...keys, tenantId: emu.tenantId, clientId: emu.clientId };
        for (const [what, value] of Object.entries(material)) {
            assert.ok(!serialized.text.includes(value), `the serialized provider contains the ${what}`);
        }
        assert.doesNotMatch(serialized.text, /Bearer ey/);
        assert.match(serialized.text, /require\("@azure\/identity"\)/);
        assert.match(serialized.text, /require\("@azure\/arm-apimanagement"\)/);
        assert.doesNotMatch(serialized.text, /class DefaultAzureCredential|class ApiManagementClient|@pulumi\/pulumi/);
        assert.ok(serialized.text.length < 64 * 1024, `serialized provider is ${serialized.text.length} bytes`);
    });

    it("reports an ARM failure with its message and fix, as the engine's host reads it (error.message)", async function () {
        this.timeout(20_000);
        const providerFile = join(workDir, "provider-denied.js");
        const caFile = join(workDir, "ca-denied.pem");
        writeFileSync(providerFile, (await serializeProvider()).text);
        writeFileSync(caFile, emu.caPem);
        const denied = emu.arm.addGateway({
            subscriptionId: emu.subscriptionId,
            resourceGroupName: "rg1",
            serviceName: "apimService1",
            gatewayId: "gw-denied",
        });
        emu.arm.denyAccess(denied);
        const failure = await promisify(execFile)(process.execPath, ["-e", deniedHostScript, providerFile], {
            cwd: projectRoot,
            env: {
                PATH: dirname(process.execPath),
                NODE_EXTRA_CA_CERTS: caFile,
                ...emu.credentialEnv(),
                TOKEN_INPUTS: JSON.stringify({ gatewayResourceId: denied, azureCloud: emu.azureCloud }),
            },
        });
        const reported = JSON.parse(failure.stdout) as { message: unknown; text: string };
        assert.equal(typeof reported.message, "string", "the host sends error.message to the engine");
        assert.match(String(reported.message), /403/);
        assert.match(String(reported.message), /generateToken\/action/);
        assert.match(reported.text, /generateToken\/action/, "String(error) shows the message too");
    });

    it("reports a sign-in refused inside the credential chain (expired federated token) with Entra's words and the fix", async function () {
        this.timeout(20_000);
        const providerFile = join(workDir, "provider-refused.js");
        const caFile = join(workDir, "ca-refused.pem");
        const tokenFile = join(workDir, "federated-token");
        writeFileSync(providerFile, (await serializeProvider()).text);
        writeFileSync(caFile, emu.caPem);
        writeFileSync(tokenFile, emu.oidcIssuer.issue(emu.federatedSubject, { issuedSecondsAgo: 7200, lifetimeSeconds: 3600 }));
        const failure = await promisify(execFile)(process.execPath, ["-e", deniedHostScript, providerFile], {
            cwd: projectRoot,
            env: {
                PATH: dirname(process.execPath),
                NODE_EXTRA_CA_CERTS: caFile,
                ...emu.workloadIdentityEnv(tokenFile),
                TOKEN_INPUTS: JSON.stringify({ gatewayResourceId: emu.gatewayResourceId, azureCloud: emu.azureCloud }),
            },
        });
        const reported = JSON.parse(failure.stdout) as { message: unknown };
        assert.match(String(reported.message), new RegExp(`^Signing in to Entra ID at ${emu.authorityHost} failed for generateToken`));
        assert.match(String(reported.message), /AADSTS700024/);
        assert.match(String(reported.message), /The federated token presented .* is expired or not yet valid/);
    });

    it("runs create, diff and a key-alternating update in a fresh node process against the emulators", async function () {
        this.timeout(20_000);
        const providerFile = join(workDir, "provider.js");
        const caFile = join(workDir, "ca.pem");
        writeFileSync(providerFile, (await serializeProvider()).text);
        writeFileSync(caFile, emu.caPem);
        emu.requests.clear();

        const { stdout } = await promisify(execFile)(process.execPath, ["-e", hostScript, providerFile], {
            cwd: projectRoot,
            env: {
                PATH: dirname(process.execPath),
                // The child trusts the emulators' CA the way any client process would; nothing
                // from this process's trust store or environment is inherited.
                NODE_EXTRA_CA_CERTS: caFile,
                ...emu.credentialEnv(),
                TOKEN_INPUTS: JSON.stringify({
                    gatewayResourceId: emu.gatewayResourceId,
                    azureCloud: emu.azureCloud,
                    validityDays: 20,
                    renewBeforeDays: 5,
                }),
            },
        });
        const result = JSON.parse(stdout) as {
            created: { id: string; outs: GatewayTokenState };
            freshDiff: { changes: boolean };
            forcedDiff: { changes: boolean };
            updated: { outs: GatewayTokenState };
        };

        assert.equal(result.created.outs.keyType, "primary");
        assert.equal(result.created.outs.validityDays, 20);
        assert.equal(emu.arm.signingKeyType(result.created.outs.token.slice("GatewayKey ".length)), "primary");
        assert.equal(result.freshDiff.changes, false);
        assert.equal(result.forcedDiff.changes, true);
        assert.equal(result.updated.outs.keyType, "secondary");
        assert.equal(result.updated.outs.renewalTrigger, "rotate-1");
        assert.ok(emu.arm.isTokenValid(result.updated.outs.token.slice("GatewayKey ".length)));
        assert.equal(emu.arm.signingKeyType(result.updated.outs.token.slice("GatewayKey ".length)), "secondary");
        assert.deepEqual(
            emu.requests.arm().map((r) => `${r.method} ${r.status}`),
            ["POST 200", "POST 200"],
            "one ARM call per issued token, none for the diffs",
        );
    });
});
