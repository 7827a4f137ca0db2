/**
 * A TCP relay in front of the API server, on another 127.0.0.1 port: clients whose kubeconfig
 * names it reach the real API server (TLS end to end, the serving certificate's 127.0.0.1 SAN
 * still matches), until the test cuts it, as a network fault or a control-plane outage would,
 * while the control plane itself keeps running for the test's own checks.
 */
import { createConnection, createServer, Server, Socket } from "node:net";
import { LOOPBACK } from "../../../localenv/cluster/ports";

export interface ApiProxy {
    /** `https://127.0.0.1:<port>`: the server to put in a kubeconfig. */
    readonly url: string;
    /** Connections ever accepted. */
    readonly connections: number;
    /**
     * Makes the API unreachable: open connections are reset and the port stops listening, so new
     * ones are refused (ECONNREFUSED).
     */
    cut(): Promise<void>;
    /** Listens again on the same port, relaying as before. */
    restore(): Promise<void>;
    close(): Promise<void>;
}

/** Starts relaying `127.0.0.1:<free port>` to `target` (`https://127.0.0.1:<port>`). */
export async function startApiProxy(target: string): Promise<ApiProxy> {
    const { hostname, port: targetPort } = new URL(target);
    const open = new Set<Socket>();
    let connections = 0;
    const relay = (client: Socket) => {
        connections++;
        const upstream = createConnection({ host: hostname, port: Number(targetPort) });
        open.add(client).add(upstream);
        const drop = () => {
            client.destroy();
            upstream.destroy();
            open.delete(client);
            open.delete(upstream);
        };
        client.on("error", drop).on("close", drop);
        upstream.on("error", drop).on("close", drop);
        client.pipe(upstream).pipe(client);
    };
    let server: Server = createServer(relay);
    const listen = (port: number) =>
        new Promise<number>((resolve, reject) => {
            server.once("error", reject);
            server.listen(port, LOOPBACK, () => resolve((server.address() as { port: number }).port));
        });
    const stop = () =>
        new Promise<void>((resolve) => {
            for (const socket of open) {
                // A TCP reset, as from a peer that went away; a socket still connecting is just dropped.
                if (socket.readyState === "open") {
                    socket.resetAndDestroy();
                } else {
                    socket.destroy();
                }
            }
            open.clear();
            server.close(() => resolve());
        });
    const port = await listen(0);
    return {
        url: `https://${LOOPBACK}:${port}`,
        get connections() {
            return connections;
        },
        cut: stop,
        async restore() {
            server = createServer(relay);
            await listen(port);
        },
        close: async () => {
            if (server.listening) {
                await stop();
            }
        },
    };
}
