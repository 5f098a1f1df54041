import { describe, expect, it } from 'vitest';
import { isRefusal, readAnswer } from '../../src/detect/answer.ts';
import { stripQuoted } from '../../src/detect/text.ts';
import { parseMessage } from '../../src/mail/message.ts';
import { buildMail, rawMail, type MailFields } from '../support/mail.ts';

/** Answers here are constructed (test/support/mail.ts), in the shapes common mail clients write. */

async function answerTo(fields: MailFields) {
  return readAnswer(await parseMessage(await buildMail({ from: 'jane@example.org', to: 'morgan@example.test', subject: 'Re: Thanks for wanting to connect', ...fields })));
}

describe('stripQuoted', () => {
  it.each([
    ['Gmail attribution', 'I build timber houses.\n\nOn Tue, 5 Mar 2024 at 10:00, Morgan Example <morgan@example.test> wrote:\n> Why would you like to connect?\n> Morgan'],
    ['attribution wrapped over two lines', 'I build timber houses.\n\nOn Tue, 5 Mar 2024 at 10:00, Morgan Example <\nmorgan@example.test> wrote:\n\n> Why would you like to connect?'],
    ['"> " lines only', 'I build timber houses.\n> Why would you like to connect?\n>> older'],
    ['signature', 'I build timber houses.\n-- \nJane Doe\nCEO, Example Timber'],
    ['Sent from my iPhone', 'I build timber houses.\n\nSent from my iPhone\n\n> Why would you like to connect?'],
    ['Outlook original message', 'I build timber houses.\n\n-----Original Message-----\nFrom: Morgan Example\nSent: Tuesday, March 5, 2024 10:00 AM\nWhy would you like to connect?'],
    ['Outlook header block', 'I build timber houses.\n\n________________________________\nFrom: Morgan Example <morgan@example.test>\nSent: Tuesday, March 5, 2024 10:00 AM\nTo: Jane Doe\nSubject: Thanks\n\nWhy would you like to connect?'],
    ['Outlook header block without a rule', 'I build timber houses.\n\nFrom: Morgan Example <morgan@example.test>\nSent: Tuesday, March 5, 2024 10:00 AM\nWhy would you like to connect?'],
    ['CRLF line ends', 'I build timber houses.\r\n\r\nOn Tue, 5 Mar 2024, Morgan wrote:\r\n> Why?'],
  ])('cuts the quote: %s', (_name, text) => {
    expect(stripQuoted(text)).toBe('I build timber houses.');
  });

  it('keeps prose that merely starts with "On" or "From:"', () => {
    const text = 'On Monday I met your colleague.\nFrom: the timber fair in Hamburg, where we spoke.\non reflection, this is what I wrote:\nThat is why.';
    expect(stripQuoted(text)).toBe(text);
  });

  it('returns nothing for a reply that is all quote', () => {
    expect(stripQuoted('On Tue, 5 Mar 2024, Morgan wrote:\n> Why?')).toBe('');
  });
});

