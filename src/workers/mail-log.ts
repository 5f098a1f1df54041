import { durationInWords } from '../config/duration.ts';
import { statusInWords } from '../contacts/actions.ts';
import type { Contact, Status } from '../vocabulary/contact.ts';
import { cleanLine } from '../text/line.ts';
import type { Logger } from '../log.ts';
import { platformLabel } from '../vocabulary/platforms.ts';

/**
 * One readable log line per mail event, at info level: what someone watching the service wants to
 * follow (a request seen, a script sent, an answer read, a deadline passed). The message says it
 * in words; the fields (`event`, `contact`, `status`, `platform`) let a log collector count and
 * join. Names and addresses come from mail, so they are flattened to one short line of text: a
 * name must not forge a second log line or drive the terminal.
 */
export type MailEvent = 'request' | 'request_again' | 'not_recorded' | 'script_sent' | 'reminder_sent' | 'answer' | 'out_of_office' | 'bounce' | 'no_response' | 'send_failed';

type Person = Pick<Contact, 'id' | 'name' | 'email' | 'platform'>;

/** "Daniel Okafor <daniel@example.org> (LinkedIn)" */
export function personInWords(person: Pick<Contact, 'name' | 'email' | 'platform'>): string {
  const name = cleanLine(person.name, 60) || 'someone without a name';
  const address = person.email ? ` <${cleanLine(person.email, 80)}>` : '';
  return `${name}${address} (${platformLabel(person.platform)})`;
}

/** What became of a new request, for its line. */
function outcomeInWords(status: Status, reason: string | null): string {
  const why = reason ? cleanLine(reason, 160) : '';
  switch (status) {
    case 'queued':
      return 'script queued';
    case 'awaiting_address':
      return `waiting for an address${why ? ` (${why})` : ''}`;
    case 'awaiting_approval':
      return `waiting for your approval${why ? ` (${why})` : ''}`;
    case 'skipped':
      return `skipped${why ? `: ${why}` : ''}`;
    default:
      return statusInWords(status);
  }
}

export function createMailLog(logger: Logger) {
  // Details the message already says go under `mail`, which the readable format leaves out.
  const line = (event: MailEvent, person: Person | null, fields: { status?: Status; mail?: Record<string, unknown> }, message: string) =>
    logger.info({ event, ...(person ? { contact: person.id, platform: person.platform } : {}), ...fields }, message);

  return {
    /** A new request, and what became of it: queued, waiting for an address or approval, skipped. */
    request(person: Person & Pick<Contact, 'status' | 'reason'>) {
      line('request', person, { status: person.status }, `request from ${personInWords(person)}: ${outcomeInWords(person.status, person.reason)}`);
    },
    /** The same person asked again (a second invitation); nothing new is sent. */
    requestAgain(person: Person & Pick<Contact, 'status'>) {
      line('request_again', person, { status: person.status }, `request again from ${personInWords(person)}: already ${statusInWords(person.status)}`);
    },
    /** A request that is not recorded at all, with the rule that left it alone. */
    notRecorded(name: string, reason: string) {
      line('not_recorded', null, {}, `request from ${cleanLine(name, 60) || 'someone without a name'} not recorded: ${cleanLine(reason, 200)}`);
    },
    scriptSent(person: Person, attempt: number, deadlineMs: number) {
      const which = attempt === 1 ? 'script' : `script ${attempt}`;
      line('script_sent', person, { mail: { attempt } }, `${which} sent to ${personInWords(person)}; they have ${durationInWords(deadlineMs)} to answer`);
    },
    reminderSent(person: Person) {
      line('reminder_sent', person, {}, `reminder sent to ${personInWords(person)}`);
    },
    answer(person: Person, status: 'answered' | 'declined', reason: string, flags: readonly string[]) {
      const flagged = flags.length > 0 ? `; flags: ${flags.map((flag) => flag.replace(/_/g, ' ')).join(', ')}` : '';
      line('answer', person, { status, mail: { flags } }, `answer from ${personInWords(person)}: ${status} (${cleanLine(reason.replace(/^(answered|declined): /, ''), 200)})${flagged}`);
    },
    outOfOffice(person: Person, until: string) {
      line('out_of_office', person, {}, `out-of-office from ${personInWords(person)}: the deadline waits until ${until}`);
    },
    bounce(person: Person, reason: string) {
      line('bounce', person, { status: 'bounced' }, `script to ${personInWords(person)} bounced: ${cleanLine(reason, 200)}`);
    },
    noResponse(person: Person, allowedMs: number | null) {
      const within = allowedMs !== null && allowedMs > 0 ? `within ${durationInWords(allowedMs)}` : 'by the deadline';
      line('no_response', person, { status: 'no_response' }, `no response from ${personInWords(person)} ${within}: deadline passed`);
    },
    sendFailed(person: Person, reason: string) {
      line('send_failed', person, { status: 'failed' }, `script to ${personInWords(person)} could not be sent: ${cleanLine(reason, 200)}`);
    },
  };
}

export type MailLog = ReturnType<typeof createMailLog>;
