import type { Language } from '../../../src/vocabulary/contact.ts';
import { LANGUAGE_NAMES, mail, passed, type DetectionCase } from './support.ts';

/**
 * Constructed XING contact requests from XING <mailrobot@mail.xing.com>, in the recipient's
 * language, with the requester's position, an optional message and the buttons.
 */

interface Words {
  subject: (name: string) => string;
  body: (name: string) => string;
  accept: string;
  mutual: (count: number) => string;
  accepted: (name: string) => string;
  message: (name: string) => string;
}

const WORDS: Record<Language, Words> = {
  en: {
    subject: (name) => `Contact request from ${name}`,
    body: (name) => `${name} would like to add you as a contact.`,
    accept: 'Accept contact request',
    mutual: (count) => `${count} contacts in common`,
    accepted: (name) => `${name} accepted your contact request`,
    message: (name) => `New message from ${name}`,
  },
  de: {
    subject: (name) => `${name} möchte Sie als Kontakt hinzufügen`,
    body: (name) => `${name} möchte Sie als Kontakt hinzufügen.`,
    accept: 'Kontaktanfrage annehmen',
    mutual: (count) => `${count} gemeinsame Kontakte`,
    accepted: (name) => `${name} hat Ihre Kontaktanfrage bestätigt`,
    message: (name) => `Neue Nachricht von ${name}`,
  },
  fr: {
    subject: (name) => `Demande de contact de ${name}`,
    body: (name) => `${name} souhaite vous ajouter à ses contacts.`,
    accept: 'Accepter',
    mutual: (count) => `${count} contacts en commun`,
    accepted: (name) => `${name} a accepté votre demande de contact`,
    message: (name) => `Nouveau message de ${name}`,
  },
  es: {
    subject: (name) => `Solicitud de contacto de ${name}`,
    body: (name) => `${name} quiere añadirte a sus contactos.`,
    accept: 'Aceptar',
    mutual: (count) => `${count} contactos en común`,
    accepted: (name) => `${name} ha aceptado tu solicitud de contacto`,
    message: (name) => `Nuevo mensaje de ${name}`,
  },
  pt: {
    subject: (name) => `Solicitação de contato de ${name}`,
    body: (name) => `${name} quer adicionar você aos seus contatos.`,
    accept: 'Aceitar',
    mutual: (count) => `${count} contatos em comum`,
    accepted: (name) => `${name} aceitou sua solicitação de contato`,
    message: (name) => `Nova mensagem de ${name}`,
  },
  it: {
    subject: (name) => `Richiesta di contatto da ${name}`,
    body: (name) => `${name} vorrebbe aggiungerti ai suoi contatti.`,
    accept: 'Accetta',
    mutual: (count) => `${count} contatti in comune`,
    accepted: (name) => `${name} ha accettato la tua richiesta di contatto`,
    message: (name) => `Nuovo messaggio da ${name}`,
  },
  nl: {
    subject: (name) => `Contactverzoek van ${name}`,
    body: (name) => `${name} wil u graag als contact toevoegen.`,
    accept: 'Accepteren',
    mutual: (count) => `${count} gemeenschappelijke contacten`,
    accepted: (name) => `${name} heeft uw contactverzoek geaccepteerd`,
    message: (name) => `Nieuw bericht van ${name}`,
  },
};

const PEOPLE: Record<Language, { name: string; slug: string; position: string }> = {
  en: { name: 'Oliver Brown', slug: 'Oliver_Brown12', position: 'Senior Consultant, Example Partners' },
  de: { name: 'Max Mustermann', slug: 'Max_Mustermann', position: 'Geschäftsführer, Muster AG' },
  fr: { name: 'Julien Moreau', slug: 'Julien_Moreau3', position: 'Consultant, Exemple Conseil' },
  es: { name: 'Pablo Ruiz', slug: 'Pablo_Ruiz', position: 'Consultor, Ejemplo Consultores' },
  pt: { name: 'Rui Almeida', slug: 'Rui_Almeida', position: 'Consultor, Exemplo Consultoria' },
  it: { name: 'Marco Ferrari', slug: 'Marco_Ferrari7', position: 'Consulente, Esempio Consulting' },
  nl: { name: 'Daan Bakker', slug: 'Daan_Bakker', position: 'Adviseur, Voorbeeld Advies' },
};

