import { AzureEmulators, startAzureEmulators } from "../../localenv/azure";
import { setEnv } from "./env";

/**
 * Starts the ARM and Entra emulators for one mocha suite, with the credential environment the
 * real clients read; before each test the request log is cleared and the clock reset.
 * `onStart` receives the emulators once they run.
 */
export function useAzureEmulators(onStart: (emulators: AzureEmulators) => void): void {
    let emulators: AzureEmulators;
    let restoreEnv: () => void;

    before(async () => {
        emulators = await startAzureEmulators();
        restoreEnv = setEnv(emulators.credentialEnv());
        onStart(emulators);
    });

    after(async () => {
        restoreEnv();
        await emulators.stop();
    });

    beforeEach(() => {
        emulators.requests.clear();
        emulators.clock.setOffset(0);
    });
}
