import * as assert from "node:assert/strict";
import * as path from "node:path";
import { stringify } from "yaml";
import { KubeconfigFile, kubeconfigFiles, KubeContext, resolveKubeContext } from "../../demo/kubeconfigContext";
import { DemoUsageError } from "../../demo/options";

const FILE = "/home/ada/.kube/config";
const CA = Buffer.from("-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n");
const CERT = Buffer.from("client certificate PEM");
const KEY = Buffer.from("client key PEM");
const b64 = (bytes: Buffer) => bytes.toString("base64");

/** A kubeconfig with one context `name` → cluster `name` and user `name`. */
function kubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown>, name = "kind-demo"): string {
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server: "https://127.0.0.1:6443", ...cluster } }],
        users: [{ name, user }],
        contexts: [{ name, context: { cluster: name, user: name } }],
        "current-context": name,
    });
}

describe("npm run demo --kube-context: reading a kubeconfig context", () => {
    describe("which files, as kubectl", () => {
        const cases: { what: string; flag?: string; env?: string; expected: string[] }[] = [
            { what: "--kubeconfig wins over $KUBECONFIG", flag: "lab.yaml", env: "/a:/b", expected: ["/work/lab.yaml"] },
            {
                what: "$KUBECONFIG's list, in order, without empty entries or repeats",
                env: `/a${path.delimiter}${path.delimiter}/b${path.delimiter}/a`,
                expected: ["/a", "/b"],
            },
            { what: "~/.kube/config without either", expected: ["/home/ada/.kube/config"] },
            { what: "~/.kube/config when $KUBECONFIG is empty", env: "", expected: ["/home/ada/.kube/config"] },
        ];
        for (const { what, flag, env, expected } of cases) {
            it(what, () => assert.deepEqual(kubeconfigFiles(flag, env, "/home/ada", "/work"), expected));
        }
    });

    describe("a context resolved", () => {
        const cases: { what: string; text: string; expected: Omit<KubeContext, "file" | "context" | "cluster" | "user" | "server"> }[] = [
            {
                what: "kind's: CA and client certificate inline",
                text: kubeconfig(
                    { "certificate-authority-data": b64(CA) },
                    { "client-certificate-data": b64(CERT), "client-key-data": b64(KEY) },
                ),
                expected: {
                    ca: { data: CA },
                    insecureSkipTlsVerify: false,
                    auth: { kind: "clientCertificate", cert: { data: CERT }, key: { data: KEY } },
                },
            },
            {
                what: "files, relative to the kubeconfig's directory or absolute",
                text: kubeconfig(
                    { "certificate-authority": "pki/ca.crt" },
                    { "client-certificate": "/etc/pki/me.crt", "client-key": "me.key" },
                ),
                expected: {
                    ca: { file: "/home/ada/.kube/pki/ca.crt" },
                    insecureSkipTlsVerify: false,
                    auth: { kind: "clientCertificate", cert: { file: "/etc/pki/me.crt" }, key: { file: "/home/ada/.kube/me.key" } },
                },
            },
            {
                what: "a bearer token, no CA (the system's), TLS verification off as the file says",
                text: kubeconfig({ "insecure-skip-tls-verify": true }, { token: "abc.def" }),
                expected: { ca: undefined, insecureSkipTlsVerify: true, auth: { kind: "token", token: { data: Buffer.from("abc.def") } } },
            },
            {
                what: "a token file",
                text: kubeconfig({ "certificate-authority-data": b64(CA) }, { tokenFile: "token" }),
                expected: {
                    ca: { data: CA },
                    insecureSkipTlsVerify: false,
                    auth: { kind: "token", token: { file: "/home/ada/.kube/token" } },
                },
            },
            {
                what: "no credentials: anonymous",
                text: kubeconfig({ "certificate-authority-data": b64(CA) }, {}),
                expected: { ca: { data: CA }, insecureSkipTlsVerify: false, auth: { kind: "anonymous" } },
            },
        ];
        for (const { what, text, expected } of cases) {
            it(what, () =>
                assert.deepEqual(resolveKubeContext([{ file: FILE, text }], "kind-demo"), {
                    file: FILE,
                    context: "kind-demo",
                    cluster: "kind-demo",
                    user: "kind-demo",
                    server: "https://127.0.0.1:6443",
                    ...expected,
                }),
            );
        }

        it("takes the first file of the list that has the context, whatever the current context", () => {
            const sources: KubeconfigFile[] = [
                { file: "/missing" },
                { file: "/a", text: kubeconfig({}, { token: "a" }, "other") },
                { file: "/b", text: kubeconfig({}, { token: "b" }) },
            ];
            const resolved = resolveKubeContext(sources, "kind-demo");
            assert.equal(resolved.file, "/b");
            assert.deepEqual(resolved.auth, { kind: "token", token: { data: Buffer.from("b") } });
        });
    });

    describe("refused in one line naming the cause", () => {
        const good = { "client-certificate-data": b64(CERT), "client-key-data": b64(KEY) };
        const cases: { what: string; sources: KubeconfigFile[]; message: RegExp }[] = [
            {
                what: "no kubeconfig at all",
                sources: [{ file: FILE }],
                message: new RegExp(
                    /^no kubeconfig: \/home\/ada\/\.kube\/config does not exist \(pass --kubeconfig FILE, set /.source +
                        /KUBECONFIG, or drop --kube-context/.source,
                ),
            },
            {
                what: "a context that is not there, naming those that are",
                sources: [
                    { file: FILE, text: kubeconfig({}, good, "kind-a") },
                    { file: "/b", text: kubeconfig({}, good, "kind-b") },
                ],
                message: /^context "kind-demo" is not in \/home\/ada\/\.kube\/config, \/b \(contexts there: kind-a, kind-b\)$/,
            },
            {
                what: "an empty kubeconfig",
                sources: [{ file: FILE, text: "" }],
                message: /^context "kind-demo" is not in .* \(contexts there: none\)$/,
            },
            {
                what: "not YAML",
                sources: [{ file: FILE, text: "clusters: [" }],
                message: /^kubeconfig \/home\/ada\/\.kube\/config is not valid YAML/,
            },
            { what: "not a mapping", sources: [{ file: FILE, text: "- a\n- b\n" }], message: /is not a kubeconfig/ },
            {
                what: "an exec credential plugin (EKS, GKE, AKS with kubelogin)",
                sources: [
                    { file: FILE, text: kubeconfig({}, { exec: { apiVersion: "client.authentication.k8s.io/v1", command: "kubelogin" } }) },
                ],
                message: new RegExp(
                    /^user "kind-demo" of context "kind-demo" in .* authenticates with an exec credential plugin /.source +
                        /\(kubelogin\), which the demo's own API client does not run: it supports client certificates and /.source +
                        /bearer tokens/.source,
                ),
            },
            {
                what: "an auth provider",
                sources: [{ file: FILE, text: kubeconfig({}, { "auth-provider": { name: "oidc" } }) }],
                message: /authenticates with the auth provider "oidc"/,
            },
            {
                what: "basic authentication",
                sources: [{ file: FILE, text: kubeconfig({}, { username: "admin", password: "x" }) }],
                message: /authenticates with basic authentication/,
            },
            {
                what: "a certificate without its key",
                sources: [{ file: FILE, text: kubeconfig({}, { "client-certificate-data": b64(CERT) }) }],
                message: /has a client certificate without its key$/,
            },
            {
                what: "a proxy",
                sources: [{ file: FILE, text: kubeconfig({ "proxy-url": "http://proxy:3128" }, good) }],
                message: /is reached through proxy-url/,
            },
            {
                what: "no server URL",
                sources: [{ file: FILE, text: kubeconfig({ server: "" }, good) }],
                message: /has no http\(s\) server URL$/,
            },
            {
                what: "a cluster defined in another file",
                sources: [
                    {
                        file: FILE,
                        text: stringify({
                            users: [{ name: "u", user: good }],
                            contexts: [{ name: "kind-demo", context: { cluster: "c", user: "u" } }],
                        }),
                    },
                ],
                message: /names cluster "c", which that file does not define/,
            },
            {
                what: "a user defined in another file",
                sources: [
                    {
                        file: FILE,
                        text: stringify({
                            clusters: [{ name: "c", cluster: { server: "https://x" } }],
                            contexts: [{ name: "kind-demo", context: { cluster: "c", user: "u" } }],
                        }),
                    },
                ],
                message: /names user "u", which that file does not define/,
            },
        ];
        for (const { what, sources, message } of cases) {
            it(what, () =>
                assert.throws(
                    () => resolveKubeContext(sources, "kind-demo"),
                    (error: Error) => error instanceof DemoUsageError && message.test(error.message) && !error.message.includes("\n"),
                ),
            );
        }
    });
});
