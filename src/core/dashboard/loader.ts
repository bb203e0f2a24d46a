/**
 * Loads the dashboard's sections side by side, each on its own: a section says it is loading,
 * then sends its data or its error, so one slow or failing source never holds up or blanks
 * another. Alerts are recomputed from whatever has arrived. Cancelled refreshes emit nothing more;
 * a source the maintainer cancelled on its own (a log read) says so, and the others go on.
 */
import type { UpkeepSettings } from '../settings';
import { UpkeepError, describeError } from '../util/errors';
import { redact } from '../util/logger';
import { computeAlerts } from './alerts';
import { describeWindow, SECTION_IDS } from './protocol';
import type {
  BusinessView,
  DatabaseView,
  HealthView,
  HostMessage,
  LogsView,
  LogWindow,
  SectionDataMap,
  SectionId,
  SectionPayload,
} from './protocol';

/** Where each section's data comes from; the editor and the tests each provide one. */
export interface DashboardSources {
  thresholds(): UpkeepSettings['thresholds'];
  health(signal: AbortSignal): Promise<HealthView>;
  logs(window: LogWindow, signal: AbortSignal): Promise<LogsView>;
  /**
   * One database session feeds both sections. `progress` may be called with the cards done so
   * far (and the ones still pending) before the promise resolves with the full set.
   */
  database(
    signal: AbortSignal,
    progress?: (partial: DatabaseView) => void,
  ): Promise<{ database: DatabaseView; business: BusinessView }>;
}

export type SectionEvent =
  | { kind: 'loading'; section: SectionId }
  | { kind: 'data'; payload: SectionPayload }
  | { kind: 'error'; section: SectionId; message: string; hint?: string }
  /** The maintainer stopped this section's source; the refresh itself goes on. */
  | { kind: 'cancelled'; section: SectionId; message: string };

export interface DashboardSnapshot {
  window: LogWindow;
  sections: Partial<SectionDataMap>;
  /** Why a section has no data: its error, or that it was cancelled (then in `cancelled`). */
  errors: Partial<Record<SectionId, string>>;
  /** The error or cancellation of a section without data, as it came: replays post it again. */
  failures: Partial<Record<SectionId, Exclude<SectionEvent, { kind: 'loading' | 'data' }>>>;
  cancelled: SectionId[];
  finishedAt?: Date;
}

/** What the webview is told of one section's event in refresh `refreshId`. */
export function sectionMessage(refreshId: number, event: SectionEvent): HostMessage {
  switch (event.kind) {
    case 'loading':
      return { type: 'sectionLoading', refreshId, section: event.section };
    case 'data':
      return { type: 'sectionData', refreshId, ...event.payload };
    case 'error':
      return {
        type: 'sectionError',
        refreshId,
        section: event.section,
        message: event.message,
        hint: event.hint,
      };
    case 'cancelled':
      return {
        type: 'sectionCancelled',
        refreshId,
        section: event.section,
        message: event.message,
      };
  }
}

/**
 * A finished refresh posted again to a dashboard shown again, section by section: its data, or
 * its error with the hint line the first showing had.
 */
export function replayMessages(snapshot: DashboardSnapshot, refreshId: number): HostMessage[] {
  const messages: HostMessage[] = [];
  for (const section of SECTION_IDS) {
    const data = snapshot.sections[section];
    const failure = snapshot.failures[section];
    if (data) {
      messages.push({ type: 'sectionData', refreshId, section, data } as HostMessage);
    } else if (failure) {
      messages.push(sectionMessage(refreshId, failure));
    }
  }
  return messages;
}

/**
 * A source's failure as the section shows it. Redacted like a log line: the webview shows it and
 * a saved report, a file in the repository, repeats it.
 */
function errorEvent(
  section: SectionId,
  error: unknown,
): Extract<SectionEvent, { kind: 'error' | 'cancelled' }> {
  if (UpkeepError.is(error, 'cancelled')) {
    return { kind: 'cancelled', section, message: error.message };
  }
  if (error instanceof UpkeepError) {
    return { kind: 'error', section, message: redact(error.message), hint: error.hint };
  }
  return { kind: 'error', section, message: redact(describeError(error)) };
}

