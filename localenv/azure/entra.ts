import type { IncomingMessage, ServerResponse } from "node:http";
import { AccessTokenSigner } from "./accessTokens";
import { EmulatorClock } from "./clock";
import { FEDERATED_TOKEN_AUDIENCE, FederatedCredential, FederatedTokenIssuer, JWT_BEARER_ASSERTION } from "./federation";
import { readBody, sendJson } from "./http";

/** An app registration (a service principal) with a client secret and federated credentials. */
export interface EntraApplication {
    tenantId: string;
    clientId: string;
    clientSecret: string;
    /** External tokens accepted as client assertions instead of the secret. */
    federatedCredentials?: FederatedCredential[];
}

/** Why a client credential was refused: the OAuth error, its HTTP status and the AADSTS description. */
type Refusal = [status: number, error: string, description: string];

const tokenLifetimeSeconds = 3599;
const oidcScopes = new Set(["openid", "profile", "offline_access"]);

/**
 * Emulates the Entra ID v2.0 endpoints MSAL uses for the client-credentials flow when instance
 * discovery is off: the tenant's OpenID configuration and the token endpoint. Issues access tokens
 * for registered applications, for resources (audiences) registered with {@link addResource}.
 */
export class EntraEmulator {
    /** `https://127.0.0.1:<port>`, set once the server listens. */
    authorityHost = "";
    private readonly applications: EntraApplication[] = [];
    private readonly resources = new Set<string>();
    private readonly issuers: FederatedTokenIssuer[] = [];

    constructor(
        private readonly signer: AccessTokenSigner,
        private readonly clock: EmulatorClock,
    ) {}

    /** Accepts client assertions signed by this issuer, for applications with a matching federated credential. */
    trustIssuer(issuer: FederatedTokenIssuer): void {
        this.issuers.push(issuer);
    }

    registerApplication(app: EntraApplication): void {
        this.applications.push(app);
    }

