/**
 * The ARM and Entra emulators in this process, reachable from the Pulumi engine's processes: the
 * CA in a file for NODE_EXTRA_CA_CERTS, and the service principal for EnvironmentCredential.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { AzureEmulatorOptions, AzureEmulators, startAzureEmulators } from "../azure";

/** Running emulators and what a child process needs to use them. */
export interface EmulatorsForProcesses {
    readonly emulators: AzureEmulators;
    /** NODE_EXTRA_CA_CERTS and the service principal (AZURE_*). */
    readonly env: Readonly<Record<string, string>>;
}

/** Starts the emulators; the CA certificate goes to `dir`. */
export async function startEmulatorsForProcesses(dir: string, options: AzureEmulatorOptions = {}): Promise<EmulatorsForProcesses> {
    const emulators = await startAzureEmulators(options);
    const caFile = path.join(dir, "emulator-ca.pem");
    writeFileSync(caFile, emulators.caPem);
    return { emulators, env: { NODE_EXTRA_CA_CERTS: caFile, ...emulators.credentialEnv() } };
}
