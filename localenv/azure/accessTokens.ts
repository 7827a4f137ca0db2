import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** The claims the Entra emulator puts in an access token and the ARM emulator checks. */
export interface AccessTokenClaims {
    /** Audience: the resource the token is for (the ARM endpoint). */
    aud: string;
    /** Issuer: `${authorityHost}/${tenant}/v2.0`. */
    iss: string;
    /** Tenant the client signed in to. */
    tid: string;
    /** The client (application) id. */
    appid: string;
    iat: number;
    nbf: number;
    exp: number;
}

/**
 * Issues and verifies HS256 JWTs with a key only this process knows: the ARM emulator accepts
 * exactly the access tokens its Entra emulator issued (and Entra the federated tokens its
 * emulated OIDC issuer signed, with a signer of their own claims).
 */
export class AccessTokenSigner<Claims extends object = AccessTokenClaims> {
    private readonly key = randomBytes(32);

    sign(claims: Claims): string {
        const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
        const payload = base64url(JSON.stringify(claims));
        return `${header}.${payload}.${this.signature(`${header}.${payload}`)}`;
    }

    /** The claims of a token this signer issued, or undefined when it did not issue it. */
    verify(token: string): Claims | undefined {
        const [header, payload, signature, ...rest] = token.split(".");
        if (!header || !payload || !signature || rest.length > 0) {
            return undefined;
        }
        const expected = Buffer.from(this.signature(`${header}.${payload}`));
        const actual = Buffer.from(signature);
        if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
            return undefined;
        }
        return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Claims;
    }

    private signature(data: string): string {
        return createHmac("sha256", this.key).update(data).digest("base64url");
    }
}

function base64url(text: string): string {
    return Buffer.from(text, "utf8").toString("base64url");
}
