import { AccessTokenSigner } from "./accessTokens";
import { EmulatorClock } from "./clock";

/** The audience Entra expects in a federated token (workload identity, GitHub OIDC). */
export const FEDERATED_TOKEN_AUDIENCE = "api://AzureADTokenExchange";

/** The client-assertion type of a federated (JWT bearer) credential. */
export const JWT_BEARER_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** A federated identity credential of an application: which external tokens it trusts. */
export interface FederatedCredential {
    issuer: string;
    subject: string;
    /** Default {@link FEDERATED_TOKEN_AUDIENCE}. */
    audience?: string;
}

/** The claims of a federated token (what an OIDC issuer such as AKS or a CI system signs). */
export interface FederatedTokenClaims {
    iss: string;
    sub: string;
    aud: string;
    iat: number;
    nbf: number;
    exp: number;
}

/**
 * An OIDC issuer standing in for the one a workload runs under (an AKS cluster's, a CI system's):
 * it signs the short-lived tokens a workload presents to Entra as client assertions. Only the
 * Entra emulator of the same start verifies them.
 */
export class FederatedTokenIssuer {
    private readonly signer = new AccessTokenSigner<FederatedTokenClaims>();

    constructor(
        /** The `iss` of every token, e.g. `${authorityHost}/oidc-issuer`. */
        readonly issuer: string,
        private readonly clock: EmulatorClock,
    ) {}

    /**
     * A token for `subject`, valid for `lifetimeSeconds` (default 3600) from `issuedSecondsAgo`
     * seconds ago (default 0) on the emulator clock: a lifetime shorter than that age makes an
     * expired token, as a workload presents when its projected token was not refreshed.
     */
    issue(subject: string, options: { lifetimeSeconds?: number; issuedSecondsAgo?: number; audience?: string } = {}): string {
        const iat = Math.floor(this.clock.now().getTime() / 1000) - (options.issuedSecondsAgo ?? 0);
        return this.signer.sign({
            iss: this.issuer,
            sub: subject,
            aud: options.audience ?? FEDERATED_TOKEN_AUDIENCE,
            iat,
            nbf: iat,
            exp: iat + (options.lifetimeSeconds ?? 3600),
        });
    }

    /** The claims of a token this issuer signed, or undefined. */
    verify(token: string): FederatedTokenClaims | undefined {
        return this.signer.verify(token);
    }
}
