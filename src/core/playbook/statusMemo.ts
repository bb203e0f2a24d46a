/**
 * Task statuses kept for one second of one checklist state, one playbook and one zone. A redraw
 * of the Maintenance view asks each task's status several times (the badge, the tier's row, the
 * task's row, the tasks open this period), each a few calendar computations in a time zone: a
 * playbook of 3,000 tasks took over two seconds of the extension host at start and half a second
 * at each minute's redraw.
 */
import type { Task } from './model';
import type { TaskStatus } from './schedule';

/** What a status depends on besides the task; another value of any of them starts afresh. */
export interface StatusInputs {
  now: Date;
  zone: string;
  /** The checklist state and the playbook, compared by identity: each load gives new ones. */
  state: object;
  playbook: object;
}

export class StatusMemo {
  private inputs: (Omit<StatusInputs, 'now'> & { second: number }) | undefined;
  private readonly statuses = new Map<Task, TaskStatus>();

  constructor(private readonly compute: (task: Task, now: Date, zone: string) => TaskStatus) {}

  statusOf(task: Task, inputs: StatusInputs): TaskStatus {
    const second = Math.floor(inputs.now.getTime() / 1000);
    const kept = this.inputs;
    if (
      !kept ||
      kept.second !== second ||
      kept.zone !== inputs.zone ||
      kept.state !== inputs.state ||
      kept.playbook !== inputs.playbook
    ) {
      this.statuses.clear();
      this.inputs = { second, zone: inputs.zone, state: inputs.state, playbook: inputs.playbook };
    }
    let status = this.statuses.get(task);
    if (!status) {
      status = this.compute(task, inputs.now, inputs.zone);
      this.statuses.set(task, status);
    }
    return status;
  }

  /** Forgets every status: something they depend on changed in place (when tasks were seen). */
  clear(): void {
    this.inputs = undefined;
    this.statuses.clear();
  }
}