/**
 * The Business section when the database failed: the Database section shows the error and its
 * hint, and a second copy of them would only push the rest of the page down.
 */
function databaseFailedError(section: SectionId): SectionEvent {
  return {
    kind: 'error',
    section,
    message: 'Its figures come from the database, which did not load.',
    hint: 'The Database section says why.',
  };
}

/**
 * Runs every source and reports through `emit`; resolves with what was loaded. Never rejects
 * for a source's failure; after `signal` aborts it stops emitting and resolves.
 */
export async function loadDashboard(
  sources: DashboardSources,
  window: LogWindow,
  signal: AbortSignal,
  emit: (event: SectionEvent) => void = () => undefined,
): Promise<DashboardSnapshot> {
  const snapshot: DashboardSnapshot = {
    window,
    sections: {},
    errors: {},
    failures: {},
    cancelled: [],
  };
  const send = (event: SectionEvent): void => {
    if (signal.aborted) return;
    if (event.kind === 'data') {
      (snapshot.sections as Record<string, unknown>)[event.payload.section] = event.payload.data;
    } else if (event.kind === 'error') {
      snapshot.errors[event.section] = event.hint
        ? `${event.message} ${event.hint}`
        : event.message;
      snapshot.failures[event.section] = event;
    } else if (event.kind === 'cancelled') {
      snapshot.errors[event.section] = event.message;
      snapshot.failures[event.section] = event;
      snapshot.cancelled.push(event.section);
    }
    emit(event);
  };
  const updateAlerts = (): void => {
    const alerts = computeAlerts({
      thresholds: sources.thresholds(),
      logs: snapshot.sections.logs,
      health: snapshot.sections.health,
      database: snapshot.sections.database,
    });
    send({ kind: 'data', payload: { section: 'alerts', data: { alerts } } });
  };

  for (const section of ['alerts', 'health', 'logs', 'database', 'business'] as const) {
    send({ kind: 'loading', section });
  }

  const guard = async <T>(
    sections: SectionId[],
    load: () => Promise<T>,
    use: (value: T) => void,
  ) => {
    try {
      const value = await load();
      if (!signal.aborted) use(value);
    } catch (error) {
      const [first, ...others] = sections;
      const event = errorEvent(first, error);
      send(event);
      // The sections after the first read the same source; the first says why it failed.
      for (const section of others) {
        send(event.kind === 'error' ? databaseFailedError(section) : { ...event, section });
      }
    }
    updateAlerts();
  };

  await Promise.all([
    guard(
      ['health'],
      () => sources.health(signal),
      (data) => {
        send({ kind: 'data', payload: { section: 'health', data } });
      },
    ),
    guard(
      ['logs'],
      () => sources.logs(window, signal),
      (data) => {
        send({ kind: 'data', payload: { section: 'logs', data } });
      },
    ),
    guard(
      ['database', 'business'],
      () =>
        sources.database(signal, (partial) => {
          send({ kind: 'data', payload: { section: 'database', data: partial } });
        }),
      (data) => {
        send({ kind: 'data', payload: { section: 'database', data: data.database } });
        send({ kind: 'data', payload: { section: 'business', data: data.business } });
      },
    ),
  ]);
  snapshot.finishedAt = new Date();
  return snapshot;
}

/** The log engine's window for a dashboard window, relative to `now`. */
export function windowBounds(
  window: LogWindow,
  now: Date,
): { from: Date; to: Date; label: string } {
  const hours = { '1h': 1, '24h': 24, '7d': 24 * 7 } as const;
  if (window.kind === 'range') {
    return {
      from: new Date(window.from),
      to: new Date(window.to),
      label: `${window.from}..${window.to}`,
    };
  }
  const from = new Date(now.getTime() - hours[window.kind] * 3600_000);
  return { from, to: now, label: describeWindow(window) };
}
