import { strict as assert } from "node:assert";
import { ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { generateGatewayToken } from "../../components/token/arm";
import type { AzureCloudSettings } from "../../components/token/cloud";
import { setEnv } from "./env";
import type { RequestRecord } from "../../localenv/azure/requestLog";
import { trustCertificateAuthority } from "../../localenv/azure/trust";

interface ServedEmulators {
    armEndpoint: string;
    azureCloud: AzureCloudSettings;
    caFile: string;
    gatewayResourceId: string;
    env: Record<string, string>;
}

describe("standalone emulator process (serve.ts)", () => {
    let child: ChildProcessWithoutNullStreams;
    let served: ServedEmulators;
    const stderr: string[] = [];

    before(async function () {
        this.timeout(20_000);
        const root = join(__dirname, "..", "..");
        const serve = join(root, "localenv", "azure", "serve.ts");
        child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", serve], { cwd: root });
        child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
        served = JSON.parse(await firstLine(child)) as ServedEmulators;
    });

    after(() => {
        if (child.exitCode === null) {
            child.kill("SIGTERM");
        }
    });

    async function control<T>(method: "GET" | "POST", command: string, body?: unknown): Promise<T | undefined> {
        const response = await fetch(`${served.armEndpoint}/_emulator/${command}`, {
            method,
            body: body === undefined ? undefined : JSON.stringify(body),
        });
        return response.status === 204 ? undefined : ((await response.json()) as T);
    }

    it("prints its endpoints, the CA file and the client environment as one JSON line", () => {
        assert.match(served.armEndpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
        assert.match(served.azureCloud.authorityHost ?? "", /^https:\/\/127\.0\.0\.1:\d+$/);
        assert.match(readFileSync(served.caFile, "utf8"), /^-----BEGIN CERTIFICATE-----/);
        assert.equal(served.env.NODE_EXTRA_CA_CERTS, served.caFile);
        assert.deepEqual(Object.keys(served.env).sort(), [
            "AZURE_CLIENT_ID",
            "AZURE_CLIENT_SECRET",
            "AZURE_TENANT_ID",
            "AZURE_TOKEN_CREDENTIALS",
            "NODE_EXTRA_CA_CERTS",
        ]);
    });

    it("issues tokens to a client in another process and reports them through the control API", async () => {
        const untrust = trustCertificateAuthority(readFileSync(served.caFile, "utf8"));
        const { NODE_EXTRA_CA_CERTS: _caFile, ...credentialEnv } = served.env;
        const restoreEnv = setEnv(credentialEnv);
        try {
            await control("POST", "clear-requests");
            const token = await generateGatewayToken(
                served.gatewayResourceId,
                "secondary",
                new Date(Date.now() + 86_400_000),
                served.azureCloud,
            );

            assert.deepEqual(await control("POST", "token-status", { token }), { valid: true, keyType: "secondary" });
            assert.deepEqual(await control("POST", "token-status", { token: `${token}x` }), { valid: false, keyType: null });
            const requests = (await control<RequestRecord[]>("GET", "requests")) ?? [];
            assert.deepEqual(
                requests.filter((r) => r.server === "arm").map((r) => `${r.method} ${r.path.split("/").pop()} ${r.status}`),
                ["POST generateToken 200"],
            );
            assert.match(stderr.join(""), /arm POST \/subscriptions\/.*\/gateways\/gw1\/generateToken 200/);
        } finally {
            restoreEnv();
            untrust();
        }
    });

    it("moves its clock, injects failures, hangs and denies access on request", async () => {
        const untrust = trustCertificateAuthority(readFileSync(served.caFile, "utf8"));
        const { NODE_EXTRA_CA_CERTS: _caFile, ...credentialEnv } = served.env;
        const restoreEnv = setEnv(credentialEnv);
        try {
            const token = await generateGatewayToken(
                served.gatewayResourceId,
                "primary",
                new Date(Date.now() + 86_400_000),
                served.azureCloud,
            );
            await control("POST", "clock", { offsetMs: 2 * 86_400_000 });
            assert.deepEqual(await control("POST", "token-status", { token }), { valid: false, keyType: "primary" });
            await control("POST", "clock", { offsetMs: 0 });

            await control("POST", "clear-requests");
            await control("POST", "inject-failure", { status: 429, retryAfterSeconds: 0 });
            await generateGatewayToken(served.gatewayResourceId, "primary", new Date(Date.now() + 86_400_000), served.azureCloud);
            const requests = (await control<RequestRecord[]>("GET", "requests")) ?? [];
            assert.deepEqual(
                requests.filter((r) => r.server === "arm").map((r) => r.status),
                [429, 200],
            );

            await control("POST", "inject-delay", { ms: 300, operation: "generateToken" });
            const started = Date.now();
            const held = generateGatewayToken(served.gatewayResourceId, "primary", new Date(Date.now() + 86_400_000), served.azureCloud);
            // Polled until it arrives, however long a loaded machine takes: mocha's timeout guards a request that never does.
            while ((await control<{ count: number }>("GET", "held-requests"))?.count === 0) {
                await new Promise((resolve) => setTimeout(resolve, 10));
            }
            assert.deepEqual(await control("GET", "held-requests"), { count: 1 });
            await held;
            assert.ok(Date.now() - started >= 300, "answered only after the injected delay");

            await control("POST", "clear-requests");
            await control("POST", "inject-hang", { times: 5, operation: "generateToken" });
            const restoreLimits = setEnv({ APIM_GATEWAY_ARM_TIMEOUT_SECONDS: "1", APIM_GATEWAY_ARM_RETRY_BUDGET_SECONDS: "1" });
            try {
                await assert.rejects(
                    generateGatewayToken(served.gatewayResourceId, "primary", new Date(Date.now() + 86_400_000), served.azureCloud),
                    (error: { code?: string }) => error.code === "RetryBudgetSpent",
                );
            } finally {
                restoreLimits();
            }
            await control("POST", "clear-injected-failures");
            const unanswered = async () =>
                ((await control<RequestRecord[]>("GET", "requests")) ?? []).filter((r) => r.server === "arm").map((r) => r.status);
            while ((await unanswered()).length === 0) {
                await new Promise((resolve) => setTimeout(resolve, 10));
            }
            // A retry the client sent just before giving up may reach the emulator after the hang
            // was cleared, and be answered: the hung request is the first one logged.
            assert.equal((await unanswered())[0], 0, "logged as unanswered once the client gave up");
            await generateGatewayToken(served.gatewayResourceId, "primary", new Date(Date.now() + 86_400_000), served.azureCloud);

            await control("POST", "deny-access", { gatewayResourceId: served.gatewayResourceId });
            await assert.rejects(
                generateGatewayToken(served.gatewayResourceId, "primary", new Date(Date.now() + 86_400_000), served.azureCloud),
                (error: { statusCode?: number }) => error.statusCode === 403,
            );
        } finally {
            restoreEnv();
            untrust();
        }
    });

    it("stops on SIGTERM and removes its CA file", async () => {
        const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        assert.equal(await exited, 0);
        assert.equal(existsSync(served.caFile), false);
    });
});

function firstLine(child: ChildProcessWithoutNullStreams): Promise<string> {
    return new Promise((resolve, reject) => {
        let buffered = "";
        child.stdout.on("data", (chunk: Buffer) => {
            buffered += chunk.toString();
            const end = buffered.indexOf("\n");
            if (end >= 0) {
                resolve(buffered.slice(0, end));
            }
        });
        child.once("exit", (code) => reject(new Error(`serve.ts exited with ${code} before printing its endpoints`)));
    });
}
