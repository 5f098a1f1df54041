import { randomUUID } from 'node:crypto';
import type { Config } from '../config/env.ts';
import { classifyDeliveryError } from '../mail/delivery-error.ts';
import { messageIdDomain } from '../mail/message-id.ts';
import type { Sender } from '../mail/sender.ts';
import { personVariables, SAMPLE_PERSON, type ScriptPerson } from './render.ts';
import type { CompiledScript } from './template.ts';

/** What a test send prefixes to the subject, so the user tells it from a real script at a glance. */
export const TEST_SUBJECT_PREFIX = '[Test] ';

export interface TestSendResult {
  /** The user's own address, where the test went. */
  to: string;
  subject: string;
  /** The SMTP server's reply, such as "250 2.0.0 Ok: queued as 4F2A1". */
  response: string;
}

/** A test that could not be sent, with the reason in words (the SMTP reply where there was one). */
export class TestSendError extends Error {
  override readonly name = 'TestSendError';
  readonly reason: string;
  readonly permanent: boolean;

  constructor(reason: string, permanent: boolean) {
    super(`The test was not sent: ${reason}`);
    this.reason = reason;
    this.permanent = permanent;
  }
}

/**
 * Sends a script (saved or not, compiled by the caller) to the user's own address, MAIL_FROM,
 * rendered for a real person or the sample one. Nothing is recorded: no ledger, no person moves.
 * Its Message-ID is not one of the scripts' (winnow.…), so a reply to it is no answer.
 */
export async function sendTestScript(options: {
  sender: Sender;
  config: Pick<Readonly<Config>, 'mailFrom'>;
  compiled: CompiledScript;
  person?: ScriptPerson;
}): Promise<TestSendResult> {
  const { sender, config, compiled } = options;
  const rendered = compiled.render(personVariables(options.person ?? SAMPLE_PERSON, config.mailFrom.name));
  const to = config.mailFrom.address;
  const subject = `${TEST_SUBJECT_PREFIX}${rendered.subject}`;
  try {
    const { response } = await sender.send({
      from: config.mailFrom,
      to,
      subject,
      text: rendered.text,
      html: rendered.html,
      messageId: `winnow-test.${randomUUID()}@${messageIdDomain(to)}`,
      inReplyTo: null,
      references: [],
    });
    return { to, subject, response };
  } catch (error) {
    const verdict = classifyDeliveryError(error);
    throw new TestSendError(verdict.reason, verdict.permanent);
  }
}
