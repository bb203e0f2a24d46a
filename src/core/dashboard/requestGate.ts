/**
 * The host's second gate on dashboard requests, after `parseWebviewMessage` checked their shape:
 * a request that names something (a query to explain, a link, a file) must name what the host
 * itself showed the page, and an explain or a report runs one at a time. The page renders log
 * lines and query texts from outside; if one ever got script running there, it could otherwise
 * have any SQL explained on the monitored database, any URL or file opened, or a database
 * session opened for every message of a loop.
 */
import { exceptionEvidence } from './logsView';
import type { ExceptionRowView, HostMessage, SectionId, WebviewMessage } from './protocol';

type GateVerdict = 'accepted' | 'notOffered' | 'busy';

/** What one section's latest data lets the page ask for. */
interface Offer {
  queries: string[];
  links: string[];
  files: string[];
  /** The exceptions shown, for New Bug Report… (by their bugTitle). */
  exceptions: ExceptionRowView[];
}

/** Requests that wait for the user or the database: a second one is refused, not queued. */
const ONE_AT_A_TIME: ReadonlySet<WebviewMessage['type']> = new Set([
  'explainQuery',
  'saveReport',
  'chooseFolder',
  'configureDatabase',
  'newBugReport',
]);

interface RequestGateOptions {
  /** The least time between two links opened; each may open a browser tab. Default 1 s. */
  linkGapMs?: number;
}

export class RequestGate {
  private readonly offers = new Map<SectionId, Offer>();
  private readonly busy = new Set<WebviewMessage['type']>();
  private readonly linkGapMs: number;
  private lastLink = -Infinity;

  constructor(options: RequestGateOptions = {}) {
    this.linkGapMs = options.linkGapMs ?? 1000;
  }

  /** Notes what a message to the page shows; each section's latest data replaces its last. */
  record(message: HostMessage): void {
    if (message.type === 'sectionData') this.offers.set(message.section, offerOf(message));
  }

  /**
   * What the page was shown of the exception a bug report is asked for: lines for the report,
   * its times in `timeZone`.
   */
  bugEvidence(title: string, timeZone: string): string[] {
    for (const offer of this.offers.values()) {
      const row = offer.exceptions.find((exception) => exception.bugTitle === title);
      if (row) return exceptionEvidence(row, timeZone);
    }
    return [];
  }

  /** Runs `act` when the request may go ahead, and says why not otherwise. */
  async admit(message: WebviewMessage, act: () => Promise<void>): Promise<GateVerdict> {
    if (!this.offered(message)) return 'notOffered';
    if (message.type === 'openLink') {
      // A trusted domain opens without a question: a page in a loop would open tab after tab.
      if (Date.now() - this.lastLink < this.linkGapMs) return 'busy';
      this.lastLink = Date.now();
    }
    if (!ONE_AT_A_TIME.has(message.type)) {
      await act();
      return 'accepted';
    }
    if (this.busy.has(message.type)) return 'busy';
    this.busy.add(message.type);
    try {
      await act();
    } finally {
      this.busy.delete(message.type);
    }
    return 'accepted';
  }

  private offered(message: WebviewMessage): boolean {
    const offers = [...this.offers.values()];
    switch (message.type) {
      case 'explainQuery':
        return offers.some((offer) => offer.queries.includes(message.sql));
      case 'openLink':
        return offers.some((offer) => offer.links.includes(message.url));
      case 'openLocation':
        return offers.some((offer) => offer.files.includes(message.file));
      case 'newBugReport':
        return offers.some((offer) => offer.exceptions.some((e) => e.bugTitle === message.title));
      default:
        return true;
    }
  }
}

function offerOf(message: Extract<HostMessage, { type: 'sectionData' }>): Offer {
  const offer: Offer = { queries: [], links: [], files: [], exceptions: [] };
  const defined = <T>(values: (T | undefined)[]): T[] =>
    values.filter((value): value is T => value !== undefined);
  switch (message.section) {
    case 'health':
      offer.files = defined(
        message.data.tiers.flatMap((tier) =>
          tier.checks.flatMap((check) => check.findings.map((finding) => finding.location?.file)),
        ),
      );
      break;
    case 'logs': {
      const { slowRequests, exceptions } = message.data;
      offer.files = defined([
        ...slowRequests.map((row) => row.location?.file),
        ...exceptions.flatMap((row) => [row.frame?.file, row.location?.file]),
      ]);
      offer.exceptions = exceptions;
      break;
    }
    case 'database':
      offer.queries = message.data.slowQueries.map((row) => row.query);
      offer.links = defined(message.data.cards.map((card) => card.link?.url));
      break;
    case 'business':
      offer.links = defined(message.data.cards.map((card) => card.link?.url));
      break;
    case 'alerts':
      break;
  }
  return offer;
}
