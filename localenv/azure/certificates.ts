import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A throw-away certificate authority and a server certificate it signed. */
export interface TestCertificates {
    /** CA certificate (PEM): what clients must trust. */
    caPem: string;
    /** Server certificate (PEM), for the names of {@link CertificateNames}. */
    certPem: string;
    /** Server private key (PEM). */
    keyPem: string;
}

/** Who the certificates name. */
export interface CertificateNames {
    /** The CA's common name. Default: the emulators' CA. */
    caName?: string;
    /** The server certificate's common name. Default: `127.0.0.1`. */
    commonName?: string;
    /** The server certificate's subjectAltName value. Default: `IP:127.0.0.1,DNS:localhost`. */
    subjectAltName?: string;
}

/**
 * Makes a fresh CA and a server certificate with the `openssl` CLI (Node has no API that issues
 * X.509 certificates). Keys are P-256, valid two days, and only ever in memory after this returns.
 */
export function createTestCertificates(names: CertificateNames = {}): TestCertificates {
    const caName = names.caName ?? "apim-gateway test emulator CA";
    const commonName = names.commonName ?? "127.0.0.1";
    const subjectAltName = names.subjectAltName ?? "IP:127.0.0.1,DNS:localhost";
    const dir = mkdtempSync(join(tmpdir(), "apim-emulator-certs-"));
    const file = (name: string) => join(dir, name);
    const openssl = (...args: string[]) => {
        try {
            execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
        } catch (error) {
            const err = error as NodeJS.ErrnoException & { stderr?: Buffer };
            if (err.code === "ENOENT") {
                throw new Error("The test emulator needs the openssl CLI to make its certificates: install it (apt-get install openssl).");
            }
            throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString() ?? err.message}`);
        }
    };
    try {
        const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        openssl(
            "req",
            "-x509",
            ...ecKey,
            "-keyout",
            file("ca.key"),
            "-out",
            file("ca.pem"),
            "-days",
            "2",
            "-subj",
            `/CN=${caName}`,
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        );
        openssl("req", ...ecKey, "-keyout", file("server.key"), "-out", file("server.csr"), "-subj", `/CN=${commonName}`);
        writeFileSync(
            file("server.ext"),
            `subjectAltName=${subjectAltName}\nbasicConstraints=CA:FALSE\n` +
                "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
        );
        openssl(
            "x509",
            "-req",
            "-in",
            file("server.csr"),
            "-CA",
            file("ca.pem"),
            "-CAkey",
            file("ca.key"),
            "-set_serial",
            `0x${Date.now().toString(16)}`,
            "-days",
            "2",
            "-extfile",
            file("server.ext"),
            "-out",
            file("server.pem"),
        );
        return {
            caPem: readFileSync(file("ca.pem"), "utf8"),
            certPem: readFileSync(file("server.pem"), "utf8"),
            keyPem: readFileSync(file("server.key"), "utf8"),
        };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
