/**
 * A process and everything it started, found through /proc (Linux), so a test can kill a whole
 * job at once, as a CI runner or an out-of-memory kill does, by process id.
 */
import { readdirSync, readFileSync } from "node:fs";
import { isRunning } from "../../rotation/evidence/processIdentity";

/** Parent of every process now running, by pid. */
function parents(): Map<number, number> {
    const map = new Map<number, number>();
    for (const entry of readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) {
            continue;
        }
        try {
            const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
            // "<pid> (<command>) <state> <ppid> ...": the command may contain spaces and parentheses.
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            map.set(Number(entry), ppid);
        } catch {
            // Exited while being listed.
        }
    }
    return map;
}

/** `pid` and all its descendants now running, parents before children. */
export function processTree(pid: number): number[] {
    const parentOf = parents();
    const tree = [pid];
    for (let index = 0; index < tree.length; index++) {
        for (const [child, parent] of parentOf) {
            if (parent === tree[index]) {
                tree.push(child);
            }
        }
    }
    return tree;
}

/** SIGKILLs each process of `pids`, then waits (at most `timeoutMs`) until none runs. */
export async function killAll(pids: readonly number[], timeoutMs = 10_000): Promise<void> {
    for (const pid of pids) {
        try {
            process.kill(pid, "SIGKILL");
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "ESRCH") {
                throw error;
            }
        }
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const running = pids.filter((pid) => isRunning(pid));
        if (running.length === 0) {
            return;
        }
        if (Date.now() > deadline) {
            throw new Error(`processes ${running.join(", ")} still run ${timeoutMs} ms after SIGKILL`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}
