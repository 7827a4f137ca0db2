import { createHmac, randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { AccessTokenClaims, AccessTokenSigner } from "./accessTokens";
import { EmulatorClock } from "./clock";
import { readBody, sendArmError, sendJson } from "./http";

/** A self-hosted gateway to create in the emulator. */
export interface GatewaySpec {
    subscriptionId: string;
    resourceGroupName: string;
    serviceName: string;
    gatewayId: string;
    /** Default `my gateway 1` (the spec example's). */
    description?: string;
    /** `locationData.name`; default `my location`. */
    locationName?: string;
}

/** A failure to answer instead of the real response, for the next `times` matching requests. */
export interface InjectedFailure {
    /** 429 throttling, or a 5xx. */
    status: number;
    /** How many requests fail; default 1. */
    times?: number;
    /** Sent as the `Retry-After` header, in seconds. */
    retryAfterSeconds?: number;
    /** Only requests for this operation fail; default any. */
    operation?: ArmOperationName;
    /** Only requests whose body names this key (generateToken, regenerateKey); default any. */
    keyType?: KeyType;
}

/** Requests to hold before answering them normally, as a slow service does. */
export interface InjectedDelay {
    /** How long to hold each matching request, in milliseconds. */
    ms: number;
    /** How many requests are held; default 1. */
    times?: number;
    /** Only requests for this operation are held; default any. */
    operation?: ArmOperationName;
    /** Only requests whose body names this key (generateToken, regenerateKey); default any. */
    keyType?: KeyType;
}

/**
 * Requests never answered, as from an ARM endpoint that stopped answering (not refusing): each is
 * held until its client gives up and closes the connection, then dropped unprocessed.
 */
export interface InjectedHang {
    /** How many requests hang; default 1. */
    times?: number;
    /** Only requests for this operation hang; default any. */
    operation?: ArmOperationName;
    /** Only requests whose body names this key (generateToken, regenerateKey); default any. */
    keyType?: KeyType;
}

type KeyType = "primary" | "secondary";
export type ArmOperationName = "get" | "generateToken" | "listKeys" | "regenerateKey";

/** Whether an injected fault applies to a request for `operation` whose body names `keyType`. */
function selects(fault: { operation?: ArmOperationName; keyType?: KeyType }, operation: ArmOperationName, keyType: unknown): boolean {
    return (fault.operation === undefined || fault.operation === operation) && (fault.keyType === undefined || fault.keyType === keyType);
}

interface GatewayRecord {
    spec: GatewaySpec;
    id: string;
    keys: Record<KeyType, string>;
    eTag: string;
}

/** api-versions of Microsoft.ApiManagement that have the gateway operations (stable). */
const supportedApiVersions = new Set(["2024-05-01", "2022-08-01", "2021-08-01", "2020-12-01", "2019-12-01"]);
const maxTokenDays = 30;
const dayMs = 86_400_000;
const gatewayPath = new RegExp(
    /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)/.source +
        /\/providers\/Microsoft\.ApiManagement\/service\/([^/]+)\/gateways\/([^/]+?)(?:\/(generateToken|listKeys|regenerateKey))?\/?$/
            .source,
    "i",
);
const failureMessages: Record<number, [string, string]> = {
    429: ["TooManyRequests", "Too many requests. Please retry later."],
    500: ["InternalServerError", "The service encountered an internal error. Please retry the request."],
    503: ["ServiceUnavailable", "The service is temporarily unavailable. Please retry the request."],
};
const actions: Record<ArmOperationName, string> = {
    get: "Microsoft.ApiManagement/service/gateways/read",
    generateToken: "Microsoft.ApiManagement/service/gateways/generateToken/action",
    listKeys: "Microsoft.ApiManagement/service/gateways/listKeys/action",
    regenerateKey: "Microsoft.ApiManagement/service/gateways/regenerateKey/action",
};

