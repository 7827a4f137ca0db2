/** Free TCP ports on the loopback address, for the control plane's listeners. */
import { createServer, Server } from "node:net";

/** The only address any control-plane process listens on or connects to. */
export const LOOPBACK = "127.0.0.1";

function listen(): Promise<Server> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, LOOPBACK, () => resolve(server));
    });
}

/**
 * `count` distinct ports the kernel reports free now. All are held open until every one is
 * chosen, so none is handed out twice; another process could still take one before its
 * listener binds, which the caller's start-up check would report.
 */
export async function freePorts(count: number): Promise<number[]> {
    const servers: Server[] = [];
    try {
        for (let index = 0; index < count; index++) {
            servers.push(await listen());
        }
        return servers.map((server) => {
            const address = server.address();
            if (address === null || typeof address === "string") {
                throw new Error(`a loopback listener reported no TCP address (${String(address)})`);
            }
            return address.port;
        });
    } finally {
        await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    }
}
