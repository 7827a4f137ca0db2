/**
 * Reading one context of a kubeconfig the way kubectl does, for the demo's own API client: which
 * file, which server, which CA, which credentials. Pure: the caller reads the files. Client
 * certificates and bearer tokens are supported (inline or as files); the other ways a kubeconfig
 * can authenticate (exec plugins, auth providers, basic auth) are refused by name.
 */
import * as path from "node:path";
import { parse } from "yaml";
import { DemoUsageError } from "./options";

/** Bytes held in the kubeconfig (`…-data`, base64-decoded; a `token`) or in a file it names (absolute). */
export type Material = { readonly data: Buffer } | { readonly file: string };

/** Who the client is. */
export type KubeAuth =
    | { readonly kind: "clientCertificate"; readonly cert: Material; readonly key: Material }
    | { readonly kind: "token"; readonly token: Material }
    | { readonly kind: "anonymous" };

/** One context, resolved. */
export interface KubeContext {
    /** The kubeconfig file it came from. */
    readonly file: string;
    readonly context: string;
    readonly cluster: string;
    readonly user: string;
    /** The API server's URL. */
    readonly server: string;
    /** The CA to trust; undefined: the system's trusted CAs. */
    readonly ca?: Material;
    /** The kubeconfig's `insecure-skip-tls-verify`. */
    readonly insecureSkipTlsVerify: boolean;
    readonly auth: KubeAuth;
}

/** A kubeconfig file as read: its text, or undefined when it does not exist. */
export interface KubeconfigFile {
    readonly file: string;
    readonly text?: string;
}

/**
 * kubectl's kubeconfig files, in order: `--kubeconfig`; else every entry of `$KUBECONFIG` (a
 * path list); else `~/.kube/config`. Relative paths are taken from `cwd`.
 */
export function kubeconfigFiles(flag: string | undefined, env: string | undefined, home: string, cwd: string): string[] {
    const listed = flag !== undefined ? [flag] : (env ?? "").split(path.delimiter).filter((entry) => entry !== "");
    const files = listed.length > 0 ? listed : [path.join(home, ".kube", "config")];
    return [...new Set(files.map((file) => path.resolve(cwd, file)))];
}

/** An item of a kubeconfig list: `{ name, context | cluster | user }`. */
interface Named {
    readonly name?: unknown;
    readonly [field: string]: unknown;
}

interface KubeconfigDocument {
    readonly contexts?: readonly Named[];
    readonly clusters?: readonly Named[];
    readonly users?: readonly Named[];
}