const LANGUAGES = Object.keys(WORDS) as Language[];
const FROM = { name: 'XING', address: 'mailrobot@mail.xing.com' };

export const XING_CASES: DetectionCase[] = LANGUAGES.flatMap((language): DetectionCase[] => {
  const words = WORDS[language];
  const person = PEOPLE[language];
  return [
    {
      name: `constructed: XING contact request with a message, ${LANGUAGE_NAMES[language]}`,
      platform: 'xing',
      language,
      expect: 'request',
      requester: {
        name: person.name,
        profileUrl: `https://www.xing.com/profile/${person.slug}`,
        headline: person.position,
        mutualConnections: 4,
        note: 'Wir haben uns auf der Holzbau-Messe in Köln gesehen.',
        email: null,
      },
      flags: [],
      reason: /^XING contact request$/,
      build: mail({
        from: FROM,
        subject: words.subject(person.name),
        headers: { 'Authentication-Results': passed('xing.com', 'mail.xing.com'), 'List-Unsubscribe': '<https://www.xing.com/settings/notifications>' },
        text: [
          words.body(person.name),
          '',
          person.name,
          person.position,
          words.mutual(4),
          '',
          '"Wir haben uns auf der Holzbau-Messe in Köln gesehen."',
          '',
          `${words.accept}: https://www.xing.com/app/contact?op=accept&id=${person.slug}`,
          `https://www.xing.com/profile/${person.slug}?sc_o=mxb_p`,
        ].join('\n'),
      }),
    },
    {
      name: `constructed: XING notice that a contact request was accepted, ${LANGUAGE_NAMES[language]}`,
      platform: 'xing',
      language,
      expect: 'not-request',
      reason: /^suppressed: XING notice that a contact request was accepted/,
      build: mail({
        from: FROM,
        subject: words.accepted(person.name),
        headers: { 'Authentication-Results': passed('xing.com', 'mail.xing.com') },
        text: `${words.accepted(person.name)}.\nhttps://www.xing.com/profile/${person.slug}`,
      }),
    },
    {
      name: `constructed: XING message notification, ${LANGUAGE_NAMES[language]}`,
      platform: 'xing',
      language,
      expect: 'not-request',
      build: mail({
        from: FROM,
        subject: words.message(person.name),
        headers: { 'Authentication-Results': passed('xing.com', 'mail.xing.com') },
        text: `${words.message(person.name)}\nhttps://www.xing.com/chats`,
      }),
    },
  ];
}).concat([
  {
    name: 'constructed: XING job recommendations from jobs@mail.xing.com',
    platform: 'xing',
    language: 'de',
    expect: 'not-request',
    build: mail({
      from: { name: 'XING Jobs', address: 'jobs@mail.xing.com' },
      subject: 'Neue Jobs für Sie: Software Entwickler (m/w/d)',
      text: 'Max Mustermann möchte Sie als Kontakt hinzufügen? Nein: hier sind neue Jobs.\n=> https://www.xing.com/m/AAAA',
    }),
  },
  {
    name: 'constructed: contact request from the look-alike xing-mail.com',
    platform: 'xing',
    language: 'de',
    expect: 'not-request',
    reason: /imitates xing\.com/,
    build: mail({
      from: { name: 'XING', address: 'mailrobot@xing-mail.com' },
      subject: 'Max Mustermann möchte Sie als Kontakt hinzufügen',
      text: 'Max Mustermann möchte Sie als Kontakt hinzufügen.',
    }),
  },
]);
