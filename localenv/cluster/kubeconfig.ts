/** Kubeconfig files for the control plane's clients, self-contained (certificates embedded). */
import { readFile, writeFile } from "node:fs/promises";
import { stringify } from "yaml";
import { KeyPair } from "./certificates";

/** Who connects where. */
export interface KubeconfigSpec {
    /** `https://127.0.0.1:<port>`. */
    readonly server: string;
    readonly caFile: string;
    /** The client certificate; its subject is the user the API server sees. */
    readonly user: KeyPair;
    /** Cluster, user and context name. */
    readonly name: string;
}

const base64File = async (file: string) => (await readFile(file)).toString("base64");

/** The kubeconfig document: one cluster, one user, one context, selected. */
export async function kubeconfig(spec: KubeconfigSpec): Promise<string> {
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: spec.name, cluster: { server: spec.server, "certificate-authority-data": await base64File(spec.caFile) } }],
        users: [
            {
                name: spec.name,
                user: {
                    "client-certificate-data": await base64File(spec.user.certFile),
                    "client-key-data": await base64File(spec.user.keyFile),
                },
            },
        ],
        contexts: [{ name: spec.name, context: { cluster: spec.name, user: spec.name } }],
        "current-context": spec.name,
    });
}

/** Writes `kubeconfig(spec)` to `file`, readable by this user only (it holds a private key). */
export async function writeKubeconfig(file: string, spec: KubeconfigSpec): Promise<string> {
    await writeFile(file, await kubeconfig(spec), { mode: 0o600 });
    return file;
}