describe('readAnswer', () => {
  it('returns the new text of a substantive answer as "answered"', async () => {
    const answer = await answerTo({
      text: 'Hi Morgan,\n\nI run a structural engineering firm; we could send each other timber projects.\n\nJane\n\nOn Tue, 5 Mar 2024 at 10:00, Morgan Example <morgan@example.test> wrote:\n> Thank you for wanting to connect.\n',
    });
    // The reading carries score, flags, language, reason and the full text beside kind and text.
    expect(answer).toMatchObject({ kind: 'answered', text: 'Hi Morgan,\n\nI run a structural engineering firm; we could send each other timber projects.\n\nJane' });
  });

  it('reads an HTML-only answer as text, without the quoted blockquote', async () => {
    const answer = await answerTo({
      html: '<div dir="ltr">We make <b>CLT panels</b> &amp; want architects.<br></div><div class="gmail_quote"><div class="gmail_attr">On Tue, 5 Mar 2024 at 10:00, Morgan wrote:<br></div><blockquote>Why would you like to connect?</blockquote></div>',
    });
    expect(answer.kind).toBe('answered');
    expect(answer.text).toBe('We make CLT panels & want architects.');
  });

  it.each([
    'Not interested.',
    'No thanks',
    'No, thank you.',
    'Please remove me from your list.',
    'unsubscribe',
    'Who are you?',
    'Stop emailing me!',
    "Don't contact me again.",
    'Thanks for asking. Not interested, please remove me.',
    'Never mind, I withdraw my request.',
    'No.',
    'This is spam.',
    'Hi Morgan,\n\nno thanks.\n\nJane',
    "I'm not interested in connecting.",
  ])('"%s" is declined', async (text) => {
    expect((await answerTo({ text })).kind).toBe('declined');
  });

  it.each([
    "I'm not interested in a sales pitch, but I run a logistics firm and we could share warehouse space.",
    'Not interested in buying anything; I want to connect because we both design timber bridges in Hamburg and could share clients.',
    'Who am I? I run the structural team at Example Timber, and we could use an architect who knows CLT.',
    'No, I have not met you yet - we both spoke at the Timber Summit and I would like to compare notes on mass timber codes.',
    'Thanks! We build passive houses, and a connection would help both of us find clients.',
    'Not interested in selling you anything, just admire your work.',
    "No thanks necessary! I'm a carpenter.",
    '',
  ])('"%s" stays answered', async (text) => {
    expect((await answerTo({ text })).kind).toBe('answered');
  });

  it('a refusal below a quote is read from the new text only', async () => {
    const answer = await answerTo({ text: 'Not interested.\n\nOn Tue, 5 Mar 2024, Morgan wrote:\n> Why would you like to connect? What business are you in?' });
    expect(answer).toMatchObject({ kind: 'declined', text: 'Not interested.' });
    expect(answer.fullText).toContain('What business are you in?');
  });

  it('a long answer that ends in "no thanks" is not a refusal', () => {
    const long = `${'We make timber frames for schools and hospitals across the north. '.repeat(3)}Coffee? No thanks, I drink tea.`;
    expect(isRefusal(long)).toBe(false);
  });

  it('control characters and bidi overrides are removed from the text', async () => {
    const answer = await answerTo({ text: 'We build\u202e houses\u0007 together.' });
    expect(answer.text).toBe('We build houses together.');
  });
});