    /** Accepts `<resource>/.default` scopes for this resource (e.g. the ARM endpoint). */
    addResource(resource: string): void {
        this.resources.add(resource.replace(/\/+$/, ""));
    }

    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const url = new URL(req.url ?? "/", this.authorityHost);
        const [tenant, ...rest] = url.pathname.split("/").filter(Boolean);
        const route = rest.join("/");
        if (!tenant || !this.applications.some((app) => app.tenantId === tenant)) {
            return oauthError(res, 400, "invalid_tenant", `AADSTS90002: Tenant '${tenant ?? ""}' not found.`);
        }
        if (req.method === "GET" && route === "v2.0/.well-known/openid-configuration") {
            return sendJson(res, 200, this.openIdConfiguration(tenant));
        }
        if (req.method === "GET" && route === "discovery/v2.0/keys") {
            return sendJson(res, 200, { keys: [] });
        }
        if (req.method === "POST" && route === "oauth2/v2.0/token") {
            return this.token(tenant, new URLSearchParams(await readBody(req)), res);
        }
        return oauthError(res, 404, "not_found", `No such Entra endpoint: ${req.method} ${url.pathname}`);
    }

    private openIdConfiguration(tenant: string): Record<string, unknown> {
        const base = `${this.authorityHost}/${tenant}`;
        return {
            issuer: `${base}/v2.0`,
            token_endpoint: `${base}/oauth2/v2.0/token`,
            authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
            end_session_endpoint: `${base}/oauth2/v2.0/logout`,
            jwks_uri: `${base}/discovery/v2.0/keys`,
            response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
            subject_types_supported: ["pairwise"],
            id_token_signing_alg_values_supported: ["RS256"],
            token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            tenant_region_scope: "WW",
        };
    }

    /** Checks a federated token presented as client assertion, as Entra does, with its AADSTS codes. */
    private refuseAssertion(app: EntraApplication, form: URLSearchParams): Refusal | undefined {
        if (form.get("client_assertion_type") !== JWT_BEARER_ASSERTION) {
            return [400, "invalid_request", `AADSTS50027: Invalid client_assertion_type; expected '${JWT_BEARER_ASSERTION}'.`];
        }
        const assertion = form.get("client_assertion") ?? "";
        const claims = this.issuers.map((issuer) => issuer.verify(assertion)).find((verified) => verified !== undefined);
        if (!claims) {
            return [400, "invalid_client", "AADSTS50027: JWT token is invalid or malformed."];
        }
        const now = this.clock.now();
        if (now.getTime() < claims.nbf * 1000 || now.getTime() >= claims.exp * 1000) {
            return [
                400,
                "invalid_client",
                `AADSTS700024: Client assertion is not within its valid time range. Current time: ${now.toISOString()}, ` +
                    `assertion valid from ${new Date(claims.nbf * 1000).toISOString()}, ` +
                    `expiry time of assertion ${new Date(claims.exp * 1000).toISOString()}.`,
            ];
        }
        const trusted = (app.federatedCredentials ?? []).some(
            (fc) => fc.issuer === claims.iss && fc.subject === claims.sub && (fc.audience ?? FEDERATED_TOKEN_AUDIENCE) === claims.aud,
        );
        if (!trusted) {
            return [
                400,
                "invalid_request",
                `AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: '${claims.iss}'. ` +
                    `Assertion Subject: '${claims.sub}'. Assertion Audience: '${claims.aud}'.`,
            ];
        }
        return undefined;
    }

    private token(tenant: string, form: URLSearchParams, res: ServerResponse): void {
        if (form.get("grant_type") !== "client_credentials") {
            oauthError(res, 400, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type.");
            return;
        }
        const clientId = form.get("client_id") ?? "";
        const app = this.applications.find((a) => a.tenantId === tenant && a.clientId === clientId);
        if (!app) {
            oauthError(
                res,
                400,
                "unauthorized_client",
                `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${tenant}'.`,
            );
            return;
        }
        const refusal = form.has("client_assertion") ? this.refuseAssertion(app, form) : refuseSecret(app, form);
        if (refusal) {
            oauthError(res, ...refusal);
            return;
        }
        const scopes = (form.get("scope") ?? "").split(" ").filter((s) => s && !oidcScopes.has(s));
        const resource =
            scopes.length === 1 && scopes[0].endsWith("/.default")
                ? scopes[0].slice(0, -"/.default".length).replace(/\/+$/, "")
                : undefined;
        if (!resource || !this.resources.has(resource)) {
            oauthError(
                res,
                400,
                "invalid_scope",
                `AADSTS500011: The resource principal named ${scopes.join(" ") || "(none)"} was not found in the tenant '${tenant}'. ` +
                    "Client credentials need exactly one '<resource>/.default' scope.",
            );
            return;
        }
        const now = Math.floor(this.clock.now().getTime() / 1000);
        const accessToken = this.signer.sign({
            aud: resource,
            iss: `${this.authorityHost}/${tenant}/v2.0`,
            tid: tenant,
            appid: clientId,
            iat: now,
            nbf: now,
            exp: now + tokenLifetimeSeconds,
        });
        sendJson(res, 200, {
            token_type: "Bearer",
            expires_in: tokenLifetimeSeconds,
            ext_expires_in: tokenLifetimeSeconds,
            access_token: accessToken,
        });
    }
}

function refuseSecret(app: EntraApplication, form: URLSearchParams): Refusal | undefined {
    const secret = form.get("client_secret");
    if (secret === null) {
        return [400, "invalid_client", "AADSTS7000218: The request body must contain 'client_assertion' or 'client_secret'."];
    }
    if (secret !== app.clientSecret) {
        return [401, "invalid_client", `AADSTS7000215: Invalid client secret provided for app '${app.clientId}'.`];
    }
    return undefined;
}

function oauthError(res: ServerResponse, status: number, error: string, description: string): void {
    sendJson(res, status, {
        error,
        error_description: description,
        error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)],
        timestamp: new Date().toISOString(),
    });
}