function parseDocument(source: KubeconfigFile): KubeconfigDocument {
    let document: unknown;
    try {
        document = parse(source.text ?? "");
    } catch (error) {
        throw new DemoUsageError(`kubeconfig ${source.file} is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
    }
    if (document === null || document === undefined) {
        return {};
    }
    if (typeof document !== "object" || Array.isArray(document)) {
        throw new DemoUsageError(`kubeconfig ${source.file} is not a kubeconfig (a YAML mapping with clusters, users and contexts)`);
    }
    return document as KubeconfigDocument;
}

function entry(list: readonly Named[] | undefined, name: string, field: string): Record<string, unknown> | undefined {
    const found = (list ?? []).find((item) => item?.name === name)?.[field];
    return typeof found === "object" && found !== null ? (found as Record<string, unknown>) : undefined;
}

const contextNamesOf = (document: KubeconfigDocument) =>
    (document.contexts ?? []).map((item) => item?.name).filter((name): name is string => typeof name === "string");

/**
 * The named context from the first of `sources` (kubectl's order) that defines it, its cluster
 * and user resolved in that same file. Refuses in one line: no kubeconfig at all, a context that
 * is not there (naming the contexts there), a cluster or user missing, an unsupported way to
 * authenticate.
 */
export function resolveKubeContext(sources: readonly KubeconfigFile[], name: string): KubeContext {
    const existing = sources.filter((source) => source.text !== undefined);
    if (existing.length === 0) {
        throw new DemoUsageError(
            `no kubeconfig: ${sources.map((source) => source.file).join(", ")} does not exist (pass ` +
                `--kubeconfig FILE, set KUBECONFIG, or drop --kube-context to use the demo's own control plane)`,
        );
    }
    const documents = existing.map((source) => ({ source, document: parseDocument(source) }));
    const holder = documents.find(({ document }) => contextNamesOf(document).includes(name));
    if (holder === undefined) {
        const names = [...new Set(documents.flatMap(({ document }) => contextNamesOf(document)))];
        throw new DemoUsageError(
            `context "${name}" is not in ${existing.map((source) => source.file).join(", ")} ` +
                `(contexts there: ${names.length > 0 ? names.join(", ") : "none"})`,
        );
    }
    const { source, document } = holder;
    const where = `context "${name}" in ${source.file}`;
    const context = entry(document.contexts, name, "context") ?? {};
    const clusterName = context.cluster;
    const userName = context.user;
    if (typeof clusterName !== "string" || typeof userName !== "string") {
        throw new DemoUsageError(`${where} names no cluster or no user`);
    }
    const cluster = entry(document.clusters, clusterName, "cluster");
    if (cluster === undefined) {
        throw new DemoUsageError(
            `${where} names cluster "${clusterName}", which that file does not ` +
                `define (the demo reads a context's cluster and user from its own file)`,
        );
    }
    if (!(document.users ?? []).some((item) => item?.name === userName)) {
        throw new DemoUsageError(
            `${where} names user "${userName}", which that file does not define ` +
                `(the demo reads a context's cluster and user from its own file)`,
        );
    }
    const user = entry(document.users, userName, "user") ?? {};
    const server = cluster.server;
    if (typeof server !== "string" || !/^https?:\/\//.test(server)) {
        throw new DemoUsageError(`cluster "${clusterName}" of ${where} has no http(s) server URL`);
    }
    if (cluster["proxy-url"] !== undefined) {
        throw new DemoUsageError(
            `cluster "${clusterName}" of ${where} is reached through proxy-url, ` +
                `which the demo's API client does not support: use a context without it`,
        );
    }
    const base = path.dirname(source.file);
    return {
        file: source.file,
        context: name,
        cluster: clusterName,
        user: userName,
        server,
        ca: material(cluster, "certificate-authority", base),
        insecureSkipTlsVerify: cluster["insecure-skip-tls-verify"] === true,
        auth: authOf(user, `user "${userName}" of ${where}`, base),
    };
}

/** `<field>-data` (base64) or `<field>` (a path, relative to the kubeconfig's directory). */
function material(section: Record<string, unknown>, field: string, base: string): Material | undefined {
    const data = section[`${field}-data`];
    if (typeof data === "string" && data !== "") {
        return { data: Buffer.from(data, "base64") };
    }
    const file = section[field];
    return typeof file === "string" && file !== "" ? { file: path.resolve(base, file) } : undefined;
}

/** What a user section authenticates with; the kinds the demo's client cannot use are refused by name. */
const UNSUPPORTED: readonly { readonly key: string; readonly what: (value: unknown) => string }[] = [
    { key: "exec", what: (value) => `an exec credential plugin (${String((value as { command?: unknown })?.command ?? "?")})` },
    { key: "auth-provider", what: (value) => `the auth provider "${String((value as { name?: unknown })?.name ?? "?")}"` },
    { key: "username", what: () => "basic authentication (username and password)" },
];

function authOf(user: Record<string, unknown>, who: string, base: string): KubeAuth {
    for (const { key, what } of UNSUPPORTED) {
        if (user[key] !== undefined) {
            throw new DemoUsageError(
                `${who} authenticates with ${what(user[key])}, which the demo's own API client does not run: it supports ` +
                    `client certificates and bearer tokens (token, tokenFile); use such a context (kind's is one) or drop --kube-context`,
            );
        }
    }
    const cert = material(user, "client-certificate", base);
    const key = material(user, "client-key", base);
    if ((cert === undefined) !== (key === undefined)) {
        throw new DemoUsageError(
            `${who} has a client ${cert === undefined ? "key" : "certificate"} without its ${cert === undefined ? "certificate" : "key"}`,
        );
    }
    if (cert !== undefined && key !== undefined) {
        return { kind: "clientCertificate", cert, key };
    }
    if (typeof user.token === "string" && user.token !== "") {
        return { kind: "token", token: { data: Buffer.from(user.token, "utf8") } };
    }
    if (typeof user.tokenFile === "string" && user.tokenFile !== "") {
        return { kind: "token", token: { file: path.resolve(base, user.tokenFile) } };
    }
    return { kind: "anonymous" };
}
