/**
 * The ARM and Entra ID emulators over HTTPS on 127.0.0.1, with a CA made for the run. Part of the
 * local environment (`localenv/`): what `npm run demo` runs and the suites import, so it is
 * product code and imports nothing from `test/`.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import type { AzureCloudSettings } from "../../components/token/cloud";
import { AccessTokenSigner } from "./accessTokens";
import { ArmEmulator } from "./arm";
import { createTestCertificates } from "./certificates";
import { EmulatorClock } from "./clock";
import { controlPrefix, createControlHandler } from "./control";
import { EntraApplication, EntraEmulator } from "./entra";
import { FederatedTokenIssuer } from "./federation";
import { sendJson } from "./http";
import { NO_ANSWER, RequestLog, RequestRecord } from "./requestLog";
import { trustCertificateAuthority } from "./trust";

export { ArmEmulator, ArmOperationName, GatewaySpec, InjectedDelay, InjectedFailure, InjectedHang } from "./arm";
export { EmulatorClock } from "./clock";
export { EntraEmulator } from "./entra";
export { FederatedTokenIssuer } from "./federation";
export { NO_ANSWER, RequestLog, RequestRecord } from "./requestLog";

/** Options of {@link startAzureEmulators}. */
export interface AzureEmulatorOptions {
    /**
     * Trust the emulators' CA in this process (`tls.setDefaultCACertificates`) until `stop()`.
     * Default true; a standalone server leaves trust to its clients (`NODE_EXTRA_CA_CERTS`).
     */
    trustInProcess?: boolean;
    /** Called with each answered request, e.g. to print it. */
    onRequest?: (record: RequestRecord) => void;
    /**
     * More subjects the service principal has a federated credential for, with the same issuer as
     * {@link AzureEmulators.federatedSubject} (e.g. one per CI environment a schedule names).
     */
    extraFederatedSubjects?: readonly string[];
}

/** Running ARM and Entra emulators, with a service principal and one gateway ready to use. */
export interface AzureEmulators {
    /** ARM base URL, `https://127.0.0.1:<port>`. */
    armEndpoint: string;
    /** Entra authority host, `https://127.0.0.1:<port>`. */
    authorityHost: string;
    /** The `azureCloud` setting that points the product at these emulators. */
    azureCloud: AzureCloudSettings;
    /** The CA that signed both servers' certificate (PEM). */
    caPem: string;
    /** Tenant that owns the subscription and the service principal. */
    tenantId: string;
    /** A second tenant with the same application registered; its tokens do not grant access to the subscription. */
    foreignTenantId: string;
    clientId: string;
    clientSecret: string;
    subscriptionId: string;
    /** The ready-made gateway, as in the spec examples: rg1 / apimService1 / gw1. */
    gatewayResourceId: string;
    arm: ArmEmulator;
    entra: EntraEmulator;
    clock: EmulatorClock;
    requests: RequestLog;
    /**
     * The OIDC issuer the service principal has a federated credential for (subject
     * {@link federatedSubject}), as a CI system's or an AKS cluster's: it signs the tokens a
     * workload-identity sign-in presents.
     */
    oidcIssuer: FederatedTokenIssuer;
    /** The subject the service principal's federated credential trusts. */
    federatedSubject: string;
    /**
     * The environment that makes `DefaultAzureCredential` sign in as the service principal through
     * `EnvironmentCredential` only (no managed-identity probe leaves 127.0.0.1).
     */
    credentialEnv(): Record<string, string>;
    /**
     * The environment that makes `DefaultAzureCredential` sign in as the service principal through
     * `WorkloadIdentityCredential` only, presenting the federated token in `tokenFile`.
     */
    workloadIdentityEnv(tokenFile: string): Record<string, string>;
    stop(): Promise<void>;
}

/**
 * Starts the Entra and ARM emulators on 127.0.0.1 over HTTPS, with a certificate from a fresh CA.
 * The subscription, tenant and gateway match the spec examples; keys and the client secret are
 * random per start.
 */
