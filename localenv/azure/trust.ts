import * as tls from "node:tls";

// Trust is process-wide (`tls.setDefaultCACertificates`), and several emulators may be running
// in one test process: keep every trusted test CA in one set and recompute the default list.
const trusted = new Set<string>();
let baseline: string[] | undefined;

/**
 * Adds a CA to the certificates this process trusts by default, as if it were in the system
 * store, so every HTTPS client (the Azure SDK, MSAL, fetch) verifies the emulator's certificate
 * normally. Returns a function that removes it again. Child processes get the CA through
 * `NODE_EXTRA_CA_CERTS` instead.
 */
export function trustCertificateAuthority(caPem: string): () => void {
    baseline ??= tls.getCACertificates("default");
    trusted.add(caPem);
    tls.setDefaultCACertificates([...baseline, ...trusted]);
    return () => {
        trusted.delete(caPem);
        tls.setDefaultCACertificates([...(baseline ?? []), ...trusted]);
    };
}
