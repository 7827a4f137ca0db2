/**
 * The Pulumi release download of the Azure pipeline's "Install the Pulumi CLI" step, served
 * locally so that step runs verbatim (curl, checksum check, tar) with no network: an HTTPS server
 * on 127.0.0.1 with a certificate for github.com from a CA of its own, reached through the job's
 * `$HOME/.curlrc` (`connect-to` and `cacert`). It serves the e2e toolchain's CLI packed the way a
 * release archive is (`pulumi/` with the CLI and its language host), plus the Kubernetes provider
 * the engine would otherwise download on first use, and the release's checksums file.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import * as path from "node:path";

export interface ReleaseMirror {
    /** Lines for the job's `$HOME/.curlrc`. */
    readonly curlrc: string;
    close(): Promise<void>;
}

/** A CA and a github.com server certificate, with the openssl CLI (as the emulators make theirs). */
function githubCertificate(dir: string): { caFile: string; cert: string; key: string } {
    const file = (name: string) => path.join(dir, name);
    const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    openssl("req", "-x509", ...ecKey, "-keyout", file("ca.key"), "-out", file("ca.pem"), "-days", "2", "-subj", "/CN=workflow runner release mirror CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    openssl("req", ...ecKey, "-keyout", file("server.key"), "-out", file("server.csr"), "-subj", "/CN=github.com");
    writeFileSync(file("server.ext"), "subjectAltName=DNS:github.com\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n");
    openssl("x509", "-req", "-in", file("server.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"), "-set_serial", `0x${Date.now().toString(16)}`, "-days", "2", "-extfile", file("server.ext"), "-out", file("server.pem"));
    return { caFile: file("ca.pem"), cert: readFileSync(file("server.pem"), "utf8"), key: readFileSync(file("server.key"), "utf8") };
}

/** Packs `binDir` as `pulumi-v<version>-linux-x64.tar.gz` and serves it from `dir`. */
export async function startReleaseMirror(dir: string, binDir: string, version: string): Promise<ReleaseMirror> {
    mkdirSync(path.join(dir, "stage", "pulumi"), { recursive: true });
    for (const entry of readdirSync(binDir)) {
        cpSync(path.join(binDir, entry), path.join(dir, "stage", "pulumi", entry), { dereference: true, recursive: true });
    }
    const archive = `pulumi-v${version}-linux-x64.tar.gz`;
    execFileSync("tar", ["-czf", path.join(dir, archive), "-C", path.join(dir, "stage"), "pulumi"]);
    const archiveBytes = readFileSync(path.join(dir, archive));
    const checksums = `${createHash("sha256").update(archiveBytes).digest("hex")}  ${archive}\n`;
    const files: Record<string, Buffer> = {
        [`/pulumi/pulumi/releases/download/v${version}/${archive}`]: archiveBytes,
        [`/pulumi/pulumi/releases/download/v${version}/pulumi-${version}-checksums.txt`]: Buffer.from(checksums),
    };
    const certificate = githubCertificate(dir);
    const server = createServer({ cert: certificate.cert, key: certificate.key }, (req, res) => {
        const body = files[req.url ?? ""];
        res.writeHead(body === undefined ? 404 : 200, { "content-length": body?.length ?? 0 });
        res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        curlrc: `connect-to = "github.com:443:127.0.0.1:${port}"\ncacert = "${certificate.caFile}"\n`,
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}
