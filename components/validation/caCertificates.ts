import { X509Certificate } from "node:crypto";

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----/g;

/**
 * Why a custom CA entry is unusable, or `undefined` when it is one parsable CA certificate.
 * Leaf certificates are refused: trusting a server certificate directly breaks at its renewal,
 * while the CA that signs it stays.
 */
export function caCertificateProblem(pem: unknown): string | undefined {
    if (typeof pem !== "string") {
        return "is not a string";
    }
    const blocks = pem.match(PEM_BLOCK)?.length ?? 0;
    if (blocks === 0) {
        return "is not a PEM certificate (no `-----BEGIN CERTIFICATE-----` block)";
    }
    if (blocks > 1) {
        return `holds ${blocks} certificates`;
    }
    let certificate: X509Certificate;
    try {
        certificate = new X509Certificate(pem);
    } catch (error) {
        return `cannot be parsed as an X.509 certificate (${(error as Error).message})`;
    }
    if (!certificate.ca) {
        return `is not a CA certificate (subject "${certificate.subject.replace(/\n/g, ", ")}" lacks basicConstraints CA:TRUE)`;
    }
    return undefined;
}