export async function startAzureEmulators(options: AzureEmulatorOptions = {}): Promise<AzureEmulators> {
    const certificates = createTestCertificates();
    const signer = new AccessTokenSigner();
    const clock = new EmulatorClock();
    const requests = new RequestLog(options.onRequest);
    const entra = new EntraEmulator(signer, clock);
    const arm = new ArmEmulator(signer, clock);

    const tenantId = randomUUID();
    const foreignTenantId = randomUUID();
    const clientId = randomUUID();
    const clientSecret = randomBytes(24).toString("base64url");
    const subscriptionId = "00000000-0000-0000-0000-000000000000";
    const federatedSubject = "repo:contoso/gateways:environment:production";
    const application: EntraApplication = { tenantId, clientId, clientSecret, federatedCredentials: [] };
    entra.registerApplication(application);
    entra.registerApplication({ tenantId: foreignTenantId, clientId, clientSecret });
    arm.addSubscription(subscriptionId, tenantId);
    const gatewayResourceId = arm.addGateway({ subscriptionId, resourceGroupName: "rg1", serviceName: "apimService1", gatewayId: "gw1" });

    const entraServer = await listen(certificates, "entra", requests, (req, res) => entra.handle(req, res));
    const control = createControlHandler({ arm, clock, requests });
    let armServer: Awaited<ReturnType<typeof listen>> | undefined;
    let untrust: (() => void) | undefined;
    const oidcIssuer = new FederatedTokenIssuer(`${entraServer.url}/oidc-issuer`, clock);
    try {
        armServer = await listen(certificates, "arm", requests, (req, res) =>
            req.url?.startsWith(controlPrefix) ? control(req, res) : arm.handle(req, res),
        );
        entra.authorityHost = entraServer.url;
        entra.trustIssuer(oidcIssuer);
        for (const subject of [federatedSubject, ...(options.extraFederatedSubjects ?? [])]) {
            application.federatedCredentials?.push({ issuer: oidcIssuer.issuer, subject });
        }
        arm.endpoint = armServer.url;
        entra.addResource(arm.endpoint);
        untrust = options.trustInProcess === false ? undefined : trustCertificateAuthority(certificates.caPem);
    } catch (error) {
        // A half-started emulator must not keep the test process alive.
        await Promise.all([entraServer.close(), armServer?.close()]);
        throw error;
    }
    const servers = [armServer, entraServer];

    return {
        armEndpoint: arm.endpoint,
        authorityHost: entra.authorityHost,
        azureCloud: { resourceManagerEndpoint: arm.endpoint, authorityHost: entra.authorityHost },
        caPem: certificates.caPem,
        tenantId,
        foreignTenantId,
        clientId,
        clientSecret,
        subscriptionId,
        gatewayResourceId,
        arm,
        entra,
        clock,
        requests,
        oidcIssuer,
        federatedSubject,
        workloadIdentityEnv: (tokenFile) => ({
            AZURE_TOKEN_CREDENTIALS: "WorkloadIdentityCredential",
            AZURE_TENANT_ID: tenantId,
            AZURE_CLIENT_ID: clientId,
            AZURE_FEDERATED_TOKEN_FILE: tokenFile,
        }),
        credentialEnv: () => ({
            AZURE_TOKEN_CREDENTIALS: "EnvironmentCredential",
            AZURE_TENANT_ID: tenantId,
            AZURE_CLIENT_ID: clientId,
            AZURE_CLIENT_SECRET: clientSecret,
        }),
        async stop() {
            untrust?.();
            await Promise.all(servers.map((server) => server.close()));
        },
    };
}

async function listen(
    certificates: { certPem: string; keyPem: string },
    server: "arm" | "entra",
    requests: RequestLog,
    handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<{ url: string; close(): Promise<void> }> {
    const httpsServer = https.createServer({ cert: certificates.certPem, key: certificates.keyPem }, (req, res) => {
        const record = { server, method: req.method ?? "", path: (req.url ?? "/").split("?")[0], at: Date.now() };
        if (!record.path.startsWith(controlPrefix)) {
            let answered = false;
            res.on("finish", () => {
                answered = true;
                requests.add({ ...record, status: res.statusCode });
            });
            res.on("close", () => answered || requests.add({ ...record, status: NO_ANSWER }));
        }
        handle(req, res).catch((error: unknown) => {
            if (!res.headersSent) {
                sendJson(res, 500, { error: { code: "EmulatorError", message: String(error) } });
            }
        });
    });
    await new Promise<void>((resolve, reject) => {
        httpsServer.once("error", reject);
        httpsServer.listen(0, "127.0.0.1", resolve);
    });
    const { port } = httpsServer.address() as AddressInfo;
    return {
        url: `https://127.0.0.1:${port}`,
        close: () =>
            new Promise<void>((resolve) => {
                httpsServer.close(() => resolve());
                httpsServer.closeAllConnections();
            }),
    };
}
