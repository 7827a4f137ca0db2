/**
 * An existing cluster for `npm run demo -- --kube-context NAME`: the context read from the
 * kubeconfig as kubectl reads it, an API client with its credentials, and the facts the
 * preflight needs.
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { ClusterFacts, NodeObject, StorageClassObject } from "./clusterPlan";
import { KubeconfigFile, kubeconfigFiles, KubeContext, Material, resolveKubeContext } from "./kubeconfigContext";
import { DemoUsageError } from "./options";
import { KubeApi, KubeApiError } from "../localenv/cluster/kubeApi";

/** The cluster could not be used, or the example could not run there; the message says why (no stack trace). */
export class ClusterUnusableError extends Error {}

async function readIfPresent(file: string): Promise<KubeconfigFile> {
    try {
        return { file, text: await readFile(file, "utf8") };
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") {
            return { file };
        }
        throw new DemoUsageError(`kubeconfig ${file} cannot be read: ${(error as Error).message}`);
    }
}

/** The context `name` of `--kubeconfig` (or $KUBECONFIG, or ~/.kube/config). */
export async function loadKubeContext(
    name: string,
    kubeconfig: string | undefined,
    env: NodeJS.ProcessEnv = process.env,
): Promise<KubeContext> {
    const files = kubeconfigFiles(kubeconfig, env.KUBECONFIG, homedir(), process.cwd());
    return resolveKubeContext(await Promise.all(files.map(readIfPresent)), name);
}

async function bytes(material: Material, what: string): Promise<Buffer> {
    if ("data" in material) {
        return material.data;
    }
    try {
        return await readFile(material.file);
    } catch (error) {
        throw new DemoUsageError(`${what} ${material.file} cannot be read: ${(error as Error).message}`);
    }
}

/** An API client with the context's CA and credentials. */
export async function kubeApiFor(context: KubeContext): Promise<KubeApi> {
    const { auth } = context;
    const ca = context.ca === undefined ? undefined : await bytes(context.ca, `the CA of cluster "${context.cluster}"`);
    const who = `user "${context.user}"`;
    const credentials =
        auth.kind === "clientCertificate"
            ? { cert: await bytes(auth.cert, `the client certificate of ${who}`), key: await bytes(auth.key, `the client key of ${who}`) }
            : auth.kind === "token"
              ? { token: (await bytes(auth.token, `the token file of ${who}`)).toString("utf8").trim() }
              : {};
    return new KubeApi(context.server, { ca, ...credentials, rejectUnauthorized: !context.insecureSkipTlsVerify });
}

async function exists(api: KubeApi, path: string): Promise<boolean> {
    try {
        await api.get(path);
        return true;
    } catch (error) {
        if (error instanceof KubeApiError && error.statusCode === 404) {
            return false;
        }
        throw error;
    }
}

/** What the preflight reads: nodes, StorageClasses, and whether the demo's objects already exist. */
export async function readClusterFacts(api: KubeApi, context: KubeContext, namespace: string, staticVolume: string): Promise<ClusterFacts> {
    try {
        const [nodes, storageClasses, namespaceExists, volumeExists] = await Promise.all([
            api.get<{ items: NodeObject[] }>("/api/v1/nodes"),
            api.get<{ items: StorageClassObject[] }>("/apis/storage.k8s.io/v1/storageclasses"),
            exists(api, `/api/v1/namespaces/${namespace}`),
            exists(api, `/api/v1/persistentvolumes/${staticVolume}`),
        ]);
        return {
            context: context.context,
            nodes: nodes.items,
            storageClasses: storageClasses.items,
            namespaceExists,
            staticVolume: { name: staticVolume, exists: volumeExists },
        };
    } catch (error) {
        throw new ClusterUnusableError(
            `context "${context.context}" (${context.server}, kubeconfig ${context.file}): the API server refused or did ` +
                `not answer the demo's reads (nodes, StorageClasses, its namespace and volume): ${(error as Error).message}`,
        );
    }
}
