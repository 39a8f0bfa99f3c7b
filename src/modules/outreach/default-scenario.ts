/**
 * The conversation guide shipped with Haven, "Hoe gaat het met u?" (domain.md, pillar 1, step 6):
 * well-being, what happened since the police intervention, safety now, children who witness,
 * what would help, referral. Callers read the questions aloud, so they are written as spoken
 * language: short, calm, never blaming, always leaving the person free not to answer. `help` is
 * for the caller only. The marked questions (threats, strangulation, weapons, fear for one's
 * life, children in danger) raise an escalation when answered "yes".
 *
 * Changing the wording or the questions means a new version: raise DEFAULT_SCENARIO_VERSION, and
 * conversations held under the earlier one keep it.
 */
export const DEFAULT_SCENARIO_KEY = 'how-are-you';
export const DEFAULT_SCENARIO_VERSION = 1;

export const DEFAULT_SCENARIO = {
  title: {
    nl: 'Hoe gaat het met u?',
    fr: 'Comment allez-vous ?',
    en: 'How are you?',
  },
  sections: [
    {
      id: 'wellbeing',
      title: { nl: 'Hoe gaat het?', fr: 'Comment ça va ?', en: 'How are you doing?' },
      questions: [
        {
          id: 'how-are-you',
          type: 'scale',
          counted: true,
          text: {
            nl: 'Hoe gaat het met u?',
            fr: 'Comment allez-vous ?',
            en: 'How are you?',
          },
          help: {
            nl: 'Zeg pas wie u bent en waarom u belt als u zeker weet dat u de juiste persoon aan de lijn hebt. Laat de persoon eerst vrij vertellen. Vat daarna samen op een schaal van 1 (heel slecht) tot 5 (heel goed), eventueel samen met de persoon.',
            fr: 'Ne dites qui vous êtes et pourquoi vous appelez qu’une fois certain·e de parler à la bonne personne. Laissez d’abord la personne s’exprimer librement. Résumez ensuite sur une échelle de 1 (très mal) à 5 (très bien), si possible avec elle.',
            en: 'Only say who you are and why you are calling once you are sure you are speaking to the right person. Let the person talk freely first. Then sum it up on a scale from 1 (very bad) to 5 (very good), together with them if you can.',
          },
        },
        {
          id: 'can-talk',
          type: 'yes_no',
          counted: true,
          text: {
            nl: 'Is dit een goed moment om even te praten? Kunt u vrijuit spreken, zonder dat iemand meeluistert?',
            fr: 'Est-ce un bon moment pour parler un peu ? Pouvez-vous parler librement, sans que quelqu’un écoute ?',
            en: 'Is this a good moment to talk for a while? Can you speak freely, without anyone listening in?',
          },
          help: {
            nl: 'Bij "nee": spreek een beter moment af, noteer het bij de veiligheidsinformatie en beëindig het gesprek vriendelijk, zonder uitleg.',
            fr: 'Si « non » : convenez d’un meilleur moment, notez-le dans les informations de sécurité et terminez l’appel poliment, sans explication.',
            en: 'If "no": agree on a better moment, note it in the safety information and end the call kindly, without explanation.',
          },
        },
        {
          id: 'wellbeing-notes',
          type: 'text',
          counted: false,
          text: {
            nl: 'Wat vertelt de persoon over hoe het met hem of haar gaat?',
            fr: 'Que dit la personne de la façon dont elle va ?',
            en: 'What does the person say about how they are?',
          },
          help: {
            nl: 'Noteer kort en in de woorden van de persoon. Schrijf enkel op wat nodig is om verder te helpen.',
            fr: 'Notez brièvement, avec les mots de la personne. N’écrivez que ce qui est utile pour l’aider.',
            en: "Note briefly, in the person's own words. Write down only what is needed to help further.",
          },
        },
      ],
    },
    {
      id: 'since',
      title: {
        nl: 'Sinds de politie-interventie',
        fr: 'Depuis l’intervention de la police',
        en: 'Since the police intervention',
      },
      questions: [
        {
          id: 'since-intervention',
          type: 'choice',
          counted: true,
          text: {
            nl: 'Onlangs is de politie bij u thuis langs geweest. Hoe is het sindsdien thuis?',
            fr: 'La police est passée chez vous récemment. Comment ça se passe à la maison depuis ?',
            en: 'The police came to your home recently. How have things been at home since then?',
          },
          help: {
            nl: 'Vraag niet naar details van wat er toen gebeurde, tenzij de persoon er zelf over wil vertellen.',
            fr: 'Ne demandez pas de détails sur ce qui s’est passé ce jour-là, sauf si la personne souhaite en parler.',
            en: 'Do not ask for details of what happened then, unless the person wants to talk about it.',
          },
          choices: [
            { key: 'better', label: { nl: 'Beter, rustiger', fr: 'Mieux, plus calme', en: 'Better, calmer' } },
            { key: 'same', label: { nl: 'Ongeveer hetzelfde', fr: 'À peu près pareil', en: 'About the same' } },
            { key: 'worse', label: { nl: 'Slechter, meer spanning', fr: 'Moins bien, plus de tensions', en: 'Worse, more tension' } },
            { key: 'separated', label: { nl: 'We wonen niet meer samen', fr: 'Nous ne vivons plus ensemble', en: 'We no longer live together' } },
          ],
        },
        {
          id: 'since-notes',
          type: 'text',
          counted: false,
          text: {
            nl: 'Wat is er sindsdien gebeurd, volgens de persoon?',
            fr: 'Que s’est-il passé depuis, selon la personne ?',
            en: 'What has happened since, according to the person?',
          },
        },
      ],
    },
    {
      id: 'safety',
      title: { nl: 'Veiligheid nu', fr: 'La sécurité aujourd’hui', en: 'Safety now' },
      questions: [
        {
          id: 'feels-safe',
          type: 'scale',
          counted: true,
          text: {
            nl: 'Hoe veilig voelt u zich thuis op dit moment? Op een schaal van 1, helemaal niet veilig, tot 5, helemaal veilig.',
            fr: 'À quel point vous sentez-vous en sécurité chez vous en ce moment ? Sur une échelle de 1, pas du tout en sécurité, à 5, tout à fait en sécurité.',
            en: 'How safe do you feel at home right now? On a scale from 1, not safe at all, to 5, completely safe.',
          },
          help: {
            nl: 'Zeg dat de volgende vragen aan iedereen gesteld worden en dat de persoon niet hoeft te antwoorden.',
            fr: 'Précisez que les questions suivantes sont posées à tout le monde et que la personne n’est pas obligée d’y répondre.',
            en: 'Explain that the next questions are asked of everyone and that the person does not have to answer.',
          },
        },
        {
          id: 'threats',
          type: 'yes_no',
          counted: true,
          escalatesOn: [true],
          escalationReason: 'threats',
          text: {
            nl: 'Bent u sindsdien bedreigd? Bijvoorbeeld dat iemand u, uw kinderen of iemand die u graag ziet iets zou aandoen?',
            fr: 'Avez-vous été menacé·e depuis ? Par exemple, que quelqu’un vous ferait du mal, à vous, à vos enfants ou à une personne qui vous est chère ?',
            en: 'Have you been threatened since then? For example, that someone would harm you, your children or someone you care about?',
          },
        },
        {
          id: 'strangulation',
          type: 'yes_no',
          counted: true,
          escalatesOn: [true],
          escalationReason: 'strangulation',
          text: {
            nl: 'Heeft iemand ooit uw keel dichtgeknepen, u gewurgd of geprobeerd u de adem af te snijden?',
            fr: 'Quelqu’un vous a-t-il déjà serré le cou, étranglé·e ou essayé de vous empêcher de respirer ?',
            en: 'Has anyone ever squeezed your throat, strangled you or tried to stop you from breathing?',
          },
          help: {
            nl: 'Ook één keer, ook lang geleden, ook zonder zichtbare letsels: antwoord "ja". Wurging is een ernstig teken van levensgevaar.',
            fr: 'Même une seule fois, même il y a longtemps, même sans traces visibles : répondez « oui ». L’étranglement est un signe grave de danger de mort.',
            en: 'Even once, even long ago, even without visible marks: answer "yes". Strangulation is a serious sign of danger to life.',
          },
        },
        {
          id: 'weapons',
          type: 'yes_no',
          counted: true,
          escalatesOn: [true],
          escalationReason: 'weapons',
          text: {
            nl: 'Is er een wapen in huis, of heeft iemand u ooit bedreigd met een wapen of met een voorwerp, zoals een mes?',
            fr: 'Y a-t-il une arme à la maison, ou quelqu’un vous a-t-il déjà menacé·e avec une arme ou un objet, comme un couteau ?',
            en: 'Is there a weapon in the house, or has anyone ever threatened you with a weapon or an object, such as a knife?',
          },
        },
        {
          id: 'fear-for-life',
          type: 'yes_no',
          counted: true,
          escalatesOn: [true],
          escalationReason: 'fear_for_life',
          text: {
            nl: 'Bent u bang dat iemand u ernstig zou kunnen verwonden, of zelfs doden?',
            fr: 'Avez-vous peur que quelqu’un puisse vous blesser gravement, voire vous tuer ?',
            en: 'Are you afraid that someone could seriously hurt you, or even kill you?',
          },
          help: {
            nl: 'Neem de angst van de persoon altijd ernstig. Bij acuut gevaar: zeg dat de persoon 112 kan bellen.',
            fr: 'Prenez toujours la peur de la personne au sérieux. En cas de danger immédiat : dites-lui qu’elle peut appeler le 112.',
            en: "Always take the person's fear seriously. In immediate danger: tell them they can call 112.",
          },
        },
        {
          id: 'safety-notes',
          type: 'text',
          counted: false,
          text: {
            nl: 'Wat vertelt de persoon over de veiligheid nu?',
            fr: 'Que dit la personne de sa sécurité actuelle ?',
            en: 'What does the person say about their safety now?',
          },
        },
      ],
    },
    {
      id: 'children',
      title: { nl: 'Kinderen', fr: 'Les enfants', en: 'Children' },
      questions: [
        {
          id: 'children-at-home',
          type: 'yes_no',
          counted: true,
          text: {
            nl: 'Wonen er kinderen bij u, of komen er geregeld kinderen over de vloer?',
            fr: 'Des enfants vivent-ils chez vous, ou y viennent-ils régulièrement ?',
            en: 'Do children live with you, or come to your home regularly?',
          },
          help: {
            nl: 'Bij "nee": sla de volgende vragen over kinderen over.',
            fr: 'Si « non » : passez les questions suivantes sur les enfants.',
            en: 'If "no": skip the next questions about children.',
          },
        },
        {
          id: 'children-witness',
          type: 'choice',
          counted: true,
          text: {
            nl: 'Kinderen merken vaak meer dan we denken. Hebben de kinderen de ruzies of het geweld gezien of gehoord?',
            fr: 'Les enfants perçoivent souvent plus qu’on ne le pense. Les enfants ont-ils vu ou entendu les disputes ou la violence ?',
            en: 'Children often notice more than we think. Have the children seen or heard the arguments or the violence?',
          },
          choices: [
            { key: 'yes', label: { nl: 'Ja', fr: 'Oui', en: 'Yes' } },
            { key: 'no', label: { nl: 'Nee', fr: 'Non', en: 'No' } },
            { key: 'unsure', label: { nl: 'Weet het niet', fr: 'Ne sait pas', en: 'Not sure' } },
          ],
        },
        {
          id: 'children-in-danger',
          type: 'yes_no',
          counted: true,
          escalatesOn: [true],
          escalationReason: 'children_in_danger',
          text: {
            nl: 'Maakt u zich zorgen over de veiligheid van de kinderen? Zijn ze zelf bedreigd of pijn gedaan?',
            fr: 'Êtes-vous inquiet·ète pour la sécurité des enfants ? Ont-ils eux-mêmes été menacés ou blessés ?',
            en: "Are you worried about the children's safety? Have they themselves been threatened or hurt?",
          },
        },
        {
          id: 'children-notes',
          type: 'text',
          counted: false,
          text: {
            nl: 'Wat vertelt de persoon over de kinderen?',
            fr: 'Que dit la personne au sujet des enfants ?',
            en: 'What does the person say about the children?',
          },
          help: {
            nl: 'Geen namen of geboortedata van kinderen noteren.',
            fr: 'Ne notez ni le nom ni la date de naissance des enfants.',
            en: "Do not note the children's names or dates of birth.",
          },
        },
      ],
    },
    {
      id: 'help',
      title: { nl: 'Wat zou helpen?', fr: 'Qu’est-ce qui pourrait aider ?', en: 'What would help?' },
      questions: [
        {
          id: 'what-would-help',
          type: 'choice',
          counted: true,
          text: {
            nl: 'Wat zou u nu het meest helpen?',
            fr: 'Qu’est-ce qui vous aiderait le plus en ce moment ?',
            en: 'What would help you most right now?',
          },
          help: {
            nl: 'Luister eerst naar wat de persoon zelf aangeeft en kies dan wat het best past.',
            fr: 'Écoutez d’abord ce que la personne exprime elle-même, puis choisissez ce qui correspond le mieux.',
            en: 'Listen first to what the person says themselves, then choose what fits best.',
          },
          choices: [
            { key: 'talk', label: { nl: 'Iemand om mee te praten', fr: 'Quelqu’un à qui parler', en: 'Someone to talk to' } },
            {
              key: 'practical',
              label: {
                nl: 'Praktische hulp (wonen, geld, juridisch)',
                fr: 'Une aide pratique (logement, argent, juridique)',
                en: 'Practical help (housing, money, legal)',
              },
            },
            { key: 'peer-group', label: { nl: 'Lotgenoten ontmoeten', fr: 'Rencontrer des pairs', en: 'Meeting others in the same situation' } },
            {
              key: 'help-other-party',
              label: { nl: 'Hulp voor de andere persoon', fr: 'De l’aide pour l’autre personne', en: 'Help for the other person' },
            },
            { key: 'children-support', label: { nl: 'Steun voor de kinderen', fr: 'Du soutien pour les enfants', en: 'Support for the children' } },
            { key: 'nothing-now', label: { nl: 'Op dit moment niets', fr: 'Rien pour le moment', en: 'Nothing for now' } },
          ],
        },
        {
          id: 'help-notes',
          type: 'text',
          counted: false,
          text: {
            nl: 'Wat heeft de persoon nodig, in eigen woorden?',
            fr: 'De quoi la personne a-t-elle besoin, avec ses mots ?',
            en: 'What does the person need, in their own words?',
          },
        },
      ],
    },
    {
      id: 'referral',
      title: { nl: 'Doorverwijzing', fr: 'Orientation', en: 'Referral' },
      questions: [
        {
          id: 'referral-wanted',
          type: 'choice',
          counted: true,
          text: {
            nl: 'Mogen we u in contact brengen met een dienst die u verder kan helpen?',
            fr: 'Pouvons-nous vous mettre en contact avec un service qui peut vous aider davantage ?',
            en: 'May we put you in touch with a service that can help you further?',
          },
          help: {
            nl: 'Stel een dienst voor die past bij wat de persoon nodig heeft, in de buurt en in de eigen taal. Registreer de doorverwijzing zelf bij "Doorverwijzen".',
            fr: 'Proposez un service adapté à ses besoins, proche et dans sa langue. Enregistrez l’orientation elle-même dans « Orienter ».',
            en: 'Suggest a service that fits what the person needs, nearby and in their language. Record the referral itself under "Refer".',
          },
          choices: [
            { key: 'yes', label: { nl: 'Ja', fr: 'Oui', en: 'Yes' } },
            { key: 'later', label: { nl: 'Later, na een nieuw gesprek', fr: 'Plus tard, après un nouvel appel', en: 'Later, after another call' } },
            { key: 'no', label: { nl: 'Nee, dank u', fr: 'Non merci', en: 'No, thank you' } },
          ],
        },
        {
          id: 'follow-up-ok',
          type: 'yes_no',
          counted: true,
          text: {
            nl: 'Mogen we u later nog eens bellen om te horen hoe het met u gaat?',
            fr: 'Pouvons-nous vous rappeler plus tard pour prendre de vos nouvelles ?',
            en: 'May we call you again later to hear how you are doing?',
          },
          help: {
            nl: 'Vraag wanneer bellen veilig is en noteer dat bij de veiligheidsinformatie. Sluit af met een dank-u-wel en zeg dat de persoon altijd zelf contact mag opnemen.',
            fr: 'Demandez quand un appel est sans risque et notez-le dans les informations de sécurité. Terminez en remerciant la personne et en lui disant qu’elle peut toujours reprendre contact elle-même.',
            en: 'Ask when it is safe to call and note it in the safety information. End by thanking the person and telling them they can always get in touch themselves.',
          },
        },
        {
          id: 'closing-notes',
          type: 'text',
          counted: false,
          text: {
            nl: 'Afspraken en opmerkingen',
            fr: 'Accords et remarques',
            en: 'Agreements and remarks',
          },
        },
      ],
    },
  ],
} as const;