/**
 * Emulates the ARM gateway operations of Microsoft.ApiManagement (Gateway_Get, _GenerateToken,
 * _ListKeys, _RegenerateKey) with the semantics of the spec examples: bearer tokens from the
 * Entra emulator checked (audience, tenant, expiry), 404 for unknown resources, 400
 * `ValidationError` for an expiry beyond 30 days, keys that sign tokens and regenerate.
 */
export class ArmEmulator {
    /** `https://127.0.0.1:<port>`, set once the server listens. */
    endpoint = "";
    private readonly subscriptions = new Map<string, string>();
    private readonly gateways = new Map<string, GatewayRecord>();
    private readonly denied = new Set<string>();
    private readonly failures: (InjectedFailure & { remaining: number })[] = [];
    private readonly delays: (InjectedDelay & { remaining: number })[] = [];
    private readonly hangs: (InjectedHang & { remaining: number })[] = [];
    private holding = 0;
    /** Every generateToken request body that reached a gateway, with the emulator's clock when it arrived. */
    readonly tokenRequests: { keyType: unknown; expiry: unknown; receivedAt: Date }[] = [];
    /** Every token value issued, in order, so a test can look for it where it must not be. */
    readonly issuedTokens: string[] = [];

    constructor(
        private readonly signer: AccessTokenSigner,
        private readonly clock: EmulatorClock,
    ) {}

    /** Makes a subscription exist, owned by a tenant: only that tenant's tokens are accepted for it. */
    addSubscription(subscriptionId: string, tenantId: string): void {
        this.subscriptions.set(subscriptionId.toLowerCase(), tenantId);
    }

    /** Creates a gateway (and its service and resource group) with fresh keys; returns its resource id. */
    addGateway(spec: GatewaySpec): string {
        const id =
            `/subscriptions/${spec.subscriptionId}/resourceGroups/${spec.resourceGroupName}` +
            `/providers/Microsoft.ApiManagement/service/${spec.serviceName}/gateways/${spec.gatewayId}`;
        this.gateways.set(id.toLowerCase(), { spec, id, keys: { primary: newKey(), secondary: newKey() }, eTag: newETag() });
        return id;
    }

    /** Answers 403 AuthorizationFailed to every request on this gateway, as if no role granted access. */
    denyAccess(gatewayResourceId: string): void {
        this.denied.add(gatewayResourceId.toLowerCase());
    }

    injectFailure(failure: InjectedFailure): void {
        this.failures.push({ ...failure, remaining: failure.times ?? 1 });
    }

    /**
     * Holds the next matching requests for a while before answering them, so a test can act
     * while a client (the Pulumi engine, say) is waiting in the middle of an operation.
     */
    injectDelay(delay: InjectedDelay): void {
        this.delays.push({ ...delay, remaining: delay.times ?? 1 });
    }

    /** Leaves the next matching requests unanswered until their clients give up (see {@link InjectedHang}). */
    injectHang(hang: InjectedHang): void {
        this.hangs.push({ ...hang, remaining: hang.times ?? 1 });
    }

    /** How many requests an injected delay or hang is holding right now. */
    get heldRequests(): number {
        return this.holding;
    }

    /** Drops injected failures and hangs not used up yet. */
    clearInjectedFailures(): void {
        this.failures.length = 0;
        this.hangs.length = 0;
    }

    /** The gateway's current keys. */
    keys(gatewayResourceId: string): Record<KeyType, string> {
        return { ...this.gateway(gatewayResourceId).keys };
    }

    /** Whether a token would be accepted now: signed with a current key of its gateway and not expired (emulator clock). */
    isTokenValid(token: string): boolean {
        const parsed = parseGatewayToken(token);
        return parsed !== undefined && parsed.expiry > this.clock.now() && this.signingKeyType(token) !== undefined;
    }

