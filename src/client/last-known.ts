/**
 * A value the manager answered before, served again when it does not answer in time: during a manager outage `df`
 * (statfs) and the kernel's stat of the mount's root stay responsive instead of stalling for the manager timeout.
 * Every call asks afresh (a call made after a change must be able to see it); a fresh answer replaces the kept one.
 */

/** Whether the manager looks stalled: shared by the values of one client, so one overdue answer makes the others answer at once too. */
export class Stall {
  /** Questions asked and not answered within their wait. */
  overdue = 0;
}

/** Keeps the last answer of one question to the manager. */
export class LastKnown<T> {
  private last: T | null = null;

  constructor(
    /** How long to wait for a fresh answer before serving the kept one (ms). */
    private readonly waitMs: number,
    /** False while the link to the manager is down: the kept value is served at once. */
    private readonly connected: () => boolean,
    private readonly stall: Stall,
  ) {}

  /** A fresh answer if it comes within waitMs (or nothing is kept yet), else the kept one (at once while the manager looks stalled). */
  get(ask: () => Promise<T>): Promise<T> {
    let late = false;
    const settle = () => {
      if (late) this.stall.overdue--;
      late = false;
    };
    const asking = ask().then(
      (v) => {
        settle();
        this.last = v;
        return v;
      },
      (err: unknown) => {
        settle();
        throw err;
      },
    );
    const last = this.last;
    if (last === null) return asking;
    asking.catch(() => undefined);
    const wait = this.connected() && this.stall.overdue === 0 ? this.waitMs : 0;
    const kept = new Promise<T>((res) =>
      setTimeout(() => {
        if (!late) {
          late = true;
          this.stall.overdue++;
        }
        res(last);
      }, wait).unref(),
    );
    return Promise.race([asking, kept]);
  }
}
