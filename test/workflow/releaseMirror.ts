/**
 * The downloads the schedules make, served locally so their steps run verbatim with no network:
 * the Pulumi CLI release archive and its checksums file (both schedules' curl step), and the
 * provider plugin archive (`pulumi plugin install ... --checksum`, both schedules). One HTTPS
 * server on 127.0.0.1 with a certificate for github.com and 127.0.0.1 from a CA of its own:
 *
 * - curl reaches it through the job's `$HOME/.curlrc` (`connect-to` github.com, `cacert`);
 * - the Pulumi CLI through its documented plugin download override
 *   (PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES) and Go's SSL_CERT_FILE, set in the runner's environment.
 *
 * The archives are packed from the e2e toolchain as the releases are laid out: the CLI archive
 * holds `pulumi/` (CLI, language host, dynamic-provider launcher), a plugin archive its binary.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { createTestCertificates } from "../../localenv/azure/certificates";

/** The CLI's files in a release archive (everything the toolchain builds but the Kubernetes provider). */
export const CLI_FILES = ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"];

export interface ReleaseMirror {
    /** SHA-256 of the CLI archive, as a reviewed `pulumiSha256` holds it. */
    readonly pulumiSha256: string;
    /** SHA-256 of each plugin archive, by plugin name (`kubernetes`). */
    readonly pluginSha256: Readonly<Record<string, string>>;
    /** Lines for each job's `$HOME/.curlrc`. */
    readonly curlrc: string;
    /** The mirror's CA (PEM file), for the runner's trust store. */
    readonly caFile: string;
    /** The runner environment that sends Pulumi's plugin downloads here (Go's SSL_CERT_FILE must trust {@link caFile}). */
    readonly env: Readonly<Record<string, string>>;
    close(): Promise<void>;
}

/** A CA and a server certificate for github.com and 127.0.0.1, the CA written where curl and Go read it. */
function mirrorCertificate(dir: string): { caFile: string; cert: string; key: string } {
    const { caPem, certPem, keyPem } = createTestCertificates({
        caName: "workflow runner release mirror CA",
        commonName: "github.com",
        subjectAltName: "DNS:github.com,IP:127.0.0.1",
    });
    const caFile = path.join(dir, "ca.pem");
    writeFileSync(caFile, caPem);
    return { caFile, cert: certPem, key: keyPem };
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** `tar -czf` of `entries` (paths relative to `from`), read back. */
function tarball(dir: string, name: string, from: string, entries: string[]): Buffer {
    execFileSync("tar", ["-czf", path.join(dir, name), "-C", from, ...entries]);
    return readFileSync(path.join(dir, name));
}

/** Packs the toolchain in `binDir` (CLI `version`, Kubernetes plugin `kubernetesVersion`) and serves it. */
export async function startReleaseMirror(
    dir: string,
    binDir: string,
    versions: { pulumi: string; kubernetes: string },
): Promise<ReleaseMirror> {
    const stage = path.join(dir, "stage", "pulumi");
    mkdirSync(stage, { recursive: true });
    CLI_FILES.forEach((file) => cpSync(path.join(binDir, file), path.join(stage, file), { dereference: true }));
    const cliArchive = `pulumi-v${versions.pulumi}-linux-x64.tar.gz`;
    const cli = tarball(dir, cliArchive, path.dirname(stage), ["pulumi"]);
    const pluginArchive = `pulumi-resource-kubernetes-v${versions.kubernetes}-linux-amd64.tar.gz`;
    const plugin = tarball(dir, pluginArchive, binDir, ["pulumi-resource-kubernetes"]);
    // Served by file name, whatever the path: the release URL, or the plugin override's base URL plus the name.
    const files: Record<string, Buffer> = {
        [cliArchive]: cli,
        [`pulumi-${versions.pulumi}-checksums.txt`]: Buffer.from(`${sha256(cli)}  ${cliArchive}\n`),
        [pluginArchive]: plugin,
    };
    const certificate = mirrorCertificate(dir);
    const server = createServer({ cert: certificate.cert, key: certificate.key }, (req, res) => {
        const body = files[path.posix.basename(new URL(req.url ?? "/", "https://mirror").pathname)];
        res.writeHead(body === undefined ? 404 : 200, { "content-length": body?.length ?? 0 });
        res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        pulumiSha256: sha256(cli),
        pluginSha256: { kubernetes: sha256(plugin) },
        curlrc: `connect-to = "github.com:443:127.0.0.1:${port}"\ncacert = "${certificate.caFile}"\n`,
        caFile: certificate.caFile,
        env: { PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES: `^.*$=https://127.0.0.1:${port}/plugins` },
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}
