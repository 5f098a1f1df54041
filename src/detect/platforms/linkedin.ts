import type { PlatformRules } from './rules.ts';

/**
 * LinkedIn invitations in every shape seen in real mail (design.md, "What the mail looks like"):
 * - 2011–2013: subject "Invitation to connect on LinkedIn", body "I'd like to add you to my
 *   professional network on LinkedIn"; From the inviter's own mailbox (Sender at linkedin.com),
 *   later "Name via LinkedIn <member@linkedin.com>".
 * - 2016 on: From "Name <invitations@linkedin.com>", X-LinkedIn-Template `email_m2m_invite_*`,
 *   "View profile:" and "Accept:" links, the Accept link carrying `invitationId` (a query
 *   parameter in 2016, a path segment `/invitationId/<id>/` from about 2018).
 * Everything else LinkedIn sends (accepted invitations, InMail, messages, people you may know,
 * jobs, newsletters, security notices) is not a request. LinkedIn localises its templates to the
 * recipient's language; the localised phrases below follow LinkedIn's own default invitation texts.
 */

const NAME = String.raw`(?<name>\S.{0,80}?)`;

export const linkedin: PlatformRules = {
  platform: 'linkedin',
  request: 'an invitation',
  person: 'inviter',
  languages: ['en', 'de', 'fr', 'es', 'pt', 'it', 'nl'],
  domains: ['linkedin.com'],
  relatedDomains: ['licdn.com', 'lnkd.in', 'linkedin.cn'],
  brands: [
    { word: 'linkedin', match: 'substring' },
    { word: 'linked-in', match: 'substring' },
  ],
  headerPrefixes: ['x-linkedin-'],
  pages: { messaging: 'https://www.linkedin.com/messaging/', invitations: 'https://www.linkedin.com/mynetwork/invitation-manager/' },

  notRequest: [
    {
      rule: 'linkedin.digest',
      what: 'LinkedIn digest of invitations, not a single request',
      subject: {
        en: [/\byou have \d{1,4} (?:new |pending )?invitations\b/],
        de: [/\bSie haben \d{1,4} (?:neue |offene )?Einladungen\b/],
        fr: [/\bvous avez \d{1,4} (?:nouvelles )?invitations\b/],
        es: [/\btienes \d{1,4} invitaciones\b/],
        pt: [/\bvocê tem \d{1,4} convites\b/],
        it: [/\bhai \d{1,4} inviti\b/],
        nl: [/\bje hebt \d{1,4} uitnodigingen\b/],
      },
    },
    {
      rule: 'linkedin.accepted-template',
      what: 'LinkedIn notice that an invitation was accepted',
      headers: [{ header: 'x-linkedin-template', pattern: /accept/i }],
    },
    {
      rule: 'linkedin.accepted',
      what: 'LinkedIn notice that an invitation was accepted',
      text: {
        en: [
          /\baccepted your (?:invitation|connection request)\b/,
          /\byou(?:'re| are) now connected\b/,
          /\bis now a connection\b/,
          /\bstart a conversation with your new connection\b/,
        ],
        de: [/\bhat (?:Ihre|deine) Einladung angenommen\b/, /\b(?:Sie sind|ihr seid|du bist) jetzt (?:mit .{1,80} )?vernetzt\b/],
        fr: [/\ba accepté votre invitation\b/, /\bvous êtes (?:maintenant|désormais) en relation\b/],
        es: [/\b(?:ha aceptado|aceptó) tu invitación\b/, /\b(?:ya|ahora) (?:estáis|están) conectados\b/],
        pt: [/\baceitou (?:o )?seu convite\b/, /\bagora vocês estão conectados\b/],
        it: [/\bha accettato il tuo invito\b/, /\bora siete collegati\b/],
        nl: [/\bheeft (?:uw|je) uitnodiging geaccepteerd\b/, /\bjullie zijn nu (?:connecties|verbonden)\b/],
      },
    },
    {
      // Several conversations in one mail: no one person's message (the single ones are in messages).
      rule: 'linkedin.message-digest',
      what: 'LinkedIn digest of messages, not an invitation',
      subject: {
        en: [/\byou have \d{1,4} new messages?\b/, /\bmessages from .{1,80} and \d{1,4} others?\b/],
        de: [/\bSie haben \d{1,4} neue Nachrichten\b/, /\bdu hast \d{1,4} neue Nachrichten\b/],
        fr: [/\bvous avez \d{1,4} nouveaux messages\b/],
        es: [/\btienes \d{1,4} mensajes nuevos\b/],
        pt: [/\bvocê tem \d{1,4} novas mensagens\b/],
        it: [/\bhai \d{1,4} nuovi messaggi\b/],
        nl: [/\bje hebt \d{1,4} nieuwe berichten\b/],
      },
    },
    {
      rule: 'linkedin.people-you-may-know',
      what: 'LinkedIn suggestion of people you may know, not an invitation',
      subject: {
        en: [/\bpeople you may know\b/, /^.{0,60}do you know .{1,80}\?$/],
        de: [/\bPersonen, die Sie kennen könnten\b/, /\bkennen Sie .{1,80}\?$/],
        fr: [/\bpersonnes que vous pourriez connaître\b/, /\bconnaissez-vous .{1,80}\?$/],
        es: [/\bpersonas que quizá conozcas\b/, /\b¿?conoces a .{1,80}\?$/],
        pt: [/\bpessoas que talvez você conheça\b/, /\bvocê conhece .{1,80}\?$/],
        it: [/\bpersone che potresti conoscere\b/, /\bconosci .{1,80}\?$/],
        nl: [/\bmensen die u misschien kent\b/, /\bkent u .{1,80}\?$/],
      },
    },
    {
      rule: 'linkedin.security',
      what: 'LinkedIn security notice, not an invitation',
      fromLocal: /^security-noreply$/,
    },
    {
      rule: 'linkedin.security',
      what: 'LinkedIn security notice, not an invitation',
      subject: {
        en: [/\bsecurity (?:alert|notice|reminder)\b/, /\bpassword\b/, /\bverification code\b/, /\bnew sign-in\b/, /\bsigned in\b/],
        de: [/\bSicherheits(?:hinweis|warnung)\b/, /\bPasswort\b/, /\bBestätigungscode\b/],
        fr: [/\balerte de sécurité\b/, /\bmot de passe\b/, /\bcode de vérification\b/],
        es: [/\balerta de seguridad\b/, /\bcontraseña\b/, /\bcódigo de verificación\b/],
        pt: [/\balerta de segurança\b/, /\bsenha\b/, /\bcódigo de verificação\b/],
        it: [/\bavviso di sicurezza\b/, /\bpassword\b/, /\bcodice di verifica\b/],
        nl: [/\bbeveiligingsmelding\b/, /\bwachtwoord\b/, /\bverificatiecode\b/],
      },
    },
    {
      rule: 'linkedin.jobs',
      what: 'LinkedIn job mail, not an invitation',
      fromLocal: /^(?:jobs?|jobalerts|jobs-listings)(?:-noreply)?$/,
    },
    {
      rule: 'linkedin.newsletter',
      what: 'LinkedIn invitation to an event, a page or a newsletter, not to connect',
      subject: {
        en: [/\binvited you to (?:subscribe|follow|join|attend|an event)\b/, /\bnewsletter\b/],
        de: [/\bhat Sie (?:eingeladen, .{1,60} zu folgen|zu einer Veranstaltung eingeladen)\b/, /\bNewsletter\b/],
        fr: [/\bvous a invité(?:e)? à (?:suivre|vous abonner|un événement)\b/, /\bnewsletter\b/],
        es: [/\bte ha invitado a (?:seguir|suscribirte|un evento)\b/, /\bnewsletter\b/],
        pt: [/\bconvidou você para (?:seguir|assinar|um evento)\b/, /\bnewsletter\b/],
        it: [/\bti ha invitato a (?:seguire|iscriverti|un evento)\b/, /\bnewsletter\b/],
        nl: [/\bheeft u uitgenodigd om .{1,60} te volgen\b/, /\bnieuwsbrief\b/],
      },
    },
    {
      // Member-to-member connection invitations ("email_m2m_invite_single_01", "M2M_Invitation");
      // LinkedIn also sends invitations to events, groups, pages and newsletters.
      rule: 'linkedin.other-template',
      what: 'LinkedIn mail that is not an invitation',
      headers: [{ header: 'x-linkedin-template', pattern: /^(?!.*(?:m2m_?invit|invit\w*connect|connect\w*invit|guest_?invit)).*\S/i }],
    },
    {
      rule: 'linkedin.other-class',
      what: 'LinkedIn mail that is not an invitation',
      headers: [{ header: 'x-linkedin-class', pattern: /^(?!\s*INVIT(?:E|ATIONS?)(?:-[A-Z]{1,20}){0,3}\s*$).*\S/i }],
      absentHeaders: ['x-linkedin-template'],
    },
  ],

  messages: {
    signals: [
      {
        rule: 'linkedin.inmail',
        what: 'LinkedIn InMail',
        headers: [
          { header: 'x-linkedin-class', pattern: /^\s*INMAIL\s*$/i },
          { header: 'x-linkedin-template', pattern: /inmail/i },
        ],
      },
      { rule: 'linkedin.inmail', what: 'LinkedIn InMail', fromLocal: /^inmail/ },
      {
        rule: 'linkedin.message',
        what: 'LinkedIn message',
        subject: {
          en: [/\bjust messaged you\b/, /\bsent you a (?:new )?message\b/, /^(?:new )?message from\b/],
          de: [/\bhat Ihnen (?:gerade )?eine Nachricht gesendet\b/, /\bhat dir (?:gerade )?eine Nachricht gesendet\b/, /^neue Nachricht von\b/],
          fr: [/\bvous a envoyé un (?:nouveau )?message\b/],
          es: [/\bte ha enviado un (?:nuevo )?mensaje\b/, /\bte envió un mensaje\b/],
          pt: [/\benviou uma (?:nova )?mensagem para você\b/, /\bte enviou uma mensagem\b/],
          it: [/\bti ha inviato un (?:nuovo )?messaggio\b/],
          nl: [/\bheeft (?:je|u) een (?:nieuw )?bericht gestuurd\b/],
        },
      },
    ],
    subjectName: {
      en: [new RegExp(String.raw`^${NAME} (?:just messaged you|sent you a (?:new )?message)`), new RegExp(String.raw`^(?:new )?message from ${NAME}$`)],
      de: [new RegExp(String.raw`^${NAME} hat (?:Ihnen|dir) (?:gerade )?eine Nachricht gesendet`), new RegExp(String.raw`^neue Nachricht von ${NAME}$`)],
      fr: [new RegExp(String.raw`^${NAME} vous a envoyé un (?:nouveau )?message`)],
      es: [new RegExp(String.raw`^${NAME} te (?:ha enviado|envió) un (?:nuevo )?mensaje`)],
      pt: [new RegExp(String.raw`^${NAME} (?:te )?enviou uma (?:nova )?mensagem`)],
      it: [new RegExp(String.raw`^${NAME} ti ha inviato un (?:nuovo )?messaggio`)],
      nl: [new RegExp(String.raw`^${NAME} heeft (?:je|u) een (?:nieuw )?bericht gestuurd`)],
    },
    textEnds: {
      en: [/^(?:reply|view (?:the )?(?:message|conversation)|see (?:the )?(?:message|conversation)|mark as read|this email was intended|you are receiving|unsubscribe|learn why)\b/i],
      de: [/^(?:antworten|nachricht anzeigen|unterhaltung anzeigen|diese e-mail war für|sie erhalten|abbestellen)\b/i],
      fr: [/^(?:répondre|voir le message|voir la conversation|cet e-mail était destiné|vous recevez|se désabonner)\b/i],
      es: [/^(?:responder|ver (?:el )?mensaje|ver (?:la )?conversación|este correo (?:electrónico )?(?:iba dirigido|se envió)|recibes|darse de baja)\b/i],
      pt: [/^(?:responder|ver mensagem|ver conversa|este e-mail foi enviado|você está recebendo|cancelar inscrição)\b/i],
      it: [/^(?:rispondi|visualizza (?:il )?messaggio|visualizza (?:la )?conversazione|questa email era destinata|ricevi|annulla iscrizione)\b/i],
      nl: [/^(?:beantwoorden|bericht bekijken|gesprek bekijken|deze e-mail is bedoeld|(?:u|je) ontvangt|afmelden)\b/i],
    },
    conversationLinks: [/^\/(?:comm\/)?messaging\/thread\//i, /^\/(?:comm\/)?messaging\b/i],
    relayDomains: ['reply.linkedin.com'],
  },

  requests: [
    {
      rule: 'linkedin.2011-subject',
      what: 'LinkedIn invitation (2011–2013 format, {sender})',
      subject: {
        en: [/^(?:\[[^\]]{0,80}\]\s*)?(?:invitation to connect on linkedin|join my network on linkedin)\s*[.!]?\s*$/],
        de: [/^(?:\[[^\]]{0,80}\]\s*)?Einladung zum Vernetzen auf LinkedIn\s*[.!]?\s*$/],
        fr: [/^(?:\[[^\]]{0,80}\]\s*)?Invitation à se connecter sur LinkedIn\s*[.!]?\s*$/],
        es: [/^(?:\[[^\]]{0,80}\]\s*)?Invitación para conectar(?:se)? en LinkedIn\s*[.!]?\s*$/],
        pt: [/^(?:\[[^\]]{0,80}\]\s*)?Convite para se conectar no LinkedIn\s*[.!]?\s*$/],
        it: [/^(?:\[[^\]]{0,80}\]\s*)?Invito a collegarsi su LinkedIn\s*[.!]?\s*$/],
        nl: [/^(?:\[[^\]]{0,80}\]\s*)?Uitnodiging om te connecten op LinkedIn\s*[.!]?\s*$/],
      },
    },
    {
      rule: 'linkedin.2011-phrase',
      what: 'LinkedIn invitation (2011–2013 format, {sender})',
      fromLocal: /^(?!invitations$)/,
      text: {
        en: [/\badd you to my professional network on linkedin\b/],
        de: [/\bSie (?:gerne )?(?:zu|in) meinem beruflichen Netzwerk (?:auf|bei) LinkedIn hinzufügen\b/],
        fr: [/\bvous inviter à rejoindre mon réseau professionnel (?:en ligne, )?sur (?:le site )?LinkedIn\b/],
        es: [/\b(?:añadirte|agregarte) a mi red profesional (?:en|de) LinkedIn\b/],
        pt: [/\b(?:adicioná-lo|adicioná-la|adicionar você) à minha rede profissional no LinkedIn\b/],
        it: [/\baggiungerti alla mia rete professionale su LinkedIn\b/],
        nl: [/\b(?:je|u) (?:graag )?toevoegen aan mijn professionele netwerk op LinkedIn\b/],
      },
    },
    {
      rule: 'linkedin.invite-template',
      what: 'LinkedIn invitation (2016 format)',
      headers: [{ header: 'x-linkedin-template', pattern: /m2m_?invit|invit\w*connect|connect\w*invit|guest_?invit/i }],
    },
    {
      rule: 'linkedin.invite-class',
      what: 'LinkedIn invitation (2016 format)',
      headers: [{ header: 'x-linkedin-class', pattern: /^\s*INVIT(?:E|ATIONS?)(?:-[A-Z]{1,20}){0,3}\s*$/i }],
    },
    {
      rule: 'linkedin.accept-link',
      what: 'LinkedIn invitation (2016 format)',
      links: [/^\/(?:comm\/)?(?:people|mynetwork)\/invite-accept\b/i, /[?&]invitationId=/i],
    },
    {
      rule: 'linkedin.invitations-sender',
      what: 'LinkedIn invitation (2016 format)',
      fromLocal: /^invitations$/,
      text: {
        en: [
          /\bplease add me to your linkedin network\b/,
          /^i want to connect$/,
          /^you have an invitation$/,
          /^i(?:'ve| have) sent you a connection request$/,
          /\bi'?d like to join your (?:linkedin|professional) network\b/,
          /\binvited you to connect\b/,
          /\bwants to connect\b/,
        ],
        de: [
          /\bbitte nehmen Sie mich in Ihr LinkedIn-Netzwerk auf\b/,
          /^ich möchte mich (?:gerne )?mit Ihnen vernetzen$/,
          /^Sie haben eine Einladung$/,
          /\bich möchte (?:gerne )?(?:Ihrem|deinem) (?:LinkedIn-|beruflichen )?Netzwerk beitreten\b/,
          /\bmöchte sich (?:gerne )?mit (?:Ihnen|dir) (?:auf LinkedIn )?vernetzen\b/,
        ],
        fr: [
          /\bveuillez m'ajouter à votre réseau LinkedIn\b/,
          /^je souhaite me connecter avec vous$/,
          /^vous avez une invitation$/,
          /\bj'aimerais (?:rejoindre|faire partie de) votre réseau (?:LinkedIn|professionnel)\b/,
          /\bsouhaite (?:se connecter|entrer en relation) avec vous\b/,
        ],
        es: [
          /\bagrégame a tu red de LinkedIn\b/,
          /^quiero conectar(?:me)? contigo$/,
          /^tienes una invitación$/,
          /\bme gustaría (?:unirme a|formar parte de) tu red (?:de LinkedIn|profesional)\b/,
          /\bquiere conectar contigo\b/,
        ],
        pt: [
          /\badicione-me à sua rede do LinkedIn\b/,
          /^quero me conectar com você$/,
          /^você tem um convite$/,
          /\bgostaria de (?:participar da|fazer parte da) sua rede (?:do LinkedIn|profissional)\b/,
          /\bquer se conectar com você\b/,
        ],
        it: [
          /\baggiungimi alla tua rete LinkedIn\b/,
          /^voglio collegarmi con te$/,
          /^hai un invito$/,
          /\bvorrei (?:entrare a far parte della|unirmi alla) tua rete (?:LinkedIn|professionale)\b/,
          /\bvuole collegarsi con te\b/,
        ],
        nl: [
          /\bvoeg me toe aan je LinkedIn-netwerk\b/,
          /^ik wil (?:graag )?met je connecten$/,
          /^je hebt een uitnodiging$/,
          /\bik wil (?:graag )?deel uitmaken van (?:je|uw) (?:LinkedIn-|professionele )?netwerk\b/,
          /\bwil (?:graag )?met (?:je|u) connecten\b/,
        ],
      },
    },
  ],

  extract: {
    notPersonName: [/^linkedin(?:\s+(?:invitations?|member))?$/i],
    displaySuffix: /\s+(?:via|über|par|a través de|por meio de|tramite) linkedin\s*$/i,
    bodyName: {
      en: [
        new RegExp(String.raw`^${NAME} requested to add you as a connection on LinkedIn`),
        new RegExp(String.raw`^${NAME} (?:wants|would like) to connect(?: with you)?(?: on LinkedIn)?\b`),
        new RegExp(String.raw`^Accept invitation from ${NAME}\s*$`),
        new RegExp(String.raw`^Confirm that you know ${NAME}:?\s*$`),
        new RegExp(String.raw`^View ${NAME}'s profile\b`),
        new RegExp(String.raw`^From ${NAME}\s*$`),
        /join your (?:LinkedIn|professional) network\.?[ \t]*\n(?:[ \t]*\n){0,3}[ \t]*(?<name>\S[^\n]{0,80})\n/,
      ],
      de: [
        new RegExp(String.raw`^${NAME} möchte sich (?:gerne )?mit (?:Ihnen|dir) (?:auf LinkedIn )?vernetzen`),
        new RegExp(String.raw`^Einladung von ${NAME} annehmen\s*$`),
        new RegExp(String.raw`^Profil von ${NAME} anzeigen\b`),
        /Netzwerk beitreten\.?[ \t]*\n(?:[ \t]*\n){0,3}[ \t]*(?<name>\S[^\n]{0,80})\n/,
      ],
      fr: [
        new RegExp(String.raw`^${NAME} souhaite (?:se connecter|entrer en relation) avec vous`),
        new RegExp(String.raw`^Accepter l'invitation de ${NAME}\s*$`),
        new RegExp(String.raw`^Voir le profil de ${NAME}\s*$`),
        /votre réseau (?:LinkedIn|professionnel)\.?[ \t]*\n(?:[ \t]*\n){0,3}[ \t]*(?<name>\S[^\n]{0,80})\n/,
      ],
      es: [
        new RegExp(String.raw`^${NAME} quiere conectar contigo`),
        new RegExp(String.raw`^Aceptar la invitación de ${NAME}\s*$`),
        new RegExp(String.raw`^Ver el perfil de ${NAME}\s*$`),
        /tu red (?:de LinkedIn|profesional)\.?[ \t]*\n(?:[ \t]*\n){0,3}[ \t]*(?<name>\S[^\n]{0,80})\n/,
      ],
      pt: [
        new RegExp(String.raw`^${NAME} quer se conectar com você`),
        new RegExp(String.raw`^Aceitar o convite de ${NAME}\s*$`),
        new RegExp(String.raw`^Ver o perfil de ${NAME}\s*$`),
        /sua rede (?:do LinkedIn|profissional)\.?[ \t]*\n(?:[ \t]*\n){0,3}[ \t]*(?<name>\S[^\n]{0,80})\n/,
      ],
      it: [
        new RegExp(String.raw`^${NAME} vuole collegarsi con te`),
        new RegExp(String.raw`^Accetta l'invito di ${NAME}\s*$`),
        new RegExp(String.raw`^Visualizza il profilo di ${NAME}\s*$`),
        /tua rete (?:LinkedIn|professionale)\.?[ \t]*\n(?:[ \t]*\n){0,3}[ \t]*(?<name>\S[^\n]{0,80})\n/,
      ],
      nl: [
        new RegExp(String.raw`^${NAME} wil (?:graag )?met (?:je|u) connecten`),
        new RegExp(String.raw`^Uitnodiging van ${NAME} accepteren\s*$`),
        new RegExp(String.raw`^Profiel van ${NAME} bekijken\s*$`),
        /(?:LinkedIn-|professionele )?netwerk\.?[ \t]*\n(?:[ \t]*\n){0,3}[ \t]*(?<name>\S[^\n]{0,80})\n/,
      ],
    },
    webHosts: ['linkedin.com'],
    // Header links point at the recipient's own profile (trk "...-header-...").
    notRequesterLink: [/[?&]trk(?:Email)?=[^&#]*-header-/i],
    profiles: [
      { path: /^\/(?:comm\/)?in\/(?<key>[^/?#]{1,100})\/?$/, url: 'https://www.linkedin.com/in/{key}' },
      // authType/authToken open the profile to someone outside the inviter's network; they are not tracking.
      { path: /^\/(?:comm\/)?profile\/view\/?$/, param: 'id', url: 'https://www.linkedin.com/profile/view?id={key}', keep: ['authType', 'authToken'] },
    ],
    acceptLinks: [/^\/(?:comm\/)?(?:people|mynetwork)\/invite-accept\b/i],
    requestId: {
      params: ['invitationId'],
      paths: [/\/invitationId\/(?<id>[A-Za-z0-9:_.-]{1,120})(?:\/|$)/],
    },
    headlineAfterName: true,
    notHeadline: [
      /^(?:accept|view|confirm|ignore|reply|respond|unsubscribe|help|learn why|you are receiving|this email was intended)\b/i,
      /^(?:annehmen|anzeigen|profil|einladung|accepter|voir|aceptar|ver|aceitar|accetta|visualizza|accepteren|bekijken|uitnodiging)\b/i,
    ],
    location: [
      /^[\p{L} .'’-]{2,40},\s*[\p{L} .'’-]{2,40}$/u,
      /^(?:Greater |Großraum |Région de |Área de |Região de |Area metropolitana di |Regio )?[\p{L} .'’-]{2,40} (?:Area|Region|Metropolitan Area|Bay Area)$/u,
    ],
    mutualConnections: {
      en: [/\b(?<count>\d{1,5}) (?:mutual|shared) connections?\b/, /\b(?<count>\d{1,5}) connections? in common\b/, /\bis a (?:mutual|shared) connection\b/],
      de: [/\b(?<count>\d{1,5}) gemeinsame (?:Kontakte|Kontakt|Verbindungen|Verbindung)\b/],
      fr: [/\b(?<count>\d{1,5}) relations? en commun\b/],
      es: [/\b(?<count>\d{1,5}) (?:contactos?|conexiones|conexión) en común\b/],
      pt: [/\b(?<count>\d{1,5}) (?:conexões|conexão|contatos?) em comum\b/],
      it: [/\b(?<count>\d{1,5}) (?:collegamenti|collegamento) in comune\b/],
      nl: [/\b(?<count>\d{1,5}) (?:gemeenschappelijke|gedeelde) (?:connecties|connectie|contacten)\b/],
    },
    connectionCount: {
      en: [/\b(?<count>\d{1,3}(?:,\d{3})+|\d{1,6})\+? connections\b(?! in common)/],
      de: [/\b(?<count>\d{1,3}(?:\.\d{3})+|\d{1,6})\+? Kontakte\b/],
      fr: [/\b(?<count>\d{1,3}(?:[  ]\d{3})+|\d{1,6})\+? relations\b(?! en commun)/],
      es: [/\b(?<count>\d{1,3}(?:\.\d{3})+|\d{1,6})\+? (?:contactos|conexiones)\b(?! en común)/],
      pt: [/\b(?<count>\d{1,3}(?:\.\d{3})+|\d{1,6})\+? (?:conexões|contatos)\b(?! em comum)/],
      it: [/\b(?<count>\d{1,3}(?:\.\d{3})+|\d{1,6})\+? collegamenti\b(?! in comune)/],
      nl: [/\b(?<count>\d{1,3}(?:\.\d{3})+|\d{1,6})\+? (?:connecties|contacten)\b/],
    },
    photo: {
      real: [/^https?:\/\/media(?:-exp\d+)?\.licdn\.com\/(?:dms\/image|mpr\/mpr)\//i],
      placeholder: [/\/ghosts?\//i, /ghost[_-]?(?:person|profile|avatar)/i],
    },
    noteEnds: {
      en: [/^(?:accept|view profile|view .{1,80}'s profile|confirm that you know|ignore|reply|respond)\b/i],
      de: [/^(?:annehmen|einladung (?:von .{1,80} )?annehmen|profil (?:von .{1,80} )?anzeigen|ignorieren|antworten)\b/i],
      fr: [/^(?:accepter|voir le profil|ignorer|répondre)\b/i],
      es: [/^(?:aceptar|ver (?:el )?perfil|ignorar|responder)\b/i],
      pt: [/^(?:aceitar|ver (?:o )?perfil|ignorar|responder)\b/i],
      it: [/^(?:accetta|visualizza (?:il )?profilo|ignora|rispondi)\b/i],
      nl: [/^(?:accepteren|profiel (?:van .{1,80} )?bekijken|negeren|beantwoorden)\b/i],
    },
    boilerplate: {
      any: [/^linkedin$/i, /^[-–—=_.•*]{3,}$/],
      en: [/\bis waiting for your response\b/i, /^you have an invitation$/i, /\bwants to connect with you\b/i],
      de: [/\bwartet auf Ihre Antwort\b/i, /^Sie haben eine Einladung$/i],
      fr: [/\battend votre réponse\b/i, /^vous avez une invitation$/i],
      es: [/\bespera tu respuesta\b/i, /^tienes una invitación$/i],
      pt: [/\bestá aguardando sua resposta\b/i, /^você tem um convite$/i],
      it: [/\baspetta una tua risposta\b/i, /^hai un invito$/i],
      nl: [/\bwacht op je antwoord\b/i, /^je hebt een uitnodiging$/i],
    },
  },
};