/** Quote headers as each language's mail clients write them (constructed, after real clients' shapes). */
describe('stripQuoted in every language (constructed)', () => {
  it.each([
    ['en', 'Thunderbird', 'I build timber houses.\n\nOn 05/03/2024 10:00, Morgan Example wrote:\n> Why?'],
    ['en', 'older Gmail', 'I build timber houses.\n\n2024-03-05 10:00 GMT+01:00 Morgan Example <morgan@example.test>:\n> Why?'],
    ['de', 'Gmail', 'I build timber houses.\n\nAm Di., 5. März 2024 um 10:00 Uhr schrieb Morgan Example <morgan@example.test>:\n> Warum?'],
    ['de', 'Apple Mail', 'I build timber houses.\n\n> Am 05.03.2024 um 10:00 schrieb Morgan Example <morgan@example.test>:\n> Warum?'],
    ['de', 'Outlook', 'I build timber houses.\n\nVon: Morgan Example <morgan@example.test>\nGesendet: Dienstag, 5. März 2024 10:00\nAn: Jane Doe\nBetreff: Danke\n\nWarum?'],
    ['de', 'Outlook separator', 'I build timber houses.\n\n-----Ursprüngliche Nachricht-----\nVon: Morgan Example\nWarum?'],
    ['de', 'phone', 'I build timber houses.\n\nVon meinem iPhone gesendet\n\n> Warum?'],
    ['fr', 'Gmail', "I build timber houses.\n\nLe mar. 5 mars 2024 à 10:00, Morgan Example <morgan@example.test> a écrit :\n> Pourquoi ?"],
    ['fr', 'Outlook', "I build timber houses.\n\nDe : Morgan Example <morgan@example.test>\nEnvoyé : mardi 5 mars 2024 10:00\nÀ : Jane Doe\nObjet : Merci\n\nPourquoi ?"],
    ['fr', 'phone', 'I build timber houses.\n\nEnvoyé de mon iPhone'],
    ['es', 'Gmail', 'I build timber houses.\n\nEl mar, 5 mar 2024 a las 10:00, Morgan Example (<morgan@example.test>) escribió:\n> ¿Por qué?'],
    ['es', 'Outlook', 'I build timber houses.\n\nDe: Morgan Example <morgan@example.test>\nEnviado el: martes, 5 de marzo de 2024 10:00\nPara: Jane Doe\nAsunto: Gracias'],
    ['es', 'phone', 'I build timber houses.\n\nEnviado desde mi iPhone'],
    ['pt', 'Gmail', 'I build timber houses.\n\nEm ter., 5 de mar. de 2024 às 10:00, Morgan Example <morgan@example.test> escreveu:\n> Porquê?'],
    ['pt', 'Outlook', 'I build timber houses.\n\nDe: Morgan Example <morgan@example.test>\nEnviado: terça-feira, 5 de março de 2024 10:00\nPara: Jane Doe\nAssunto: Obrigado'],
    ['pt', 'phone', 'I build timber houses.\n\nEnviado do meu iPhone'],
    ['it', 'Gmail', 'I build timber houses.\n\nIl giorno mar 5 mar 2024 alle ore 10:00 Morgan Example <morgan@example.test> ha scritto:\n> Perché?'],
    ['it', 'Outlook', 'I build timber houses.\n\nDa: Morgan Example <morgan@example.test>\nInviato: martedì 5 marzo 2024 10:00\nA: Jane Doe\nOggetto: Grazie'],
    ['it', 'phone', 'I build timber houses.\n\nInviato da iPhone'],
    ['nl', 'Gmail', 'I build timber houses.\n\nOp di 5 mrt. 2024 om 10:00 schreef Morgan Example <morgan@example.test>:\n> Waarom?'],
    ['nl', 'Outlook', 'I build timber houses.\n\nVan: Morgan Example <morgan@example.test>\nVerzonden: dinsdag 5 maart 2024 10:00\nAan: Jane Doe\nOnderwerp: Bedankt'],
    ['nl', 'phone', 'I build timber houses.\n\nVerzonden vanaf mijn iPhone'],
  ])('%s, %s', (_language, _client, text) => {
    expect(stripQuoted(text)).toBe('I build timber houses.');
  });

  it('keeps the closing and the name, cuts the signature block below them', () => {
    const text = 'We build passive houses in Bremen.\n\nMit freundlichen Grüßen\nJane Doe\nGeschäftsführerin | Example Holzbau GmbH\nTel. +49 421 000000\nhttps://holzbau.example.org';
    expect(stripQuoted(text)).toBe('We build passive houses in Bremen.\n\nMit freundlichen Grüßen\nJane Doe');
  });

  it('a greeting word at the top is not a closing', () => {
    const text = 'Cheers!\nWe build passive houses in Bremen and would love to swap referrals with you.\nJane';
    expect(stripQuoted(text)).toBe(text);
  });
});

describe('refusals and hostility in every language (constructed)', () => {
  it.each([
    ['en', 'No thanks, not interested.'],
    ['de', 'Kein Interesse.'],
    ['de', 'Nein danke, bitte kontaktieren Sie mich nicht mehr.'],
    ['de', 'Danke, aber nein.'],
    ['fr', 'Pas intéressé, merci.'],
    ['fr', 'Non merci.'],
    ['fr', 'Ça ne m’intéresse pas.'],
    ['es', 'No me interesa, gracias.'],
    ['es', 'No, gracias.'],
    ['pt', 'Não tenho interesse.'],
    ['pt', 'Não, obrigado.'],
    ['it', 'Non mi interessa, grazie.'],
    ['it', 'No grazie.'],
    ['nl', 'Geen interesse.'],
    ['nl', 'Nee, dank je.'],
  ])('%s: "%s" is declined as a refusal', async (language, text) => {
    const answer = await answerTo({ text });
    expect(answer).toMatchObject({ kind: 'declined', language });
    expect(answer.reason).toMatch(/^declined: refusal/);
    expect(answer.flags).not.toContain('hostile');
  });

  it.each([
    ['en', 'How dare you send me a questionnaire. Stop spamming me.'],
    ['en', 'This is ridiculous.'],
    ['de', 'Was fällt Ihnen ein? Eine Frechheit.'],
    ['fr', 'Comment osez-vous ? C’est ridicule.'],
    ['es', '¿Cómo se atreve? Esto es ridículo.'],
    ['pt', 'Como se atreve? Isso é ridículo.'],
    ['it', 'Come si permette? È ridicolo.'],
    ['nl', 'Hoe durft u! Wat belachelijk.'],
  ])('%s: "%s" is declined and flagged hostile', async (_language, text) => {
    const answer = await answerTo({ text });
    expect(answer.kind).toBe('declined');
    expect(answer.flags).toContain('hostile');
    expect(answer.reason).toMatch(/^declined: hostile/);
  });

  it.each([
    ['en', 'Not interested in selling anything, but interested in your work on timber codes: we build bridges.'],
    ['en', 'No problem! I build timber bridges and would like to compare notes.'],
    ['en', 'no problem'],
    ['en', 'Not interested? Of course I am! We build timber houses.'],
    ['de', 'Kein Interesse an einem Verkaufsgespräch, aber ich baue Holzhäuser und möchte mich austauschen.'],
    ['fr', 'Pas intéressé par une vente, mais je construis des maisons en bois et j’aimerais échanger.'],
    ['es', 'No me interesa vender nada, pero construyo casas de madera y quiero intercambiar ideas.'],
    ['pt', 'Não tenho interesse em vendas, mas construo casas de madeira e gostaria de trocar ideias.'],
    ['it', 'Non mi interessa vendere, ma costruisco case in legno e vorrei scambiare idee.'],
    ['nl', 'Geen interesse in verkoop, maar ik bouw houten huizen en wil graag kennis uitwisselen.'],
  ])('%s: "%s" stays answered', async (_language, text) => {
    expect((await answerTo({ text })).kind).toBe('answered');
  });

  it('hostile words late in a long answer flag it but leave it answered', async () => {
    const text = `${'We design timber schools and want to share clients with architects because both of us gain. '.repeat(10)}The permit process here is completely ridiculous.`;
    const answer = await answerTo({ text });
    expect(answer.kind).toBe('answered');
    expect(answer.flags).toContain('hostile');
  });
});