    /** Which current key of its gateway signed a token, or undefined (unknown gateway, regenerated key, forged). */
    signingKeyType(token: string): KeyType | undefined {
        const parsed = parseGatewayToken(token);
        if (!parsed) {
            return undefined;
        }
        for (const gateway of this.gateways.values()) {
            if (gateway.spec.gatewayId.toLowerCase() !== parsed.gatewayId.toLowerCase()) {
                continue;
            }
            for (const keyType of ["primary", "secondary"] as const) {
                if (sign(gateway.keys[keyType], gateway.spec.gatewayId, parsed.expiryText) === parsed.signature) {
                    return keyType;
                }
            }
        }
        return undefined;
    }

    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const url = new URL(req.url ?? "/", this.endpoint);
        const claims = this.authenticate(req, res);
        if (!claims) {
            return;
        }
        const apiVersion = url.searchParams.get("api-version");
        if (!apiVersion) {
            return sendArmError(
                res,
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            );
        }
        if (!supportedApiVersions.has(apiVersion)) {
            return sendArmError(
                res,
                400,
                "InvalidApiVersionParameter",
                `The api-version '${apiVersion}' is invalid. The supported versions are '${[...supportedApiVersions].join(",")}'.`,
            );
        }
        const match = gatewayPath.exec(url.pathname);
        if (!match) {
            return sendArmError(res, 404, "NotFound", `No emulated ARM resource at ${url.pathname}.`);
        }
        const [, subscriptionId, resourceGroupName, serviceName, gatewayId, action] = match;
        const operation = operationOf(req.method ?? "", action);
        if (!operation) {
            return sendArmError(res, 405, "MethodNotAllowed", `${req.method} is not supported on ${url.pathname}.`);
        }
        const tenant = this.subscriptions.get(subscriptionId.toLowerCase());
        if (!tenant) {
            return sendArmError(res, 404, "SubscriptionNotFound", `The subscription '${subscriptionId}' could not be found.`);
        }
        if (claims.tid !== tenant) {
            return sendArmError(
                res,
                401,
                "InvalidAuthenticationTokenTenant",
                `The access token is from the wrong issuer '${claims.iss}'. It must match the tenant '${tenant}' ` +
                    `associated with this subscription. Please use the authority (URL) '${tenant}' to get the token.`,
            );
        }
        const scope = url.pathname.replace(/\/(generateToken|listKeys|regenerateKey)\/?$/i, "").replace(/\/+$/, "");
        if (this.denied.has(scope.toLowerCase())) {
            return sendArmError(
                res,
                403,
                "AuthorizationFailed",
                `The client '${claims.appid}' with object id '${claims.appid}' does not have authorization to perform ` +
                    `action '${actions[operation]}' over scope '${scope}' or the scope is ` +
                    `invalid. If access was recently granted, please refresh your credentials.`,
            );
        }
        const body = await readBody(req);
        const keyType = parseJson(body)?.keyType;
        const failure = this.failures.find((f) => f.remaining > 0 && selects(f, operation, keyType));
        if (failure) {
            failure.remaining--;
            const [code, message] = failureMessages[failure.status] ?? failureMessages[500];
            return sendArmError(
                res,
                failure.status,
                code,
                message,
                failure.retryAfterSeconds === undefined ? {} : { headers: { "retry-after": String(failure.retryAfterSeconds) } },
            );
        }
        const gateway = this.find(subscriptionId, resourceGroupName, serviceName, gatewayId, res);
        if (!gateway) {
            return;
        }
        if (await this.hang(operation, keyType, res)) {
            return;
        }
        await this.hold(operation, keyType);
        switch (operation) {
            case "get":
                return sendJson(res, 200, gatewayContract(gateway), { etag: gateway.eTag });
            case "listKeys":
                return sendJson(res, 200, { ...gateway.keys }, { etag: gateway.eTag });
            case "generateToken":
                return this.generateToken(gateway, body, res);
            case "regenerateKey":
                return this.regenerateKey(gateway, body, res);
        }
    }

    private async hold(operation: ArmOperationName, keyType: unknown): Promise<void> {
        const delay = this.delays.find((d) => d.remaining > 0 && selects(d, operation, keyType));
        if (!delay) {
            return;
        }
        delay.remaining--;
        this.holding++;
        try {
            // Unref'd: a held request never keeps a finished test process alive.
            await new Promise((resolve) => setTimeout(resolve, delay.ms).unref());
        } finally {
            this.holding--;
        }
    }

    /** Whether the request was left unanswered until its client closed the connection. */
    private async hang(operation: ArmOperationName, keyType: unknown, res: ServerResponse): Promise<boolean> {
        const hang = this.hangs.find((h) => h.remaining > 0 && selects(h, operation, keyType));
        if (!hang) {
            return false;
        }
        hang.remaining--;
        this.holding++;
        try {
            await new Promise((resolve) => res.once("close", resolve));
        } finally {
            this.holding--;
        }
        return true;
    }

    private authenticate(req: IncomingMessage, res: ServerResponse): AccessTokenClaims | undefined {
        const header = req.headers.authorization ?? "";
        const challenge = {
            "www-authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"',
        };
        if (!header.startsWith("Bearer ")) {
            sendArmError(res, 401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.", {
                headers: challenge,
            });
            return undefined;
        }
        const claims = this.signer.verify(header.slice("Bearer ".length));
        if (!claims) {
            sendArmError(res, 401, "InvalidAuthenticationToken", "The access token is invalid.", { headers: challenge });
            return undefined;
        }
        if (claims.aud.replace(/\/+$/, "") !== this.endpoint) {
            sendArmError(
                res,
                401,
                "InvalidAuthenticationTokenAudience",
                `The access token has been obtained for wrong audience or resource '${claims.aud}'. It should ` +
                    `exactly match with one of the allowed audiences '${this.endpoint}', '${this.endpoint}/'.`,
                { headers: challenge },
            );
            return undefined;
        }
        if (claims.exp * 1000 <= this.clock.now().getTime()) {
            sendArmError(res, 401, "ExpiredAuthenticationToken", "The access token expiry UTC time is earlier than current UTC time.", {
                headers: challenge,
            });
            return undefined;
        }
        return claims;
    }

    private find(
        subscriptionId: string,
        resourceGroupName: string,
        serviceName: string,
        gatewayId: string,
        res: ServerResponse,
    ): GatewayRecord | undefined {
        const inGroup = [...this.gateways.values()].filter(
            (g) =>
                g.spec.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() &&
                g.spec.resourceGroupName.toLowerCase() === resourceGroupName.toLowerCase(),
        );
        if (inGroup.length === 0) {
            sendArmError(res, 404, "ResourceGroupNotFound", `Resource group '${resourceGroupName}' could not be found.`);
            return undefined;
        }
        const inService = inGroup.filter((g) => g.spec.serviceName.toLowerCase() === serviceName.toLowerCase());
        if (inService.length === 0) {
            sendArmError(
                res,
                404,
                "ResourceNotFound",
                `The Resource 'Microsoft.ApiManagement/service/${serviceName}' under resource group ` +
                    `'${resourceGroupName}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
            );
            return undefined;
        }
        const gateway = inService.find((g) => g.spec.gatewayId.toLowerCase() === gatewayId.toLowerCase());
        if (!gateway) {
            sendArmError(res, 404, "ResourceNotFound", "Gateway not found.");
            return undefined;
        }
        return gateway;
    }

    private generateToken(gateway: GatewayRecord, body: string, res: ServerResponse): void {
        const request = parseJson(body);
        const now = this.clock.now();
        this.tokenRequests.push({ keyType: request?.keyType, expiry: request?.expiry, receivedAt: now });
        const keyType = request?.keyType;
        if (keyType !== "primary" && keyType !== "secondary") {
            validationError(res, "keyType", `keyType must be 'primary' or 'secondary'; got '${String(keyType)}'.`);
            return;
        }
        const expiry = typeof request?.expiry === "string" ? new Date(request.expiry) : undefined;
        if (!expiry || Number.isNaN(expiry.getTime())) {
            validationError(res, "expiry", "expiry is required, as an ISO 8601 date-time.");
            return;
        }
        if (expiry.getTime() <= now.getTime()) {
            validationError(res, "expiry", "Token expiry must be in the future.");
            return;
        }
        if (expiry.getTime() > now.getTime() + maxTokenDays * dayMs) {
            validationError(res, "expiry", `Token expiry must not be more than ${maxTokenDays} days from now (${now.toISOString()}).`);
            return;
        }
        const expiryText = expiry.toISOString().slice(0, 16).replace(/[-T:]/g, "");
        const signature = sign(gateway.keys[keyType], gateway.spec.gatewayId, expiryText);
        const value = `${gateway.spec.gatewayId}&${expiryText}&${signature}`;
        this.issuedTokens.push(value);
        sendJson(res, 200, { value });
    }

    private regenerateKey(gateway: GatewayRecord, body: string, res: ServerResponse): void {
        const keyType = parseJson(body)?.keyType;
        if (keyType !== "primary" && keyType !== "secondary") {
            validationError(res, "keyType", `keyType must be 'primary' or 'secondary'; got '${String(keyType)}'.`);
            return;
        }
        gateway.keys[keyType] = newKey();
        gateway.eTag = newETag();
        res.writeHead(204).end();
    }

    private gateway(gatewayResourceId: string): GatewayRecord {
        const gateway = this.gateways.get(gatewayResourceId.toLowerCase());
        if (!gateway) {
            throw new Error(`The emulator has no gateway ${gatewayResourceId}`);
        }
        return gateway;
    }
}

/** The parts of a token `<gatewayId>&<yyyyMMddHHmm>&<signature>`. */
function parseGatewayToken(token: string): { gatewayId: string; expiryText: string; expiry: Date; signature: string } | undefined {
    const match = /^(?:GatewayKey )?([^&]+)&(\d{12})&(.+)$/.exec(token);
    if (!match) {
        return undefined;
    }
    const [, gatewayId, expiryText, signature] = match;
    const part = (from: number, to: number) => expiryText.slice(from, to);
    const iso = `${part(0, 4)}-${part(4, 6)}-${part(6, 8)}T${part(8, 10)}:${part(10, 12)}:00Z`;
    return { gatewayId, expiryText, expiry: new Date(iso), signature };
}

function sign(key: string, gatewayId: string, expiryText: string): string {
    return createHmac("sha512", Buffer.from(key, "base64")).update(`${gatewayId}\n${expiryText}`).digest("base64");
}

function operationOf(method: string, action: string | undefined): ArmOperationName | undefined {
    if (!action) {
        return method === "GET" ? "get" : undefined;
    }
    if (method !== "POST") {
        return undefined;
    }
    return ({ generatetoken: "generateToken", listkeys: "listKeys", regeneratekey: "regenerateKey" } as const)[
        action.toLowerCase() as "generatetoken" | "listkeys" | "regeneratekey"
    ];
}

function gatewayContract(gateway: GatewayRecord): Record<string, unknown> {
    return {
        id: gateway.id,
        type: "Microsoft.ApiManagement/service/gateways",
        name: gateway.spec.gatewayId,
        properties: {
            description: gateway.spec.description ?? "my gateway 1",
            locationData: { name: gateway.spec.locationName ?? "my location" },
        },
    };
}

function validationError(res: ServerResponse, target: string, message: string): void {
    sendArmError(res, 400, "ValidationError", "One or more fields contain incorrect values:", {
        details: [{ code: "ValidationError", target, message }],
    });
}

function parseJson(body: string): Record<string, unknown> | undefined {
    try {
        const value: unknown = JSON.parse(body);
        return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
    } catch {
        return undefined;
    }
}

function newKey(): string {
    return randomBytes(64).toString("base64");
}

function newETag(): string {
    return `"${randomUUID()}"`;
}
