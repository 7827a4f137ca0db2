/**
 * A small JSON client for an API server: client-certificate or bearer-token authentication, the
 * cluster's CA trusted (TLS verified), one keep-alive connection pool. Enough for the harness, the
 * tests and the demo; the stack program itself talks to the cluster through the Pulumi Kubernetes
 * provider.
 */
import { readFile } from "node:fs/promises";
import { Agent, request } from "node:https";
import { KeyPair } from "./certificates";

/** A non-2xx answer, with the API server's Status message. */
export class KubeApiError extends Error {
    constructor(
        readonly statusCode: number,
        readonly method: string,
        readonly path: string,
        readonly body: string,
    ) {
        super(`${method} ${path}: HTTP ${statusCode}: ${KubeApiError.reason(body)}`);
        this.name = "KubeApiError";
    }

    private static reason(body: string): string {
        try {
            const status = JSON.parse(body) as { message?: string };
            return status.message ?? body;
        } catch {
            return body.slice(0, 500);
        }
    }
}

/** Content types of the PATCH strategies the API server accepts. */
export const PATCH = {
    merge: "application/merge-patch+json",
    strategicMerge: "application/strategic-merge-patch+json",
    json: "application/json-patch+json",
} as const;

/** How to trust the server and who to be: PEM material and/or a bearer token. */
export interface KubeCredentials {
    /** The CA that signed the server's certificate; default the system's trusted CAs. */
    readonly ca?: Buffer;
    /** Client certificate and key, for certificate authentication. */
    readonly cert?: Buffer;
    readonly key?: Buffer;
    /** Sent as `Authorization: Bearer`, for token authentication. */
    readonly token?: string;
    /** `false` only where a kubeconfig says `insecure-skip-tls-verify: true`. Default `true`. */
    readonly rejectUnauthorized?: boolean;
}

export class KubeApi {
    private readonly agent: Agent;
    private readonly token?: string;

    /** `server`: `https://<host>:<port>`, optionally with a path prefix (as a kubeconfig's `server`). */
    constructor(
        readonly server: string,
        credentials: KubeCredentials,
    ) {
        const { ca, cert, key, token, rejectUnauthorized = true } = credentials;
        this.agent = new Agent({ keepAlive: true, ca, cert, key, rejectUnauthorized });
        this.token = token;
    }

    static async fromFiles(server: string, caFile: string, user: KeyPair): Promise<KubeApi> {
        const [ca, cert, key] = await Promise.all([readFile(caFile), readFile(user.certFile), readFile(user.keyFile)]);
        return new KubeApi(server, { ca, cert, key });
    }

    /** The response body as text; rejects with KubeApiError on a non-2xx status. `path` is under the server's URL, or a whole URL. */
    raw(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<string> {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const url = path.startsWith("/") ? new URL(`${this.server.replace(/\/+$/, "")}${path}`) : new URL(path);
        return new Promise((resolve, reject) => {
            const req = request(url, { method, agent: this.agent, timeout: 30_000 }, (res) => {
                let text = "";
                res.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
                res.once("error", reject);
                res.once("end", () => {
                    const status = res.statusCode ?? 0;
                    if (status >= 200 && status < 300) {
                        resolve(text);
                    } else {
                        reject(new KubeApiError(status, method, path, text));
                    }
                });
            });
            req.once("timeout", () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
            req.once("error", reject);
            req.setHeader("Accept", "application/json");
            if (this.token !== undefined) {
                req.setHeader("Authorization", `Bearer ${this.token}`);
            }
            if (payload !== undefined) {
                req.setHeader("Content-Type", contentType);
                req.setHeader("Content-Length", Buffer.byteLength(payload));
            }
            req.end(payload);
        });
    }

    async request<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
        return JSON.parse(await this.raw(method, path, body, contentType)) as T;
    }

    get<T>(path: string): Promise<T> {
        return this.request<T>("GET", path);
    }

    create<T>(collectionPath: string, object: unknown): Promise<T> {
        return this.request<T>("POST", collectionPath, object);
    }

    patch<T>(path: string, patch: unknown, contentType: string = PATCH.merge): Promise<T> {
        return this.request<T>("PATCH", path, patch, contentType);
    }

    delete<T>(path: string, options?: unknown): Promise<T> {
        return this.request<T>("DELETE", path, options);
    }

    /** Closes the pooled connections. */
    close(): void {
        this.agent.destroy();
    }
}