describe('scoring what an answer says, per language (constructed)', () => {
  it.each([
    ['en', "I'd like to connect because we met at the Timber Summit. I run a small structural engineering firm, and we could refer clients to each other.", { why: true, business: true, benefit: true }],
    ['de', 'Ich möchte mich vernetzen, weil wir uns auf der Messe kennengelernt haben. Ich arbeite als Architektin in Bremen, und wir könnten gegenseitig Projekte empfehlen.', { why: true, business: true, benefit: true }],
    ['fr', "Je souhaite me connecter parce que nous nous sommes rencontrés à Lyon. Je travaille comme architecte et nous pourrions collaborer sur des projets, c'est mutuellement utile.", { why: true, business: true, benefit: true }],
    ['es', 'Quiero conectar porque nos conocimos en Madrid. Trabajo como ingeniera en una constructora y podríamos colaborar, sería un beneficio mutuo.', { why: true, business: true, benefit: true }],
    ['pt', 'Gostaria de me conectar porque nos conhecemos em Lisboa. Trabalho como arquiteta e podemos colaborar em projetos, seria bom para ambos.', { why: true, business: true, benefit: true }],
    ['it', 'Vorrei collegarmi perché ci siamo conosciuti a Milano. Lavoro come ingegnere strutturale e potremmo collaborare, un vantaggio reciproco.', { why: true, business: true, benefit: true }],
    ['nl', 'Ik wil graag connecten omdat we elkaar in Utrecht hebben ontmoet. Ik werk als architect en we kunnen samenwerken aan projecten.', { why: true, business: true, benefit: true }],
    ['en', 'Sure, happy to connect. Have a nice day and talk to you soon.', { why: false, business: false, benefit: false }],
    ['de', 'Gerne, vielen Dank für die Nachricht und einen schönen Tag noch.', { why: false, business: false, benefit: false }],
  ])('%s: %s', async (language, text, score) => {
    const answer = await answerTo({ text });
    expect(answer).toMatchObject({ kind: 'answered', language, score });
    expect(answer.reason).toMatch(/^answered: /);
  });
});

