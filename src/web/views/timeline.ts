import type { ContactEvent } from '../../vocabulary/contact.ts';
import { readOurMessageId } from '../../mail/message-id.ts';

/**
 * The mail behind each event of a timeline, in words ("script #1", "answer to script #2") instead
 * of a raw Message-ID, which means nothing to a reader. Our own Message-IDs name the script's
 * number (src/mail/message-id.ts); a mail from the person is named after the latest script sent
 * before it. Null for an event that no mail caused. Pure: the timeline in, the words out, in order.
 */
export function mailOfEvents(timeline: readonly ContactEvent[]): Array<string | null> {
  let latestScript = 0;
  const script = (n: number) => (n > 0 ? `script #${n}` : 'the script');
  return timeline.map((entry) => {
    // The script the user sent on the platform (no mail of ours): the person's answer answers it.
    if (entry.type === 'sent_on_platform') latestScript += 1;
    if (!entry.messageId) return null;
    const ours = readOurMessageId(entry.messageId);
    if (ours) {
      if (ours.reminder) return `reminder after script #${ours.attempt}`;
      latestScript = Math.max(latestScript, ours.attempt);
      return `script #${ours.attempt}`;
    }
    switch (entry.type) {
      case 'asked':
        // A script sent before scripts were numbered, or by another tool: count it all the same.
        latestScript += 1;
        return script(latestScript);
      case 'requested':
        return 'the request';
      case 'requested_again':
        return 'a new request';
      case 'answered':
      case 'declined':
        return latestScript > 0 ? `answer to ${script(latestScript)}` : 'their mail';
      case 'auto_reply':
        return latestScript > 0 ? `automatic reply to ${script(latestScript)}` : 'an automatic reply';
      case 'platform_message':
        return "the platform's notice of a message";
      case 'bounced':
        return latestScript > 0 ? `bounce of ${script(latestScript)}` : 'a bounce';
      default:
        return 'a mail';
    }
  });
}
