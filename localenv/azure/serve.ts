// Runs the ARM and Entra emulators as a standalone process, for tests whose clients run in other
// processes (the Pulumi engine, the rotation CLI):
//
//   ts-node --transpile-only localenv/azure/serve.ts [--ca-file PATH]
//
// Prints one JSON line: the endpoints, the `azureCloud` setting, the service principal, the
// gateway id, the CA file and `env` (NODE_EXTRA_CA_CERTS and AZURE_* for a client process). Each
// answered request goes to stderr as "server method path status". The test-control API is under
// `${armEndpoint}/_emulator/` (see control.ts). Stops on SIGINT/SIGTERM, removing the CA file.
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startAzureEmulators } from "./index";

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { "ca-file": { type: "string" } } });
    const caFile = values["ca-file"] ?? join(tmpdir(), `apim-emulator-${process.pid}-ca.pem`);
    const emulators = await startAzureEmulators({
        trustInProcess: false,
        onRequest: (record) => process.stderr.write(`${record.server} ${record.method} ${record.path} ${record.status}\n`),
    });
    writeFileSync(caFile, emulators.caPem);

    let stopping = false;
    const stop = async () => {
        if (stopping) {
            return;
        }
        stopping = true;
        await emulators.stop();
        rmSync(caFile, { force: true });
        process.exit(0);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);

    process.stdout.write(
        `${JSON.stringify({
            armEndpoint: emulators.armEndpoint,
            authorityHost: emulators.authorityHost,
            azureCloud: emulators.azureCloud,
            caFile,
            tenantId: emulators.tenantId,
            clientId: emulators.clientId,
            clientSecret: emulators.clientSecret,
            subscriptionId: emulators.subscriptionId,
            gatewayResourceId: emulators.gatewayResourceId,
            env: { NODE_EXTRA_CA_CERTS: caFile, ...emulators.credentialEnv() },
        })}\n`,
    );
}

main().catch((error: unknown) => {
    process.stderr.write(`emulator failed to start: ${String(error)}\n`);
    process.exit(1);
});