describe('flags (constructed)', () => {
  it('a sales pitch', async () => {
    const answer = await answerTo({ text: 'Thanks for connecting! Our services cut your cloud bill by 30%. Book a quick call with me this week: special discount for new clients.' });
    expect(answer.flags).toContain('sales_pitch');
    expect(answer.reason).toContain('sales pitch');
  });

  it.each([
    ['de', 'Vielen Dank! Unsere Dienstleistungen sparen Ihnen Zeit. Jetzt kostenlose Beratung und 20% Rabatt, einfach Termin vereinbaren.'],
    ['fr', 'Merci ! Nos services vous font gagner du temps : essai gratuit et remise de 20 %, prenez rendez-vous.'],
    ['es', '¡Gracias! Nuestros servicios le ahorran tiempo: prueba gratis y un descuento, agende una llamada.'],
    ['pt', 'Obrigado! Nossos serviços poupam tempo: teste grátis e desconto, agende uma chamada.'],
    ['it', 'Grazie! I nostri servizi fanno risparmiare tempo: prova gratuita e sconto, prenoti una chiamata.'],
    ['nl', 'Bedankt! Onze diensten besparen tijd: gratis proefperiode en korting, plan een gesprek.'],
  ])('a sales pitch in %s', async (_language, text) => {
    expect((await answerTo({ text })).flags).toContain('sales_pitch');
  });

  it('link-heavy: three links, or links making up most of the text', async () => {
    expect((await answerTo({ text: 'See https://a.example.org/x and https://b.example.org/y and www.c.example.org for what we do.' })).flags).toContain('link_heavy');
    expect((await answerTo({ text: 'https://www.example.org/portfolio/2024/timber-projects?ref=connect-request-reply' })).flags).toContain('link_heavy');
    expect((await answerTo({ text: 'We build timber houses in Bremen; our portfolio is at https://example.org and I would like to swap referrals.' })).flags).not.toContain('link_heavy');
  });

  it('very short: under eight words after stripping', async () => {
    expect((await answerTo({ text: 'Sure, why not.\n\nOn Tue, 5 Mar 2024, Morgan wrote:\n> Why would you like to connect? What business are you in? How would it benefit us both?' })).flags).toContain('very_short');
    expect((await answerTo({ text: 'We build timber houses and want to meet architects.' })).flags).not.toContain('very_short');
  });
});

describe('bad input (constructed)', () => {
  it('an empty body is an empty, very short answer', async () => {
    const answer = await answerTo({ text: '' });
    expect(answer).toMatchObject({ kind: 'answered', text: '', fullText: '', language: null, score: { why: false, business: false, benefit: false } });
    expect(answer.flags).toEqual(['very_short']);
  });

  it('an HTML-only answer is read as text, the full text too', async () => {
    const answer = await answerTo({ html: '<p>Ich arbeite als Tischler in Kiel, <b>weil</b> ich Holz liebe.</p><blockquote>Warum?</blockquote>' });
    expect(answer).toMatchObject({ kind: 'answered', text: 'Ich arbeite als Tischler in Kiel, weil ich Holz liebe.', language: 'de', score: { why: true, business: true } });
    expect(answer.fullText).toContain('> Warum?');
  });

  it('a giant body is capped, not refused', async () => {
    const answer = await answerTo({ text: `We build timber houses because we love wood. ${'x'.repeat(300_000)}` });
    expect(answer.fullText.length).toBeLessThanOrEqual(100 * 1024 + 1);
    expect(answer.text.length).toBeLessThanOrEqual(20_001);
    expect(answer.score.why).toBe(true);
  });

  it.each([
    ['an unknown charset', 'x-unknown-charset'],
    ['Latin-1', 'iso-8859-1'],
    ['a broken charset name', '"utf-8\'; DROP'],
  ])('%s never throws', async (_name, charset) => {
    const raw = rawMail(
      ['From: jane@example.org', 'To: morgan@example.test', 'Subject: Re: Thanks', 'MIME-Version: 1.0', `Content-Type: text/plain; charset=${charset}`, 'Content-Transfer-Encoding: 8bit'],
      'Ich arbeite als Tischler, weil ich Holz liebe.',
    );
    const answer = readAnswer(await parseMessage(raw));
    expect(answer.kind).toBe('answered');
    expect(answer.text).toContain('Tischler');
  });

  it('Latin-1 bytes decode to the words they are', async () => {
    const body = Buffer.from('Je travaille à Lyon parce que j\u2019aime le bois.'.replace('\u2019', "'"), 'latin1');
    const head = Buffer.from(['From: jane@example.org', 'To: morgan@example.test', 'Subject: Re: Merci', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: 8bit', '', ''].join('\r\n'));
    const answer = readAnswer(await parseMessage(Buffer.concat([head, body])));
    expect(answer).toMatchObject({ text: "Je travaille à Lyon parce que j'aime le bois.", language: 'fr', score: { why: true, business: true } });
  });
});
