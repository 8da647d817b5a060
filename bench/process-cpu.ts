// CPU time a process has used, read from /proc: unlike wall time, noise on a shared machine
// (other processes taking the cores) does not inflate it, so it says what the work itself costs.
import { readFileSync } from "node:fs";

/** User + system time of every thread of `pid`, in ms. */
export const processCpuMs = (pid: number) => cpuMsIn(`/proc/${pid}/stat`);

/** The same for a process's main thread alone (its thread id is the process id). */
export const mainThreadCpuMs = (pid: number) => cpuMsIn(`/proc/${pid}/task/${pid}/stat`);

function cpuMsIn(statFile: string): number {
  // The command name (field 2) may hold spaces: the fields that follow start after its ") ".
  const fields = readFileSync(statFile, "utf8").split(") ")[1]!.split(" ");
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}
// USER_HZ: 100 on every Linux the project runs on (getconf CLK_TCK).
const CLOCK_TICKS_PER_SECOND = 100;
