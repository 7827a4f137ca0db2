/** Reading what `apim-gateway-rotate --json` reported, and explaining a run when an assertion fails. */
import type { RunReport, StackReport } from "../../../rotation/model/runReport";
import { ProcessRun } from "../../../localenv/engine/childProcess";
import { redactTokens } from "../../../localenv/engine/transcript";

/** The last lines of a run's output, tokens redacted: the message of a failed assertion. */
export function explain(run: ProcessRun, lines = 40): string {
    const tail = (text: string) => text.split("\n").slice(-lines).join("\n");
    return redactTokens(`exit ${run.code}\n--- stdout\n${tail(run.stdout)}\n--- stderr\n${tail(run.stderr)}`);
}

/** The JSON report a `--json` run printed on stdout. */
export function jsonReport(run: ProcessRun): RunReport & { exitCode: number } {
    try {
        return JSON.parse(run.stdout) as RunReport & { exitCode: number };
    } catch {
        throw new Error(`the run printed no JSON report:\n${explain(run)}`);
    }
}

/** The report on one stack. */
export function stackReport(report: RunReport, stack: string): StackReport {
    const found = report.stacks.find((entry) => entry.stack === stack);
    if (found === undefined) {
        throw new Error(`no report on stack ${stack}: ${report.stacks.map((entry) => entry.stack).join(", ")}`);
    }
    return found;
}
